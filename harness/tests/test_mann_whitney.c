/*
 * The Mann-Whitney U test against values worked out by hand (each test
 * says how), so that a wrong rank, tie term or tail shows as a number.
 */
#include <math.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../mann_whitney.h"

/* |a - b| within @rel of b. */
static bool mw_close(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fabs(b);
}

/** The exact distribution for 3 against 3: the 20 arrangements by U are 1,1,2,3,3,3,3,2,1,1. */
TEST(mann_whitney, exact_cdf_three_against_three)
{
	EXPECT_TRUE(mw_close(mann_whitney_exact_cdf(3, 3, 0), 1.0 / 20, 1e-12));
	EXPECT_TRUE(mw_close(mann_whitney_exact_cdf(3, 3, 2), 4.0 / 20, 1e-12));
	EXPECT_TRUE(mw_close(mann_whitney_exact_cdf(3, 3, 3), 7.0 / 20, 1e-12));
	/* U = 4.5 (a tie's half) counts the arrangements up to 4. */
	EXPECT_TRUE(
		mw_close(mann_whitney_exact_cdf(3, 3, 4.5), 10.0 / 20, 1e-12));
	EXPECT_TRUE(mw_close(mann_whitney_exact_cdf(3, 3, 9), 1.0, 1e-12));
	/* Out of range: no distribution. */
	EXPECT_TRUE(mann_whitney_exact_cdf(0, 3, 0) < 0);
	EXPECT_TRUE(mann_whitney_exact_cdf(3, MANN_WHITNEY_EXACT_MAX + 1, 0) <
		    0);
}

/** The largest exact case sums to one and is symmetric about m*n/2. */
TEST(mann_whitney, exact_cdf_largest_is_symmetric)
{
	size_t m = MANN_WHITNEY_EXACT_MAX;
	double top = (double)(m * m);

	EXPECT_TRUE(mw_close(mann_whitney_exact_cdf(m, m, top), 1.0, 1e-12));
	/* 625 is odd: U <= 312 and U >= 313 are mirror images, half each. */
	EXPECT_TRUE(mw_close(mann_whitney_exact_cdf(m, m, 312), 0.5, 1e-12));
	/* P(U <= 100) = P(U >= 525) = 1 - P(U <= 524). */
	EXPECT_TRUE(mw_close(mann_whitney_exact_cdf(m, m, 100),
			     1.0 - mann_whitney_exact_cdf(m, m, 524), 1e-9));
	/* One arrangement of C(50, 25) has U = 0. */
	EXPECT_TRUE(mw_close(mann_whitney_exact_cdf(m, m, 0),
			     1.0 / 126410606437752.0, 1e-9));
}

/** Three against three, fully apart: U1 = 0, p = 2 / C(6, 3) = 0.1, either way round. */
TEST(mann_whitney, exact_fully_separated_small)
{
	const double lo[] = {3, 1, 2};
	const double hi[] = {6, 4, 5};
	struct mann_whitney r;

	ASSERT_EQ_INT(mann_whitney_test(lo, 3, hi, 3, &r), 0);
	EXPECT_EQ_INT(r.method, MANN_WHITNEY_EXACT);
	EXPECT_TRUE(!r.ties);
	EXPECT_TRUE(r.u1 == 0 && r.u2 == 9);
	EXPECT_TRUE(mw_close(r.p, 0.1, 1e-12));
	ASSERT_EQ_INT(mann_whitney_test(hi, 3, lo, 3, &r), 0);
	EXPECT_TRUE(r.u1 == 9 && r.u2 == 0);
	EXPECT_TRUE(mw_close(r.p, 0.1, 1e-12));
}

/**
 * Five against four (19 22 16 29 24 / 20 11 17 12): U1 = 3+4+2+4+4 = 17,
 * U2 = 3; 7 of the 126 arrangements have U <= 3 (1, 1, 2, 3 for U = 0..3),
 * so p = 14/126.
 */
TEST(mann_whitney, exact_five_against_four)
{
	const double x[] = {19, 22, 16, 29, 24};
	const double y[] = {20, 11, 17, 12};
	struct mann_whitney r;

	ASSERT_EQ_INT(mann_whitney_test(x, 5, y, 4, &r), 0);
	EXPECT_EQ_INT(r.method, MANN_WHITNEY_EXACT);
	EXPECT_TRUE(r.u1 == 17 && r.u2 == 3);
	EXPECT_TRUE(mw_close(r.p, 14.0 / 126.0, 1e-12));
}

/** Nine against nine, fully apart: p = 2 / C(18, 9) = 2 / 48620. */
TEST(mann_whitney, exact_nine_against_nine)
{
	double x[9], y[9];
	struct mann_whitney r;

	for (unsigned i = 0; i < 9; i++) {
		x[i] = 100 + i;
		y[i] = 200 + i;
	}
	ASSERT_EQ_INT(mann_whitney_test(x, 9, y, 9, &r), 0);
	EXPECT_EQ_INT(r.method, MANN_WHITNEY_EXACT);
	EXPECT_TRUE(mw_close(r.p, 2.0 / 48620.0, 1e-12));
	/* Interleaved evenly: U1 = 36 of 81, close to the middle, p large. */
	for (unsigned i = 0; i < 9; i++) {
		y[i] = 100.5 + i;
	}
	ASSERT_EQ_INT(mann_whitney_test(x, 9, y, 9, &r), 0);
	EXPECT_TRUE(r.u1 == 36);
	EXPECT_TRUE(r.p > 0.5);
}

/**
 * Small samples with ties: every split enumerated. 1 2 2 3 against 2 3 3
 * 4: pooled midranks 1, 3, 3, 3, 6, 6, 6, 8 (the 2s share 3, the 3s 6);
 * the first side's sum is 13, 5 below the mean 18. Of the C(8, 4) = 70
 * ways to pick four ranks, those as far from 18: sum 10 (1, 3, 3, 3: one
 * way), sum 13 (1, 3, 3, 6: 3 x 3 = 9 ways), and their mirror images 26
 * and 23 (10 ways): p = 20 / 70 = 2 / 7. U1 = 13 - 10 = 3, U2 = 13.
 */
TEST(mann_whitney, exact_with_ties)
{
	const double x[] = {1, 2, 2, 3};
	const double y[] = {2, 3, 3, 4};
	struct mann_whitney r;

	ASSERT_EQ_INT(mann_whitney_test(x, 4, y, 4, &r), 0);
	EXPECT_EQ_INT(r.method, MANN_WHITNEY_EXACT_TIES);
	EXPECT_TRUE(r.ties);
	EXPECT_TRUE(r.u1 == 3 && r.u2 == 13);
	EXPECT_TRUE(mw_close(r.p, 2.0 / 7.0, 1e-12));
}

/**
 * Nine against nine completely apart, with ties inside each side (as
 * 16 ns timer steps make them): only the two extreme splits are as far,
 * p = 2 / C(18, 9) = 2 / 48620, as without ties.
 */
TEST(mann_whitney, exact_with_ties_fully_separated)
{
	const double x[] = {10, 10, 11, 12, 12, 13, 14, 15, 15};
	const double y[] = {1, 2, 2, 3, 4, 5, 5, 6, 7};
	struct mann_whitney r;

	ASSERT_EQ_INT(mann_whitney_test(x, 9, y, 9, &r), 0);
	EXPECT_EQ_INT(r.method, MANN_WHITNEY_EXACT_TIES);
	EXPECT_TRUE(r.u1 == 81 && r.u2 == 0);
	EXPECT_TRUE(mw_close(r.p, 2.0 / 48620.0, 1e-12));
}

/**
 * Ties in more than MANN_WHITNEY_PERM_MAX samples take the normal
 * approximation. Six 1s and five 2s against six 2s and five 3s: the 1s
 * share rank 3.5, the eleven 2s rank 12, the 3s rank 20, so R1 = 6 x 3.5
 * + 5 x 12 = 81, U1 = 81 - 66 = 15, U2 = 106, mu = 60.5; sum(t^3 - t) =
 * 210 + 1320 + 120 = 1650, var = 121/12 x (23 - 1650/462) = 195.905;
 * z = (106 - 60.5 - 0.5) / 13.9966 = 3.21507; p = erfc(z / sqrt 2) =
 * 0.0013041.
 */
TEST(mann_whitney, normal_with_ties)
{
	const double x[] = {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2};
	const double y[] = {2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3};
	struct mann_whitney r;

	ASSERT_EQ_INT(mann_whitney_test(x, 11, y, 11, &r), 0);
	EXPECT_EQ_INT(r.method, MANN_WHITNEY_NORMAL);
	EXPECT_TRUE(r.ties);
	EXPECT_TRUE(r.u1 == 15 && r.u2 == 106);
	EXPECT_TRUE(mw_close(r.z, 3.215067, 1e-5));
	EXPECT_TRUE(mw_close(r.p, 0.00130414, 1e-4));
}

/**
 * Past MANN_WHITNEY_EXACT_MAX the normal approximation: 1..30 against
 * 31..60, U1 = 0, var = 900/12 * 61 = 4575, z = 449.5 / 67.639 = 6.6456,
 * p = 3.0199e-11.
 */
TEST(mann_whitney, normal_for_large_samples)
{
	double x[30], y[30];
	struct mann_whitney r;

	for (unsigned i = 0; i < 30; i++) {
		x[i] = 1 + i;
		y[i] = 31 + i;
	}
	ASSERT_EQ_INT(mann_whitney_test(x, 30, y, 30, &r), 0);
	EXPECT_EQ_INT(r.method, MANN_WHITNEY_NORMAL);
	EXPECT_TRUE(!r.ties);
	EXPECT_TRUE(mw_close(r.z, 6.645599, 1e-5));
	EXPECT_TRUE(mw_close(r.p, 3.019859e-11, 1e-4));
}

/** All values equal: no variance, p = 1; U splits evenly. */
TEST(mann_whitney, all_equal_is_p_one)
{
	const double x[] = {5, 5, 5};
	const double y[] = {5, 5};
	struct mann_whitney r;

	ASSERT_EQ_INT(mann_whitney_test(x, 3, y, 2, &r), 0);
	EXPECT_TRUE(r.ties);
	EXPECT_TRUE(r.u1 == 3 && r.u2 == 3);
	EXPECT_TRUE(r.p == 1);
}

/** An empty side or a NaN is refused, not tested. */
TEST(mann_whitney, rejects_empty_and_nan)
{
	const double x[] = {1, 2};
	const double bad[] = {1, NAN};
	struct mann_whitney r;

	EXPECT_EQ_INT(mann_whitney_test(x, 2, x, 0, &r), -ERR_INVAL);
	EXPECT_EQ_INT(mann_whitney_test(x, 0, x, 2, &r), -ERR_INVAL);
	EXPECT_EQ_INT(mann_whitney_test(x, 2, bad, 2, &r), -ERR_INVAL);
}
