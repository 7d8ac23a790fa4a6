/* `faultline bench` (bench_cmd.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>

#include "bench_args.h"
#include "bench_cmd.h"
#include "bench_run.h"
#include "gbench_json.h"
#include "manifest.h"
#include "proc.h"
#include "rep_stats.h"
#include "run_paths.h"
#include "shell.h"

/* The metrics of the table, in its order. */
static const enum run_metric bench_cols[] = {
	RUN_METRIC_FAULT_P50,      RUN_METRIC_FAULT_P99,
	RUN_METRIC_ACCESS_P50,     RUN_METRIC_FAULTING_ACCESS_P50,
	RUN_METRIC_HVC_P50,        RUN_METRIC_FAULTING_OVER_HVC,
	RUN_METRIC_FAULT_OVER_HVC,
};
#define BENCH_NCOLS (sizeof(bench_cols) / sizeof(bench_cols[0]))

/* One scenario of the command and its run. */
struct bench_item {
	struct bench_run_scenario sc;
	/* Its run directory, and that relative to the bench's. */
	char dir[PATHS_MAX];
	char sub[SCN_NAME_MAX + 8];
	/* Benchmark names start so: SCENARIO/POLICY. */
	char prefix[SCN_NAME_MAX + 24];
	struct run_figures rf;
	bool loaded;
	bool failed;
	char why[PATHS_MAX + 512];
};

/* The whole command. */
struct bench_state {
	struct bench_args a;
	struct bench_item items[BENCH_ARGS_MAX_SCENARIOS];
	unsigned nitems;
	char dir[PATHS_MAX];
	char shown[PATHS_MAX];
	char git_revision[160];
	char exe[PATHS_MAX];
	char command[8192];
	int argc;
	char *const *argv;
};

/*
 * snprintf() through a buffer of its own: the arguments may live in the
 * same struct as @dst, which snprintf() must not be given.
 */
static void bench_set(char *dst, size_t size, const char *fmt, ...)
{
	char tmp[PATHS_MAX + 512];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	n = strlen(tmp) < size ? strlen(tmp) : size - 1;
	memcpy(dst, tmp, n);
	dst[n] = '\0';
}

/* The run spec of scenario @i (its directory when @dir). */
static struct bench_run_spec bench_spec(const struct bench_state *b, unsigned i,
					const char *dir)
{
	const struct bench_args *a = &b->a;
	struct bench_run_spec s = {
		.scenario = a->scenarios[i],
		.policy = a->policy,
		.append = a->append,
		.backend = a->backend,
		.reps = a->reps,
		.warmup = a->warmup,
		.warmup_given = a->warmup_given,
		.nsets = a->nsets,
		.timeout = a->timeout,
		.plots = !a->no_plots,
		.dir = dir,
	};

	memcpy(s.sets, a->sets, sizeof(s.sets));
	return s;
}

/* Every scenario checked, and its directory named, before anything runs. */
static int bench_check(struct bench_state *b)
{
	for (unsigned i = 0; i < b->a.nscenarios; i++) {
		struct bench_item *it = &b->items[i];
		struct bench_run_spec s = bench_spec(b, i, NULL);
		unsigned dup = 1;

		if (bench_run_check(&s, &it->sc) != 0) {
			return -ERR_INVAL;
		}
		bench_set(it->prefix, sizeof(it->prefix), "%s/%s", it->sc.name,
			  it->sc.policy);
		bench_set(it->sub, sizeof(it->sub), "%s", it->sc.name);
		/* The same scenario twice: the later run is numbered. */
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(b->items[j].sc.name, it->sc.name) == 0) {
				bench_set(it->sub, sizeof(it->sub), "%s-%u",
					  it->sc.name, ++dup);
			}
		}
		b->nitems++;
	}
	return 0;
}

/* The medians of scenario @it's repetitions, as a line of progress. */
static void bench_progress(const struct bench_state *b, unsigned i, double secs)
{
	const struct bench_item *it = &b->items[i];
	const struct run_figures *runs[] = {&it->rf};
	char line[512], v[32];
	size_t len = 0;
	double med;

	for (size_t c = 0; c < BENCH_NCOLS && it->loaded; c++) {
		if (rep_stats_metric_median(runs, 1, bench_cols[c], &med,
					    NULL)) {
			len += (size_t)snprintf(
				line + len, sizeof(line) - len, "%s %s %s",
				len == 0 ? ":" : ",",
				run_metric_name(bench_cols[c]),
				rep_stats_format(bench_cols[c], med, v,
						 sizeof(v)));
		}
	}
	if (len == 0) {
		line[0] = '\0';
	}
	printf("faultline bench: [%u/%u] %s: %s in %.1f s, %zu of %u "
	       "repetitions%s\n",
	       i + 1, b->nitems, it->prefix,
	       it->why[0] != '\0' ? it->why : "ok", secs,
	       it->loaded ? it->rf.nreps : 0, b->a.reps, line);
}

/* Runs scenario @i; false when the command must stop (Ctrl-C). */
static bool bench_one(struct bench_state *b, unsigned i)
{
	struct bench_item *it = &b->items[i];
	struct bench_run_spec s;
	struct bench_run_result res;
	struct gbench_context c = {.executable = b->exe};
	const struct run_figures *runs[] = {&it->rf};
	struct gbench_scenario g = {it->prefix, runs, 1};
	char err[PATHS_MAX + 256], path[PATHS_MAX];
	uint64_t t0 = proc_now_ms();

	if (paths_join(b->dir, it->sub, it->dir, sizeof(it->dir)) != 0) {
		return true;
	}
	s = bench_spec(b, i, it->dir);
	printf("faultline bench: [%u/%u] %s: running %u repetition%s%s on "
	       "%s...\n",
	       i + 1, b->nitems, it->prefix, b->a.reps,
	       b->a.reps == 1 ? "" : "s",
	       b->a.warmup_given && b->a.warmup > 0 ? " after warm-up" : "",
	       backend_name(b->a.backend));
	fflush(stdout);
	if (bench_run(&s, &res) != 0) {
		snprintf(it->why, sizeof(it->why), "could not run");
	} else if (run_figures_load(it->dir, &it->rf, err, sizeof(err)) != 0) {
		snprintf(it->why, sizeof(it->why), "no figures: %s", err);
		run_figures_free(&it->rf);
	} else {
		it->loaded = true;
	}
	if (!it->loaded) {
		/* A run without figures is still an entry, with its error. */
		memset(&it->rf, 0, sizeof(it->rf));
		snprintf(it->rf.verdict, sizeof(it->rf.verdict), "not-run");
		bench_set(it->rf.dir, sizeof(it->rf.dir), "%s", it->dir);
		it->failed = true;
	} else {
		it->failed =
			run_figures_failed(&it->rf, it->why, sizeof(it->why));
	}
	gbench_context_add(&c, "faultline_git_revision", b->git_revision);
	gbench_context_add(&c, "faultline_backend", backend_name(b->a.backend));
	gbench_context_add(&c, "faultline_command", b->command);
	if (paths_join(it->dir, "bench.json", path, sizeof(path)) != 0 ||
	    gbench_json_write_file(path, &c, &g, 1) != 0) {
		fprintf(stderr, "faultline bench: cannot write %s/bench.json\n",
			it->dir);
	}
	bench_progress(b, i, (double)(proc_now_ms() - t0) / 1000.0);
	if (it->failed) {
		printf("faultline bench:   its results: %s (`faultline show` "
		       "prints its summary)\n",
		       it->dir);
	}
	return !res.interrupted;
}

/* Whether some scenario's repetitions have metric @m. */
static bool bench_has(const struct bench_state *b, enum run_metric m)
{
	double med;

	for (unsigned i = 0; i < b->nitems; i++) {
		const struct run_figures *runs[] = {&b->items[i].rf};

		if (rep_stats_metric_median(runs, 1, m, &med, NULL)) {
			return true;
		}
	}
	return false;
}

/* The table of the medians (the metrics some scenario has), to @out. */
static void bench_table(const struct bench_state *b, FILE *out)
{
	char cells[BENCH_ARGS_MAX_SCENARIOS + 1][BENCH_NCOLS + 3][40];
	size_t w[BENCH_NCOLS + 3] = {0};
	unsigned ncols = 3;
	enum run_metric cols[BENCH_NCOLS];

	snprintf(cells[0][0], sizeof(cells[0][0]), "benchmark");
	snprintf(cells[0][1], sizeof(cells[0][1]), "verdict");
	snprintf(cells[0][2], sizeof(cells[0][2]), "reps");
	for (size_t c = 0; c < BENCH_NCOLS; c++) {
		if (bench_has(b, bench_cols[c])) {
			cols[ncols - 3] = bench_cols[c];
			snprintf(cells[0][ncols++], sizeof(cells[0][0]), "%s",
				 run_metric_name(bench_cols[c]));
		}
	}
	for (unsigned i = 0; i < b->nitems; i++) {
		const struct bench_item *it = &b->items[i];
		const struct run_figures *runs[] = {&it->rf};
		char(*row)[40] = cells[i + 1];
		double med;

		snprintf(row[0], sizeof(row[0]), "%s", it->prefix);
		snprintf(row[1], sizeof(row[1]), "%s",
			 it->failed                      ? it->rf.verdict
			 : it->loaded && it->rf.livelock ? "ok (livelock)"
							 : "ok");
		snprintf(row[2], sizeof(row[2]), "%zu", it->rf.nreps);
		for (unsigned c = 3; c < ncols; c++) {
			if (!rep_stats_metric_median(runs, 1, cols[c - 3], &med,
						     NULL)) {
				med = NAN;
			}
			rep_stats_format(cols[c - 3], med, row[c],
					 sizeof(row[0]));
		}
	}
	for (unsigned r = 0; r <= b->nitems; r++) {
		for (unsigned c = 0; c < ncols; c++) {
			size_t n = strlen(cells[r][c]);

			w[c] = n > w[c] ? n : w[c];
		}
	}
	for (unsigned r = 0; r <= b->nitems; r++) {
		fputs("  ", out);
		for (unsigned c = 0; c < ncols; c++) {
			fprintf(out, "%-*s%s", c + 1 < ncols ? (int)w[c] : 0,
				cells[r][c], c + 1 < ncols ? "  " : "\n");
		}
	}
}

/* The bench directory's manifest: what was asked for. */
static int bench_manifest(const struct bench_state *b, const char *path)
{
	struct json_writer w;
	int ret;

	if (json_file_open(&w, path) != 0) {
		return -ERR_IO;
	}
	json_object_begin(&w);
	manifest_json_command(&w, "faultline", b->argc, b->argv);
	json_key(&w, "backend");
	json_string(&w, backend_name(b->a.backend));
	json_key(&w, "policy");
	json_string(&w, b->a.policy);
	json_key(&w, "reps");
	json_u64(&w, b->a.reps);
	json_key(&w, "warmup");
	if (b->a.warmup_given) {
		json_u64(&w, b->a.warmup);
	} else {
		json_null(&w);
	}
	json_key(&w, "scenarios");
	json_array_begin(&w);
	for (unsigned i = 0; i < b->nitems; i++) {
		json_object_begin(&w);
		json_key(&w, "name");
		json_string(&w, b->items[i].sc.name);
		json_key(&w, "path");
		json_string(&w, b->items[i].sc.path);
		json_key(&w, "benchmark");
		json_string(&w, b->items[i].prefix);
		json_key(&w, "dir");
		json_string(&w, b->items[i].sub);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "git_revision");
	json_string(&w, b->git_revision);
	manifest_json_machine(&w);
	json_key(&w, "dir");
	json_string(&w, b->dir);
	json_object_end(&w);
	ret = json_file_close(&w);
	return ret;
}

/* bench.json, --out, bench.txt and manifest.json; 0 or -ERR_IO. */
static int bench_write(struct bench_state *b, unsigned nran)
{
	struct gbench_scenario g[BENCH_ARGS_MAX_SCENARIOS];
	const struct run_figures *runs[BENCH_ARGS_MAX_SCENARIOS];
	struct gbench_context c = {.executable = b->exe};
	char path[PATHS_MAX];
	FILE *f;
	int ret = 0;

	for (unsigned i = 0; i < nran; i++) {
		runs[i] = &b->items[i].rf;
		g[i] = (struct gbench_scenario){b->items[i].prefix, &runs[i],
						1};
	}
	gbench_context_add(&c, "faultline_git_revision", b->git_revision);
	gbench_context_add(&c, "faultline_backend", backend_name(b->a.backend));
	gbench_context_add(&c, "faultline_command", b->command);
	gbench_context_add(&c, "faultline_results", b->dir);
	if (paths_join(b->dir, "bench.json", path, sizeof(path)) != 0 ||
	    gbench_json_write_file(path, &c, g, nran) != 0) {
		fprintf(stderr, "faultline bench: cannot write %s: %s\n", path,
			strerror(errno));
		ret = -ERR_IO;
	}
	if (b->a.out != NULL &&
	    gbench_json_write_file(b->a.out, &c, g, nran) != 0) {
		fprintf(stderr,
			"faultline bench: --out %s: cannot write it: %s\n",
			b->a.out, strerror(errno));
		ret = -ERR_IO;
	}
	if (paths_join(b->dir, "bench.txt", path, sizeof(path)) == 0 &&
	    (f = fopen(path, "w")) != NULL) {
		fprintf(f, "faultline bench: medians of the repetitions, %s\n",
			b->shown);
		bench_table(b, f);
		if (fclose(f) != 0) {
			ret = -ERR_IO;
		}
	}
	if (paths_join(b->dir, "manifest.json", path, sizeof(path)) != 0 ||
	    bench_manifest(b, path) != 0) {
		fprintf(stderr,
			"faultline bench: cannot write %s/manifest.json\n",
			b->shown);
		ret = -ERR_IO;
	}
	return ret;
}

/* Makes results/bench/RUN-ID (results/latest points at it). */
static int bench_dir(struct bench_state *b)
{
	struct run_options o = {.name = "bench", .results = b->a.results};
	char results[PATHS_MAX], root[PATHS_MAX];

	if (run_paths_results(&o, results, sizeof(results)) != 0 ||
	    run_paths_new_dir(&o, results, b->dir, sizeof(b->dir)) != 0) {
		return -ERR_IO;
	}
	run_paths_shown(b->dir, b->shown, sizeof(b->shown));
	if (paths_repo_root(root, sizeof(root)) == 0) {
		manifest_git_revision(root, b->git_revision,
				      sizeof(b->git_revision));
	}
	if (realpath("/proc/self/exe", b->exe) == NULL) {
		snprintf(b->exe, sizeof(b->exe), "%s", b->argv[0]);
	}
	shell_join(b->argc, b->argv, b->command, sizeof(b->command));
	return 0;
}

/* Runs the scenarios and reports; the exit status. */
static int bench_all(struct bench_state *b)
{
	unsigned nran = 0, nfailed = 0;
	bool go = true;
	int status;

	printf("faultline bench: %u scenario%s on %s, %u repetition%s each, "
	       "in %s/\n",
	       b->nitems, b->nitems == 1 ? "" : "s", backend_name(b->a.backend),
	       b->a.reps, b->a.reps == 1 ? "" : "s", b->shown);
	for (unsigned i = 0; go && i < b->nitems; i++) {
		go = bench_one(b, i);
		nran++;
		nfailed += b->items[i].failed;
	}
	status = bench_write(b, nran) != 0 ? 1 : 0;
	printf("faultline bench: medians of the repetitions:\n");
	bench_table(b, stdout);
	printf("faultline bench: Google Benchmark JSON in %s/bench.json%s%s "
	       "(compare.py reads it)\n",
	       b->shown, b->a.out != NULL ? " and " : "",
	       b->a.out != NULL ? b->a.out : "");
	if (!go) {
		printf("faultline bench: interrupted after %u of %u "
		       "scenarios\n",
		       nran, b->nitems);
		return 1;
	}
	if (nfailed > 0) {
		printf("faultline bench: %u of %u runs failed (their entries "
		       "carry error_occurred):",
		       nfailed, b->nitems);
		for (unsigned i = 0, k = 0; i < b->nitems; i++) {
			if (b->items[i].failed) {
				printf("%s %s: %s", k++ > 0 ? ";" : "",
				       b->items[i].prefix, b->items[i].why);
			}
		}
		putchar('\n');
		return 1;
	}
	return status;
}

int bench_cmd_main(int argc, char *const *argv)
{
	struct bench_state *b = calloc(1, sizeof(*b));
	int status;

	if (b == NULL) {
		fprintf(stderr, "faultline: out of memory\n");
		return 1;
	}
	b->argc = argc;
	b->argv = argv;
	signal(SIGPIPE, SIG_IGN);
	status = bench_args_start(BENCH_ARGS_BENCH, argc, argv, &b->a);
	if (status >= 0) {
		/* A mistake or --help: said. */
	} else if (bench_check(b) != 0) {
		status = 2;
	} else if (bench_dir(b) != 0) {
		status = 1;
	} else {
		status = bench_all(b);
	}
	for (unsigned i = 0; i < b->nitems; i++) {
		run_figures_free(&b->items[i].rf);
	}
	free(b);
	return status;
}
