/*
 * The statistics of `faultline compare` for one scenario: the runs of
 * side A and side B (run_figures.h) become, per metric, the medians of
 * the per-repetition samples, B/A, and a two-sided Mann-Whitney U test
 * (mann_whitney.h); per count (faults, BBMs, TLBIs, back-offs, dirty
 * marks, outcomes), its mean per repetition on each side; and per side,
 * how its runs ended.
 */
#ifndef FAULTLINE_HARNESS_COMPARE_STATS_H
#define FAULTLINE_HARNESS_COMPARE_STATS_H

#include <stddef.h>

#include "mann_whitney.h"
#include "run_figures.h"

/**
 * Fewest repetitions per side for a comparison to be taken at its word
 * (DESIGN.md, "Measuring under QEMU"): with fewer, the table says "too
 * few repetitions" next to the values.
 */
#define COMPARE_MIN_REPS 9

/** Significance level of the U test. */
#define COMPARE_ALPHA 0.05

/** Most distinct run endings tallied per side. */
#define COMPARE_MAX_ENDINGS 8

/** The sides. */
enum compare_side {
	COMPARE_A,
	COMPARE_B,
};

/** One metric compared. */
struct compare_metric {
	enum run_metric m;
	/** The per-repetition samples of each side (malloc'd), and counts. */
	double *v[2];
	size_t n[2];
	/** Their medians (NaN without samples). */
	double median[2];
	/** median B / median A (NaN when either is missing or A is 0). */
	double ratio;
	/** Both sides have samples: @u holds the test. */
	bool tested;
	struct mann_whitney u;
	/** A side has fewer than COMPARE_MIN_REPS samples. */
	bool too_few;
};

/** One count compared. */
struct compare_count {
	char name[RUN_COUNT_NAME_MAX];
	/** Over all runs of each side, and per measured repetition. */
	uint64_t total[2];
	double per_rep[2];
};

/** How many runs of a side ended one way. */
struct compare_ending {
	/** "ok", "livelock (expected)", "crashed"... */
	char what[48];
	unsigned runs;
};

/** One side of a scenario's comparison. */
struct compare_side_stats {
	unsigned runs;
	/** Measured repetitions found in its runs, and those cut short. */
	size_t reps;
	size_t cut_short;
	struct compare_ending endings[COMPARE_MAX_ENDINGS];
	unsigned nendings;
	/** Runs that did not run through (crashed, timeout, not run...). */
	unsigned broken;
};

/** A scenario's comparison. */
struct compare_stats {
	struct compare_metric metrics[RUN_METRIC_COUNT];
	/** The metrics either side has, in run_metric order. */
	size_t nmetrics;
	struct compare_count *counts;
	size_t ncounts;
	struct compare_side_stats side[2];
};

/**
 * Compares the @na runs @a with the @nb runs @b into @st (freed with
 * compare_stats_free() in every case). Returns 0 or -ERR_NOMEM.
 */
int compare_stats_compute(const struct run_figures *const *a, size_t na,
			  const struct run_figures *const *b, size_t nb,
			  struct compare_stats *st);

/**
 * How run @rf ended, as a comparison reports it: its verdict, with a
 * livelock named even when the scenario expected it ("livelock
 * (expected)"). Into @out; returns @out.
 */
const char *compare_stats_ending(const struct run_figures *rf, char *out,
				 size_t size);

/**
 * Whether a run that ended @verdict did not run through: crashed,
 * timeout, qemu-error, boot-failed, bad-arguments, interrupted, or
 * not-run (no summary at all). Livelocks, deadlines, failed vCPUs and
 * failed expectations are findings, not breakage.
 */
bool compare_stats_broken(const char *verdict);

/** The count named @name of @st, or NULL. */
const struct compare_count *compare_stats_count(const struct compare_stats *st,
						const char *name);

/** The metric @m of @st, or NULL when neither side has it. */
const struct compare_metric *compare_stats_metric(
	const struct compare_stats *st, enum run_metric m);

/** Frees what @st holds. */
void compare_stats_free(struct compare_stats *st);

#endif /* FAULTLINE_HARNESS_COMPARE_STATS_H */
