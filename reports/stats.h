/*
 * reports/stats.h - the statistics behind the speedup reports, kept apart
 * from any formatting: medians and quantiles, the Mann-Whitney U test
 * (two-sided; exact null distribution for small samples without ties,
 * else the normal approximation with tie and continuity correction) and
 * the Hodges-Lehmann confidence interval of a ratio of times, obtained by
 * inverting the same test on log times, so the interval excludes 1
 * exactly when the test is significant (exact case).
 *
 * Pure functions of their inputs (no randomness): a report is
 * reproducible.  Library code: no messages, no exits.
 */
#ifndef SWAPLAB_STATS_H
#define SWAPLAB_STATS_H

#include <stddef.h>

/* Sorts v ascending in place. */
void stats_sort(double *v, size_t n);
/* Quantile q in [0,1] of sorted v (linear interpolation, R type 7); n >= 1. */
double stats_quantile_sorted(const double *v, size_t n, double q);
/* The k-th smallest (0-based) of v, n >= 1; v is reordered (quickselect). */
double stats_select(double *v, size_t n, size_t k);
/* Median of v (n >= 1); v is reordered. */
double stats_median(double *v, size_t n);

/* Exact samples sizes allowed: C(n+m, n) must stay exact in a double. */
int stats_mw_exact_ok(size_t n, size_t m);
/* P(U <= u) under H0 for sample sizes n, m without ties (exact); -1 if too large. */
double stats_mw_cdf(size_t n, size_t m, double u);
/*
 * The largest u with P(U <= u) <= alpha/2 (the two-sided critical value
 * of published U tables), or -1 if even U = 0 is not that rare (samples
 * too small for the level).  Exact sizes only; -2 if too large.
 */
long stats_mw_critical(size_t n, size_t m, double alpha);

struct mw_result {
	double u;       /* U of x: pairs with x > y, plus half the ties */
	double p;       /* two-sided p-value */
	double z;       /* normal approximation's z (0 when exact) */
	double sigma;   /* sd of U under H0, tie-corrected (the approximation's) */
	int exact;      /* 1: exact null distribution; 0: normal approximation */
	int ties;       /* any tie among the pooled samples */
};
/* Two-sided Mann-Whitney U test of x (n) against y (m); -1 if n or m is 0. */
int stats_mann_whitney(const double *x, size_t n, const double *y, size_t m,
		       struct mw_result *r);

/* Upper quantile of the standard normal: z with P(Z > z) = p, 0 < p < 1. */
double stats_normal_upper(double p);

struct ratio_ci {
	int ok;         /* 0: the samples are too small for this confidence */
	int exact;      /* critical value from the exact distribution */
	double lo, hi;  /* interval of the ratio x/y */
	double hl;      /* Hodges-Lehmann estimate: median of all x_i / y_j */
	size_t k;       /* rank of the lower bound among the n*m ratios (1-based) */
};
/*
 * Confidence interval (level 1 - alpha) for the ratio x/y of two positive
 * samples of times: the order statistics k and n*m+1-k of the pairwise
 * log differences log x_i - log y_j, k from the Mann-Whitney critical
 * value, exponentiated.  Exact distribution under the same conditions as
 * stats_mann_whitney.  -1 if a value is not positive or a sample empty.
 */
int stats_ratio_ci(const double *x, size_t n, const double *y, size_t m, double alpha,
		   struct ratio_ci *ci);

/* The k-th smallest (1-based) of the n*m differences x_i - y_j, both sorted. */
double stats_kth_pairwise_diff(const double *x, size_t n, const double *y, size_t m,
			       size_t k);

#endif
