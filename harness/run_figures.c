/* A finished run's figures, read back from its directory (run_figures.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "json_read.h"
#include "run_figures.h"

/* A metric: its names and where its value comes from. */
struct rf_metric {
	const char *name;
	const char *title;
	/* The distribution it is a percentile of (unused for the ratio). */
	enum run_dist_kind dist;
	/* 50 or 99; 0 for the ratio. */
	unsigned pct;
};

static const struct rf_metric rf_metrics[RUN_METRIC_COUNT] = {
	[RUN_METRIC_FAULT_P50] = {"fault_p50", "fault p50 (EL2)",
				  RUN_DIST_FAULT, 50},
	[RUN_METRIC_FAULT_P99] = {"fault_p99", "fault p99 (EL2)",
				  RUN_DIST_FAULT, 99},
	[RUN_METRIC_ACCESS_P50] = {"access_p50", "access p50 (guest)",
				   RUN_DIST_ACCESS, 50},
	[RUN_METRIC_FAULTING_ACCESS_P50] = {"faulting_access_p50",
					    "faulting access p50 (guest)",
					    RUN_DIST_FAULTING_ACCESS, 50},
	[RUN_METRIC_HVC_P50] = {"hvc_p50", "null hvc p50 (floor)", RUN_DIST_HVC,
				50},
	[RUN_METRIC_FAULT_OVER_HVC] = {"fault_over_hvc",
				       "EL2 fault p50 / hvc p50",
				       RUN_DIST_FAULT, 0},
	[RUN_METRIC_FAULTING_OVER_HVC] = {"faulting_over_hvc",
					  "faulting access p50 / hvc p50",
					  RUN_DIST_FAULTING_ACCESS, 0},
};

/* summary.json's key of each distribution, in a repetition and a run. */
static const char *const rf_dist_keys[RUN_DIST_COUNT] = {
	[RUN_DIST_FAULT] = "fault_latency_ns",
	[RUN_DIST_ACCESS] = "access_latency_ns",
	[RUN_DIST_FAULTING_ACCESS] = "faulting_access_latency_ns",
	[RUN_DIST_HVC] = "hvc_floor_ns",
};

/* The run's counts: their names and their paths under fault_path. */
static const struct {
	const char *name;
	const char *path;
} rf_counts[] = {
	{"faults", "faults"},           {"bbm", "bbm.breaks"},
	{"tlbi", "tlbi.total"},         {"backoffs", "backoffs.total"},
	{"dirty_marks", "dirty_marks"}, {"pte_writes", "pte_writes"},
};

const char *run_metric_name(enum run_metric m)
{
	return rf_metrics[m].name;
}

const char *run_metric_title(enum run_metric m)
{
	return rf_metrics[m].title;
}

bool run_metric_is_ratio(enum run_metric m)
{
	return rf_metrics[m].pct == 0;
}

enum run_dist_kind run_metric_dist(enum run_metric m)
{
	return rf_metrics[m].dist;
}

bool run_rep_metric(const struct run_rep *rep, enum run_metric m, double *out)
{
	const struct run_dist *d = &rep->dist[rf_metrics[m].dist];

	if (m == RUN_METRIC_FAULTING_OVER_HVC) {
		*out = rep->faulting_ratio;
		return rep->has_faulting_ratio;
	}
	if (rf_metrics[m].pct == 0) {
		*out = rep->ratio;
		return rep->has_ratio;
	}
	if (!d->present) {
		return false;
	}
	*out = (double)(rf_metrics[m].pct == 50 ? d->p50 : d->p99);
	return true;
}

/* A non-negative whole number at @n into *@out. */
static bool rf_u64(const struct json_node *n, uint64_t *out)
{
	double v;

	if (!json_read_num(n, &v) || v < 0) {
		return false;
	}
	*out = (uint64_t)v;
	return true;
}

/* A {n, min, p50, ...} object into @d (absent when null or missing). */
static void rf_dist(const struct json_node *n, struct run_dist *d)
{
	memset(d, 0, sizeof(*d));
	d->present = n != NULL && n->type == JSON_NODE_OBJECT &&
		     rf_u64(json_read_get(n, "n"), &d->n) &&
		     rf_u64(json_read_get(n, "p50"), &d->p50) &&
		     rf_u64(json_read_get(n, "p99"), &d->p99) && d->n > 0;
	if (d->present) {
		rf_u64(json_read_get(n, "min"), &d->min);
		rf_u64(json_read_get(n, "p90"), &d->p90);
		rf_u64(json_read_get(n, "max"), &d->max);
	}
}

static void rf_str(const struct json_node *obj, const char *key, char *out,
		   size_t size, const char *fallback)
{
	snprintf(out, size, "%s",
		 json_read_str(json_read_get(obj, key), fallback));
}

/* repetitions.per_rep into @rf->reps. */
static int rf_reps(const struct json_node *per_rep, struct run_figures *rf)
{
	rf->reps = calloc(per_rep->n > 0 ? per_rep->n : 1, sizeof(*rf->reps));
	if (rf->reps == NULL) {
		return -ERR_NOMEM;
	}
	for (size_t i = 0; i < per_rep->n; i++) {
		const struct json_node *e = &per_rep->items[i];
		struct run_rep *r = &rf->reps[rf->nreps];
		const struct json_node *ended = json_read_get(e, "ended");
		uint64_t number = 0;

		if (e->type != JSON_NODE_OBJECT) {
			continue;
		}
		rf_u64(json_read_get(e, "number"), &number);
		r->number = (unsigned)number;
		r->ended = ended == NULL || ended->type != JSON_NODE_BOOL ||
			   ended->boolean;
		for (unsigned k = 0; k < RUN_DIST_COUNT; k++) {
			rf_dist(json_read_get(e, rf_dist_keys[k]), &r->dist[k]);
		}
		r->has_ratio = json_read_num(
			json_read_get(e, "fault_p50_over_hvc_p50"), &r->ratio);
		r->has_faulting_ratio = json_read_num(
			json_read_get(e, "faulting_access_p50_over_hvc_p50"),
			&r->faulting_ratio);
		rf_u64(json_read_get(e, "faults"), &r->faults);
		rf_u64(json_read_get(e, "bbm"), &r->bbm);
		rf_u64(json_read_get(e, "tlbi"), &r->tlbi);
		rf->nreps++;
	}
	return 0;
}

/* The fixed counts, then one per fault outcome. */
static int rf_load_counts(const struct json_node *fp, struct run_figures *rf)
{
	const struct json_node *by = json_read_get(fp, "by_outcome");
	size_t nfixed = sizeof(rf_counts) / sizeof(rf_counts[0]);
	size_t nout = by != NULL && by->type == JSON_NODE_OBJECT ? by->n : 0;

	rf->counts = calloc(nfixed + nout, sizeof(*rf->counts));
	if (rf->counts == NULL) {
		return -ERR_NOMEM;
	}
	for (size_t i = 0; i < nfixed; i++) {
		struct run_count *c = &rf->counts[rf->ncounts];

		if (rf_u64(json_read_path(fp, rf_counts[i].path), &c->value)) {
			snprintf(c->name, sizeof(c->name), "%s",
				 rf_counts[i].name);
			rf->ncounts++;
		}
	}
	for (size_t i = 0; i < nout; i++) {
		struct run_count *c = &rf->counts[rf->ncounts];

		if (rf_u64(&by->items[i], &c->value)) {
			snprintf(c->name, sizeof(c->name), "outcome.%s",
				 by->keys[i]);
			rf->ncounts++;
		}
	}
	return 0;
}

/* The latency files, when there: their samples and per-rep retries. */
static void rf_load_samples(struct run_figures *rf)
{
	char path[PATHS_MAX], err[PATHS_MAX + 64];

	if (paths_join(rf->dir, "latency.csv", path, sizeof(path)) == 0 &&
	    paths_is_file(path) &&
	    latency_csv_read_faults(path, &rf->samples, err, sizeof(err)) ==
		    0) {
		for (size_t i = 0; i < rf->nreps; i++) {
			rf->reps[i].retries = latency_read_retries(
				&rf->samples, rf->reps[i].number);
			rf->reps[i].has_retries = true;
		}
	}
	if (paths_join(rf->dir, "guest_latency.csv", path, sizeof(path)) == 0 &&
	    paths_is_file(path)) {
		latency_csv_read_guest(path, &rf->samples, err, sizeof(err));
	}
}

/* Everything of summary.json @sum (read from @path) into @rf. */
static int rf_parse(const struct json_node *sum, const char *path,
		    struct run_figures *rf, char *err, size_t err_size)
{
	const struct json_node *reps = json_read_get(sum, "repetitions");
	const struct json_node *per_rep = json_read_get(reps, "per_rep");
	const struct json_node *fp = json_read_get(sum, "fault_path");
	const struct json_node *ll = json_read_get(sum, "livelock");
	double v;
	uint64_t u;
	int ret;

	rf_str(sum, "scenario", rf->scenario, sizeof(rf->scenario), "?");
	rf_str(sum, "policy", rf->policy, sizeof(rf->policy), "?");
	rf_str(sum, "backend", rf->backend, sizeof(rf->backend), "qemu");
	rf_str(sum, "verdict", rf->verdict, sizeof(rf->verdict), "?");
	rf_str(sum, "backend_verdict", rf->backend_verdict,
	       sizeof(rf->backend_verdict), rf->verdict);
	rf->exit_status = json_read_num(json_read_get(sum, "exit_status"), &v)
				  ? (int)v
				  : -1;
	json_read_num(json_read_get(sum, "duration_s"), &rf->duration_s);
	rf->reps_asked =
		rf_u64(json_read_get(sum, "reps"), &u) ? (unsigned)u : 0;
	rf->warmup = rf_u64(json_read_get(sum, "warmup"), &u) ? (unsigned)u : 0;
	rf->livelock = (ll != NULL && ll->type == JSON_NODE_OBJECT) ||
		       strcmp(rf->backend_verdict, "livelock") == 0;
	/* A run that left no trace has null here: no repetitions, no error. */
	if (reps == NULL ||
	    (reps->type == JSON_NODE_OBJECT &&
	     (per_rep == NULL || per_rep->type != JSON_NODE_ARRAY))) {
		snprintf(err, err_size,
			 "%s: no repetitions.per_rep (per-repetition figures: "
			 "a faultline older than them, or not a scenario run)",
			 path);
		return -ERR_NOTSUP;
	}
	if (per_rep != NULL && per_rep->type == JSON_NODE_ARRAY) {
		ret = rf_reps(per_rep, rf);
		if (ret != 0) {
			return ret;
		}
	}
	for (unsigned k = 0; k < RUN_DIST_COUNT; k++) {
		rf_dist(json_read_get(fp, rf_dist_keys[k]), &rf->dist[k]);
	}
	return fp != NULL && fp->type == JSON_NODE_OBJECT
		       ? rf_load_counts(fp, rf)
		       : 0;
}

int run_figures_load(const char *dir, struct run_figures *rf, char *err,
		     size_t err_size)
{
	char path[PATHS_MAX];
	struct json_node sum;
	int ret;

	memset(rf, 0, sizeof(*rf));
	memset(&sum, 0, sizeof(sum));
	rf->exit_status = -1;
	snprintf(rf->dir, sizeof(rf->dir), "%s", dir);
	if (paths_join(dir, "summary.json", path, sizeof(path)) != 0) {
		snprintf(err, err_size, "%s: path too long", dir);
		return -ERR_RANGE;
	}
	ret = json_read_file(path, &sum, err, err_size);
	if (ret != 0) {
		char why[512];

		/* A parse error gives the offset only: say which file. */
		if (strncmp(err, path, strlen(path)) != 0) {
			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, err_size, "%s: %s", path, why);
		}
		json_read_free(&sum);
		return -ERR_IO;
	}
	if (sum.type != JSON_NODE_OBJECT) {
		snprintf(err, err_size, "%s: not a JSON object", path);
		ret = -ERR_IO;
	} else {
		ret = rf_parse(&sum, path, rf, err, err_size);
	}
	json_read_free(&sum);
	if (ret == -ERR_NOMEM) {
		snprintf(err, err_size, "out of memory reading %s", path);
	}
	if (ret == 0) {
		rf_load_samples(rf);
	}
	return ret;
}

uint64_t run_figures_count(const struct run_figures *rf, const char *name)
{
	for (size_t i = 0; i < rf->ncounts; i++) {
		if (strcmp(rf->counts[i].name, name) == 0) {
			return rf->counts[i].value;
		}
	}
	return 0;
}

bool run_figures_failed(const struct run_figures *rf, char *why, size_t size)
{
	if (strcmp(rf->verdict, "ok") != 0) {
		snprintf(why, size, "%s", rf->verdict);
		return true;
	}
	/*
	 * An expected livelock is the scenario's result, as `faultline run`
	 * says (verdict ok): its figures are data, the livelocked repetition
	 * marked cut short. Error entries would read as zero times to
	 * compare.py, which does not know error_occurred.
	 */
	snprintf(why, size, rf->livelock ? "ok (livelock, expected)" : "ok");
	return false;
}

void run_figures_free(struct run_figures *rf)
{
	free(rf->reps);
	free(rf->counts);
	latency_read_free(&rf->samples);
	rf->reps = NULL;
	rf->counts = NULL;
	rf->nreps = 0;
	rf->ncounts = 0;
}
