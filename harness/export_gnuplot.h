/*
 * gnuplot-ready data of a decoded trace: a directory with one data file
 * (NAME.dat: whitespace columns, named in a header comment) and one
 * script (NAME.gp) per plot. `gnuplot NAME.gp` run in that directory
 * writes NAME.png (pngcairo) and NAME.svg next to it. The plots:
 *
 *   fault_latency_hist   faults per latency bin (EL2 entry to exit, log
 *                        bins, 10 per decade), stacked by outcome
 *   fault_latency_cdf    the cumulative distribution of the same, all and
 *                        per outcome, with the guest-timed accesses and
 *                        null hypercalls for comparison
 *   faults_over_time     faults entered per time bin, one line per vCPU
 *   bbm_tlbi_over_time   BBM breaks and TLB invalidations per time bin
 *   entry_perm_over_time what the most-broken stage-2 entry allowed over
 *                        time (invalid, broken, S2AP none/RO/WO/RW,
 *                        table), with the faults on its memory
 *
 * docs/exporters.md describes every column.
 */
#ifndef FAULTLINE_HARNESS_EXPORT_GNUPLOT_H
#define FAULTLINE_HARNESS_EXPORT_GNUPLOT_H

#include <stddef.h>
#include <stdio.h>

#include <faultline/trace/decode.h>

/** The plots' names (NAME.dat, NAME.gp, NAME.png); NULL-terminated. */
extern const char *const export_gnuplot_plots[];

/**
 * Writes one block of a CDF data file to @f: a comment naming @title and
 * the sample count, then "latency_us fraction" rows for the @n latencies
 * @v (nanoseconds, sorted ascending), thinned to about 4000 points with
 * the last 200 (the tail) kept in full, then the two blank lines that end
 * a block (gnuplot's `index`). Every CDF faultline draws is made of these.
 */
void export_gnuplot_cdf_block(FILE *f, const char *title, const uint64_t *v,
			      size_t n);

/**
 * Writes the data files and scripts of @td into directory @dir (created
 * with its parents if needed). A trace without faults still gets every
 * file: its plots say that there is nothing to show. Returns 0, or
 * -ERR_IO / -ERR_NOMEM with @err (of @err_size bytes) saying what failed.
 */
int export_gnuplot(const struct trace_data *td, const char *dir, char *err,
		   size_t err_size);

#endif /* FAULTLINE_HARNESS_EXPORT_GNUPLOT_H */
