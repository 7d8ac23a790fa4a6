/*
 * The Mann-Whitney U test (Wilcoxon rank-sum test), two-sided, for
 * `faultline compare`: does one build or policy tend to give larger values
 * than the other? It compares ranks, not means, so a few outliers (a TCG
 * hiccup, a descheduled vCPU) do not decide it, and it assumes nothing
 * about the distribution of the samples.
 *
 * U of the first sample counts the pairs (x_i, y_j) with x_i > y_j, a tie
 * counting one half; U1 + U2 = n1 * n2. Without ties and with at most
 * MANN_WHITNEY_EXACT_MAX samples on each side, the p-value comes from the
 * exact distribution of U under the null hypothesis (every arrangement of
 * the n1 + n2 ranks equally likely). With ties and at most
 * MANN_WHITNEY_PERM_MAX samples in all, it comes from the same null
 * hypothesis by enumerating every split of the pooled midranks (ties
 * are common under QEMU: the timer counts 16 ns steps). Otherwise it
 * comes from the normal approximation, with the variance corrected for
 * ties and a continuity correction of one half.
 */
#ifndef FAULTLINE_HARNESS_MANN_WHITNEY_H
#define FAULTLINE_HARNESS_MANN_WHITNEY_H

#include <stddef.h>

#include <faultline/types.h>

/**
 * Most samples on one side for the exact distribution: its counts are
 * binomial coefficients up to C(50, 25) = 1.26e14, which a double holds
 * exactly (below 2^53).
 */
#define MANN_WHITNEY_EXACT_MAX 25

/**
 * Most samples in all for the enumeration with ties: C(20, 10) = 184 756
 * splits, a few milliseconds.
 */
#define MANN_WHITNEY_PERM_MAX 20

/** How the p-value was worked out. */
enum mann_whitney_method {
	/** The exact distribution of U (no ties, small samples). */
	MANN_WHITNEY_EXACT,
	/** Every split of the tied midranks enumerated (ties, small samples). */
	MANN_WHITNEY_EXACT_TIES,
	/** The normal approximation, tie and continuity corrected. */
	MANN_WHITNEY_NORMAL,
};

/** The outcome of one test. */
struct mann_whitney {
	size_t n1;
	size_t n2;
	/** U of the first and of the second sample (U1 + U2 = n1 * n2). */
	double u1;
	double u2;
	/** The two-sided p-value, in (0, 1]. */
	double p;
	/** The normal approximation's z (0 with the exact method). */
	double z;
	enum mann_whitney_method method;
	/** Some value occurs more than once in the pooled samples. */
	bool ties;
};

/**
 * Tests the @n1 values @x against the @n2 values @y (neither needs to be
 * sorted; NaN is not allowed) into @r. Returns 0, -ERR_INVAL when a side
 * is empty or holds a NaN, or -ERR_NOMEM.
 */
int mann_whitney_test(const double *x, size_t n1, const double *y, size_t n2,
		      struct mann_whitney *r);

/**
 * The probability that U is at most @u when @m values are drawn against
 * @n without ties and every arrangement is equally likely (the exact
 * distribution's CDF), for @m, @n at most MANN_WHITNEY_EXACT_MAX. Returns
 * a negative number when the sizes are out of range or memory runs out.
 */
double mann_whitney_exact_cdf(size_t m, size_t n, double u);

#endif /* FAULTLINE_HARNESS_MANN_WHITNEY_H */
