/*
 * Figures over the repetitions of several runs (run_figures.h): the
 * samples of one metric, one per measured repetition, their median, and
 * how a metric's value is shown. `faultline bench` prints the medians of
 * each scenario; `faultline compare` tests the samples of two sides.
 */
#ifndef FAULTLINE_HARNESS_REP_STATS_H
#define FAULTLINE_HARNESS_REP_STATS_H

#include <stddef.h>

#include "run_figures.h"

/**
 * The values of metric @m over every measured repetition of @runs (@nruns
 * of them) that has it, in order, into *@out (malloc'd; NULL when there
 * are none). Returns how many, or (size_t)-1 when memory ran out.
 */
size_t rep_stats_samples(const struct run_figures *const *runs, size_t nruns,
			 enum run_metric m, double **out);

/**
 * The median of @n values @v (sorted in place): the middle one, or the
 * mean of the two middle ones. NaN when @n is 0.
 */
double rep_stats_median(double *v, size_t n);

/**
 * Metric @m's median over the repetitions of @runs into *@out; false when
 * no repetition has it. *@n (may be NULL) gets the number of samples.
 */
bool rep_stats_metric_median(const struct run_figures *const *runs,
			     size_t nruns, enum run_metric m, double *out,
			     size_t *n);

/**
 * @ns as a readable time into @buf: "850 ns", "3.2 us", "12.5 ms",
 * "1.25 s" ("-" for NaN). Returns @buf.
 */
const char *rep_stats_ns(double ns, char *buf, size_t size);

/** A value of metric @m as shown: a time (rep_stats_ns()) or "0.14x". */
const char *rep_stats_format(enum run_metric m, double v, char *buf,
			     size_t size);

#endif /* FAULTLINE_HARNESS_REP_STATS_H */
