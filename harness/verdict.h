/*
 * The verdict of a run: what the hypervisor's exit status (QEMU's exit
 * code, through semihosting SYS_EXIT) or the harness's own watchdog says
 * happened, and the harness's exit status for it.
 */
#ifndef FAULTLINE_HARNESS_VERDICT_H
#define FAULTLINE_HARNESS_VERDICT_H

#include "proc.h"

/** What a run ended as. */
enum verdict {
	/** Exit status 0: everything the mode asked for worked. */
	VERDICT_OK,
	/** Exit status 5: EL2 tests failed (mode=test). */
	VERDICT_TESTS_FAILED,
	/** Exit status 2: the hypervisor rejected its boot arguments. */
	VERDICT_BAD_ARGUMENTS,
	/**
	 * Exit status 3 (an unexpected exception or a panic at EL2), or the
	 * backend (QEMU, the sim) killed by a signal the harness did not send.
	 */
	VERDICT_CRASH,
	/** Exit status 4: the boot (or a hotplug cycle) failed. */
	VERDICT_BOOT_FAILED,
	/** Exit status 6: a vCPU of the plan failed (mode=plan). */
	VERDICT_VCPU_FAILED,
	/** Exit status 7: vCPUs still ran at the plan's deadline. */
	VERDICT_DEADLINE,
	/** Exit status 8: a vCPU was livelocked and its VM stopped. */
	VERDICT_LIVELOCK,
	/** The run did not end before the timeout and was killed. */
	VERDICT_TIMEOUT,
	/** QEMU failed: another exit status, a signal, or it did not start. */
	VERDICT_QEMU_ERROR,
	/** The harness was interrupted (SIGINT/SIGTERM) and ended the run. */
	VERDICT_INTERRUPTED,
	/**
	 * The run ended well (or livelocked as the scenario expected) but an
	 * expectation of the scenario failed: verdict_after_expectations().
	 */
	VERDICT_EXPECTATION_FAILED,
};

/**
 * The verdict for a finished child @res. @hyp_spoke says whether the
 * hypervisor printed anything on the console: an exit status 0-8 with a
 * silent console is QEMU's own failure (QEMU exits 1 on a bad option),
 * not the hypervisor's verdict. A child killed by a signal the harness did
 * not send (neither the watchdog's nor an interruption's) crashed.
 */
enum verdict verdict_from_result(const struct proc_result *res, bool hyp_spoke);

/** Outcomes a scenario's expectations can make part of the plan. */
enum verdict_expected {
	/** An applicable `expect livelock`. */
	VERDICT_EXPECT_LIVELOCK = 1u << 0,
	/**
	 * An applicable `expect vcpus.failed ...` that held with some vCPU
	 * failed: the scenario stops vCPUs on purpose (guest-traps).
	 */
	VERDICT_EXPECT_VCPU_FAILED = 1u << 1,
};

/**
 * The verdict of a scenario run once its expectations are checked
 * (docs/results.md). @v is the run's own verdict, @failed the number of
 * expectations that did not hold, @expected the outcomes the scenario
 * expects (enum verdict_expected bits).
 *
 * A livelock, or a vCPU failure, the scenario expects is not a failure:
 * it becomes ok before the expectations are counted. Any other verdict
 * but ok (crashed, timeout, deadline, an unexpected vcpu-failed or
 * livelock, ...) is worse than a failed expectation and stands; an ok run
 * with a failed expectation is expectation-failed.
 */
enum verdict verdict_after_expectations(enum verdict v, unsigned failed,
					unsigned expected);

/** The verdict's name as summary.json spells it ("tests-failed"...). */
const char *verdict_name(enum verdict v);

/**
 * The harness's exit status for @v: 0 for ok, 2 for bad-arguments (the
 * user's --append or --test was rejected), 1 for every other verdict.
 */
int verdict_exit_code(enum verdict v);

#endif /* FAULTLINE_HARNESS_VERDICT_H */
