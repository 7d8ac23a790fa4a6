/* The QEMU command line (qemu.h). */
#include <stdio.h>
#include <string.h>

#include <faultline/err.h>

#include "proc.h"
#include "qemu.h"

/* How long `qemu --version` may take. */
#define QEMU_VERSION_TIMEOUT_MS 3000u

int qemu_build_append(const struct qemu_config *c, char *out, size_t size)
{
	const char *trace = c->trace != NULL ? c->trace : "trace.bin";
	bool test = c->test != NULL && c->test[0] != '\0';
	bool plan = c->plan != NULL && c->plan[0] != '\0';
	bool extra = c->append != NULL && c->append[0] != '\0';
	int n = snprintf(out, size, "mode=%s trace=%s%s%s%s%s%s%s", c->mode,
			 trace, test ? " test=" : "", test ? c->test : "",
			 plan ? " plan=" : "", plan ? c->plan : "",
			 extra ? " " : "", extra ? c->append : "");

	return n < 0 || (size_t)n >= size ? -ERR_RANGE : 0;
}

/* Appends one word (not copied) to @cmd. */
static int qemu_arg(struct qemu_cmd *cmd, const char *word)
{
	if (cmd->argc >= QEMU_MAX_ARGS) {
		return -ERR_RANGE;
	}
	/* execvp() takes char *const[]; the words are never written. */
	cmd->argv[cmd->argc++] = (char *)(uintptr_t)word;
	cmd->argv[cmd->argc] = NULL;
	return 0;
}

int qemu_build(const struct qemu_config *c, struct qemu_cmd *cmd)
{
	/* Option and value on one line. */
	/* clang-format off */
	const char *words[] = {
		c->qemu,
		"-M", "virt,virtualization=on,gic-version=3",
		"-cpu", "max,pauth=off",
		"-smp", cmd->smp,
		"-m", QEMU_MEMORY,
		"-display", "none",
		"-serial", "stdio",
		"-monitor", "none",
		"-nic", "none",
		"-semihosting-config", "enable=on,target=native",
		"-kernel", c->hyp,
		"-append", cmd->append,
	};
	/* clang-format on */
	int ret;
	int n;

	cmd->argc = 0;
	cmd->argv[0] = NULL;
	n = snprintf(cmd->smp, sizeof(cmd->smp), "%u", c->smp);
	if (n < 0 || (size_t)n >= sizeof(cmd->smp)) {
		return -ERR_RANGE;
	}
	ret = qemu_build_append(c, cmd->append, sizeof(cmd->append));
	for (size_t i = 0; ret == 0 && i < sizeof(words) / sizeof(words[0]);
	     i++) {
		ret = qemu_arg(cmd, words[i]);
	}
	if (ret == 0 && c->prealloc) {
		ret = qemu_arg(cmd, "-mem-prealloc");
	}
	return ret;
}

int qemu_version(const char *qemu, char *out, size_t size)
{
	char buf[512];
	char *argv[] = {(char *)(uintptr_t)qemu, (char *)"--version", NULL};
	int ret = proc_capture(argv, NULL, QEMU_VERSION_TIMEOUT_MS, buf,
			       sizeof(buf));

	buf[strcspn(buf, "\r\n")] = '\0';
	if (ret != 0 || buf[0] == '\0') {
		snprintf(out, size, "unknown");
		return ret != 0 ? ret : -ERR_INVAL;
	}
	snprintf(out, size, "%s", buf);
	return 0;
}
