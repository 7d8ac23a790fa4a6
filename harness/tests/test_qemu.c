/* The QEMU command line of a run. */
#include <string.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../qemu.h"

/** The whole command line, word by word, as qemu-facts.md has it. */
TEST(harness_qemu, command_line)
{
	struct qemu_config c = {
		.qemu = "/usr/bin/qemu-system-aarch64",
		.hyp = "/repo/build/hyp.elf",
		.smp = 2,
		.mode = "boot",
	};
	/* Option and value on one line. */
	/* clang-format off */
	static const char *const expect[] = {
		"/usr/bin/qemu-system-aarch64",
		"-M", "virt,virtualization=on,gic-version=3",
		"-cpu", "max,pauth=off",
		"-smp", "2",
		"-m", "512M",
		"-display", "none",
		"-serial", "stdio",
		"-monitor", "none",
		"-nic", "none",
		"-semihosting-config", "enable=on,target=native",
		"-kernel", "/repo/build/hyp.elf",
		"-append", "mode=boot trace=trace.bin",
	};
	/* clang-format on */
	struct qemu_cmd cmd;

	ASSERT_EQ_INT(qemu_build(&c, &cmd), 0);
	ASSERT_EQ(cmd.argc, sizeof(expect) / sizeof(expect[0]));
	for (int i = 0; i < cmd.argc; i++) {
		EXPECT_STREQ(cmd.argv[i], expect[i]);
	}
	EXPECT_TRUE(cmd.argv[cmd.argc] == NULL);
}

/** Test mode adds test=PREFIX; extra arguments come last, as given. */
TEST(harness_qemu, append_with_test_and_extra)
{
	struct qemu_config c = {
		.qemu = "q",
		.hyp = "h",
		.smp = 16,
		.mode = "test",
		.test = "trace_",
		.append = "crash=data crash_cpu=1",
		.trace = "t.bin",
	};
	struct qemu_cmd cmd;

	ASSERT_EQ_INT(qemu_build(&c, &cmd), 0);
	EXPECT_STREQ(cmd.argv[6], "16");
	EXPECT_STREQ(cmd.argv[cmd.argc - 2], "-append");
	EXPECT_STREQ(
		cmd.argv[cmd.argc - 1],
		"mode=test trace=t.bin test=trace_ crash=data crash_cpu=1");
}

/** A scenario's prealloc=on adds -mem-prealloc, after everything else. */
TEST(harness_qemu, prealloc_adds_mem_prealloc)
{
	struct qemu_config c = {.qemu = "q",
				.hyp = "h",
				.smp = 2,
				.mode = "plan",
				.plan = "plan.bin",
				.trace = "t.bin",
				.prealloc = true};
	struct qemu_cmd cmd;
	int without;

	ASSERT_EQ_INT(qemu_build(&c, &cmd), 0);
	EXPECT_STREQ(cmd.argv[cmd.argc - 1], "-mem-prealloc");
	c.prealloc = false;
	ASSERT_EQ_INT(qemu_build(&c, &cmd), 0);
	without = cmd.argc;
	EXPECT_STREQ(cmd.argv[without - 2], "-append");
	for (int i = 0; i < without; i++) {
		EXPECT_TRUE(strcmp(cmd.argv[i], "-mem-prealloc") != 0);
	}
}

/** Empty test and append strings add nothing. */
TEST(harness_qemu, empty_extras_add_nothing)
{
	struct qemu_config c = {.mode = "hotplug", .test = "", .append = ""};
	char out[64];

	EXPECT_EQ_INT(qemu_build_append(&c, out, sizeof(out)), 0);
	EXPECT_STREQ(out, "mode=hotplug trace=trace.bin");
}

/** Boot arguments that do not fit are an error, not a cut line. */
TEST(harness_qemu, too_long_append)
{
	static char huge[QEMU_APPEND_MAX + 8];
	struct qemu_config c = {.qemu = "q",
				.hyp = "h",
				.smp = 1,
				.mode = "boot",
				.append = huge};
	struct qemu_cmd cmd;

	memset(huge, 'x', sizeof(huge) - 1);
	EXPECT_EQ_INT(qemu_build(&c, &cmd), -ERR_RANGE);
}
