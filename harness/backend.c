/* The backends of a run (backend.h). */
#include <stdio.h>
#include <string.h>

#include <faultline/err.h>

#include "backend.h"
#include "expect.h"

const char *backend_name(enum backend b)
{
	return b == BACKEND_SIM ? "sim" : "qemu";
}

int backend_parse(const char *name, enum backend *b)
{
	if (strcmp(name, "qemu") == 0) {
		*b = BACKEND_QEMU;
		return 0;
	}
	if (strcmp(name, "sim") == 0) {
		*b = BACKEND_SIM;
		return 0;
	}
	return -ERR_INVAL;
}

unsigned backend_expect_mask(enum backend b)
{
	return b == BACKEND_SIM ? EXPECT_ON_SIM : EXPECT_ON_QEMU;
}

int backend_build_sim(const struct qemu_config *c, const char *sim,
		      struct qemu_cmd *cmd)
{
	int n;
	int ret;

	cmd->argc = 0;
	cmd->argv[0] = NULL;
	n = snprintf(cmd->smp, sizeof(cmd->smp), "%u", c->smp);
	if (n < 0 || (size_t)n >= sizeof(cmd->smp)) {
		return -ERR_RANGE;
	}
	ret = qemu_build_append(c, cmd->append, sizeof(cmd->append));
	if (ret != 0) {
		return ret;
	}
	/* execvp() takes char *const[]; the words are never written. */
	cmd->argv[0] = (char *)(uintptr_t)sim;
	cmd->argv[1] = (char *)"--smp";
	cmd->argv[2] = cmd->smp;
	cmd->argv[3] = (char *)"--append";
	cmd->argv[4] = cmd->append;
	cmd->argv[5] = NULL;
	cmd->argc = 5;
	return 0;
}
