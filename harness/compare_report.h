/*
 * The report of `faultline compare`: what was compared (the two sides:
 * policy and build), then per scenario how each side's runs ended, a
 * table of the metrics (median of the per-repetition samples of A and of
 * B, B/A, the U test's p and what it says: "not significant", "too few
 * repetitions"...), and the counts per repetition that changed. Printed
 * on stdout, kept as compare.txt, and written with every sample as
 * compare.json (docs/compare.md).
 */
#ifndef FAULTLINE_HARNESS_COMPARE_REPORT_H
#define FAULTLINE_HARNESS_COMPARE_REPORT_H

#include <stdio.h>

#include "compare_stats.h"
#include "paths.h"
#include "scenario.h"

/** One side of the comparison. */
struct compare_report_side {
	/** "policy legacy", "base HEAD~1 (1a2b3c4)": how the table names it. */
	char label[160];
	/** The policy every run used (the scenario's when not given). */
	char policy[16];
	/** The build: its git revision ("-dirty" with changes). */
	char build[160];
	/** The faultline that ran it. */
	char faultline[PATHS_MAX];
};

/** One scenario compared. */
struct compare_report_scenario {
	/** Its name (numbered when given twice), and its file. */
	char name[SCN_NAME_MAX + 8];
	char path[PATHS_MAX];
	struct compare_stats st;
	/** The runs of each side, in the order they ran. */
	const struct run_figures *const *runs[2];
	size_t nruns[2];
	/** The plot (relative to the comparison's directory), or "". */
	char plot[PATHS_MAX];
	/** Why there is no plot, or "". */
	char plot_note[160];
};

/** A comparison. */
struct compare_report {
	struct compare_report_side side[2];
	const char *backend;
	/** Repetitions wanted per side, runs planned per side. */
	unsigned reps;
	unsigned runs;
	/** The comparison's directory; run directories are shown from it. */
	const char *dir;
	struct compare_report_scenario *sc;
	size_t nsc;
};

/** The U test's word on metric @cm ("not significant", ...) into @out. */
const char *compare_report_verdict(const struct compare_metric *cm, char *out,
				   size_t size);

/** @p as the table shows it: "0.031", "4.1e-05", "-" for NaN. */
const char *compare_report_p(double p, char *out, size_t size);

/** Prints the header and every scenario's table to @out. */
void compare_report_print(const struct compare_report *r, FILE *out);

/** Prints scenario @s's part of the report to @out. */
void compare_report_print_scenario(const struct compare_report_scenario *s,
				   FILE *out);

/**
 * Writes compare.json to @path: the sides, and per scenario its sides'
 * runs (directory, verdict, repetitions), the metrics with every sample,
 * medians, ratio, U, p and method, and the counts. 0 or -ERR_IO.
 */
int compare_report_json(const struct compare_report *r, const char *path);

#endif /* FAULTLINE_HARNESS_COMPARE_REPORT_H */
