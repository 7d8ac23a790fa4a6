/* One measured run of a scenario (bench_run.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/err.h>

#include "bench_run.h"
#include "proc.h"
#include "run_internal.h"

/* Most words of the command line (run, its options, the --set values). */
#define BENCH_RUN_MAX_WORDS (24 + 2 * BENCH_RUN_MAX_SETS)

/* Set by SIGINT/SIGTERM while another build's faultline runs. */
static volatile sig_atomic_t bench_run_stop;

static void bench_run_on_signal(int sig)
{
	bench_run_stop = sig;
}

/* Appends @word to the command line being built. */
static bool br_word(char **argv, int *n, int max, char *buf, size_t size,
		    size_t *used, const char *word)
{
	size_t len = strlen(word) + 1;

	if (*n + 1 >= max || *used + len > size) {
		return false;
	}
	memcpy(buf + *used, word, len);
	argv[(*n)++] = buf + *used;
	argv[*n] = NULL;
	*used += len;
	return true;
}

int bench_run_argv(const struct bench_run_spec *spec, char **argv, int max,
		   char *buf, size_t size)
{
	char num[16];
	size_t used = 0;
	int n = 0;
	bool ok;

	argv[0] = NULL;
	ok = br_word(argv, &n, max, buf, size, &used, "run") &&
	     br_word(argv, &n, max, buf, size, &used, spec->scenario) &&
	     br_word(argv, &n, max, buf, size, &used, "--out") &&
	     br_word(argv, &n, max, buf, size, &used, spec->dir) &&
	     br_word(argv, &n, max, buf, size, &used, "--quiet");
	if (ok && !spec->plots) {
		ok = br_word(argv, &n, max, buf, size, &used, "--no-plots");
	}
	/* QEMU is the default: an older faultline need not know --backend. */
	if (ok && spec->backend != BACKEND_QEMU) {
		ok = br_word(argv, &n, max, buf, size, &used, "--backend") &&
		     br_word(argv, &n, max, buf, size, &used,
			     backend_name(spec->backend));
	}
	if (ok && spec->policy != NULL) {
		ok = br_word(argv, &n, max, buf, size, &used, "--policy") &&
		     br_word(argv, &n, max, buf, size, &used, spec->policy);
	}
	if (ok && spec->reps != 0) {
		snprintf(num, sizeof(num), "%u", spec->reps);
		ok = br_word(argv, &n, max, buf, size, &used, "--reps") &&
		     br_word(argv, &n, max, buf, size, &used, num);
	}
	if (ok && spec->warmup_given) {
		snprintf(num, sizeof(num), "%u", spec->warmup);
		ok = br_word(argv, &n, max, buf, size, &used, "--warmup") &&
		     br_word(argv, &n, max, buf, size, &used, num);
	}
	if (ok && spec->append != NULL) {
		ok = br_word(argv, &n, max, buf, size, &used, "--append") &&
		     br_word(argv, &n, max, buf, size, &used, spec->append);
	}
	if (ok && spec->timeout != NULL) {
		ok = br_word(argv, &n, max, buf, size, &used, "--timeout") &&
		     br_word(argv, &n, max, buf, size, &used, spec->timeout);
	}
	for (unsigned i = 0; ok && i < spec->nsets; i++) {
		ok = br_word(argv, &n, max, buf, size, &used, "--set") &&
		     br_word(argv, &n, max, buf, size, &used, spec->sets[i]);
	}
	return ok ? n : -ERR_RANGE;
}

int bench_run_check(const struct bench_run_spec *spec,
		    struct bench_run_scenario *out)
{
	struct bench_run_spec probe = *spec;
	struct run_options *o = calloc(1, sizeof(*o));
	struct run_scenario *rs = calloc(1, sizeof(*rs));
	char *argv[BENCH_RUN_MAX_WORDS + 1];
	char words[2 * PATHS_MAX + 1024], err[256];
	int argc, ret = -ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (o == NULL || rs == NULL) {
		fprintf(stderr, "faultline: out of memory\n");
		goto done;
	}
	/* Nothing is written: the directory only has to be a word. */
	if (probe.dir == NULL) {
		probe.dir = "unused";
	}
	argc = bench_run_argv(&probe, argv, BENCH_RUN_MAX_WORDS, words,
			      sizeof(words));
	ret = argc < 0 ? argc : run_args_parse(argc, argv, o, err, sizeof(err));
	if (ret != 0) {
		fprintf(stderr, "faultline: %s\n",
			argc < 0 ? "the run's command line is too long" : err);
		goto done;
	}
	ret = run_scenario_load(o, rs);
	if (ret == 0) {
		snprintf(out->name, sizeof(out->name), "%s", rs->s.name);
		snprintf(out->policy, sizeof(out->policy), "%s",
			 o->policy != NULL
				 ? o->policy
				 : scenario_policy_name(rs->s.vms[0].policy));
		out->timeout_ms = o->timeout_ms;
		out->deadline_ms = rs->deadline_ms;
		out->warmup = rs->s.warmup;
		if (realpath(rs->path, out->path) == NULL) {
			snprintf(out->path, sizeof(out->path), "%s", rs->path);
		}
	}
	run_scenario_free(rs);
done:
	free(o);
	free(rs);
	return ret;
}

/*
 * In this process: `faultline run` through run_one(), with stdout (the
 * run's summary) sent to the log @log_fd for the run's duration.
 */
static int br_here(int argc, char **argv, int log_fd,
		   struct bench_run_result *res)
{
	struct run_state *s = calloc(1, sizeof(*s));
	char err[256];
	int saved;

	if (s == NULL) {
		fprintf(stderr, "faultline: out of memory\n");
		return -ERR_NOMEM;
	}
	/* argv[0] is the program: run_args_parse() takes "run" onwards. */
	if (run_args_parse(argc - 1, argv + 1, &s->o, err, sizeof(err)) != 0) {
		fprintf(stderr, "faultline: internal error: %s\n", err);
		free(s);
		return -ERR_INVAL;
	}
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(log_fd, STDOUT_FILENO) < 0) {
		fprintf(stderr,
			"faultline: cannot send the run's output to %s: "
			"%s\n",
			res->log, strerror(errno));
		if (saved >= 0) {
			close(saved);
		}
		free(s);
		return -ERR_IO;
	}
	res->status = run_one(s, argc, argv);
	res->interrupted = s->r.verdict == VERDICT_INTERRUPTED;
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	run_state_free(s);
	free(s);
	return 0;
}

/* Keeps the end of the program's stderr, and logs it. */
struct br_sink {
	int log_fd;
	struct bench_run_result *res;
};

static void br_log(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return;
		}
		data += n;
		len -= (size_t)n;
	}
}

static void br_on_stdout(void *arg, const char *data, size_t len)
{
	struct br_sink *k = arg;

	br_log(k->log_fd, data, len);
}

static void br_on_stderr(void *arg, const char *data, size_t len)
{
	struct br_sink *k = arg;
	char *tail = k->res->stderr_tail;
	size_t cap = sizeof(k->res->stderr_tail) - 1;
	size_t have = strlen(tail);

	br_log(k->log_fd, data, len);
	if (len >= cap) {
		data += len - cap;
		len = cap;
	}
	/* Keep the last @cap bytes: drop from the front what no longer fits. */
	if (have + len > cap) {
		size_t drop = have + len - cap;

		memmove(tail, tail + drop, have - drop);
		have -= drop;
	}
	memcpy(tail + have, data, len);
	tail[have + len] = '\0';
}

/* Another build's faultline, as a program, under a limit and Ctrl-C. */
static int br_there(const struct bench_run_spec *spec, char **argv, int log_fd,
		    struct bench_run_result *res)
{
	struct br_sink sink = {log_fd, res};
	struct proc_spec ps = {
		.argv = argv,
		.timeout_ms = spec->limit_ms,
		.term_grace_ms = 5000,
		.on_stdout = br_on_stdout,
		.on_stderr = br_on_stderr,
		.sink_arg = &sink,
		.stop = &bench_run_stop,
	};
	struct sigaction sa, old_int, old_term;
	struct proc_result pr;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bench_run_on_signal;
	sigemptyset(&sa.sa_mask);
	bench_run_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	ret = proc_run(&ps, &pr);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (ret != 0) {
		res->not_started = true;
		fprintf(stderr, "faultline: cannot run %s: %s\n", argv[0],
			pr.spawn_errno != 0 ? strerror(pr.spawn_errno)
					    : "fork or pipe failed");
		return ret;
	}
	res->interrupted = pr.interrupted;
	if (pr.timed_out) {
		fprintf(stderr,
			"faultline: %s did not finish within %u s: ended\n",
			argv[0], spec->limit_ms / 1000);
	}
	res->status =
		pr.reaped && WIFEXITED(pr.status) ? WEXITSTATUS(pr.status) : -1;
	return 0;
}

int bench_run(const struct bench_run_spec *spec, struct bench_run_result *res)
{
	char *argv[BENCH_RUN_MAX_WORDS + 1];
	char words[2 * PATHS_MAX + 1024];
	int argc, fd, ret;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	argv[0] = (char *)(spec->faultline != NULL ? spec->faultline
						   : "faultline");
	argc = bench_run_argv(spec, argv + 1, BENCH_RUN_MAX_WORDS, words,
			      sizeof(words));
	if (argc < 0) {
		fprintf(stderr, "faultline: the run's command line is too "
				"long\n");
		return -ERR_RANGE;
	}
	argc++;
	if (paths_mkdir_p(spec->dir) != 0 ||
	    paths_join(spec->dir, "run.log", res->log, sizeof(res->log)) != 0) {
		fprintf(stderr,
			"faultline: cannot make the run directory %s: %s\n",
			spec->dir, strerror(errno));
		return -ERR_IO;
	}
	fd = open(res->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "faultline: cannot write %s: %s\n", res->log,
			strerror(errno));
		return -ERR_IO;
	}
	ret = spec->faultline != NULL ? br_there(spec, argv, fd, res)
				      : br_here(argc, argv, fd, res);
	close(fd);
	return ret;
}
