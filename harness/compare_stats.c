/* A scenario's comparison of two sides (compare_stats.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "compare_stats.h"
#include "rep_stats.h"

const char *compare_stats_ending(const struct run_figures *rf, char *out,
				 size_t size)
{
	if (strcmp(rf->verdict, "ok") == 0 && rf->livelock) {
		snprintf(out, size, "livelock (expected)");
	} else {
		snprintf(out, size, "%s", rf->verdict);
	}
	return out;
}

bool compare_stats_broken(const char *verdict)
{
	static const char *const broken[] = {
		"crashed",     "timeout",       "qemu-error", "boot-failed",
		"interrupted", "bad-arguments", "not-run",
	};

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		if (strcmp(verdict, broken[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* How side @s's @n runs ended, and what their repetitions were. */
static void cs_side(const struct run_figures *const *runs, size_t n,
		    struct compare_side_stats *s)
{
	char what[48];

	s->runs = (unsigned)n;
	for (size_t r = 0; r < n; r++) {
		unsigned e = 0;

		s->reps += runs[r]->nreps;
		for (size_t i = 0; i < runs[r]->nreps; i++) {
			s->cut_short += !runs[r]->reps[i].ended;
		}
		s->broken += compare_stats_broken(runs[r]->verdict);
		compare_stats_ending(runs[r], what, sizeof(what));
		while (e < s->nendings &&
		       strcmp(s->endings[e].what, what) != 0) {
			e++;
		}
		if (e == s->nendings && e < COMPARE_MAX_ENDINGS) {
			snprintf(s->endings[e].what, sizeof(s->endings[e].what),
				 "%s", what);
			s->nendings++;
		}
		if (e < s->nendings) {
			s->endings[e].runs++;
		}
	}
}

/* Metric @m of both sides: samples, medians, ratio, test. */
static int cs_metric(const struct run_figures *const *const sides[2],
		     const size_t nruns[2], enum run_metric m,
		     struct compare_metric *cm)
{
	memset(cm, 0, sizeof(*cm));
	cm->m = m;
	for (unsigned s = 0; s < 2; s++) {
		double *sorted;

		cm->n[s] = rep_stats_samples(sides[s], nruns[s], m, &cm->v[s]);
		if (cm->n[s] == (size_t)-1) {
			cm->n[s] = 0;
			return -ERR_NOMEM;
		}
		cm->median[s] = NAN;
		if (cm->n[s] == 0) {
			continue;
		}
		/* The samples stay in run order; the median sorts a copy. */
		sorted = malloc(cm->n[s] * sizeof(*sorted));
		if (sorted == NULL) {
			return -ERR_NOMEM;
		}
		memcpy(sorted, cm->v[s], cm->n[s] * sizeof(*sorted));
		cm->median[s] = rep_stats_median(sorted, cm->n[s]);
		free(sorted);
	}
	cm->ratio = cm->n[0] > 0 && cm->n[1] > 0 && cm->median[0] != 0
			    ? cm->median[1] / cm->median[0]
			    : NAN;
	cm->too_few =
		cm->n[0] < COMPARE_MIN_REPS || cm->n[1] < COMPARE_MIN_REPS;
	if (cm->n[0] > 0 && cm->n[1] > 0) {
		int ret = mann_whitney_test(cm->v[0], cm->n[0], cm->v[1],
					    cm->n[1], &cm->u);

		if (ret != 0) {
			return ret;
		}
		cm->tested = true;
	}
	return 0;
}

/* The index of count @name in @st, added (zeroed) when new; -1: no room. */
static long cs_count_slot(struct compare_stats *st, size_t cap,
			  const char *name)
{
	for (size_t i = 0; i < st->ncounts; i++) {
		if (strcmp(st->counts[i].name, name) == 0) {
			return (long)i;
		}
	}
	if (st->ncounts == cap) {
		return -1;
	}
	snprintf(st->counts[st->ncounts].name,
		 sizeof(st->counts[st->ncounts].name), "%s", name);
	return (long)st->ncounts++;
}

/* The counts of both sides, in the order they first appear. */
static int cs_counts(const struct run_figures *const *const sides[2],
		     const size_t nruns[2], struct compare_stats *st)
{
	size_t cap = 0;

	for (unsigned s = 0; s < 2; s++) {
		for (size_t r = 0; r < nruns[s]; r++) {
			cap += sides[s][r]->ncounts;
		}
	}
	st->counts = calloc(cap > 0 ? cap : 1, sizeof(*st->counts));
	if (st->counts == NULL) {
		return -ERR_NOMEM;
	}
	for (unsigned s = 0; s < 2; s++) {
		for (size_t r = 0; r < nruns[s]; r++) {
			const struct run_figures *rf = sides[s][r];

			for (size_t i = 0; i < rf->ncounts; i++) {
				long k = cs_count_slot(st, cap,
						       rf->counts[i].name);

				if (k >= 0) {
					st->counts[k].total[s] +=
						rf->counts[i].value;
				}
			}
		}
	}
	/* summary.json's counts leave warm-ups out: per measured rep. */
	for (size_t i = 0; i < st->ncounts; i++) {
		for (unsigned s = 0; s < 2; s++) {
			st->counts[i].per_rep[s] =
				st->side[s].reps > 0
					? (double)st->counts[i].total[s] /
						  (double)st->side[s].reps
					: NAN;
		}
	}
	return 0;
}

int compare_stats_compute(const struct run_figures *const *a, size_t na,
			  const struct run_figures *const *b, size_t nb,
			  struct compare_stats *st)
{
	const struct run_figures *const *const sides[2] = {a, b};
	const size_t nruns[2] = {na, nb};
	int ret = 0;

	memset(st, 0, sizeof(*st));
	cs_side(a, na, &st->side[COMPARE_A]);
	cs_side(b, nb, &st->side[COMPARE_B]);
	for (unsigned m = 0; ret == 0 && m < RUN_METRIC_COUNT; m++) {
		struct compare_metric *cm = &st->metrics[st->nmetrics];

		ret = cs_metric(sides, nruns, m, cm);
		if (ret == 0 && cm->n[0] + cm->n[1] == 0) {
			continue;
		}
		st->nmetrics++;
	}
	if (ret == 0) {
		ret = cs_counts(sides, nruns, st);
	}
	return ret;
}

const struct compare_count *compare_stats_count(const struct compare_stats *st,
						const char *name)
{
	for (size_t i = 0; i < st->ncounts; i++) {
		if (strcmp(st->counts[i].name, name) == 0) {
			return &st->counts[i];
		}
	}
	return NULL;
}

const struct compare_metric *compare_stats_metric(
	const struct compare_stats *st, enum run_metric m)
{
	for (size_t i = 0; i < st->nmetrics; i++) {
		if (st->metrics[i].m == m) {
			return &st->metrics[i];
		}
	}
	return NULL;
}

void compare_stats_free(struct compare_stats *st)
{
	for (size_t i = 0; i < RUN_METRIC_COUNT; i++) {
		free(st->metrics[i].v[0]);
		free(st->metrics[i].v[1]);
	}
	free(st->counts);
	memset(st, 0, sizeof(*st));
}
