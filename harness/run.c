/* `faultline run` (run.h): the backend started and watched. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/err.h>

#include "backend.h"
#include "progress.h"
#include "run.h"
#include "run_internal.h"
#include "shell.h"
#include "term.h"

/* Time QEMU gets to end after SIGTERM before SIGKILL. */
#define RUN_TERM_GRACE_MS 2000u
/* How long the echo waits for a stalled terminal before it stops. */
#define RUN_ECHO_WAIT_MS 200u
/* How often the progress line is redrawn. */
#define RUN_PROGRESS_MS 250u
/*
 * Most bytes of console kept: a hypervisor (or later a guest) stuck
 * printing must not fill the disk. The rest is counted, not written.
 */
#define RUN_CONSOLE_MAX_BYTES (UINT64_C(64) << 20)

/* Where the backend's output goes as it arrives. */
struct run_io {
	int console_fd;
	int stderr_fd;
	struct term_echo out;
	struct term_echo err;
	uint64_t console_bytes;
	bool console_capped;
	bool write_failed;
	/* The progress line, when stdout is a terminal (else NULL). */
	struct progress *progress;
	const char *trace;
	/* Characters of the progress line on the screen now (0: none). */
	size_t progress_shown;
	uint64_t progress_drawn_ms;
};

/* Set by SIGINT/SIGTERM while QEMU runs: the signal's number. */
static volatile sig_atomic_t run_stop;

static void run_on_signal(int sig)
{
	run_stop = sig;
}

static bool run_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Erases the progress line, so that the console goes where it was. */
static void run_progress_clear(struct run_io *io)
{
	static const char erase[] = "\r\033[K";
	char last = io->out.last;

	if (io->progress_shown > 0) {
		term_echo_write(&io->out, erase, sizeof(erase) - 1);
		/* What the echo wrote last is the console's, not ours. */
		io->out.last = last;
		io->progress_shown = 0;
	}
}

/* Draws the progress line below the console (at a line's start only). */
static void run_progress_draw(struct run_io *io)
{
	uint64_t now = proc_now_ms();
	struct stat st;
	char line[160];
	size_t n;

	if (io->progress == NULL || io->out.stopped ||
	    (io->out.last != '\n' && io->out.last != '\0')) {
		return;
	}
	run_progress_clear(io);
	n = progress_format(io->progress, now,
			    stat(io->trace, &st) == 0 ? (uint64_t)st.st_size
						      : 0,
			    line, sizeof(line));
	term_echo_write(&io->out, line, n);
	/* What the echo wrote last is the console's (a line's end). */
	io->out.last = '\n';
	io->progress_shown = n;
	io->progress_drawn_ms = now;
}

static void run_on_tick(void *arg)
{
	struct run_io *io = arg;

	if (io->progress != NULL &&
	    proc_now_ms() >= io->progress_drawn_ms + RUN_PROGRESS_MS) {
		run_progress_draw(io);
	}
}

static void run_on_stdout(void *arg, const char *data, size_t len)
{
	struct run_io *io = arg;

	static const char capped[] = "\n[faultline: console.log capped at 64 "
				     "MiB; the rest is not kept]\n";
	uint64_t room = io->console_bytes < RUN_CONSOLE_MAX_BYTES
				? RUN_CONSOLE_MAX_BYTES - io->console_bytes
				: 0;

	io->console_bytes += len;
	if (len > room) {
		len = (size_t)room;
		if (!io->console_capped) {
			io->console_capped = true;
			if (len > 0 &&
			    !run_write_all(io->console_fd, data, len)) {
				io->write_failed = true;
			}
			run_write_all(io->console_fd, capped,
				      sizeof(capped) - 1);
			term_echo_write(&io->out, data, len);
			term_echo_write(&io->out, capped, sizeof(capped) - 1);
		}
		return;
	}
	/* The log first: it must have everything even if we are killed. */
	if (!run_write_all(io->console_fd, data, len)) {
		io->write_failed = true;
	}
	if (io->progress != NULL) {
		progress_feed(io->progress, data, len);
		run_progress_clear(io);
	}
	/* A stalled or closed terminal stops the echo, never the run. */
	term_echo_write(&io->out, data, len);
	if (io->progress != NULL) {
		run_progress_draw(io);
	}
}

static void run_on_stderr(void *arg, const char *data, size_t len)
{
	struct run_io *io = arg;

	if (!run_write_all(io->stderr_fd, data, len)) {
		io->write_failed = true;
	}
	term_echo_write(&io->err, data, len);
}

static int run_open_log(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
		    0666);
}

/*
 * Runs the backend (QEMU or the sim) under the deadline and the signal
 * handlers; its verdict.
 */
static enum verdict run_backend(struct run_state *s)
{
	const struct run_options *o = &s->o;
	struct progress progress;
	struct run_io io = {.console_fd = run_open_log(s->p.console),
			    .stderr_fd = run_open_log(s->p.stderr_log),
			    .trace = s->p.trace};
	struct proc_spec spec = {
		.argv = s->cmd.argv,
		.cwd = s->p.dir,
		.timeout_ms = o->timeout_ms,
		.term_grace_ms = RUN_TERM_GRACE_MS,
		.on_stdout = run_on_stdout,
		.on_stderr = run_on_stderr,
		.on_tick = run_on_tick,
		.sink_arg = &io,
		.stop = &run_stop,
	};
	struct sigaction sa, old_int, old_term;
	int ret = -ERR_IO;

	/* On a terminal only: a log or a pipe gets the console as it is. */
	if (o->verbosity != RUN_QUIET && isatty(STDOUT_FILENO)) {
		progress_init(&progress, proc_now_ms());
		io.progress = &progress;
	}

	memset(&s->res, 0, sizeof(s->res));
	if (io.console_fd >= 0 && io.stderr_fd >= 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = run_on_signal;
		sigemptyset(&sa.sa_mask);
		run_stop = 0;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		fflush(stdout);
		fflush(stderr);
		term_echo_open(&io.out,
			       o->verbosity != RUN_QUIET ? STDOUT_FILENO : -1,
			       RUN_ECHO_WAIT_MS);
		term_echo_open(&io.err,
			       o->verbosity == RUN_VERBOSE ? STDERR_FILENO : -1,
			       RUN_ECHO_WAIT_MS);
		ret = proc_run(&spec, &s->res);
		run_progress_clear(&io);
		term_echo_close(&io.out);
		term_echo_close(&io.err);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	} else {
		fprintf(stderr, "faultline: cannot create the logs in %s: %s\n",
			s->p.shown_dir, strerror(errno));
	}
	if (io.console_fd >= 0) {
		close(io.console_fd);
	}
	if (io.stderr_fd >= 0) {
		close(io.stderr_fd);
	}
	s->echo_unterminated = io.out.last != '\n' && !io.out.stopped;
	if (io.out.stopped || io.err.stopped) {
		fprintf(stderr,
			"faultline: the echo stopped (the reader fell behind "
			"or went away); %s/console.log has everything\n",
			s->p.shown_dir);
	}
	if (io.write_failed) {
		fprintf(stderr,
			"faultline: warning: writing the logs in %s failed\n",
			s->p.shown_dir);
	}
	if (io.console_capped) {
		fprintf(stderr,
			"faultline: warning: the console printed %llu bytes; "
			"console.log keeps the first %llu\n",
			(unsigned long long)io.console_bytes,
			(unsigned long long)RUN_CONSOLE_MAX_BYTES);
	}
	if (ret == -ERR_NOENT) {
		fprintf(stderr, "faultline: cannot run %s: %s failed: %s; %s\n",
			s->cmd.argv[0], s->res.spawn_step,
			strerror(s->res.spawn_errno),
			o->backend == BACKEND_SIM
				? "build it with `make`"
				: "install QEMU with `make deps`");
	} else if (ret == -ERR_IO && io.console_fd >= 0) {
		fprintf(stderr, "faultline: cannot start %s: %s\n",
			s->cmd.argv[0], strerror(errno));
	}
	if (s->res.interrupted) {
		fprintf(stderr,
			"faultline: interrupted (signal %d): %s stopped, "
			"keeping what arrived\n",
			(int)run_stop,
			o->backend == BACKEND_SIM ? "the sim" : "QEMU");
	}
	return verdict_from_result(&s->res, io.console_bytes > 0);
}

/* The manifest's description of the run (written again at the end). */
static void run_manifest(struct run_state *s, int argc, char *const *argv)
{
	const struct run_options *o = &s->o;
	const struct run_options *sw = s->sweep;
	char scn[PATHS_MAX];
	bool sim = o->backend == BACKEND_SIM;

	s->m = (struct manifest){
		.argc = argc,
		.argv = argv,
		.cmd_argc = s->cmd.argc,
		.cmd_argv = s->cmd.argv,
		.backend = backend_name(o->backend),
		.hyp = sim ? NULL : s->p.hyp,
		.qemu_version = sim ? NULL : s->qemu_version,
		.git_revision = s->git_revision,
		.dir = s->p.dir,
		.smp = o->smp,
		.sets = o->sets,
		.nsets = o->nsets,
	};
	if (o->scenario != NULL) {
		s->m.scenario = s->sc.s.name;
		s->m.scenario_path = s->sc.path;
		s->m.policy = o->policy;
		s->m.reps = s->sc.s.reps;
		s->m.warmup = s->sc.s.warmup;
		/* The text that ran: the copy in the run directory. */
		s->m.has_hash =
			paths_join(s->p.dir, "scenario.scn", scn,
				   sizeof(scn)) == 0 &&
			manifest_hash_file(scn, &s->m.scenario_hash) == 0;
	}
	if (sw != NULL) {
		s->m.sweep_name = sw->sweep_name;
		s->m.sweep_values = sw->sweep_values;
		s->m.nsweep = sw->nsweep;
	}
}

/* Says what will run. */
static void run_announce(const struct run_state *s)
{
	const struct run_options *o = &s->o;

	if (o->verbosity != RUN_QUIET && o->scenario != NULL) {
		const struct scenario *sc = &s->sc.s;

		printf("faultline: scenario %s: %u VM%s, %u vCPU%s on %u "
		       "CPU%s, policy %s, deadline %g s, on %s, in %s/\n",
		       sc->name, sc->nvms, sc->nvms == 1 ? "" : "s", sc->nvcpus,
		       sc->nvcpus == 1 ? "" : "s", o->smp,
		       o->smp == 1 ? "" : "s",
		       o->policy != NULL
			       ? o->policy
			       : scenario_policy_name(sc->vms[0].policy),
		       s->sc.deadline_ms / 1000.0,
		       o->backend == BACKEND_SIM ? "the sim" : "QEMU",
		       s->p.shown_dir);
	} else if (o->verbosity != RUN_QUIET) {
		printf("faultline: %s run, %u CPU%s, timeout %g s, in %s/\n",
		       o->mode, o->smp, o->smp == 1 ? "" : "s",
		       o->timeout_ms / 1000.0, s->p.shown_dir);
	}
	if (o->verbosity == RUN_VERBOSE) {
		char line[8192];

		shell_join(s->cmd.argc, s->cmd.argv, line, sizeof(line));
		printf("faultline: %s\n", line);
	}
}

/* Builds the command line and the manifest, and says what will run. */
static int run_setup(struct run_state *s, int argc, char *const *argv)
{
	struct qemu_config qc = {
		.qemu = s->p.qemu,
		.hyp = s->p.hyp,
		.smp = s->o.smp,
		.mode = s->o.mode,
		.test = s->o.test,
		.plan = s->o.scenario != NULL ? "plan.bin" : NULL,
		.append = s->o.append,
		.trace = "trace.bin",
		.prealloc = s->o.scenario != NULL && s->sc.s.prealloc,
	};
	int ret = s->o.backend == BACKEND_SIM
			  ? backend_build_sim(&qc, s->p.sim, &s->cmd)
			  : qemu_build(&qc, &s->cmd);

	if (ret != 0) {
		fprintf(stderr, "faultline run: --append: the boot arguments "
				"are too long\n");
		return -ERR_RANGE;
	}
	if (s->o.backend == BACKEND_QEMU) {
		qemu_version(s->p.qemu, s->qemu_version,
			     sizeof(s->qemu_version));
	}
	manifest_git_revision(s->p.root, s->git_revision,
			      sizeof(s->git_revision));
	run_manifest(s, argc, argv);
	/* Written now too, so a run that never ends still says what it was. */
	manifest_write(&s->m, s->p.manifest);
	run_announce(s);
	return 0;
}

int run_one(struct run_state *s, int argc, char *const *argv)
{
	const struct run_options *o = &s->o;

	testout_init(&s->tests);
	if (o->scenario != NULL && run_scenario_load(&s->o, &s->sc) != 0) {
		return 2;
	}
	if (run_paths_prepare(o, &s->p) != 0) {
		return 1;
	}
	if (o->scenario != NULL &&
	    run_scenario_write(&s->sc, o, s->p.dir) != 0) {
		return 1;
	}
	if (run_setup(s, argc, argv) != 0) {
		return 2;
	}
	s->r = (struct report){
		.dir = s->p.shown_dir,
		.mode = o->mode,
		.scenario = o->scenario != NULL ? s->sc.s.name : NULL,
		.policy = o->scenario != NULL
				  ? scenario_policy_name(s->sc.s.vms[0].policy)
				  : NULL,
		.backend = backend_name(o->backend),
		.smp = o->smp,
		.reps = o->scenario != NULL ? s->sc.s.reps : 0,
		.warmup = o->scenario != NULL ? s->sc.s.warmup : 0,
		.sets = o->sets,
		.nsets = o->nsets,
		.timeout_ms = o->timeout_ms,
		.proc = &s->res,
	};
	s->r.backend_verdict = run_backend(s);
	s->r.verdict = s->r.backend_verdict;
	return run_finish(s);
}

void run_state_free(struct run_state *s)
{
	testout_free(&s->tests);
	run_scenario_free(&s->sc);
	summary_free(&s->sum);
	faultstats_free(&s->faults);
	check_result_free(&s->check);
	trace_data_free(&s->td);
}

int run_main(int argc, char *const *argv)
{
	struct run_state *s = calloc(1, sizeof(*s));
	char err[256];
	int status;

	if (s == NULL) {
		fprintf(stderr, "faultline: out of memory\n");
		return 1;
	}
	/*
	 * A reader that goes away (`faultline run | head`) must not kill us
	 * before the results are written: writes fail with EPIPE instead.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (run_args_parse(argc - 1, argv + 1, &s->o, err, sizeof(err)) != 0) {
		fprintf(stderr,
			"faultline run: %s\n%s(faultline run --help for "
			"details)\n",
			err, run_args_synopsis());
		status = 2;
	} else if (s->o.help) {
		fputs(run_args_usage(), stdout);
		status = 0;
	} else if (s->o.nsweep > 0) {
		status = run_sweep(&s->o, argc, argv);
	} else {
		status = run_one(s, argc, argv);
	}
	run_state_free(s);
	free(s);
	return status;
}
