/* bootargs_parse(): defaults, every key, bad values, unknown keys, whitespace. */
#include <faultline/bootargs.h>
#include <faultline/bug.h>
#include <faultline/err.h>
#include <faultline/test.h>

#include "test_util.h"

static struct boot_options ba_opts;
static char ba_err[128];
static char ba_line[256];

/* Checks that ba_opts holds the documented defaults. */
static void ba_expect_defaults(struct test_ctx *test_ctx)
{
	EXPECT_EQ(ba_opts.mode, BOOT_MODE_BOOT);
	EXPECT_STREQ(ba_opts.test_filter, "");
	EXPECT_EQ(ba_opts.hotplug_cpu, BOOT_HOTPLUG_ALL);
	EXPECT_EQ(ba_opts.hotplug_cycles, 1);
	EXPECT_EQ(ba_opts.crash, BOOT_CRASH_NONE);
	EXPECT_EQ(ba_opts.crash_cpu, 0);
	EXPECT_STREQ(ba_opts.trace_path, "trace.bin");
	EXPECT_EQ(ba_opts.max_cpus, 0);
	EXPECT_EQ(ba_opts.bugs, 0);
}

/* Parses @args into ba_opts and ba_err. */
static int ba_parse(const char *args)
{
	return bootargs_parse(args, &ba_opts, ba_err, sizeof(ba_err));
}

/* Builds "@key=" followed by @n copies of 'x' in ba_line. */
static const char *ba_long_value(const char *key, size_t n)
{
	size_t k = test_util_strlen(key);

	test_util_copy(ba_line, key, k);
	ba_line[k] = '=';
	test_util_fill(ba_line + k + 1, 'x', n);
	ba_line[k + 1 + n] = '\0';
	return ba_line;
}

/** An empty or blank command line gives every default and no error. */
TEST(bootargs, defaults)
{
	static const char *const blank[] = {"", " ", "\t", "  \t  "};

	for (unsigned i = 0; i < ARRAY_SIZE(blank); i++) {
		ba_err[0] = 'x';
		EXPECT_EQ_INT(ba_parse(blank[i]), 0);
		EXPECT_STREQ(ba_err, "");
		ba_expect_defaults(test_ctx);
	}
}

/** Each parse starts from the defaults, whatever the structure held before. */
TEST(bootargs, defaults_reset_previous_values)
{
	ASSERT_EQ_INT(
		ba_parse("mode=test test=x hotplug_cpu=2 hotplug_cycles=5 "
			 "crash=undef crash_cpu=1 trace=t.bin cpus=2"),
		0);
	ASSERT_EQ_INT(ba_parse(""), 0);
	ba_expect_defaults(test_ctx);
}

/** mode= takes boot, test and hotplug. */
TEST(bootargs, mode_values)
{
	EXPECT_EQ_INT(ba_parse("mode=test"), 0);
	EXPECT_EQ(ba_opts.mode, BOOT_MODE_TEST);
	EXPECT_EQ_INT(ba_parse("mode=hotplug"), 0);
	EXPECT_EQ(ba_opts.mode, BOOT_MODE_HOTPLUG);
	EXPECT_EQ_INT(ba_parse("mode=boot"), 0);
	EXPECT_EQ(ba_opts.mode, BOOT_MODE_BOOT);
}

/** crash= takes data, undef, panic and hang. */
TEST(bootargs, crash_values)
{
	EXPECT_EQ_INT(ba_parse("crash=data"), 0);
	EXPECT_EQ(ba_opts.crash, BOOT_CRASH_DATA);
	EXPECT_EQ_INT(ba_parse("crash=undef"), 0);
	EXPECT_EQ(ba_opts.crash, BOOT_CRASH_UNDEF);
	EXPECT_EQ_INT(ba_parse("crash=panic"), 0);
	EXPECT_EQ(ba_opts.crash, BOOT_CRASH_PANIC);
	EXPECT_EQ_INT(ba_parse("crash=hang"), 0);
	EXPECT_EQ(ba_opts.crash, BOOT_CRASH_HANG);
	EXPECT_EQ_INT(ba_parse("crash=hangs"), -ERR_INVAL);
}

/** Every key is parsed in one line and the others keep their defaults. */
TEST(bootargs, every_key)
{
	ASSERT_EQ_INT(ba_parse("mode=test test=dtb.find hotplug_cpu=3 "
			       "hotplug_cycles=1000 crash=data crash_cpu=1023 "
			       "trace=out/run-1.bin cpus=4"),
		      0);
	EXPECT_EQ(ba_opts.mode, BOOT_MODE_TEST);
	EXPECT_STREQ(ba_opts.test_filter, "dtb.find");
	EXPECT_EQ(ba_opts.hotplug_cpu, 3);
	EXPECT_EQ(ba_opts.hotplug_cycles, 1000);
	EXPECT_EQ(ba_opts.crash, BOOT_CRASH_DATA);
	EXPECT_EQ(ba_opts.crash_cpu, 1023);
	EXPECT_STREQ(ba_opts.trace_path, "out/run-1.bin");
	EXPECT_EQ(ba_opts.max_cpus, 4);
	EXPECT_STREQ(ba_err, "");
}

/** Numbers take their full range, 0 included where allowed. */
TEST(bootargs, number_ranges)
{
	EXPECT_EQ_INT(ba_parse("hotplug_cpu=0 crash_cpu=0 hotplug_cycles=0"),
		      0);
	EXPECT_EQ(ba_opts.hotplug_cpu, 0);
	EXPECT_EQ(ba_opts.hotplug_cycles, 0);
	EXPECT_EQ_INT(ba_parse("cpus=1 hotplug_cpu=1023 hotplug_cycles=007"),
		      0);
	EXPECT_EQ(ba_opts.max_cpus, 1);
	EXPECT_EQ(ba_opts.hotplug_cpu, 1023);
	EXPECT_EQ(ba_opts.hotplug_cycles, 7);
}

/** Spaces and tabs separate words anywhere, in any number. */
TEST(bootargs, whitespace)
{
	EXPECT_EQ_INT(ba_parse("  \tmode=test\t\ttest=fmt   cpus=2 \t"), 0);
	EXPECT_EQ(ba_opts.mode, BOOT_MODE_TEST);
	EXPECT_STREQ(ba_opts.test_filter, "fmt");
	EXPECT_EQ(ba_opts.max_cpus, 2);
}

/** A key given twice takes its last value. */
TEST(bootargs, last_value_wins)
{
	EXPECT_EQ_INT(ba_parse("mode=test mode=hotplug test=a test=bc"), 0);
	EXPECT_EQ(ba_opts.mode, BOOT_MODE_HOTPLUG);
	EXPECT_STREQ(ba_opts.test_filter, "bc");
}

/** A value may contain '=' where it is free text (paths). */
TEST(bootargs, equals_in_value)
{
	EXPECT_EQ_INT(ba_parse("trace=a=b.bin"), 0);
	EXPECT_STREQ(ba_opts.trace_path, "a=b.bin");
	EXPECT_EQ_INT(ba_parse("mode=test=1"), -ERR_INVAL);
}

/** Bad values give -ERR_INVAL and an error naming the key and the value. */
TEST(bootargs, bad_values)
{
	static const char *const bad[][3] = {
		{"mode=xyz", "mode", "xyz"},
		{"mode=Boot", "mode", "Boot"},
		{"mode=", "mode", "\"\""},
		{"crash=oops", "crash", "oops"},
		{"crash=", "crash", "crash"},
		{"hotplug_cpu=-1", "hotplug_cpu", "-1"},
		{"hotplug_cpu=1024", "hotplug_cpu", "1024"},
		{"hotplug_cycles=1001", "hotplug_cycles", "1001"},
		{"crash_cpu=99999999999999999999999", "crash_cpu", "9999"},
		{"cpus=0", "cpus", "0"},
		{"cpus=", "cpus", "cpus"},
		{"cpus=4x", "cpus", "4x"},
		{"cpus=+4", "cpus", "+4"},
		{"cpus= 4", "cpus", "cpus"},
		{"hotplug_cycles=0x10", "hotplug_cycles", "0x10"},
		{"test=", "test", "test"},
		{"trace=", "trace", "trace"},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = ba_parse(bad[i][0]);

		if (!EXPECT_EQ_INT(ret, -ERR_INVAL) ||
		    !EXPECT_TRUE(test_util_contains(ba_err, bad[i][1])) ||
		    !EXPECT_TRUE(test_util_contains(ba_err, bad[i][2]))) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "args \"%s\": err \"%s\"", bad[i][0], ba_err);
		}
	}
}

/** Unknown keys, and keys differing only in case or length, give -ERR_INVAL naming them. */
TEST(bootargs, unknown_keys)
{
	static const char *const bad[][2] = {
		{"foo=1", "\"foo\""},
		{"Mode=boot", "\"Mode\""},
		{"modes=boot", "\"modes\""},
		{"mod=boot", "\"mod\""},
		{"=boot", "\"\""},
		{"cpu=1", "\"cpu\""},
		{"mode=test hotplug=1", "\"hotplug\""},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ_INT(ba_parse(bad[i][0]), -ERR_INVAL);
		EXPECT_TRUE(test_util_contains(ba_err, "unknown key"));
		EXPECT_TRUE(test_util_contains(ba_err, bad[i][1]));
	}
}

/** A word without '=' is refused as not key=value. */
TEST(bootargs, word_without_value)
{
	EXPECT_EQ_INT(ba_parse("mode"), -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(ba_err, "\"mode\" is not key=value"));
	EXPECT_EQ_INT(ba_parse("mode=test quiet"), -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(ba_err, "\"quiet\""));
	EXPECT_EQ_INT(ba_parse("mode test"), -ERR_INVAL);
}

/** test= keeps up to 63 characters and trace= up to 95; one more is refused. */
TEST(bootargs, value_length_limits)
{
	size_t test_max = sizeof(ba_opts.test_filter) - 1;
	size_t trace_max = sizeof(ba_opts.trace_path) - 1;

	EXPECT_EQ_INT(ba_parse(ba_long_value("test", test_max)), 0);
	EXPECT_EQ(test_util_strlen(ba_opts.test_filter), test_max);
	EXPECT_EQ_INT(ba_parse(ba_long_value("test", test_max + 1)),
		      -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(ba_err, "out of range"));
	EXPECT_EQ_INT(ba_parse(ba_long_value("trace", trace_max)), 0);
	EXPECT_EQ(test_util_strlen(ba_opts.trace_path), trace_max);
	EXPECT_EQ_INT(ba_parse(ba_long_value("trace", trace_max + 1)),
		      -ERR_INVAL);
	EXPECT_EQ_INT(ba_parse(ba_long_value("trace", 200)), -ERR_INVAL);
}

/** A small error buffer receives a cut, NUL-terminated message and nothing past it. */
TEST(bootargs, small_error_buffer)
{
	char err[9];

	test_util_fill(err, 'Z', sizeof(err));
	EXPECT_EQ_INT(bootargs_parse("foo=1", &ba_opts, err, 8), -ERR_INVAL);
	EXPECT_EQ(test_util_strlen(err), 7);
	EXPECT_EQ(err[8], 'Z');
}

/** With an error buffer of size 0 nothing is written to it (snprintf's convention). */
TEST(bootargs, zero_size_error_buffer_untouched)
{
	char err[2] = {'X', 'Y'};

	EXPECT_EQ_INT(bootargs_parse("mode=test", &ba_opts, err, 0), 0);
	EXPECT_EQ(err[0], 'X');
	EXPECT_EQ_INT(bootargs_parse("foo=1", &ba_opts, err, 0), -ERR_INVAL);
	EXPECT_EQ(err[0], 'X');
}

/** bug= turns on deliberate bugs by name, several separated by commas; anything else is refused. */
TEST(bootargs, bugs)
{
	static const char *const bad[] = {"bug=", "bug=skip", "bug=skip_tlbi,",
					  "bug=,skip_dsb", "bug=SKIP_TLBI"};

	EXPECT_EQ_INT(ba_parse("bug=skip_tlbi"), 0);
	EXPECT_EQ(ba_opts.bugs, BUG_SKIP_TLBI);
	EXPECT_EQ_INT(ba_parse("mode=plan bug=no_local_inval,skip_dsb"), 0);
	EXPECT_EQ(ba_opts.bugs, BUG_NO_LOCAL_INVAL | BUG_SKIP_DSB);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ_INT(ba_parse(bad[i]), -ERR_INVAL);
		EXPECT_TRUE(ba_err[0] != '\0');
	}
	EXPECT_EQ_INT(ba_parse("mode=boot"), 0);
	EXPECT_EQ(ba_opts.bugs, 0);
}

/** tracing=off asks for lean tracing, tracing=fault for a quiet world switch, tracing=on (the default) neither; the last word wins; other values are refused. */
TEST(bootargs, tracing)
{
	EXPECT_EQ_INT(ba_parse("tracing=off"), 0);
	EXPECT_TRUE(ba_opts.tracing_off && !ba_opts.tracing_fault);
	EXPECT_EQ_INT(ba_parse("tracing=on"), 0);
	EXPECT_TRUE(!ba_opts.tracing_off && !ba_opts.tracing_fault);
	EXPECT_EQ_INT(ba_parse("tracing=fault"), 0);
	EXPECT_TRUE(!ba_opts.tracing_off && ba_opts.tracing_fault);
	EXPECT_EQ_INT(ba_parse("tracing=off tracing=fault"), 0);
	EXPECT_TRUE(!ba_opts.tracing_off && ba_opts.tracing_fault);
	EXPECT_EQ_INT(ba_parse("tracing=faults"), -ERR_INVAL);
	EXPECT_EQ_INT(ba_parse("tracing=off mode=plan"), 0);
	EXPECT_EQ_INT(ba_parse("mode=plan"), 0);
	EXPECT_TRUE(!ba_opts.tracing_off);
	EXPECT_EQ_INT(ba_parse("tracing=no"), -ERR_INVAL);
	EXPECT_EQ_INT(ba_parse("tracing="), -ERR_INVAL);
}
