/* Scenario runs as Google Benchmark JSON (gbench_json.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <faultline/err.h>

#include "gbench_json.h"

void gbench_context_add(struct gbench_context *c, const char *key,
			const char *value)
{
	if (c->nextra < GBENCH_JSON_MAX_EXTRA) {
		c->extra_keys[c->nextra] = key;
		c->extra_values[c->nextra] = value;
		c->nextra++;
	}
}

/* The local time now as Google Benchmark writes it: ISO 8601, +hh:mm. */
static void gb_date(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	char zone[8];

	localtime_r(&now, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	if (strlen(zone) == 5) {
		size_t len = strlen(out);

		snprintf(out + len, size - len, "%.3s:%s", zone, zone + 3);
	}
}

/* The first "cpu MHz" of /proc/cpuinfo, rounded (0 when unknown). */
static unsigned long gb_mhz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	double mhz = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		const char *colon = strchr(line, ':');

		if (strncmp(line, "cpu MHz", 7) == 0 && colon != NULL) {
			mhz = strtod(colon + 1, NULL);
			break;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return mhz > 0 ? (unsigned long)(mhz + 0.5) : 0;
}

void gbench_json_begin(struct json_writer *w, const struct gbench_context *c)
{
	char date[64], host[256] = "";
	double load[3] = {0, 0, 0};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nload = getloadavg(load, 3);

	gb_date(date, sizeof(date));
	gethostname(host, sizeof(host) - 1);
	json_object_begin(w);
	json_key(w, "context");
	json_object_begin(w);
	json_key(w, "date");
	json_string(w, date);
	json_key(w, "host_name");
	json_string(w, host);
	json_key(w, "executable");
	json_string(w, c->executable);
	json_key(w, "num_cpus");
	json_u64(w, ncpu > 0 ? (uint64_t)ncpu : 0);
	json_key(w, "mhz_per_cpu");
	json_u64(w, gb_mhz());
	json_key(w, "cpu_scaling_enabled");
	json_bool(w, false);
	/* The caches describe a host benchmark's machine: not ours to say. */
	json_key(w, "caches");
	json_array_begin_flat(w);
	json_array_end(w);
	json_key(w, "load_avg");
	json_array_begin_flat(w);
	for (int i = 0; i < nload; i++) {
		json_fixed(w, load[i], 2);
	}
	json_array_end(w);
	/* faultline is built -O2 without sanitizers (mk/flags.mk). */
	json_key(w, "library_build_type");
	json_string(w, "release");
	for (size_t i = 0; i < c->nextra; i++) {
		if (c->extra_values[i] != NULL) {
			json_key(w, c->extra_keys[i]);
			json_string(w, c->extra_values[i]);
		}
	}
	json_object_end(w);
	json_key(w, "benchmarks");
	json_array_begin(w);
}

int gbench_json_end(struct json_writer *w)
{
	json_array_end(w);
	json_object_end(w);
	return json_finish(w);
}

/* Whether some repetition of @s has metric @m. */
static bool gb_has_metric(const struct gbench_scenario *s, enum run_metric m)
{
	double v;

	for (size_t r = 0; r < s->nruns; r++) {
		for (size_t i = 0; i < s->runs[r]->nreps; i++) {
			if (run_rep_metric(&s->runs[r]->reps[i], m, &v)) {
				return true;
			}
		}
	}
	return false;
}

/* The entries the metric will have: every repetition, one per bare run. */
static size_t gb_entries(const struct gbench_scenario *s, enum run_metric m)
{
	size_t n = 0;
	double v;

	for (size_t r = 0; r < s->nruns; r++) {
		const struct run_figures *rf = s->runs[r];
		char why[64];
		bool failed = run_figures_failed(rf, why, sizeof(why));

		/* A failed run's repetitions all report its error. */
		for (size_t i = 0; i < rf->nreps; i++) {
			n += failed || run_rep_metric(&rf->reps[i], m, &v);
		}
		n += failed && rf->nreps == 0;
	}
	return n;
}

/* The counters of repetition @rep (NULL: none) for metric @m. */
static void gb_counters(struct json_writer *w, const struct run_rep *rep,
			enum run_metric m)
{
	const struct run_dist *d;

	if (rep == NULL) {
		return;
	}
	d = &rep->dist[run_metric_dist(m)];
	if (d->present && !run_metric_is_ratio(m)) {
		json_key(w, "n");
		json_u64(w, d->n);
		json_key(w, "p50");
		json_u64(w, d->p50);
		json_key(w, "p90");
		json_u64(w, d->p90);
		json_key(w, "p99");
		json_u64(w, d->p99);
		json_key(w, "max");
		json_u64(w, d->max);
	}
	json_key(w, "faults");
	json_u64(w, rep->faults);
	json_key(w, "bbm");
	json_u64(w, rep->bbm);
	json_key(w, "tlbi");
	json_u64(w, rep->tlbi);
	if (rep->has_retries) {
		json_key(w, "retries");
		json_u64(w, rep->retries);
	}
	if (rep->has_ratio) {
		json_key(w, "fault_over_hvc");
		json_fixed(w, rep->ratio, 4);
	}
	if (rep->has_faulting_ratio) {
		json_key(w, "faulting_over_hvc");
		json_fixed(w, rep->faulting_ratio, 4);
	}
	json_key(w, "rep_number");
	json_u64(w, rep->number);
}

/* One entry; @why is the error of a failed run (NULL: none). */
static void gb_entry(struct json_writer *w, const char *name, unsigned family,
		     size_t total, size_t index, const struct run_rep *rep,
		     enum run_metric m, const char *why, const char *label)
{
	double v = 0;
	bool has = rep != NULL && run_rep_metric(rep, m, &v);
	const struct run_dist *d =
		rep != NULL ? &rep->dist[run_metric_dist(m)] : NULL;

	json_object_begin(w);
	json_key(w, "name");
	json_string(w, name);
	json_key(w, "family_index");
	json_u64(w, family);
	json_key(w, "per_family_instance_index");
	json_u64(w, 0);
	json_key(w, "run_name");
	json_string(w, name);
	json_key(w, "run_type");
	json_string(w, "iteration");
	json_key(w, "repetitions");
	json_u64(w, total);
	json_key(w, "repetition_index");
	json_u64(w, index);
	json_key(w, "threads");
	json_u64(w, 1);
	if (why != NULL) {
		json_key(w, "error_occurred");
		json_bool(w, true);
		json_key(w, "error_message");
		json_string(w, why);
	}
	/* A failed benchmark's times are zero in Google Benchmark's output. */
	json_key(w, "iterations");
	json_u64(w, why == NULL && d != NULL && d->present ? d->n : 0);
	json_key(w, "real_time");
	json_fixed(w, why == NULL && has ? v : 0, 3);
	json_key(w, "cpu_time");
	json_fixed(w, why == NULL && has ? v : 0, 3);
	json_key(w, "time_unit");
	json_string(w, "ns");
	gb_counters(w, rep, m);
	json_key(w, "label");
	json_string(w, label);
	json_object_end(w);
}

/* The entries of metric @m of every run of @s. */
static void gb_metric(struct json_writer *w, const struct gbench_scenario *s,
		      enum run_metric m, unsigned family)
{
	char name[256], label[96], why[160], err[PATHS_MAX + 512];
	size_t total = gb_entries(s, m), index = 0;
	double v;

	snprintf(name, sizeof(name), "%s/%s", s->prefix, run_metric_name(m));
	for (size_t r = 0; r < s->nruns; r++) {
		const struct run_figures *rf = s->runs[r];
		bool failed = run_figures_failed(rf, why, sizeof(why));

		snprintf(err, sizeof(err), "%s: %s in %s", s->prefix, why,
			 rf->dir);
		for (size_t i = 0; i < rf->nreps; i++) {
			const struct run_rep *rep = &rf->reps[i];

			if (!failed && !run_rep_metric(rep, m, &v)) {
				continue;
			}
			snprintf(label, sizeof(label), "run %zu rep %u%s",
				 r + 1, rep->number,
				 rep->ended ? "" : " (cut short)");
			gb_entry(w, name, family, total, index++, rep, m,
				 failed ? err : NULL, label);
		}
		if (failed && rf->nreps == 0) {
			snprintf(label, sizeof(label), "run %zu", r + 1);
			gb_entry(w, name, family, total, index++, NULL, m, err,
				 label);
		}
	}
}

void gbench_json_scenario(struct json_writer *w,
			  const struct gbench_scenario *s, unsigned *family)
{
	bool any = false;
	char why[64];

	for (unsigned m = 0; m < RUN_METRIC_COUNT; m++) {
		/* A ratio is no time: it goes with every entry as a counter. */
		if (run_metric_is_ratio(m) || !gb_has_metric(s, m)) {
			continue;
		}
		gb_metric(w, s, m, (*family)++);
		any = true;
	}
	for (size_t r = 0; !any && r < s->nruns; r++) {
		if (run_figures_failed(s->runs[r], why, sizeof(why))) {
			gb_metric(w, s, RUN_METRIC_FAULT_P50, (*family)++);
			any = true;
		}
	}
}

int gbench_json_write_file(const char *path, const struct gbench_context *c,
			   const struct gbench_scenario *s, size_t n)
{
	FILE *f = fopen(path, "w");
	struct json_writer w;
	unsigned family = 0;
	int ret;

	if (f == NULL) {
		return -ERR_IO;
	}
	json_init(&w, f);
	gbench_json_begin(&w, c);
	for (size_t i = 0; i < n; i++) {
		gbench_json_scenario(&w, &s[i], &family);
	}
	ret = gbench_json_end(&w);
	if (fclose(f) != 0 && ret == 0) {
		ret = -ERR_IO;
	}
	return ret != 0 ? -ERR_IO : 0;
}
