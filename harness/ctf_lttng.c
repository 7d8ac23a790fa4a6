/* LTTng's command-line tools, driven for the CTF export (ctf_lttng.h). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/err.h>

#include "ctf_lttng.h"
#include "proc.h"

/* How long a started session daemon may take to answer, or to end. */
#define CTF_LTTNG_SESSIOND_MS 10000u
/* Deadline of `lttng list`. */
#define CTF_LTTNG_LIST_MS 30000u

int ctf_lttng_fail(struct ctf_lttng *l, int ret, const char *fmt, ...)
{
	va_list ap;

	if (l->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(l->err, l->err_size, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int ctf_lttng_find(struct ctf_lttng *l)
{
	if (!paths_find_program("lttng", l->lttng, sizeof(l->lttng)) ||
	    !paths_find_program("lttng-sessiond", l->sessiond,
				sizeof(l->sessiond))) {
		return ctf_lttng_fail(l, -ERR_NOENT,
				      "LTTng is not installed (no lttng or "
				      "lttng-sessiond in PATH): install it "
				      "with `make deps`");
	}
	return 0;
}

static void ctf_lttng_sink(void *arg, const char *data, size_t len)
{
	struct ctf_lttng_out *o = arg;
	size_t room = sizeof(o->text) - 1 - o->len;

	if (len > room) {
		len = room;
	}
	memcpy(o->text + o->len, data, len);
	o->len += len;
	o->text[o->len] = '\0';
}

const char *ctf_lttng_first_line(struct ctf_lttng *l)
{
	char *t = l->out.text;
	size_t skip = strspn(t, "\n ");
	char *nl;

	memmove(t, t + skip, strlen(t + skip) + 1);
	nl = strchr(t, '\n');
	if (nl != NULL) {
		*nl = '\0';
	}
	return t[0] != '\0' ? t : "no output";
}

int ctf_lttng_run(struct ctf_lttng *l, unsigned timeout_ms,
		  const char *const *argv)
{
	struct proc_spec spec = {
		/* execvp() takes char *const[]; the words are never written. */
		.argv = (char *const *)argv,
		.timeout_ms = timeout_ms,
		.term_grace_ms = 2000,
		.on_stdout = ctf_lttng_sink,
		.on_stderr = ctf_lttng_sink,
		.sink_arg = &l->out,
		.stop = l->stop,
	};
	struct proc_result res;
	int ret;

	memset(&l->out, 0, sizeof(l->out));
	ret = proc_run(&spec, &res);
	if (ret != 0) {
		return ctf_lttng_fail(l, ret, "cannot run %s: %s", argv[0],
				      strerror(res.spawn_errno));
	}
	if (res.interrupted) {
		return ctf_lttng_fail(l, -ERR_IO, "interrupted");
	}
	if (res.timed_out) {
		return ctf_lttng_fail(
			l, -ERR_TIMEDOUT,
			"`%s %s` did not finish in %u s and was ended", argv[0],
			argv[1] != NULL ? argv[1] : "", timeout_ms / 1000);
	}
	if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0) {
		return -ERR_INVAL;
	}
	return 0;
}

int ctf_lttng_cmd(struct ctf_lttng *l, unsigned timeout_ms,
		  const char *const *words)
{
	const char *argv[CTF_LTTNG_MAX_WORDS + 3] = {l->lttng, "--no-sessiond"};
	size_t n = 2;
	int ret;

	for (; *words != NULL && n < CTF_LTTNG_MAX_WORDS + 2; words++) {
		argv[n++] = *words;
	}
	argv[n] = NULL;
	ret = ctf_lttng_run(l, timeout_ms, argv);
	if (ret == -ERR_INVAL) {
		return ctf_lttng_fail(l, ret, "`lttng %s` failed: %s", argv[2],
				      ctf_lttng_first_line(l));
	}
	return ret;
}

/* The session daemon's pid file for this user (lttng-sessiond(8)). */
static void ctf_lttng_pid_file(char *out, size_t size)
{
	const char *home = getenv("LTTNG_HOME");

	if (geteuid() == 0) {
		snprintf(out, size, "/var/run/lttng/lttng-sessiond.pid");
		return;
	}
	if (home == NULL || home[0] == '\0') {
		home = getenv("HOME");
	}
	snprintf(out, size, "%s/.lttng/lttng-sessiond.pid",
		 home != NULL ? home : "");
}

/* The pid of the running session daemon, from its pid file, or 0. */
static pid_t ctf_lttng_sessiond_pid(void)
{
	char path[PATHS_MAX];
	long pid = 0;
	FILE *f;

	ctf_lttng_pid_file(path, sizeof(path));
	f = fopen(path, "r");
	if (f == NULL) {
		return 0;
	}
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
		pid = 0;
	}
	fclose(f);
	return (pid_t)pid;
}

/* Whether process @pid's environment sets our clock plugin. */
static bool ctf_lttng_has_plugin(pid_t pid)
{
	static const char var[] = "LTTNG_UST_CLOCK_PLUGIN=";
	char path[64], env[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/environ", (long)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return false;
	}
	n = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[n] = '\0';
	/* NUL-separated NAME=VALUE words. */
	for (size_t i = 0; i < n; i += strlen(env + i) + 1) {
		if (strncmp(env + i, var, sizeof(var) - 1) == 0 &&
		    strstr(env + i, "libfaultline-clock") != NULL) {
			return true;
		}
	}
	return false;
}

int ctf_lttng_sessiond(struct ctf_lttng *l, const char *plugin)
{
	char plugin_env[PATHS_MAX + 32];
	const char *argv[] = {"env",         plugin_env,    l->sessiond,
			      "--daemonize", "--no-kernel", NULL};
	uint64_t end;
	pid_t pid;

	if (ctf_lttng_cmd(l, CTF_LTTNG_LIST_MS, CTF_LTTNG_WORDS("list")) == 0) {
		pid = ctf_lttng_sessiond_pid();
		if (pid > 0 && ctf_lttng_has_plugin(pid)) {
			return 0;
		}
		return ctf_lttng_fail(
			l, -ERR_INVAL,
			"an lttng-sessiond (pid %ld) runs without faultline's "
			"clock plugin: its consumer daemon would stamp the "
			"packets with the host's clock. Stop it, or restart "
			"it as `LTTNG_UST_CLOCK_PLUGIN=%s lttng-sessiond "
			"--daemonize --no-kernel`",
			(long)pid, plugin);
	}
	l->err[0] = '\0';
	snprintf(plugin_env, sizeof(plugin_env), "LTTNG_UST_CLOCK_PLUGIN=%s",
		 plugin);
	if (ctf_lttng_run(l, CTF_LTTNG_SESSIOND_MS, argv) != 0) {
		return ctf_lttng_fail(l, -ERR_IO,
				      "lttng-sessiond --daemonize --no-kernel "
				      "could not start: %s",
				      ctf_lttng_first_line(l));
	}
	pid = ctf_lttng_sessiond_pid();
	if (pid <= 0) {
		return ctf_lttng_fail(l, -ERR_IO,
				      "lttng-sessiond started but left no pid "
				      "file: stop it by hand");
	}
	l->started_pid = pid;
	/* --daemonize returns once it is ready; check it answers anyway. */
	end = proc_now_ms() + CTF_LTTNG_SESSIOND_MS;
	while (ctf_lttng_cmd(l, CTF_LTTNG_LIST_MS, CTF_LTTNG_WORDS("list")) !=
	       0) {
		if (proc_now_ms() > end) {
			return ctf_lttng_fail(l, -ERR_TIMEDOUT,
					      "lttng-sessiond (pid %ld) "
					      "started but does not answer",
					      (long)pid);
		}
		l->err[0] = '\0';
		usleep(100000);
	}
	return 0;
}

/* True while @pid runs (a zombie waiting for init to reap it is done). */
static bool ctf_lttng_alive(pid_t pid)
{
	char path[64], stat[256] = "";
	const char *close_paren;
	FILE *f;

	if (kill(pid, 0) != 0 && errno == ESRCH) {
		return false;
	}
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return false;
	}
	if (fgets(stat, sizeof(stat), f) == NULL) {
		stat[0] = '\0';
	}
	fclose(f);
	/* "PID (COMM) STATE ...": the state follows the last ')'. */
	close_paren = strrchr(stat, ')');
	return close_paren == NULL || close_paren[1] == '\0' ||
	       close_paren[2] != 'Z';
}

void ctf_lttng_stop_sessiond(struct ctf_lttng *l)
{
	uint64_t end = proc_now_ms() + CTF_LTTNG_SESSIOND_MS;

	if (l->started_pid <= 0) {
		return;
	}
	kill(l->started_pid, SIGTERM);
	while (ctf_lttng_alive(l->started_pid) && proc_now_ms() < end) {
		usleep(50000);
	}
	if (ctf_lttng_alive(l->started_pid)) {
		kill(l->started_pid, SIGKILL);
		fprintf(stderr,
			"faultline export: ctf: lttng-sessiond (pid %ld) did "
			"not stop on SIGTERM and was killed\n",
			(long)l->started_pid);
	}
	l->started_pid = 0;
}
