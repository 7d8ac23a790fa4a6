/*
 * The crash path: an unexpected exception at EL2 gives a report on the
 * UART and in the trace, and the run ends with a failing status; a hung
 * hypervisor is killed by the harness with what arrived kept.
 */
#include <string.h>

#include <faultline/test.h>
#include <faultline/trace/event.h>

#include "qemu_util.h"

/** A data abort on a secondary CPU is reported with its decoded EC, FAR and registers. */
TEST(qemu_crash, data_abort_on_secondary)
{
	struct qemu_run run;
	const struct trace_record *crash;

	ASSERT_TRUE(
		qemu_run(&run, "--smp 2 --append \"crash=data crash_cpu=1\""));
	EXPECT_NE(run.status, 0);
	EXPECT_TRUE(strstr(run.console, "=== faultline crash ===") != NULL);
	EXPECT_TRUE(strstr(run.console, "cpu 1 (mpidr 0x1)") != NULL);
	EXPECT_TRUE(strstr(run.console, "EC 0x25 dabt_cur") != NULL);
	EXPECT_TRUE(strstr(run.console, "translation fault, level 0, read") !=
		    NULL);
	/* The image's PA: identity-mapped only in the boot tables. */
	EXPECT_TRUE(strstr(run.console, "FAR_EL2 0x0000000040200000") != NULL);
	EXPECT_TRUE(strstr(run.console, "x30 0x") != NULL);
	EXPECT_TRUE(strstr(run.console, "exit status 3") != NULL);
	/* An EL2 crash (exit status 3) is the verdict "crashed". */
	EXPECT_TRUE(strstr(run.summary, "\"verdict\": \"crashed\"") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"exit_status\": 3,") != NULL);
	EXPECT_EQ_INT(run.trace_status, 0);
	EXPECT_TRUE(run.trace.complete);
	crash = qemu_first_event(&run.trace, "crash");
	if (EXPECT_TRUE(crash != NULL)) {
		EXPECT_EQ(crash->cpu, 1);
		EXPECT_EQ(qemu_field(&run.trace, crash, "ec"),
			  TRACE_EC_DABT_CUR);
		EXPECT_EQ(qemu_field(&run.trace, crash, "far"), 0x40200000);
		EXPECT_EQ(qemu_field(&run.trace, crash, "esr") >> 26, 0x25);
	}
	/* What happened before the crash is still in the trace. */
	EXPECT_EQ(qemu_count_boots(&run.trace, 0), 1);
	EXPECT_EQ(qemu_count_boots(&run.trace, 1), 1);
	qemu_run_free(&run);
}

/** An undefined instruction on the boot CPU is reported as EC 0x00. */
TEST(qemu_crash, undefined_instruction_on_boot_cpu)
{
	struct qemu_run run;
	const struct trace_record *crash;

	ASSERT_TRUE(qemu_run(&run, "--smp 1 --append crash=undef"));
	EXPECT_NE(run.status, 0);
	EXPECT_TRUE(strstr(run.console, "EC 0x00 unknown") != NULL);
	crash = qemu_first_event(&run.trace, "crash");
	if (EXPECT_TRUE(crash != NULL)) {
		EXPECT_EQ(crash->cpu, 0);
		EXPECT_EQ(qemu_field(&run.trace, crash, "ec"),
			  TRACE_EC_UNKNOWN);
	}
	qemu_run_free(&run);
}

/** A failed CHECK() is a panic: the message on the UART, a crash event of kind panic. */
TEST(qemu_crash, panic_is_a_crash)
{
	struct qemu_run run;
	const struct trace_record *crash;

	ASSERT_TRUE(
		qemu_run(&run, "--smp 2 --append \"crash=panic crash_cpu=1\""));
	EXPECT_NE(run.status, 0);
	EXPECT_TRUE(strstr(run.console, "panic: CHECK failed at") != NULL);
	crash = qemu_first_event(&run.trace, "crash");
	if (EXPECT_TRUE(crash != NULL)) {
		EXPECT_EQ(crash->cpu, 1);
		EXPECT_EQ(qemu_field(&run.trace, crash, "ec"), TRACE_EC_PANIC);
	}
	qemu_run_free(&run);
}

/** A hung hypervisor is killed at the timeout and the trace written before it hung is kept. */
TEST(qemu_crash, hang_is_killed_and_trace_kept)
{
	struct qemu_run run;

	ASSERT_TRUE(qemu_run(&run, "--smp 2 --timeout 4 --append crash=hang"));
	EXPECT_NE(run.status, 0);
	EXPECT_TRUE(strstr(run.summary, "timeout") != NULL);
	/* The checkpoint before the hang wrote the boot; the file has no end. */
	EXPECT_EQ_INT(run.trace_status, 0);
	EXPECT_TRUE(!run.trace.complete);
	EXPECT_EQ(qemu_count_boots(&run.trace, 0), 1);
	EXPECT_EQ(qemu_count_boots(&run.trace, 1), 1);
	EXPECT_TRUE(strstr(run.console, "all 2 CPUs reached") != NULL);
	qemu_run_free(&run);
}

/** Unknown boot arguments stop the boot with exit status 2 and say which word. */
TEST(qemu_crash, bad_boot_arguments)
{
	struct qemu_run run;

	ASSERT_TRUE(qemu_run(&run, "--smp 1 --append bogus=1"));
	EXPECT_NE(run.status, 0);
	EXPECT_TRUE(strstr(run.console, "unknown key \"bogus\"") != NULL);
	EXPECT_TRUE(strstr(run.summary, "bad-arguments") != NULL);
	qemu_run_free(&run);
}
