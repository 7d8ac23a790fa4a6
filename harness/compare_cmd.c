/*
 * `faultline compare` (compare_cmd.h): the runs of both sides of each
 * scenario, interleaved so that a slow drift of the machine (other jobs,
 * thermal, QEMU's caches) falls on both sides alike, then the report
 * (compare_report.h), the plots (compare_plot.h), each side as Google
 * Benchmark JSON (gbench_json.h) and the manifest, all in the
 * comparison's directory (docs/compare.md).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "bench_args.h"
#include "bench_run.h"
#include "compare_base.h"
#include "compare_cmd.h"
#include "compare_plot.h"
#include "compare_report.h"
#include "gbench_json.h"
#include "manifest.h"
#include "proc.h"
#include "rep_stats.h"
#include "run_paths.h"
#include "run_scenario.h"
#include "shell.h"

/*
 * Runs in a row that gave a side no repetition before it gives up (a
 * livelock in the warm-up, a crash at boot): more would not either.
 */
#define CMP_MAX_EMPTY_RUNS 2
/* Time another build's faultline gets beyond its own watchdog. */
#define CMP_BASE_SLACK_MS 60000u

/* The runs of one side of one scenario. */
struct cmp_runs {
	struct run_figures **v;
	size_t n;
	size_t cap;
	/* Repetitions found so far, and runs in a row that found none. */
	size_t reps;
	unsigned empty;
};

/* One scenario compared. */
struct cmp_scenario {
	struct bench_run_scenario sc;
	/* Its name in the report (numbered when given twice). */
	char name[SCN_NAME_MAX + 8];
	/* DIR/runs/NAME: its runs' directories. */
	char dir[PATHS_MAX];
	struct cmp_runs side[2];
};

/* The whole command. */
struct cmp_state {
	struct bench_args a;
	int argc;
	char *const *argv;
	char root[PATHS_MAX];
	char build_dir[PATHS_MAX];
	char dir[PATHS_MAX];
	char shown[PATHS_MAX];
	char exe[PATHS_MAX];
	char command[8192];
	char revision[160];
	struct compare_base base;
	bool has_base;
	struct compare_report report;
	struct compare_report_scenario rsc[BENCH_ARGS_MAX_SCENARIOS];
	struct cmp_scenario sc[BENCH_ARGS_MAX_SCENARIOS];
	unsigned nsc;
	/* Ctrl-C: stop; the base cannot run the scenarios: stop too. */
	bool interrupted;
	bool base_unusable;
	/* Runs that did not run through, over all scenarios. */
	unsigned broken;
};

static const char *const cmp_side_names[2] = {"A", "B"};

/* The policy side @s runs (NULL: the scenario's). */
static const char *cmp_policy(const struct cmp_state *c, unsigned s)
{
	return s == COMPARE_B && c->a.vs_policy != NULL ? c->a.vs_policy
							: c->a.policy;
}

/* The boot arguments of side @s (NULL: none). */
static const char *cmp_append(const struct cmp_state *c, unsigned s)
{
	return s == COMPARE_B && c->a.vs_append != NULL ? c->a.vs_append
							: c->a.append;
}

/*
 * What another build's faultline may take for @reps repetitions of
 * scenario @sc: its own watchdog's limit (the deadline per repetition,
 * warm-ups included, and the run's slack), and some more.
 */
static unsigned cmp_limit_ms(const struct bench_run_scenario *sc, unsigned reps)
{
	uint64_t ms = sc->deadline_ms * ((uint64_t)reps + sc->warmup) +
		      RUN_SCENARIO_SLACK_MS + CMP_BASE_SLACK_MS;

	return ms > UINT32_MAX / 2 ? UINT32_MAX / 2 : (unsigned)ms;
}

/* The run spec of side @s of scenario @i, asking @reps repetitions. */
static struct bench_run_spec cmp_spec(const struct cmp_state *c, unsigned i,
				      unsigned s, unsigned reps,
				      const char *dir)
{
	struct bench_run_spec r = {
		.scenario = c->sc[i].sc.path[0] != '\0' ? c->sc[i].sc.path
							: c->a.scenarios[i],
		.policy = cmp_policy(c, s),
		.append = cmp_append(c, s),
		.backend = c->a.backend,
		.reps = reps,
		.warmup = c->a.warmup,
		.warmup_given = c->a.warmup_given,
		.nsets = c->a.nsets,
		.timeout = c->a.timeout,
		.dir = dir,
		.faultline = s == COMPARE_A && c->has_base ? c->base.faultline
							   : NULL,
		.limit_ms = cmp_limit_ms(&c->sc[i].sc, reps),
	};

	memcpy(r.sets, c->a.sets, sizeof(r.sets));
	return r;
}

/* Every scenario checked (with both policies) before anything runs. */
static int cmp_check(struct cmp_state *c)
{
	for (unsigned i = 0; i < c->a.nscenarios; i++) {
		struct cmp_scenario *sc = &c->sc[i];
		struct bench_run_scenario other;
		struct bench_run_spec s = cmp_spec(c, i, COMPARE_A, 0, NULL);
		unsigned dup = 1;
		char name[sizeof(sc->name)];

		if (bench_run_check(&s, &sc->sc) != 0) {
			return -ERR_INVAL;
		}
		s = cmp_spec(c, i, COMPARE_B, 0, NULL);
		if (bench_run_check(&s, &other) != 0) {
			return -ERR_INVAL;
		}
		snprintf(name, sizeof(name), "%s", sc->sc.name);
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(c->sc[j].sc.name, sc->sc.name) == 0) {
				snprintf(name, sizeof(name), "%s-%u",
					 sc->sc.name, ++dup);
			}
		}
		memcpy(sc->name, name, sizeof(name));
		c->nsc++;
	}
	return 0;
}

/* Adds run @rf to @r (which owns it from now on). */
static int cmp_add(struct cmp_runs *r, struct run_figures *rf)
{
	if (r->n == r->cap) {
		size_t cap = r->cap > 0 ? 2 * r->cap : 8;
		struct run_figures **v = realloc(r->v, cap * sizeof(*v));

		if (v == NULL) {
			return -ERR_NOMEM;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = rf;
	r->reps += rf->nreps;
	r->empty = rf->nreps == 0 ? r->empty + 1 : 0;
	return 0;
}

/* Whether side @s of @sc needs another run. */
static bool cmp_needs(const struct cmp_state *c, const struct cmp_runs *r)
{
	size_t max_runs = c->a.runs > c->a.reps ? c->a.runs : c->a.reps;

	return r->reps < c->a.reps && r->n < max_runs &&
	       r->empty < CMP_MAX_EMPTY_RUNS;
}

/*
 * The repetitions the next run of @r asks for: what is missing, spread
 * over the runs planned that are left (all of it once they are used up).
 */
static unsigned cmp_ask(const struct cmp_state *c, const struct cmp_runs *r)
{
	size_t missing = c->a.reps - r->reps;
	size_t left = c->a.runs > r->n ? c->a.runs - r->n : 1;

	return (unsigned)((missing + left - 1) / left);
}

/* The line of progress of run @rf of side @s. */
static void cmp_progress(const struct cmp_state *c, unsigned i, unsigned s,
			 const struct run_figures *rf, unsigned asked,
			 double secs)
{
	const struct run_figures *runs[] = {rf};
	char what[48], v[32];
	double med;

	printf("faultline compare: %s: %s run %zu (%s, %u rep%s): %s in "
	       "%.1f s, %zu rep%s",
	       c->sc[i].name, cmp_side_names[s], c->sc[i].side[s].n,
	       cmp_policy(c, s) != NULL ? cmp_policy(c, s) : c->sc[i].sc.policy,
	       asked, asked == 1 ? "" : "s",
	       compare_stats_ending(rf, what, sizeof(what)), secs, rf->nreps,
	       rf->nreps == 1 ? "" : "s");
	if (rep_stats_metric_median(runs, 1, RUN_METRIC_FAULT_P50, &med,
				    NULL)) {
		printf(", fault p50 %s", rep_stats_ns(med, v, sizeof(v)));
	}
	if (rep_stats_metric_median(runs, 1, RUN_METRIC_ACCESS_P50, &med,
				    NULL)) {
		printf(", access p50 %s", rep_stats_ns(med, v, sizeof(v)));
	}
	putchar('\n');
	fflush(stdout);
}

/*
 * Whether a run of the base build could be read; when it cannot, says
 * why, naming the revision, and marks the base unusable.
 */
static bool cmp_base_ok(struct cmp_state *c, const struct bench_run_result *res,
			int load, const char *err, const char *dir)
{
	if (res->status == 2 || res->not_started) {
		fprintf(stderr,
			"faultline compare: the base %s (%s) has no usable "
			"`faultline run SCENARIO`: %s exited with status %d; "
			"it said:\n%s",
			c->base.rev, c->base.sha, c->base.faultline,
			res->status, res->stderr_tail);
	} else if (load == -ERR_NOTSUP || (load != 0 && res->status != 1)) {
		fprintf(stderr,
			"faultline compare: the base %s (%s) cannot be "
			"compared: %s (its run is in %s)\n",
			c->base.rev, c->base.sha, err, dir);
	} else {
		return true;
	}
	c->base_unusable = true;
	return false;
}

/* One run of side @s of scenario @i. */
static int cmp_run(struct cmp_state *c, unsigned i, unsigned s)
{
	struct cmp_scenario *sc = &c->sc[i];
	struct cmp_runs *r = &sc->side[s];
	unsigned asked = cmp_ask(c, r);
	char dir[PATHS_MAX], sub[32], err[PATHS_MAX + 256];
	struct bench_run_result res;
	struct bench_run_spec spec;
	struct run_figures *rf = calloc(1, sizeof(*rf));
	uint64_t t0 = proc_now_ms();
	int ret, load = -ERR_IO;

	snprintf(sub, sizeof(sub), "%c-%zu", s == COMPARE_A ? 'a' : 'b',
		 r->n + 1);
	if (rf == NULL || paths_join(sc->dir, sub, dir, sizeof(dir)) != 0) {
		free(rf);
		return -ERR_NOMEM;
	}
	spec = cmp_spec(c, i, s, asked, dir);
	ret = bench_run(&spec, &res);
	if (ret == 0) {
		load = run_figures_load(dir, rf, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err), "the run could not start");
	}
	c->interrupted |= res.interrupted;
	if (s == COMPARE_A && c->has_base &&
	    !cmp_base_ok(c, &res, load, err, dir)) {
		run_figures_free(rf);
		free(rf);
		return -ERR_INVAL;
	}
	if (load != 0) {
		/* Kept as a run without repetitions: it counts as broken. */
		fprintf(stderr, "faultline compare: %s\n", err);
		run_figures_free(rf);
		memset(rf, 0, sizeof(*rf));
		snprintf(rf->verdict, sizeof(rf->verdict), "not-run");
		memcpy(rf->dir, dir, sizeof(dir));
	}
	c->broken += compare_stats_broken(rf->verdict);
	ret = cmp_add(r, rf);
	if (ret != 0) {
		run_figures_free(rf);
		free(rf);
		return ret;
	}
	cmp_progress(c, i, s, rf, asked, (double)(proc_now_ms() - t0) / 1000.0);
	return 0;
}

/* The runs of scenario @i, A B A B ..., until both sides have enough. */
static int cmp_scenario_runs(struct cmp_state *c, unsigned i)
{
	struct cmp_scenario *sc = &c->sc[i];
	char sub[sizeof(sc->name) + 8];

	snprintf(sub, sizeof(sub), "runs/%s", sc->name);
	if (paths_join(c->dir, sub, sc->dir, sizeof(sc->dir)) != 0) {
		return -ERR_RANGE;
	}
	printf("faultline compare: %s: runs of A and B in turn, until each "
	       "has %u repetitions\n",
	       sc->name, c->a.reps);
	while (!c->interrupted && !c->base_unusable &&
	       (cmp_needs(c, &sc->side[0]) || cmp_needs(c, &sc->side[1]))) {
		for (unsigned s = 0; s < 2 && !c->interrupted; s++) {
			int ret = cmp_needs(c, &sc->side[s]) ? cmp_run(c, i, s)
							     : 0;

			if (ret != 0) {
				return ret;
			}
		}
	}
	return 0;
}

/* The statistics and the plot of scenario @i, for the report. */
static int cmp_scenario_report(struct cmp_state *c, unsigned i)
{
	struct cmp_scenario *sc = &c->sc[i];
	struct compare_report_scenario *r = &c->rsc[i];
	char plots[PATHS_MAX], name[sizeof(sc->name) + 8];
	struct compare_plot p;
	int ret;

	/* Same sizes, different members of *c: a plain copy. */
	_Static_assert(sizeof(r->name) == sizeof(sc->name), "name sizes");
	memcpy(r->name, sc->name, sizeof(r->name));
	run_paths_shown(sc->sc.path, r->path, sizeof(r->path));
	for (unsigned s = 0; s < 2; s++) {
		r->runs[s] = (const struct run_figures *const *)sc->side[s].v;
		r->nruns[s] = sc->side[s].n;
	}
	ret = compare_stats_compute(r->runs[0], r->nruns[0], r->runs[1],
				    r->nruns[1], &r->st);
	if (ret != 0 || c->a.no_plots) {
		return ret;
	}
	snprintf(name, sizeof(name), "%s-cdf", sc->name);
	p = (struct compare_plot){
		.dir = plots,
		.name = name,
		.scenario = sc->name,
		.label = {c->report.side[0].label, c->report.side[1].label},
		.runs = {r->runs[0], r->runs[1]},
		.nruns = {r->nruns[0], r->nruns[1]},
	};
	if (paths_join(c->dir, "plots", plots, sizeof(plots)) == 0 &&
	    compare_plot_draw(&p, r->plot_note, sizeof(r->plot_note)) == 0) {
		snprintf(r->plot, sizeof(r->plot), "plots/%s.png", name);
	}
	return 0;
}

/* The sides: their labels, policies, builds, programs. */
static void cmp_sides(struct cmp_state *c)
{
	struct compare_report_side *sd = c->report.side;

	for (unsigned s = 0; s < 2; s++) {
		const char *p = cmp_policy(c, s);

		snprintf(sd[s].policy, sizeof(sd[s].policy), "%s",
			 p != NULL ? p : "scenario's");
		snprintf(sd[s].build, sizeof(sd[s].build), "%s", c->revision);
		snprintf(sd[s].faultline, sizeof(sd[s].faultline), "%s",
			 c->exe);
	}
	if (!c->has_base) {
		for (unsigned s = 0; s < 2; s++) {
			const char *ap = cmp_append(c, s);
			const char *p = cmp_policy(c, s);
			char pol[48], app[96] = "";

			/* No apostrophes: labels go into gnuplot strings. */
			snprintf(pol, sizeof(pol), "%s%s",
				 p != NULL ? "policy " : "the scenario policy",
				 p != NULL ? p : "");
			if (c->a.vs_append != NULL) {
				snprintf(app, sizeof(app), "%s%s%s",
					 ap != NULL ? ", --append \""
						    : ", no --append",
					 ap != NULL ? ap : "",
					 ap != NULL ? "\"" : "");
			}
			snprintf(sd[s].label, sizeof(sd[s].label), "%s%s", pol,
				 app);
		}
		return;
	}
	snprintf(sd[0].build, sizeof(sd[0].build), "%s", c->base.sha);
	snprintf(sd[0].faultline, sizeof(sd[0].faultline), "%s",
		 c->base.faultline);
	snprintf(sd[0].label, sizeof(sd[0].label), "base %s (%.12s)",
		 c->base.rev, c->base.sha);
	snprintf(sd[1].label, sizeof(sd[1].label), "this build (%.12s%s)",
		 c->revision,
		 strstr(c->revision, "-dirty") != NULL ? "-dirty" : "");
}

/* manifest.json: the exact command, both sides, what ran. */
static int cmp_manifest(const struct cmp_state *c, const char *path)
{
	struct json_writer w;
	int ret;

	if (json_file_open(&w, path) != 0) {
		return -ERR_IO;
	}
	json_object_begin(&w);
	manifest_json_command(&w, "faultline", c->argc, c->argv);
	for (unsigned s = 0; s < 2; s++) {
		const struct compare_report_side *sd = &c->report.side[s];

		json_key(&w, s == 0 ? "a" : "b");
		json_object_begin(&w);
		json_key(&w, "label");
		json_string(&w, sd->label);
		json_key(&w, "policy");
		json_string(&w, cmp_policy(c, s));
		json_key(&w, "git_revision");
		json_string(&w, sd->build);
		json_key(&w, "faultline");
		json_string(&w, sd->faultline);
		json_object_end(&w);
	}
	json_key(&w, "base");
	if (!c->has_base) {
		json_null(&w);
	} else {
		json_object_begin(&w);
		json_key(&w, "rev");
		json_string(&w, c->base.rev);
		json_key(&w, "sha");
		json_string(&w, c->base.sha);
		json_key(&w, "worktree");
		json_string(&w, c->base.dir);
		json_key(&w, "build_log");
		json_string(&w, c->base.log);
		json_object_end(&w);
	}
	json_key(&w, "backend");
	json_string(&w, backend_name(c->a.backend));
	json_key(&w, "reps");
	json_u64(&w, c->a.reps);
	json_key(&w, "runs");
	json_u64(&w, c->a.runs);
	json_key(&w, "warmup");
	if (c->a.warmup_given) {
		json_u64(&w, c->a.warmup);
	} else {
		json_null(&w);
	}
	json_key(&w, "sets");
	json_array_begin_flat(&w);
	for (unsigned i = 0; i < c->a.nsets; i++) {
		json_string(&w, c->a.sets[i]);
	}
	json_array_end(&w);
	json_key(&w, "scenarios");
	json_array_begin(&w);
	for (unsigned i = 0; i < c->nsc; i++) {
		json_object_begin(&w);
		json_key(&w, "name");
		json_string(&w, c->sc[i].name);
		json_key(&w, "path");
		json_string(&w, c->sc[i].sc.path);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "git_revision");
	json_string(&w, c->revision);
	manifest_json_machine(&w);
	json_key(&w, "dir");
	json_string(&w, c->dir);
	json_object_end(&w);
	ret = json_file_close(&w);
	return ret;
}

/* a.json or b.json: side @s as Google Benchmark JSON. */
static int cmp_gbench(const struct cmp_state *c, unsigned s, const char *path)
{
	struct gbench_scenario g[BENCH_ARGS_MAX_SCENARIOS];
	struct gbench_context ctx = {.executable = c->report.side[s].faultline};

	for (unsigned i = 0; i < c->nsc; i++) {
		/* The names leave the side out: both files name alike. */
		g[i] = (struct gbench_scenario){
			c->sc[i].name, c->rsc[i].runs[s], c->rsc[i].nruns[s]};
	}
	gbench_context_add(&ctx, "faultline_side", cmp_side_names[s]);
	gbench_context_add(&ctx, "faultline_side_label",
			   c->report.side[s].label);
	gbench_context_add(&ctx, "faultline_policy", c->report.side[s].policy);
	gbench_context_add(&ctx, "faultline_git_revision",
			   c->report.side[s].build);
	gbench_context_add(&ctx, "faultline_backend",
			   backend_name(c->a.backend));
	gbench_context_add(&ctx, "faultline_command", c->command);
	return gbench_json_write_file(path, &ctx, g, c->nsc);
}

/* compare.txt, compare.json, a.json, b.json, manifest.json. */
static int cmp_write(struct cmp_state *c)
{
	static const char *const names[] = {"compare.txt", "compare.json",
					    "a.json", "b.json",
					    "manifest.json"};
	char path[PATHS_MAX];
	int bad = 0;

	for (unsigned k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		FILE *f;
		int ret = paths_join(c->dir, names[k], path, sizeof(path));

		if (ret == 0 && k == 0) {
			f = fopen(path, "w");
			ret = f == NULL ? -ERR_IO : 0;
			if (f != NULL) {
				compare_report_print(&c->report, f);
				ret = fclose(f) == 0 ? 0 : -ERR_IO;
			}
		} else if (ret == 0 && k == 1) {
			ret = compare_report_json(&c->report, path);
		} else if (ret == 0 && k < 4) {
			ret = cmp_gbench(c, k - 2, path);
		} else if (ret == 0) {
			ret = cmp_manifest(c, path);
		}
		if (ret != 0) {
			fprintf(stderr,
				"faultline compare: cannot write %s/%s: "
				"%s\n",
				c->shown, names[k], strerror(errno));
			bad++;
		}
	}
	return bad > 0 ? -ERR_IO : 0;
}

/* The comparison's directory, the revision, the program. */
static int cmp_prepare(struct cmp_state *c)
{
	struct run_options o = {
		.name = "compare", .out = c->a.out, .results = c->a.results};
	char results[PATHS_MAX];

	if (run_paths_results(&o, results, sizeof(results)) != 0 ||
	    run_paths_new_dir(&o, results, c->dir, sizeof(c->dir)) != 0) {
		return -ERR_IO;
	}
	run_paths_shown(c->dir, c->shown, sizeof(c->shown));
	c->report.dir = c->dir;
	c->report.backend = backend_name(c->a.backend);
	c->report.reps = c->a.reps;
	c->report.runs = c->a.runs;
	c->report.sc = c->rsc;
	return 0;
}

/* Every scenario's runs and statistics; the exit status. */
static int cmp_all(struct cmp_state *c)
{
	char path[PATHS_MAX];
	unsigned empty = 0;
	int ret = 0;

	printf("faultline compare: A = %s, B = %s, on %s, in %s/\n",
	       c->report.side[0].label, c->report.side[1].label,
	       backend_name(c->a.backend), c->shown);
	/* Written now too: a comparison cut short still says what it was. */
	if (paths_join(c->dir, "manifest.json", path, sizeof(path)) == 0) {
		cmp_manifest(c, path);
	}
	for (unsigned i = 0; ret == 0 && i < c->nsc; i++) {
		ret = cmp_scenario_runs(c, i);
		if (ret == 0 || c->sc[i].side[0].n + c->sc[i].side[1].n > 0) {
			int r2 = cmp_scenario_report(c, i);

			c->report.nsc++;
			ret = ret != 0 ? ret : r2;
		}
		empty += c->sc[i].side[0].reps == 0 ||
			 c->sc[i].side[1].reps == 0;
		if (c->interrupted || c->base_unusable) {
			break;
		}
	}
	if (c->report.nsc > 0) {
		putchar('\n');
		compare_report_print(&c->report, stdout);
		printf("\nfaultline compare: results in %s/ (compare.txt, "
		       "compare.json, a.json, b.json, plots/, runs/)\n",
		       c->shown);
	}
	if (cmp_write(c) != 0 && ret == 0) {
		ret = -ERR_IO;
	}
	if (c->base_unusable) {
		return 2;
	}
	if (c->interrupted) {
		printf("faultline compare: interrupted\n");
		return 1;
	}
	if (c->broken > 0 || empty > 0) {
		printf("faultline compare: %u run%s did not run through, %u "
		       "scenario%s lack a side's repetitions: see above\n",
		       c->broken, c->broken == 1 ? "" : "s", empty,
		       empty == 1 ? "" : "s");
		return 1;
	}
	return ret != 0 ? 1 : 0;
}

/* After the arguments: the checks, the base, the runs; the exit status. */
static int cmp_main(struct cmp_state *c)
{
	if (cmp_check(c) != 0) {
		return 2;
	}
	if (paths_repo_root(c->root, sizeof(c->root)) != 0 ||
	    paths_exe_dir(c->build_dir, sizeof(c->build_dir)) != 0) {
		fprintf(stderr, "faultline compare: cannot find the repository "
				"root or the build directory\n");
		return 1;
	}
	manifest_git_revision(c->root, c->revision, sizeof(c->revision));
	if (realpath("/proc/self/exe", c->exe) == NULL) {
		snprintf(c->exe, sizeof(c->exe), "%s", c->argv[0]);
	}
	shell_join(c->argc, c->argv, c->command, sizeof(c->command));
	if (c->a.base != NULL) {
		if (compare_base_prepare(c->root, c->build_dir, c->a.base,
					 c->a.backend, &c->base) != 0) {
			return 2;
		}
		c->has_base = true;
	}
	cmp_sides(c);
	if (cmp_prepare(c) != 0) {
		return 1;
	}
	return cmp_all(c);
}

int compare_cmd_main(int argc, char *const *argv)
{
	struct cmp_state *c = calloc(1, sizeof(*c));
	int status;

	if (c == NULL) {
		fprintf(stderr, "faultline: out of memory\n");
		return 1;
	}
	c->argc = argc;
	c->argv = argv;
	signal(SIGPIPE, SIG_IGN);
	status = bench_args_start(BENCH_ARGS_COMPARE, argc, argv, &c->a);
	if (status < 0) {
		status = cmp_main(c);
	}
	for (unsigned i = 0; i < BENCH_ARGS_MAX_SCENARIOS; i++) {
		compare_stats_free(&c->rsc[i].st);
		for (unsigned s = 0; s < 2; s++) {
			for (size_t k = 0; k < c->sc[i].side[s].n; k++) {
				run_figures_free(c->sc[i].side[s].v[k]);
				free(c->sc[i].side[s].v[k]);
			}
			free(c->sc[i].side[s].v);
		}
	}
	free(c);
	return status;
}
