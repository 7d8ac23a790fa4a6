/* The base build of a comparison of two builds (compare_base.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/err.h>

#include "compare_base.h"
#include "proc.h"
#include "run_paths.h"
#include "term.h"

/* How long one git command may take. */
#define CB_GIT_TIMEOUT_MS 120000u

/* Set by SIGINT/SIGTERM while git or make runs: that child is ended. */
static volatile sig_atomic_t cb_stop;

static void cb_on_signal(int sig)
{
	cb_stop = sig;
}

/* Where a child's output goes: a log, and the end of it in memory. */
struct cb_out {
	int fd;
	char tail[1024];
};

static void cb_sink(void *arg, const char *data, size_t len)
{
	struct cb_out *o = arg;
	size_t cap = sizeof(o->tail) - 1;
	size_t have = strlen(o->tail);

	const char *p = data;
	size_t left = len;

	while (o->fd >= 0 && left > 0) {
		ssize_t n = write(o->fd, p, left);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (len >= cap) {
		data += len - cap;
		len = cap;
	}
	if (have + len > cap) {
		memmove(o->tail, o->tail + (have + len - cap), cap - len);
		have = cap - len;
	}
	memcpy(o->tail + have, data, len);
	o->tail[have + len] = '\0';
}

/*
 * Runs @argv (@what, for messages) with its output into @o (the log, when
 * o->fd >= 0, and the tail); its exit status, or -1 when it did not exit
 * on its own (the tail then says why).
 */
static int cb_run(char *const *argv, const char *what, unsigned timeout_ms,
		  struct cb_out *o)
{
	struct proc_spec spec = {
		.argv = argv,
		.timeout_ms = timeout_ms,
		.term_grace_ms = 2000,
		.on_stdout = cb_sink,
		.on_stderr = cb_sink,
		.sink_arg = o,
		.stop = &cb_stop,
	};
	struct sigaction sa, old_int, old_term;
	struct proc_result res;
	int ret;

	/* Ctrl-C ends the child (a long build) and the comparison with it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cb_on_signal;
	sigemptyset(&sa.sa_mask);
	cb_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	ret = proc_run(&spec, &res);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (ret != 0) {
		snprintf(o->tail, sizeof(o->tail), "cannot run %s: %s\n", what,
			 strerror(res.spawn_errno));
		return -1;
	}
	if (res.interrupted) {
		snprintf(o->tail, sizeof(o->tail), "%s interrupted\n", what);
		return -1;
	}
	if (res.timed_out) {
		snprintf(o->tail, sizeof(o->tail),
			 "%s did not finish within %u s\n", what,
			 timeout_ms / 1000);
		return -1;
	}
	return res.reaped && WIFEXITED(res.status) ? WEXITSTATUS(res.status)
						   : -1;
}

/* The commit @rev names in @root into @b->sha. */
static int cb_resolve(const char *root, const char *rev, struct compare_base *b)
{
	char spec[160];
	char *argv[] = {"git",      "-C",      (char *)root, "rev-parse",
			"--verify", "--quiet", spec,         NULL};

	snprintf(spec, sizeof(spec), "%s^{commit}", rev);
	if (proc_capture(argv, NULL, CB_GIT_TIMEOUT_MS, b->sha,
			 sizeof(b->sha)) != 0) {
		fprintf(stderr,
			"faultline compare: --base %s: not a commit of the "
			"repository at %s (git rev-parse found nothing)\n",
			rev, root);
		return -ERR_NOENT;
	}
	b->sha[strcspn(b->sha, "\r\n")] = '\0';
	return b->sha[0] != '\0' ? 0 : -ERR_NOENT;
}

/* The worktree of the base: reused when it is there, else added. */
static int cb_worktree(const char *root, const char *cache,
		       struct compare_base *b)
{
	char git[PATHS_MAX];
	char *prune[] = {"git", "-C", (char *)root, "worktree", "prune", NULL};
	char *add[] = {"git",      "-C",   (char *)root, "worktree", "add",
		       "--detach", b->dir, b->sha,       NULL};
	struct cb_out o = {.fd = -1};
	int status;

	if (paths_join(b->dir, ".git", git, sizeof(git)) != 0) {
		return -ERR_RANGE;
	}
	if (paths_is_dir(b->dir)) {
		if (access(git, F_OK) == 0) {
			printf("faultline compare: base %s (%.12s): reusing "
			       "the "
			       "worktree %s/\n",
			       b->rev, b->sha, b->dir);
			return 0;
		}
		fprintf(stderr,
			"faultline compare: %s exists but is no git worktree: "
			"remove it and compare again\n",
			b->dir);
		return -ERR_IO;
	}
	if (paths_mkdir_p(cache) != 0) {
		fprintf(stderr, "faultline compare: cannot make %s: %s\n",
			cache, strerror(errno));
		return -ERR_IO;
	}
	/* A worktree removed by `make clean` is still registered: forget it. */
	cb_run(prune, "git worktree prune", CB_GIT_TIMEOUT_MS, &o);
	o.tail[0] = '\0';
	status = cb_run(add, "git worktree add", CB_GIT_TIMEOUT_MS, &o);
	if (status != 0) {
		fprintf(stderr,
			"faultline compare: base %s (%s): git worktree add %s "
			"failed:\n%s",
			b->rev, b->sha, b->dir, o.tail);
		return -ERR_IO;
	}
	return 0;
}

/* make in the worktree: the base's hypervisor, faultline (and sim). */
static int cb_build(enum backend backend, struct compare_base *b)
{
	char jobs[32];
	char *argv[] = {"env", "-u", "MAKEFLAGS", "-u", "MFLAGS", "-u",
			"MAKELEVEL", "make", "-C", b->dir, jobs,
			/*
			 * A make that runs us (`make test BUILD=DIR`) puts
			 * BUILD in our environment: the base builds into its
			 * own build/ whatever it says.
			 */
			"BUILD=build", "build/hyp.elf", "build/faultline",
			backend == BACKEND_SIM ? "build/faultline-sim" : NULL,
			NULL};
	struct cb_out o;
	uint64_t t0 = proc_now_ms();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int status;

	snprintf(jobs, sizeof(jobs), "-j%ld", ncpu > 0 ? ncpu : 1);
	memset(&o, 0, sizeof(o));
	o.fd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o.fd < 0) {
		fprintf(stderr, "faultline compare: cannot write %s: %s\n",
			b->log, strerror(errno));
		return -ERR_IO;
	}
	printf("faultline compare: building base %s (%.12s) in %s/ (log: "
	       "%s)...\n",
	       b->rev, b->sha, b->dir, b->log);
	fflush(stdout);
	status = cb_run(argv, "make", COMPARE_BASE_BUILD_TIMEOUT_S * 1000u, &o);
	close(o.fd);
	o.tail[strcspn(o.tail, "\n")] = '\0';
	if (status != 0) {
		fprintf(stderr,
			"faultline compare: base %s (%s): the build failed "
			"(%s)\n",
			b->rev, b->sha,
			status < 0 ? o.tail : "make's exit status is not 0");
		term_show_tail(stderr,
			       "faultline compare: the end of its log:", b->log,
			       4096, 20);
		return -ERR_INVAL;
	}
	if (paths_join(b->dir, "build/faultline", b->faultline,
		       sizeof(b->faultline)) != 0 ||
	    access(b->faultline, X_OK) != 0) {
		fprintf(stderr,
			"faultline compare: base %s (%s): the build made no "
			"%s\n",
			b->rev, b->sha, b->faultline);
		return -ERR_INVAL;
	}
	printf("faultline compare: base %s built in %.1f s\n", b->rev,
	       (double)(proc_now_ms() - t0) / 1000.0);
	return 0;
}

int compare_base_prepare(const char *root, const char *build_dir,
			 const char *rev, enum backend backend,
			 struct compare_base *b)
{
	char cache[PATHS_MAX], name[64];
	int ret;

	memset(b, 0, sizeof(*b));
	snprintf(b->rev, sizeof(b->rev), "%s", rev);
	ret = cb_resolve(root, rev, b);
	if (ret != 0) {
		return ret;
	}
	snprintf(name, sizeof(name), "%s.log", b->sha);
	if (paths_join(build_dir, "compare-base", cache, sizeof(cache)) != 0 ||
	    paths_join(cache, b->sha, b->dir, sizeof(b->dir)) != 0 ||
	    paths_join(cache, name, b->log, sizeof(b->log)) != 0) {
		fprintf(stderr, "faultline compare: %s: path too long\n",
			build_dir);
		return -ERR_RANGE;
	}
	ret = cb_worktree(root, cache, b);
	return ret != 0 ? ret : cb_build(backend, b);
}
