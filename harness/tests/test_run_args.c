/* Options of `faultline run`: defaults, forms, and every usage error. */
#include <string.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../run_args.h"

/* Parses the words of @argv (argv[0] is "run"). */
static int args_parse(char **argv, struct run_options *o, char *err,
		      size_t size)
{
	int argc = 0;

	while (argv[argc] != NULL) {
		argc++;
	}
	return run_args_parse(argc, argv, o, err, size);
}

/** With no options: 4 CPUs, boot mode, 60 s, named after the mode. */
TEST(harness_args, defaults)
{
	char *argv[] = {"run", NULL};
	struct run_options o;
	char err[128];

	ASSERT_EQ_INT(args_parse(argv, &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.smp, 4);
	EXPECT_STREQ(o.mode, "boot");
	EXPECT_STREQ(o.name, "boot");
	EXPECT_EQ(o.timeout_ms, 60000);
	EXPECT_STREQ(o.qemu, "qemu-system-aarch64");
	EXPECT_TRUE(o.out == NULL && o.hyp == NULL && o.test == NULL &&
		    o.append == NULL);
	EXPECT_EQ(o.verbosity, RUN_NORMAL);
	EXPECT_TRUE(!o.help);
}

/** Both "--opt value" and "--opt=value"; --test implies --mode test. */
TEST(harness_args, every_option)
{
	char *argv[] = {"run",         "--smp=2",
			"--out",       "/tmp/x",
			"--timeout",   "2.5",
			"--test",      "trace_",
			"--append",    "crash=data crash_cpu=1",
			"--hyp=h.elf", "--qemu",
			"/q",          "--name",
			"mine",        "--quiet",
			NULL};
	struct run_options o;
	char err[128];

	ASSERT_EQ_INT(args_parse(argv, &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.smp, 2);
	EXPECT_STREQ(o.out, "/tmp/x");
	EXPECT_EQ(o.timeout_ms, 2500);
	EXPECT_STREQ(o.mode, "test");
	EXPECT_STREQ(o.test, "trace_");
	EXPECT_STREQ(o.append, "crash=data crash_cpu=1");
	EXPECT_STREQ(o.hyp, "h.elf");
	EXPECT_STREQ(o.qemu, "/q");
	EXPECT_STREQ(o.name, "mine");
	EXPECT_EQ(o.verbosity, RUN_QUIET);
}

/** The name follows the mode when not given. */
TEST(harness_args, name_defaults_to_mode)
{
	char *argv[] = {"run", "--mode", "hotplug", "--verbose", NULL};
	struct run_options o;
	char err[128];

	ASSERT_EQ_INT(args_parse(argv, &o, err, sizeof(err)), 0);
	EXPECT_STREQ(o.name, "hotplug");
	EXPECT_EQ(o.verbosity, RUN_VERBOSE);
}

/** A scenario run: mode plan, no name yet, and what was given noted. */
TEST(harness_args, scenario_run)
{
	char *argv[] = {"run",    "same-gpa-race", "--policy",
			"legacy", "--smp",         "2",
			NULL};
	char *plain[] = {"run", "x.scn", NULL};
	struct run_options o;
	char err[128];

	ASSERT_EQ_INT(args_parse(argv, &o, err, sizeof(err)), 0);
	EXPECT_STREQ(o.scenario, "same-gpa-race");
	EXPECT_STREQ(o.mode, "plan");
	EXPECT_STREQ(o.policy, "legacy");
	EXPECT_TRUE(o.name == NULL);
	EXPECT_TRUE(o.smp_given);
	EXPECT_TRUE(!o.timeout_given);
	ASSERT_EQ_INT(args_parse(plain, &o, err, sizeof(err)), 0);
	EXPECT_TRUE(o.policy == NULL);
	EXPECT_TRUE(!o.smp_given);
}

/** --help is not an error, whatever else is there. */
TEST(harness_args, help)
{
	char *argv[] = {"run", "--smp", "3", "--help", NULL};
	struct run_options o;
	char err[128];

	EXPECT_EQ_INT(args_parse(argv, &o, err, sizeof(err)), 0);
	EXPECT_TRUE(o.help);
	EXPECT_TRUE(strstr(run_args_usage(), "--timeout") != NULL);
}

/** Each bad command line is refused with a message naming the argument. */
TEST(harness_args, errors_name_the_argument)
{
	static const struct {
		char *argv[8];
		const char *named;
	} bad[] = {
		{{"run", "--bogus", NULL}, "--bogus"},
		{{"run", "--bogus=1", NULL}, "--bogus"},
		{{"run", "one", "two", NULL}, "two"},
		{{"run", "s.scn", "--mode", "boot", NULL}, "s.scn"},
		{{"run", "s.scn", "--test", "x", NULL}, "--test"},
		{{"run", "s.scn", "--policy", "fast", NULL}, "fast"},
		{{"run", "--policy", "legacy", NULL}, "--policy"},
		{{"run", "--append", "plan=p.bin", NULL}, "plan="},
		{{"run", "-x", NULL}, "-x"},
		{{"run", "--smp", NULL}, "--smp"},
		{{"run", "--smp", "0", NULL}, "--smp"},
		{{"run", "--smp", "17", NULL}, "--smp"},
		{{"run", "--smp", "four", NULL}, "four"},
		{{"run", "--smp", "-1", NULL}, "--smp"},
		{{"run", "--smp", "2x", NULL}, "2x"},
		{{"run", "--timeout", "0", NULL}, "--timeout"},
		{{"run", "--timeout", "-5", NULL}, "--timeout"},
		{{"run", "--timeout", "nan", NULL}, "--timeout"},
		{{"run", "--timeout", "1e9", NULL}, "--timeout"},
		{{"run", "--mode", "fast", NULL}, "fast"},
		{{"run", "--mode", "boot", "--test", "x", NULL}, "--test"},
		{{"run", "--test", "a b", NULL}, "--test"},
		{{"run", "--append", "mode=test", NULL}, "mode="},
		{{"run", "--append", "x=1 trace=t.bin", NULL}, "trace="},
		{{"run", "--name", "latest", NULL}, "latest"},
		{{"run", "--name", "a/b", NULL}, "a/b"},
		{{"run", "--out", "", NULL}, "--out"},
		{{"run", "--quiet", "--verbose", NULL}, "--verbose"},
		{{"run", "--quiet=1", NULL}, "--quiet"},
		{{"run", "--hyp", NULL}, "--hyp"},
		{{"run", "--backend", "kvm", NULL}, "kvm"},
		{{"run", "--backend", "sim", NULL}, "--backend"},
		{{"run", "--set", "a=1", NULL}, "--set"},
		{{"run", "s.scn", "--set", "=1", NULL}, "=1"},
		{{"run", "s.scn", "--set", "a", NULL}, "--set"},
		{{"run", "s.scn", "--set", "1a=2", NULL}, "1a=2"},
		{{"run", "s.scn", "--set", "a=1", "--set", "a=2"}, "a=2"},
		{{"run", "--sweep", "a=1,2", NULL}, "--sweep"},
		{{"run", "s.scn", "--sweep", "a=", NULL}, "a="},
		{{"run", "s.scn", "--sweep", "a=1,,2", NULL}, "empty"},
		{{"run", "s.scn", "--sweep", "a=1,1", NULL}, "twice"},
		{{"run", "s.scn", "--sweep", "a=1", "--set", "a=2"}, "--set"},
		{{"run", "--no-plots=1", NULL}, "--no-plots"},
		{{"run", "--results", "", NULL}, "--results"},
	};

	static char long_append[RUN_MAX_APPEND + 2];
	char *too_long[] = {"run", "--append", long_append, NULL};
	struct run_options lo;
	char lerr[160];

	memset(long_append, 'x', RUN_MAX_APPEND + 1);
	EXPECT_EQ_INT(args_parse(too_long, &lo, lerr, sizeof(lerr)),
		      -ERR_INVAL);
	EXPECT_TRUE(strstr(lerr, "--append") != NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run_options o;
		char err[160];
		int argc = 0;

		while (bad[i].argv[argc] != NULL) {
			argc++;
		}
		EXPECT_EQ_INT(
			run_args_parse(argc, bad[i].argv, &o, err, sizeof(err)),
			-ERR_INVAL);
		if (!EXPECT_TRUE(strstr(err, bad[i].named) != NULL)) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "case %zu: \"%s\" does not name %s", i, err,
				  bad[i].named);
		}
	}
}

/** --backend, --set (repeatable), --sweep, --no-plots and --results. */
TEST(harness_args, pipeline_options)
{
	char *argv[] = {"run",        "s.scn",     "--backend",
			"sim",        "--set",     "pages=16",
			"--set=n=2",  "--sweep",   "policy_x=a,b,c",
			"--no-plots", "--results", "/tmp/r",
			NULL};
	struct run_options o, copy;
	char err[128];

	ASSERT_EQ_INT(args_parse(argv, &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.backend, BACKEND_SIM);
	ASSERT_EQ(o.nsets, 2u);
	EXPECT_STREQ(o.sets[0].name, "pages");
	EXPECT_STREQ(o.sets[0].value, "16");
	EXPECT_STREQ(o.sets[1].name, "n");
	EXPECT_STREQ(o.sets[1].value, "2");
	EXPECT_STREQ(o.sweep_name, "policy_x");
	ASSERT_EQ(o.nsweep, 3u);
	EXPECT_STREQ(o.sweep_values[0], "a");
	EXPECT_STREQ(o.sweep_values[2], "c");
	EXPECT_TRUE(o.no_plots);
	EXPECT_STREQ(o.results, "/tmp/r");
	/* A copy points into its own buffers, not the original's. */
	run_args_copy(&copy, &o);
	memset(&o, 0, sizeof(o));
	EXPECT_STREQ(copy.sets[1].name, "n");
	EXPECT_STREQ(copy.sweep_values[1], "b");
	ASSERT_EQ_INT(run_args_add_set(&copy, "policy_x", 8, "b"), 0);
	EXPECT_EQ(copy.nsets, 3u);
	/* Adding a name again replaces its value. */
	ASSERT_EQ_INT(run_args_add_set(&copy, "policy_x", 8, "c"), 0);
	EXPECT_EQ(copy.nsets, 3u);
	EXPECT_STREQ(copy.sets[2].value, "c");
}
