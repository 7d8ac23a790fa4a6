/* `faultline plot` (plot_cmd.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <faultline/err.h>

#include "export_gnuplot.h"
#include "paths.h"
#include "plot_cmd.h"
#include "proc.h"

/* Bytes of a failing gnuplot's stderr kept to show. */
#define PLOT_CMD_ERR_MAX 2048

/* Set by SIGINT/SIGTERM: the running gnuplot is ended, nothing else. */
static volatile sig_atomic_t plot_cmd_stop;

struct plot_cmd_args {
	const char *dir;
	unsigned timeout_s;
};

/* gnuplot's stderr, for the message when it fails. */
struct plot_cmd_errbuf {
	char text[PLOT_CMD_ERR_MAX];
	size_t len;
};

const char *plot_cmd_usage(void)
{
	return "usage: faultline plot RUN_DIR [--timeout SECONDS]\n"
	       "Writes the gnuplot data and scripts of RUN_DIR/trace.bin into "
	       "RUN_DIR/plots/\n"
	       "(as `faultline export RUN_DIR --format gnuplot` does), runs "
	       "gnuplot on\n"
	       "each script there (a PNG and an SVG per plot) and prints the "
	       "PNGs' paths.\n"
	       "  --timeout SECONDS  the most one gnuplot run may take "
	       "(default 60)\n";
}

static void plot_cmd_on_signal(int sig)
{
	(void)sig;
	plot_cmd_stop = 1;
}

static void plot_cmd_on_stderr(void *arg, const char *data, size_t len)
{
	struct plot_cmd_errbuf *b = arg;
	size_t room = sizeof(b->text) - 1 - b->len;
	size_t n = len < room ? len : room;

	memcpy(b->text + b->len, data, n);
	b->len += n;
	b->text[b->len] = '\0';
}

static int plot_cmd_usage_error(const char *arg, const char *why)
{
	fprintf(stderr, "faultline plot: %s: %s\n%s", arg, why,
		plot_cmd_usage());
	return 2;
}

/* Parses the arguments; 0, or an exit status (2, or -1 for --help). */
static int plot_cmd_parse(int argc, char *const *argv, struct plot_cmd_args *x)
{
	x->timeout_s = PLOT_CMD_TIMEOUT_S;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(plot_cmd_usage(), stdout);
			return -1;
		}
		if (strcmp(a, "--timeout") == 0) {
			char *end;
			unsigned long v;

			if (i + 1 >= argc) {
				return plot_cmd_usage_error(a, "needs a value");
			}
			errno = 0;
			v = strtoul(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || v == 0 || v > 3600) {
				return plot_cmd_usage_error(
					argv[i], "not a number of seconds "
						 "from 1 to 3600");
			}
			x->timeout_s = (unsigned)v;
		} else if (a[0] == '-' && a[1] != '\0') {
			return plot_cmd_usage_error(a, "unknown option");
		} else if (x->dir != NULL) {
			return plot_cmd_usage_error(a, "one run directory at a "
						       "time");
		} else {
			x->dir = a;
		}
	}
	if (x->dir == NULL) {
		return plot_cmd_usage_error("RUN_DIR", "missing");
	}
	if (!paths_is_dir(x->dir)) {
		return plot_cmd_usage_error(x->dir, "not a run directory");
	}
	return 0;
}

/* Decodes RUN_DIR/trace.bin; 0, or 1 when nothing could be decoded. */
static int plot_cmd_load(const char *dir, struct trace_data *td)
{
	char path[PATHS_MAX];
	int ret;

	if (paths_join(dir, "trace.bin", path, sizeof(path)) != 0) {
		fprintf(stderr, "faultline plot: %s: path too long\n", dir);
		return 1;
	}
	ret = trace_data_load_file(path, td);
	if (ret == -ERR_IO) {
		fprintf(stderr, "faultline plot: %s\n", td->error_msg);
	} else if (ret != 0) {
		fprintf(stderr,
			"faultline plot: %s: damaged at offset %llu: %s; "
			"plotting the %zu records before it\n",
			path, (unsigned long long)td->error_offset,
			td->error_msg, td->nrecords);
	}
	if (ret != 0 && td->nrecords == 0) {
		fprintf(stderr,
			"faultline plot: %s: nothing could be decoded\n", path);
		return 1;
	}
	return 0;
}

/*
 * Runs `gnuplot NAME.gp` in @plots; 0 when NAME.png was drawn (its path
 * printed when @list).
 */
static int plot_cmd_draw(const char *plots, const char *name,
			 unsigned timeout_s, bool list)
{
	char script[160], png[PATHS_MAX];
	char *argv[] = {"gnuplot", script, NULL};
	struct plot_cmd_errbuf err = {.len = 0};
	struct proc_spec spec = {
		.argv = argv,
		.cwd = plots,
		.timeout_ms = timeout_s * 1000,
		.term_grace_ms = 1000,
		.on_stderr = plot_cmd_on_stderr,
		.sink_arg = &err,
		.stop = &plot_cmd_stop,
	};
	struct proc_result res;
	int ret;

	snprintf(script, sizeof(script), "%s.gp", name);
	ret = proc_run(&spec, &res);
	if (ret != 0) {
		fprintf(stderr, "faultline plot: cannot run gnuplot: %s\n",
			strerror(res.spawn_errno));
		return ret;
	}
	if (res.timed_out || res.interrupted) {
		fprintf(stderr, "faultline plot: gnuplot %s: %s\n", script,
			res.timed_out ? "did not finish in time (--timeout)"
				      : "interrupted");
		return -ERR_TIMEDOUT;
	}
	if (!res.reaped || !WIFEXITED(res.status) ||
	    WEXITSTATUS(res.status) != 0) {
		fprintf(stderr, "faultline plot: gnuplot %s failed:\n%s%s",
			script, err.text,
			err.len > 0 && err.text[err.len - 1] != '\n' ? "\n"
								     : "");
		return -ERR_INVAL;
	}
	snprintf(script, sizeof(script), "%s.png", name);
	if (paths_join(plots, script, png, sizeof(png)) != 0 ||
	    !paths_is_file(png)) {
		fprintf(stderr, "faultline plot: gnuplot wrote no %s\n",
			script);
		return -ERR_IO;
	}
	if (list) {
		printf("%s\n", png);
	}
	return 0;
}

/*
 * Every plot drawn (the signals end only the gnuplot running); how many
 * failed into *@failed. Returns how many were drawn.
 */
static unsigned plot_cmd_draw_all(const char *plots, unsigned timeout_s,
				  bool list, unsigned *failed)
{
	struct sigaction sa, old_int, old_term;
	unsigned drawn = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plot_cmd_on_signal;
	sigemptyset(&sa.sa_mask);
	plot_cmd_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (size_t i = 0; export_gnuplot_plots[i] != NULL && !plot_cmd_stop;
	     i++) {
		if (plot_cmd_draw(plots, export_gnuplot_plots[i], timeout_s,
				  list) == 0) {
			drawn++;
		} else {
			(*failed)++;
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (plot_cmd_stop) {
		(*failed)++;
	}
	return drawn;
}

int plot_cmd_gnuplot(const char *plots, const char *name, unsigned timeout_s)
{
	struct sigaction sa, old_int, old_term;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plot_cmd_on_signal;
	sigemptyset(&sa.sa_mask);
	plot_cmd_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	ret = plot_cmd_draw(plots, name, timeout_s, false);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return ret;
}

int plot_cmd_render(const struct trace_data *td, const char *dir,
		    unsigned timeout_s, char *note, size_t size)
{
	char plots[PATHS_MAX], err[512] = "";
	unsigned failed = 0;
	unsigned drawn;

	if (!paths_find_program("gnuplot", NULL, 0)) {
		snprintf(note, size, "gnuplot is not installed (make deps)");
		return -ERR_NOENT;
	}
	if (paths_join(dir, "plots", plots, sizeof(plots)) != 0) {
		snprintf(note, size, "path too long");
		return -ERR_RANGE;
	}
	if (export_gnuplot(td, plots, err, sizeof(err)) != 0) {
		snprintf(note, size, "%s", err);
		return -ERR_IO;
	}
	drawn = plot_cmd_draw_all(plots, timeout_s, false, &failed);
	snprintf(note, size, "%u of %u plots failed", failed, drawn + failed);
	return (int)drawn;
}

int plot_cmd_main(int argc, char *const *argv)
{
	struct plot_cmd_args x = {0};
	struct trace_data td = {0};
	char plots[PATHS_MAX], err[512] = "";
	int status = plot_cmd_parse(argc, argv, &x);

	if (status != 0) {
		return status < 0 ? 0 : status;
	}
	if (!paths_find_program("gnuplot", NULL, 0)) {
		fprintf(stderr, "faultline plot: gnuplot is not installed (or "
				"not in PATH): install it with `make deps`\n");
		return 1;
	}
	if (paths_join(x.dir, "plots", plots, sizeof(plots)) != 0) {
		fprintf(stderr, "faultline plot: %s: path too long\n", x.dir);
		return 1;
	}
	status = plot_cmd_load(x.dir, &td);
	if (status == 0 && export_gnuplot(&td, plots, err, sizeof(err)) != 0) {
		fprintf(stderr, "faultline plot: %s\n", err);
		status = 1;
	}
	trace_data_free(&td);
	if (status == 0) {
		unsigned failed = 0;

		plot_cmd_draw_all(plots, x.timeout_s, true, &failed);
		status = failed > 0 ? 1 : 0;
	}
	return status;
}
