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

#include "manifest.h"
#include "paths.h"
#include "qemu.h"
#include "report.h"
#include "results.h"
#include "run.h"
#include "run_args.h"
#include "shell.h"

/* Time QEMU gets to end after SIGTERM before SIGKILL. */
#define RUN_TERM_GRACE_MS 2000u
/* How much of QEMU's stderr is shown when it failed. */
#define RUN_STDERR_TAIL 4096

/* The files a run directory holds; stale ones are removed first. */
static const char *const run_files[] = {
	"console.log", "qemu-stderr.log", "trace.bin",
	"events.csv",  "summary.json",    "manifest.json",
};

/* Where the pipes' data goes. */
struct run_io {
	int console_fd;
	int stderr_fd;
	bool echo_stdout;
	bool echo_stderr;
	uint64_t console_bytes;
	char last_echoed;
	bool write_failed;
};

/* The paths of one run. */
struct run_paths {
	char root[PATHS_MAX];
	char hyp[PATHS_MAX];
	char qemu[PATHS_MAX];
	char dir[PATHS_MAX];
	char shown_dir[PATHS_MAX];
	char console[PATHS_MAX];
	char stderr_log[PATHS_MAX];
	char trace[PATHS_MAX];
	char csv[PATHS_MAX];
	char summary[PATHS_MAX];
	char manifest[PATHS_MAX];
};

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

	io->console_bytes += len;
	if (!run_write_all(io->console_fd, data, len)) {
		io->write_failed = true;
	}
	if (io->echo_stdout) {
		/* A closed terminal pipe stops the echo, not the run. */
		io->echo_stdout = run_write_all(STDOUT_FILENO, data, len);
		io->last_echoed = data[len - 1];
	}
}

static void run_on_stderr(void *arg, const char *data, size_t len)
{
	struct run_io *io = arg;

	if (!run_write_all(io->stderr_fd, data, len)) {
		io->write_failed = true;
	}
	if (io->echo_stderr) {
		io->echo_stderr = run_write_all(STDERR_FILENO, data, len);
	}
}

/* @path relative to the current directory when it is inside it. */
static void run_shown_path(const char *path, char *out, size_t size)
{
	char cwd[PATHS_MAX];
	size_t len;

	if (getcwd(cwd, sizeof(cwd)) != NULL) {
		len = strlen(cwd);
		if (strncmp(path, cwd, len) == 0 && path[len] == '/') {
			snprintf(out, size, "%s", path + len + 1);
			return;
		}
	}
	snprintf(out, size, "%s", path);
}

/* Finds the hypervisor, QEMU and the run directory; 0 or an exit status. */
static int run_prepare(const struct run_options *o, struct run_paths *p)
{
	char hyp[PATHS_MAX];
	char results[PATHS_MAX];
	char qemu[PATHS_MAX];
	int ret;

	if (paths_repo_root(p->root, sizeof(p->root)) != 0 ||
	    (o->hyp == NULL &&
	     paths_join(p->root, "build/hyp.elf", hyp, sizeof(hyp)) != 0) ||
	    paths_join(p->root, "results", results, sizeof(results)) != 0) {
		fprintf(stderr, "faultline: cannot find the repository root\n");
		return 1;
	}
	if (o->hyp != NULL) {
		snprintf(hyp, sizeof(hyp), "%s", o->hyp);
	}
	if (!paths_is_file(hyp) || realpath(hyp, p->hyp) == NULL) {
		fprintf(stderr,
			"faultline: hypervisor image %s not found: build it "
			"with `make`%s\n",
			hyp, o->hyp == NULL ? " (or give --hyp PATH)" : "");
		return 1;
	}
	if (!paths_find_program(o->qemu, qemu, sizeof(qemu)) ||
	    realpath(qemu, p->qemu) == NULL) {
		fprintf(stderr,
			"faultline: cannot run %s: not found or not "
			"executable; install QEMU with `make deps`%s\n",
			o->qemu,
			strchr(o->qemu, '/') ? ""
					     : " (it is looked up in PATH)");
		return 1;
	}
	if (o->out != NULL) {
		ret = paths_mkdir_p(o->out);
		if (ret == 0 && realpath(o->out, p->dir) == NULL) {
			ret = -ERR_IO;
		}
		for (size_t i = 0;
		     ret == 0 && i < sizeof(run_files) / sizeof(run_files[0]);
		     i++) {
			char stale[PATHS_MAX];

			if (paths_join(p->dir, run_files[i], stale,
				       sizeof(stale)) == 0 &&
			    unlink(stale) != 0 && errno != ENOENT) {
				ret = -ERR_IO;
			}
		}
	} else {
		ret = results_create_run_dir(results, o->name, p->dir,
					     sizeof(p->dir));
		if (ret == 0 && results_update_latest(results, p->dir) != 0) {
			fprintf(stderr,
				"faultline: warning: cannot update %s/latest: "
				"%s\n",
				results, strerror(errno));
		}
	}
	if (ret != 0) {
		fprintf(stderr,
			"faultline: cannot prepare the run directory %s: %s\n",
			o->out != NULL ? o->out : results, strerror(errno));
		return 1;
	}
	run_shown_path(p->dir, p->shown_dir, sizeof(p->shown_dir));
	if (paths_join(p->dir, "console.log", p->console, sizeof(p->console)) ||
	    paths_join(p->dir, "qemu-stderr.log", p->stderr_log,
		       sizeof(p->stderr_log)) ||
	    paths_join(p->dir, "trace.bin", p->trace, sizeof(p->trace)) ||
	    paths_join(p->dir, "events.csv", p->csv, sizeof(p->csv)) ||
	    paths_join(p->dir, "summary.json", p->summary,
		       sizeof(p->summary)) ||
	    paths_join(p->dir, "manifest.json", p->manifest,
		       sizeof(p->manifest))) {
		fprintf(stderr, "faultline: run directory path too long\n");
		return 1;
	}
	return 0;
}

/* Prints the end of QEMU's stderr, which says why it failed. */
static void run_show_stderr(const struct run_paths *p)
{
	char buf[RUN_STDERR_TAIL + 1];
	FILE *f = fopen(p->stderr_log, "r");
	long size;
	size_t n;

	if (f == NULL) {
		return;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > RUN_STDERR_TAIL ? size - RUN_STDERR_TAIL : 0, SEEK_SET);
	n = fread(buf, 1, RUN_STDERR_TAIL, f);
	fclose(f);
	buf[n] = '\0';
	if (n == 0) {
		fprintf(stderr, "faultline: QEMU wrote nothing on stderr\n");
		return;
	}
	fprintf(stderr,
		"faultline: QEMU's stderr (%s/qemu-stderr.log)%s:\n%s%s",
		p->shown_dir, size > RUN_STDERR_TAIL ? ", the end" : "", buf,
		buf[n - 1] == '\n' ? "" : "\n");
}

/*
 * With --quiet the console was not shown: prints its last @max lines when
 * they say why the run failed.
 */
static void run_show_console_tail(const struct run_paths *p, unsigned max)
{
	char buf[RUN_STDERR_TAIL + 1];
	FILE *f = fopen(p->console, "r");
	const char *start;
	unsigned lines = 0;
	long size;
	size_t n;

	if (f == NULL) {
		return;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > RUN_STDERR_TAIL ? size - RUN_STDERR_TAIL : 0, SEEK_SET);
	n = fread(buf, 1, RUN_STDERR_TAIL, f);
	fclose(f);
	while (n > 0 && buf[n - 1] == '\n') {
		n--;
	}
	buf[n] = '\0';
	if (n == 0) {
		return;
	}
	start = buf + n;
	while (start > buf && lines < max) {
		start--;
		if (*start == '\n') {
			lines++;
		}
	}
	if (*start == '\n') {
		start++;
	}
	printf("faultline: the end of %s/console.log:\n%s\n", p->shown_dir,
	       start);
}

/* Decodes the trace and writes events.csv; fills the report's trace part. */
static void run_collect_trace(const struct run_paths *p, struct trace_data *td,
			      struct summary *sum, struct report *r)
{
	FILE *csv;

	r->trace_present = paths_is_file(p->trace);
	if (!r->trace_present) {
		return;
	}
	r->trace_ret = trace_data_load_file(p->trace, td);
	r->td = td;
	if (summary_compute(td, sum) == 0) {
		r->sum = sum;
	} else {
		fprintf(stderr,
			"faultline: out of memory summarising the trace\n");
	}
	if (td->nrecords == 0) {
		return;
	}
	csv = fopen(p->csv, "w");
	if (csv == NULL || trace_export_csv(td, csv) != 0) {
		fprintf(stderr, "faultline: cannot write %s: %s\n", p->csv,
			strerror(errno));
	} else {
		r->csv_written = true;
	}
	if (csv != NULL && fclose(csv) != 0) {
		r->csv_written = false;
	}
}

/* Runs QEMU; returns the verdict. */
static enum verdict run_qemu(const struct run_options *o,
			     const struct run_paths *p, struct qemu_cmd *cmd,
			     struct proc_result *res)
{
	struct run_io io = {
		.echo_stdout = o->verbosity != RUN_QUIET,
		.echo_stderr = o->verbosity == RUN_VERBOSE,
		.last_echoed = '\n',
	};
	struct proc_spec spec = {
		.argv = cmd->argv,
		.cwd = p->dir,
		.timeout_ms = o->timeout_ms,
		.term_grace_ms = RUN_TERM_GRACE_MS,
		.on_stdout = run_on_stdout,
		.on_stderr = run_on_stderr,
		.sink_arg = &io,
		.stop = &run_stop,
	};
	struct sigaction sa, old_int, old_term, old_pipe;
	int ret;

	io.console_fd =
		open(p->console,
		     O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
	io.stderr_fd =
		open(p->stderr_log,
		     O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
	if (io.console_fd < 0 || io.stderr_fd < 0) {
		fprintf(stderr, "faultline: cannot create the logs in %s: %s\n",
			p->shown_dir, strerror(errno));
		memset(res, 0, sizeof(*res));
		if (io.console_fd >= 0) {
			close(io.console_fd);
		}
		if (io.stderr_fd >= 0) {
			close(io.stderr_fd);
		}
		return VERDICT_QEMU_ERROR;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_on_signal;
	sigemptyset(&sa.sa_mask);
	run_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	fflush(stdout);
	ret = proc_run(&spec, res);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	close(io.console_fd);
	close(io.stderr_fd);
	if (io.echo_stdout && io.last_echoed != '\n') {
		fputc('\n', stdout);
	}
	if (io.write_failed) {
		fprintf(stderr,
			"faultline: warning: writing the logs in %s failed: "
			"%s\n",
			p->shown_dir, strerror(errno));
	}
	if (ret == -ERR_NOENT) {
		fprintf(stderr,
			"faultline: cannot run %s: %s failed: %s; install QEMU "
			"with `make deps`\n",
			cmd->argv[0], res->spawn_step,
			strerror(res->spawn_errno));
	} else if (ret != 0) {
		fprintf(stderr, "faultline: cannot start %s: %s\n",
			cmd->argv[0], strerror(errno));
	}
	return verdict_from_result(res, io.console_bytes > 0);
}

static bool run_color(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
	       term != NULL && strcmp(term, "dumb") != 0;
}

int run_main(int argc, char *const *argv)
{
	struct run_options o;
	struct run_paths *p = calloc(1, sizeof(*p));
	struct qemu_config qc;
	struct qemu_cmd cmd;
	struct proc_result res;
	struct trace_data td;
	struct summary sum;
	struct testout tests;
	struct report r;
	struct manifest m;
	char qemu_ver[256];
	char git_rev[160];
	char err[256];
	int status;

	memset(&td, 0, sizeof(td));
	memset(&sum, 0, sizeof(sum));
	testout_init(&tests);
	if (p == NULL) {
		return 1;
	}
	if (run_args_parse(argc - 1, argv + 1, &o, err, sizeof(err)) != 0) {
		fprintf(stderr,
			"faultline run: %s\n%s(faultline run --help for "
			"details)\n",
			err, run_args_synopsis());
		free(p);
		return 2;
	}
	if (o.help) {
		fputs(run_args_usage(), stdout);
		free(p);
		return 0;
	}
	status = run_prepare(&o, p);
	if (status != 0) {
		free(p);
		return status;
	}
	qc = (struct qemu_config){
		.qemu = p->qemu,
		.hyp = p->hyp,
		.smp = o.smp,
		.mode = o.mode,
		.test = o.test,
		.append = o.append,
		.trace = "trace.bin",
	};
	if (qemu_build(&qc, &cmd) != 0) {
		fprintf(stderr,
			"faultline run: the boot arguments are too long\n");
		free(p);
		return 2;
	}
	qemu_version(p->qemu, qemu_ver, sizeof(qemu_ver));
	manifest_git_revision(p->root, git_rev, sizeof(git_rev));
	m = (struct manifest){
		.argc = argc,
		.argv = argv,
		.qemu_argc = cmd.argc,
		.qemu_argv = cmd.argv,
		.hyp = p->hyp,
		.qemu_version = qemu_ver,
		.git_revision = git_rev,
		.dir = p->dir,
	};
	/* Written now too, so a run that never ends still says what it was. */
	manifest_write(&m, p->manifest);
	if (o.verbosity != RUN_QUIET) {
		printf("faultline: %s run, %u CPUs, timeout %.0f s, in %s/\n",
		       o.mode, o.smp, o.timeout_ms / 1000.0, p->shown_dir);
	}
	if (o.verbosity == RUN_VERBOSE) {
		char line[8192];

		shell_join(cmd.argc, cmd.argv, line, sizeof(line));
		printf("faultline: %s\n", line);
	}

	r = (struct report){
		.dir = p->shown_dir,
		.mode = o.mode,
		.smp = o.smp,
		.timeout_ms = o.timeout_ms,
		.proc = &res,
	};
	r.verdict = run_qemu(&o, p, &cmd, &res);
	if (r.verdict == VERDICT_INTERRUPTED) {
		fprintf(stderr,
			"faultline: interrupted (signal %d): QEMU stopped, "
			"keeping what arrived\n",
			(int)run_stop);
	}
	run_collect_trace(p, &td, &sum, &r);
	if (strcmp(o.mode, "test") == 0) {
		testout_parse_file(&tests, p->console);
		r.tests = &tests;
	}
	if (r.trace_present) {
		m.build_id = td.build_id;
		m.build_id_len = sizeof(td.build_id);
	}
	if (manifest_write(&m, p->manifest) != 0 ||
	    report_write_summary(&r, p->summary) != 0) {
		fprintf(stderr,
			"faultline: cannot write the summary in %s: %s\n",
			p->shown_dir, strerror(errno));
	}
	if (r.verdict == VERDICT_QEMU_ERROR && o.verbosity != RUN_VERBOSE) {
		run_show_stderr(p);
	}
	if (o.verbosity == RUN_QUIET && (r.verdict == VERDICT_BAD_ARGUMENTS ||
					 r.verdict == VERDICT_BOOT_FAILED ||
					 r.verdict == VERDICT_TIMEOUT)) {
		run_show_console_tail(p, 5);
	}
	report_print(&r, stdout, run_color());
	fflush(stdout);
	status = verdict_exit_code(r.verdict);
	testout_free(&tests);
	summary_free(&sum);
	trace_data_free(&td);
	free(p);
	return status;
}
