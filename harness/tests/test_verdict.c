/* Verdicts from QEMU's exit status and the harness's exit status. */
#include <signal.h>
#include <sys/wait.h>

#include <faultline/test.h>

#include "../verdict.h"

/* The wait status of a normal exit with @code (Linux's encoding). */
static int verdict_exited(int code)
{
	return (code & 0xff) << 8;
}

static struct proc_result verdict_res(int status)
{
	struct proc_result r = {
		.started = true, .reaped = true, .status = status};

	return r;
}

/** Exit statuses 0 and 2 to 8 are the hypervisor's verdicts. */
TEST(harness_verdict, hypervisor_exit_statuses)
{
	static const struct {
		int code;
		enum verdict v;
	} expect[] = {
		{0, VERDICT_OK},           {2, VERDICT_BAD_ARGUMENTS},
		{3, VERDICT_CRASH},        {4, VERDICT_BOOT_FAILED},
		{5, VERDICT_TESTS_FAILED}, {6, VERDICT_VCPU_FAILED},
		{7, VERDICT_DEADLINE},     {8, VERDICT_LIVELOCK},
	};

	for (unsigned i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		struct proc_result r =
			verdict_res(verdict_exited(expect[i].code));

		ASSERT_TRUE(WIFEXITED(r.status) &&
			    WEXITSTATUS(r.status) == expect[i].code);
		EXPECT_EQ(verdict_from_result(&r, true), expect[i].v);
	}
}

/** Any other exit status is QEMU's failure; a signal nobody in the harness sent is a crash. */
TEST(harness_verdict, other_statuses_and_signals)
{
	/* 1 is QEMU's own failure even when the hypervisor spoke. */
	int codes[] = {1, 9, 127, 255};
	int sigs[] = {SIGKILL, SIGSEGV, SIGABRT, SIGTERM};

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct proc_result r = verdict_res(verdict_exited(codes[i]));

		EXPECT_EQ(verdict_from_result(&r, true), VERDICT_QEMU_ERROR);
	}
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct proc_result r = verdict_res(sigs[i]);

		ASSERT_TRUE(WIFSIGNALED(r.status));
		/* Killed mid-run, before or after it spoke: crashed. */
		EXPECT_EQ(verdict_from_result(&r, true), VERDICT_CRASH);
		EXPECT_EQ(verdict_from_result(&r, false), VERDICT_CRASH);
	}
}

/** Exit status 1 with a silent console is QEMU's own error. */
TEST(harness_verdict, silent_console_is_qemu_error)
{
	for (int code = 0; code < 9; code++) {
		struct proc_result r = verdict_res(verdict_exited(code));

		EXPECT_EQ(verdict_from_result(&r, false), VERDICT_QEMU_ERROR);
	}
}

/** The watchdog and the user win over whatever status QEMU had. */
TEST(harness_verdict, timeout_interrupt_and_no_start)
{
	struct proc_result r = verdict_res(verdict_exited(0));
	struct proc_result never = {.started = false};

	r.timed_out = true;
	EXPECT_EQ(verdict_from_result(&r, true), VERDICT_TIMEOUT);
	r.interrupted = true;
	EXPECT_EQ(verdict_from_result(&r, true), VERDICT_INTERRUPTED);
	r = verdict_res(SIGKILL);
	r.timed_out = true;
	r.killed = true;
	EXPECT_EQ(verdict_from_result(&r, false), VERDICT_TIMEOUT);
	EXPECT_EQ(verdict_from_result(&never, false), VERDICT_QEMU_ERROR);
}

/** Names as summary.json spells them, and the harness's exit status. */
TEST(harness_verdict, names_and_exit_codes)
{
	EXPECT_STREQ(verdict_name(VERDICT_OK), "ok");
	EXPECT_STREQ(verdict_name(VERDICT_TESTS_FAILED), "tests-failed");
	EXPECT_STREQ(verdict_name(VERDICT_BAD_ARGUMENTS), "bad-arguments");
	EXPECT_STREQ(verdict_name(VERDICT_CRASH), "crashed");
	EXPECT_STREQ(verdict_name(VERDICT_EXPECTATION_FAILED),
		     "expectation-failed");
	EXPECT_STREQ(verdict_name(VERDICT_LIVELOCK), "livelock");
	EXPECT_STREQ(verdict_name(VERDICT_BOOT_FAILED), "boot-failed");
	EXPECT_STREQ(verdict_name(VERDICT_TIMEOUT), "timeout");
	EXPECT_STREQ(verdict_name(VERDICT_QEMU_ERROR), "qemu-error");
	EXPECT_STREQ(verdict_name(VERDICT_INTERRUPTED), "interrupted");
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_OK), 0);
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_BAD_ARGUMENTS), 2);
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_TESTS_FAILED), 1);
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_CRASH), 1);
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_BOOT_FAILED), 1);
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_TIMEOUT), 1);
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_QEMU_ERROR), 1);
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_INTERRUPTED), 1);
	EXPECT_EQ_INT(verdict_exit_code(VERDICT_EXPECTATION_FAILED), 1);
}

/** A failed expectation makes an ok run expectation-failed, never a worse verdict better. */
TEST(harness_verdict, expectations_and_precedence)
{
	static const enum verdict worse[] = {
		VERDICT_CRASH,       VERDICT_TIMEOUT,       VERDICT_DEADLINE,
		VERDICT_VCPU_FAILED, VERDICT_QEMU_ERROR,    VERDICT_INTERRUPTED,
		VERDICT_BOOT_FAILED, VERDICT_BAD_ARGUMENTS,
	};

	EXPECT_EQ(verdict_after_expectations(VERDICT_OK, 0, 0), VERDICT_OK);
	EXPECT_EQ(verdict_after_expectations(VERDICT_OK, 2, 0),
		  VERDICT_EXPECTATION_FAILED);
	/* An expectation that says "livelock" turns it into an outcome. */
	EXPECT_EQ(verdict_after_expectations(VERDICT_LIVELOCK, 0,
					     VERDICT_EXPECT_LIVELOCK),
		  VERDICT_OK);
	EXPECT_EQ(verdict_after_expectations(VERDICT_LIVELOCK, 1,
					     VERDICT_EXPECT_LIVELOCK),
		  VERDICT_EXPECTATION_FAILED);
	/* Unexpected, it stays a livelock whatever else failed. */
	EXPECT_EQ(verdict_after_expectations(VERDICT_LIVELOCK, 0, 0),
		  VERDICT_LIVELOCK);
	EXPECT_EQ(verdict_after_expectations(VERDICT_LIVELOCK, 3,
					     VERDICT_EXPECT_VCPU_FAILED),
		  VERDICT_LIVELOCK);
	/* Failed vCPUs the scenario counts on are its outcome, too. */
	EXPECT_EQ(verdict_after_expectations(VERDICT_VCPU_FAILED, 0,
					     VERDICT_EXPECT_VCPU_FAILED),
		  VERDICT_OK);
	EXPECT_EQ(verdict_after_expectations(VERDICT_VCPU_FAILED, 1,
					     VERDICT_EXPECT_VCPU_FAILED),
		  VERDICT_EXPECTATION_FAILED);
	for (unsigned i = 0; i < sizeof(worse) / sizeof(worse[0]); i++) {
		/* A livelock expected makes no other bad verdict better. */
		EXPECT_EQ(verdict_after_expectations(worse[i], 1,
						     VERDICT_EXPECT_LIVELOCK),
			  worse[i]);
		EXPECT_EQ(verdict_after_expectations(worse[i], 0, 0), worse[i]);
	}
}
