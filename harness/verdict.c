/* Verdicts of a run (verdict.h). */
#include <sys/wait.h>

#include <faultline/exit_status.h>

#include "verdict.h"

enum verdict verdict_from_result(const struct proc_result *res, bool hyp_spoke)
{
	if (res->interrupted) {
		return VERDICT_INTERRUPTED;
	}
	if (res->timed_out) {
		return VERDICT_TIMEOUT;
	}
	/* Not the watchdog's SIGTERM/SIGKILL: the backend died mid-run. */
	if (res->started && res->reaped && WIFSIGNALED(res->status)) {
		return VERDICT_CRASH;
	}
	if (!res->started || !res->reaped || !WIFEXITED(res->status) ||
	    !hyp_spoke) {
		return VERDICT_QEMU_ERROR;
	}
	switch (WEXITSTATUS(res->status)) {
	case HYP_EXIT_OK:
		return VERDICT_OK;
	case HYP_EXIT_TESTS_FAILED:
		return VERDICT_TESTS_FAILED;
	case HYP_EXIT_BAD_ARGS:
		return VERDICT_BAD_ARGUMENTS;
	case HYP_EXIT_CRASH:
		return VERDICT_CRASH;
	case HYP_EXIT_BOOT_FAILED:
		return VERDICT_BOOT_FAILED;
	case HYP_EXIT_VCPU_FAILED:
		return VERDICT_VCPU_FAILED;
	case HYP_EXIT_DEADLINE:
		return VERDICT_DEADLINE;
	case HYP_EXIT_LIVELOCK:
		return VERDICT_LIVELOCK;
	default:
		return VERDICT_QEMU_ERROR;
	}
}

enum verdict verdict_after_expectations(enum verdict v, unsigned failed,
					unsigned expected)
{
	if ((v == VERDICT_LIVELOCK && (expected & VERDICT_EXPECT_LIVELOCK)) ||
	    (v == VERDICT_VCPU_FAILED &&
	     (expected & VERDICT_EXPECT_VCPU_FAILED))) {
		v = VERDICT_OK;
	}
	if (v != VERDICT_OK) {
		return v;
	}
	return failed > 0 ? VERDICT_EXPECTATION_FAILED : VERDICT_OK;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_OK:
		return "ok";
	case VERDICT_TESTS_FAILED:
		return "tests-failed";
	case VERDICT_BAD_ARGUMENTS:
		return "bad-arguments";
	case VERDICT_CRASH:
		return "crashed";
	case VERDICT_BOOT_FAILED:
		return "boot-failed";
	case VERDICT_VCPU_FAILED:
		return "vcpu-failed";
	case VERDICT_DEADLINE:
		return "deadline";
	case VERDICT_LIVELOCK:
		return "livelock";
	case VERDICT_TIMEOUT:
		return "timeout";
	case VERDICT_QEMU_ERROR:
		return "qemu-error";
	case VERDICT_INTERRUPTED:
		return "interrupted";
	case VERDICT_EXPECTATION_FAILED:
		return "expectation-failed";
	}
	return "unknown";
}

int verdict_exit_code(enum verdict v)
{
	switch (v) {
	case VERDICT_OK:
		return 0;
	case VERDICT_BAD_ARGUMENTS:
		return 2;
	default:
		return 1;
	}
}
