/*
 * The plot of a scenario compared by `faultline compare`: the cumulative
 * distributions of side A's and side B's latencies overlaid, stage-2
 * fault latency (EL2 entry to exit) in full lines and guest-timed access
 * latency in dashed ones, A and B in their own colours, on a log time
 * axis. The samples are every measured repetition of every run of a side
 * (latency.csv, guest_latency.csv), pooled. Written as NAME.dat and
 * NAME.gp (as the gnuplot export writes its plots, export_gnuplot.h),
 * drawn by gnuplot into NAME.png and NAME.svg.
 */
#ifndef FAULTLINE_HARNESS_COMPARE_PLOT_H
#define FAULTLINE_HARNESS_COMPARE_PLOT_H

#include <stddef.h>

#include "run_figures.h"

/** What to plot. */
struct compare_plot {
	/** The plots directory (made when missing) and the plot's name. */
	const char *dir;
	const char *name;
	/** The scenario, and how the sides are named in the key. */
	const char *scenario;
	const char *label[2];
	/** Each side's runs. */
	const struct run_figures *const *runs[2];
	size_t nruns[2];
};

/**
 * Writes @p's data and script and runs gnuplot on them. Returns 0 when
 * NAME.png was drawn; otherwise a negative error (-ERR_NOENT: gnuplot is
 * not installed) with @note saying why in a few words.
 */
int compare_plot_draw(const struct compare_plot *p, char *note, size_t size);

#endif /* FAULTLINE_HARNESS_COMPARE_PLOT_H */
