/* Figures over the repetitions of several runs (rep_stats.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rep_stats.h"

size_t rep_stats_samples(const struct run_figures *const *runs, size_t nruns,
			 enum run_metric m, double **out)
{
	size_t total = 0, n = 0;
	double *v;

	*out = NULL;
	for (size_t r = 0; r < nruns; r++) {
		total += runs[r]->nreps;
	}
	if (total == 0) {
		return 0;
	}
	v = malloc(total * sizeof(*v));
	if (v == NULL) {
		return (size_t)-1;
	}
	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < runs[r]->nreps; i++) {
			n += run_rep_metric(&runs[r]->reps[i], m, &v[n]);
		}
	}
	if (n == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	return n;
}

static int rs_order(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

double rep_stats_median(double *v, size_t n)
{
	if (n == 0) {
		return NAN;
	}
	qsort(v, n, sizeof(*v), rs_order);
	return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

bool rep_stats_metric_median(const struct run_figures *const *runs,
			     size_t nruns, enum run_metric m, double *out,
			     size_t *n)
{
	double *v;
	size_t k = rep_stats_samples(runs, nruns, m, &v);

	if (k == (size_t)-1) {
		k = 0;
	}
	if (n != NULL) {
		*n = k;
	}
	*out = rep_stats_median(v, k);
	free(v);
	return k > 0;
}

const char *rep_stats_ns(double ns, char *buf, size_t size)
{
	if (isnan(ns)) {
		snprintf(buf, size, "-");
	} else if (ns < 1e3) {
		snprintf(buf, size, "%.0f ns", ns);
	} else if (ns < 1e6) {
		snprintf(buf, size, "%.1f us", ns / 1e3);
	} else if (ns < 1e9) {
		snprintf(buf, size, "%.1f ms", ns / 1e6);
	} else {
		snprintf(buf, size, "%.2f s", ns / 1e9);
	}
	return buf;
}

const char *rep_stats_format(enum run_metric m, double v, char *buf,
			     size_t size)
{
	if (!run_metric_is_ratio(m) || isnan(v)) {
		return rep_stats_ns(v, buf, size);
	}
	snprintf(buf, size, "%.3gx", v);
	return buf;
}
