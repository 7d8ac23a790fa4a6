/* Verdicts of a run (verdict.h). */
#include <sys/wait.h>

#include "verdict.h"

enum verdict verdict_from_result(const struct proc_result *res, bool hyp_spoke)
{
	if (res->interrupted) {
		return VERDICT_INTERRUPTED;
	}
	if (res->timed_out) {
		return VERDICT_TIMEOUT;
	}
	if (!res->started || !res->reaped || !WIFEXITED(res->status) ||
	    !hyp_spoke) {
		return VERDICT_QEMU_ERROR;
	}
	switch (WEXITSTATUS(res->status)) {
	case 0:
		return VERDICT_OK;
	case 1:
		return VERDICT_TESTS_FAILED;
	case 2:
		return VERDICT_BAD_ARGUMENTS;
	case 3:
		return VERDICT_CRASH;
	case 4:
		return VERDICT_BOOT_FAILED;
	default:
		return VERDICT_QEMU_ERROR;
	}
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
		return "crash";
	case VERDICT_BOOT_FAILED:
		return "boot-failed";
	case VERDICT_TIMEOUT:
		return "timeout";
	case VERDICT_QEMU_ERROR:
		return "qemu-error";
	case VERDICT_INTERRUPTED:
		return "interrupted";
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
