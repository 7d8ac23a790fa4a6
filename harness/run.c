/* `faultline run` (run.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/trace/export.h>

#include "check_cmd.h"
#include "manifest.h"
#include "qemu.h"
#include "report.h"
#include "run.h"
#include "run_args.h"
#include "run_paths.h"
#include "run_scenario.h"
#include "shell.h"
#include "term.h"

/* Time QEMU gets to end after SIGTERM before SIGKILL. */
#define RUN_TERM_GRACE_MS 2000u
/* How long the echo waits for a stalled terminal before it stops. */
#define RUN_ECHO_WAIT_MS 200u
/* How much of a log is shown when it explains a failure. */
#define RUN_TAIL_BYTES 4096u
#define RUN_TAIL_LINES 20u
/*
 * Most bytes of console kept: a hypervisor (or later a guest) stuck
 * printing must not fill the disk. The rest is counted, not written.
 */
#define RUN_CONSOLE_MAX_BYTES (UINT64_C(64) << 20)

/* Where QEMU's output goes as it arrives. */
struct run_io {
	int console_fd;
	int stderr_fd;
	struct term_echo out;
	struct term_echo err;
	uint64_t console_bytes;
	bool console_capped;
	bool write_failed;
};

/* Everything one run produces, for the report and the cleanup. */
struct run_state {
	struct run_options o;
	struct run_paths p;
	struct qemu_cmd cmd;
	struct proc_result res;
	struct trace_data td;
	struct summary sum;
	struct faultstats faults;
	struct check_result check;
	struct testout tests;
	struct report r;
	struct manifest m;
	/* The scenario, when the run has one (mode "plan"). */
	struct run_scenario sc;
	char qemu_version[256];
	char git_revision[160];
	/* The echoed console did not end with a line break. */
	bool echo_unterminated;
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
	/* A stalled or closed terminal stops the echo, never the run. */
	term_echo_write(&io->out, data, len);
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

/* Runs QEMU under the deadline and the signal handlers; its verdict. */
static enum verdict run_qemu(struct run_state *s)
{
	const struct run_options *o = &s->o;
	struct run_io io = {.console_fd = run_open_log(s->p.console),
			    .stderr_fd = run_open_log(s->p.stderr_log)};
	struct proc_spec spec = {
		.argv = s->cmd.argv,
		.cwd = s->p.dir,
		.timeout_ms = o->timeout_ms,
		.term_grace_ms = RUN_TERM_GRACE_MS,
		.on_stdout = run_on_stdout,
		.on_stderr = run_on_stderr,
		.sink_arg = &io,
		.stop = &run_stop,
	};
	struct sigaction sa, old_int, old_term;
	int ret = -ERR_IO;

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
		fprintf(stderr,
			"faultline: cannot run %s: %s failed: %s; install QEMU "
			"with `make deps`\n",
			s->cmd.argv[0], s->res.spawn_step,
			strerror(s->res.spawn_errno));
	} else if (ret == -ERR_IO && io.console_fd >= 0) {
		fprintf(stderr, "faultline: cannot start %s: %s\n",
			s->cmd.argv[0], strerror(errno));
	}
	if (s->res.interrupted) {
		fprintf(stderr,
			"faultline: interrupted (signal %d): QEMU stopped, "
			"keeping what arrived\n",
			(int)run_stop);
	}
	return verdict_from_result(&s->res, io.console_bytes > 0);
}

/* Decodes the trace, summarises it, writes events.csv and check.txt. */
static void run_collect_trace(struct run_state *s)
{
	struct report *r = &s->r;
	FILE *csv;
	int ret;

	r->trace_present = paths_is_file(s->p.trace);
	if (!r->trace_present) {
		return;
	}
	/* Whatever arrived: a damaged or cut file still yields its records. */
	r->trace_ret = trace_data_load_file(s->p.trace, &s->td);
	r->td = &s->td;
	if (summary_compute(&s->td, &s->sum) == 0 &&
	    faultstats_compute(&s->td, &s->faults) == 0) {
		r->sum = &s->sum;
		r->faults = &s->faults;
	} else {
		fprintf(stderr, "faultline: out of memory summarising the "
				"trace\n");
	}
	if (s->td.nrecords == 0) {
		return;
	}
	csv = fopen(s->p.csv, "w");
	r->csv_written = csv != NULL && trace_export_csv(&s->td, csv) == 0;
	if (csv != NULL && fclose(csv) != 0) {
		r->csv_written = false;
	}
	if (!r->csv_written) {
		fprintf(stderr, "faultline: cannot write %s: %s\n", s->p.csv,
			strerror(errno));
	}
	/* The rule check reports; it never changes the run's verdict. */
	ret = check_cmd_run_dir(&s->td, s->p.dir, &s->check);
	r->check = ret != -ERR_NOMEM ? &s->check : NULL;
	r->check_written = ret == 0;
	if (ret != 0) {
		fprintf(stderr,
			"faultline: cannot check the trace into %s/%s\n",
			s->p.shown_dir, CHECK_CMD_FILE);
	}
}

/* Shows what explains a failed run when the user has not seen it yet. */
static void run_explain(const struct run_state *s)
{
	enum verdict v = s->r.verdict;
	char title[PATHS_MAX + 64];

	if (v == VERDICT_QEMU_ERROR && s->o.verbosity != RUN_VERBOSE &&
	    s->res.started) {
		snprintf(title, sizeof(title),
			 "faultline: QEMU's stderr (%s/qemu-stderr.log):",
			 s->p.shown_dir);
		if (term_show_tail(stderr, title, s->p.stderr_log,
				   RUN_TAIL_BYTES, RUN_TAIL_LINES) == 0) {
			fprintf(stderr,
				"faultline: QEMU wrote nothing on stderr\n");
		}
	}
	if (s->o.verbosity == RUN_QUIET &&
	    (v == VERDICT_BAD_ARGUMENTS || v == VERDICT_BOOT_FAILED ||
	     v == VERDICT_VCPU_FAILED || v == VERDICT_DEADLINE ||
	     v == VERDICT_LIVELOCK || v == VERDICT_TIMEOUT ||
	     v == VERDICT_INTERRUPTED)) {
		snprintf(title, sizeof(title),
			 "faultline: the end of %s/console.log:",
			 s->p.shown_dir);
		term_show_tail(stdout, title, s->p.console, RUN_TAIL_BYTES, 5);
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
	};

	if (qemu_build(&qc, &s->cmd) != 0) {
		fprintf(stderr, "faultline run: --append: the boot arguments "
				"are too long\n");
		return -ERR_RANGE;
	}
	qemu_version(s->p.qemu, s->qemu_version, sizeof(s->qemu_version));
	manifest_git_revision(s->p.root, s->git_revision,
			      sizeof(s->git_revision));
	s->m = (struct manifest){
		.argc = argc,
		.argv = argv,
		.qemu_argc = s->cmd.argc,
		.qemu_argv = s->cmd.argv,
		.hyp = s->p.hyp,
		.qemu_version = s->qemu_version,
		.git_revision = s->git_revision,
		.dir = s->p.dir,
	};
	/* Written now too, so a run that never ends still says what it was. */
	manifest_write(&s->m, s->p.manifest);
	if (s->o.verbosity != RUN_QUIET && s->o.scenario != NULL) {
		const struct scenario *sc = &s->sc.s;

		printf("faultline: scenario %s: %u VM%s, %u vCPU%s on %u "
		       "CPU%s, "
		       "policy %s, deadline %g s, in %s/\n",
		       sc->name, sc->nvms, sc->nvms == 1 ? "" : "s", sc->nvcpus,
		       sc->nvcpus == 1 ? "" : "s", s->o.smp,
		       s->o.smp == 1 ? "" : "s",
		       s->o.policy != NULL
			       ? s->o.policy
			       : scenario_policy_name(sc->vms[0].policy),
		       s->sc.deadline_ms / 1000.0, s->p.shown_dir);
	} else if (s->o.verbosity != RUN_QUIET) {
		printf("faultline: %s run, %u CPU%s, timeout %g s, in %s/\n",
		       s->o.mode, s->o.smp, s->o.smp == 1 ? "" : "s",
		       s->o.timeout_ms / 1000.0, s->p.shown_dir);
	}
	if (s->o.verbosity == RUN_VERBOSE) {
		char line[8192];

		shell_join(s->cmd.argc, s->cmd.argv, line, sizeof(line));
		printf("faultline: %s\n", line);
	}
	return 0;
}

/* Everything after QEMU: the trace, the tests, the files, the summary. */
static int run_finish(struct run_state *s)
{
	struct report *r = &s->r;

	run_collect_trace(s);
	if (strcmp(s->o.mode, "test") == 0) {
		testout_parse_file(&s->tests, s->p.console);
		r->tests = &s->tests;
	}
	if (r->trace_present && s->td.version != 0) {
		s->m.build_id = s->td.build_id;
		s->m.build_id_len = sizeof(s->td.build_id);
	}
	if (manifest_write(&s->m, s->p.manifest) != 0 ||
	    report_write_summary(r, s->p.summary) != 0) {
		fprintf(stderr,
			"faultline: cannot write the summary in %s: %s\n",
			s->p.shown_dir, strerror(errno));
	}
	/* Only now, with every file written: stdout may block. */
	if (s->echo_unterminated) {
		fputc('\n', stdout);
	}
	run_explain(s);
	report_print(r, stdout, term_color(STDOUT_FILENO));
	fflush(stdout);
	return verdict_exit_code(r->verdict);
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
	testout_init(&s->tests);
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
	} else if (s->o.scenario != NULL &&
		   run_scenario_load(&s->o, &s->sc) != 0) {
		status = 2;
	} else if (run_paths_prepare(&s->o, &s->p) != 0) {
		status = 1;
	} else if (s->o.scenario != NULL &&
		   run_scenario_write(&s->sc, &s->o, s->p.dir) != 0) {
		status = 1;
	} else if (run_setup(s, argc, argv) != 0) {
		status = 2;
	} else {
		s->r = (struct report){
			.dir = s->p.shown_dir,
			.mode = s->o.mode,
			.scenario = s->o.scenario != NULL ? s->sc.s.name : NULL,
			.policy = s->o.scenario != NULL
					  ? scenario_policy_name(
						    s->sc.s.vms[0].policy)
					  : NULL,
			.smp = s->o.smp,
			.timeout_ms = s->o.timeout_ms,
			.proc = &s->res,
		};
		s->r.verdict = run_qemu(s);
		status = run_finish(s);
	}
	testout_free(&s->tests);
	run_scenario_free(&s->sc);
	summary_free(&s->sum);
	faultstats_free(&s->faults);
	check_result_free(&s->check);
	trace_data_free(&s->td);
	free(s);
	return status;
}
