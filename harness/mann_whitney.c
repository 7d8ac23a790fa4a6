/* The Mann-Whitney U test (mann_whitney.h). */
#include <math.h>
#include <stdlib.h>

#include <faultline/err.h>

#include "mann_whitney.h"

/* One pooled value: which side it came from. */
struct mw_item {
	double v;
	bool first;
};

static int mw_order(const void *a, const void *b)
{
	const struct mw_item *x = a;
	const struct mw_item *y = b;

	return (x->v > y->v) - (x->v < y->v);
}

double mann_whitney_exact_cdf(size_t m, size_t n, double u)
{
	size_t top = m * n;
	double *c;
	double below = 0, total = 0;

	if (m == 0 || n == 0 || m > MANN_WHITNEY_EXACT_MAX ||
	    n > MANN_WHITNEY_EXACT_MAX) {
		return -1;
	}
	c = calloc(top + 1, sizeof(*c));
	if (c == NULL) {
		return -1;
	}
	/*
	 * The number of arrangements of m x's and n y's with U = k is the
	 * coefficient of q^k in the Gaussian binomial [m+n choose m]_q =
	 * prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i). Built one factor at a
	 * time, the polynomial after step i is [n+i choose i]_q, whose
	 * coefficients are integers below C(n+i, i): exact in a double, and
	 * one array of m*n+1 of them is all the memory it takes. Terms above
	 * q^(m*n) never reach a coefficient that is kept, so they are dropped.
	 */
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		size_t shift = n + i;

		for (size_t k = top; k >= shift; k--) {
			c[k] -= c[k - shift];
		}
		for (size_t k = i; k <= top; k++) {
			c[k] += c[k - i];
		}
	}
	for (size_t k = 0; k <= top; k++) {
		total += c[k];
		if ((double)k <= u) {
			below += c[k];
		}
	}
	free(c);
	return below / total;
}

/*
 * Two-sided p of rank sum @w_obs (doubled: midranks are halves) of @n1 of
 * the @n doubled midranks @r2, counting every way of choosing n1 of them:
 * the share of choices whose sum lies at least as far from its mean as
 * the observed one. Doubled ranks keep the sums integers, so "as far"
 * has no rounding. -1 when memory runs out.
 */
static double mw_perm_p(const long *r2, size_t n, size_t n1, long w_obs)
{
	size_t *idx = malloc(n1 * sizeof(*idx));
	long total = 0, dist;
	double all = 0, extreme = 0;

	if (idx == NULL) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		total += r2[i];
	}
	/* The mean of n1 ranks' sum, times n: n1 * total; compare times n. */
	dist = labs(w_obs * (long)n - (long)n1 * total);
	for (size_t i = 0; i < n1; i++) {
		idx[i] = i;
	}
	for (;;) {
		long w = 0;
		size_t k;

		for (size_t i = 0; i < n1; i++) {
			w += r2[idx[i]];
		}
		all += 1;
		extreme += labs(w * (long)n - (long)n1 * total) >= dist;
		/* The next combination in lexicographic order. */
		for (k = n1; k > 0 && idx[k - 1] == n - n1 + k - 1; k--) {
		}
		if (k == 0) {
			break;
		}
		idx[k - 1]++;
		for (size_t i = k; i < n1; i++) {
			idx[i] = idx[i - 1] + 1;
		}
	}
	free(idx);
	return extreme / all;
}

/* Two-sided p of the normal approximation, with the variance's tie term. */
static void mw_normal(struct mann_whitney *r, double tie_sum)
{
	double n1 = (double)r->n1, n2 = (double)r->n2, n = n1 + n2;
	double mu = n1 * n2 / 2.0;
	double var = n1 * n2 / 12.0 * ((n + 1.0) - tie_sum / (n * (n - 1.0)));
	double u = r->u1 > r->u2 ? r->u1 : r->u2;

	r->method = MANN_WHITNEY_NORMAL;
	if (var <= 0) {
		/* Every value the same: nothing tells the sides apart. */
		r->z = 0;
		r->p = 1;
		return;
	}
	/* The continuity correction moves U half a step toward the mean. */
	r->z = (u - mu - 0.5) / sqrt(var);
	if (r->z < 0) {
		r->z = 0;
	}
	/* 2 * (1 - Phi(z)) = erfc(z / sqrt(2)). */
	r->p = erfc(r->z / sqrt(2.0));
	if (r->p > 1) {
		r->p = 1;
	}
}

int mann_whitney_test(const double *x, size_t n1, const double *y, size_t n2,
		      struct mann_whitney *r)
{
	size_t n = n1 + n2;
	struct mw_item *all;
	long *r2;
	long w2 = 0;
	double rank_sum = 0, tie_sum = 0;

	*r = (struct mann_whitney){.n1 = n1, .n2 = n2, .p = 1};
	if (n1 == 0 || n2 == 0) {
		return -ERR_INVAL;
	}
	all = malloc(n * sizeof(*all));
	r2 = malloc(n * sizeof(*r2));
	if (all == NULL || r2 == NULL) {
		free(all);
		free(r2);
		return -ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		all[i].first = i < n1;
		all[i].v = i < n1 ? x[i] : y[i - n1];
		if (isnan(all[i].v)) {
			free(all);
			free(r2);
			return -ERR_INVAL;
		}
	}
	qsort(all, n, sizeof(*all), mw_order);
	/* Ranks 1..n; a run of equal values shares the mean of its ranks. */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double t, rank;

		while (j + 1 < n && all[j + 1].v == all[i].v) {
			j++;
		}
		t = (double)(j - i + 1);
		rank = (double)(i + j + 2) / 2.0;
		for (size_t k = i; k <= j; k++) {
			/* Twice the midrank: i + j + 2, a whole number. */
			r2[k] = (long)(i + j + 2);
			if (all[k].first) {
				rank_sum += rank;
				w2 += r2[k];
			}
		}
		tie_sum += t * t * t - t;
		r->ties |= j > i;
		i = j + 1;
	}
	free(all);
	r->u1 = rank_sum - (double)n1 * ((double)n1 + 1.0) / 2.0;
	r->u2 = (double)n1 * (double)n2 - r->u1;
	if (!r->ties && n1 <= MANN_WHITNEY_EXACT_MAX &&
	    n2 <= MANN_WHITNEY_EXACT_MAX) {
		double cdf = mann_whitney_exact_cdf(
			n1, n2, r->u1 < r->u2 ? r->u1 : r->u2);

		if (cdf < 0) {
			free(r2);
			return -ERR_NOMEM;
		}
		/* U is symmetric about n1*n2/2: both tails are alike. */
		r->method = MANN_WHITNEY_EXACT;
		r->p = 2.0 * cdf > 1.0 ? 1.0 : 2.0 * cdf;
		free(r2);
		return 0;
	}
	if (r->ties && n <= MANN_WHITNEY_PERM_MAX) {
		double p = mw_perm_p(r2, n, n1, w2);

		free(r2);
		if (p < 0) {
			return -ERR_NOMEM;
		}
		r->method = MANN_WHITNEY_EXACT_TIES;
		r->p = p;
		return 0;
	}
	free(r2);
	mw_normal(r, tie_sum);
	return 0;
}
