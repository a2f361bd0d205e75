/*
 * reports/stats.h - the statistics behind the speedup reports, kept apart
 * from any formatting:
 *
 *   - medians and quantiles;
 *   - the Mann-Whitney U test (two-sided; exact null distribution for
 *     small samples, with ties too, else the normal approximation with
 *     tie and continuity correction) and the Hodges-Lehmann confidence
 *     interval of a ratio of times obtained by inverting it;
 *   - the decision the reports make on invocations: a t test of the
 *     difference between two sides' (log) figures in an additive model
 *     with blocks (one block: Student's pooled two-sample t test; one
 *     observation a side per block: the paired t test), its interval,
 *     its power and the minimum detectable effect;
 *   - the Benjamini-Hochberg adjustment of a family of p-values;
 *   - E-divisive change-point detection (energy statistic, permutation
 *     test) over a sequence of groups of observations.
 *
 * Pure functions of their inputs (the permutation tests draw from a
 * generator seeded by the caller): a report is reproducible.  Library
 * code: no messages, no exits.
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

/* ---- Student's t, the blocked comparison, power ---- */

/* Two-sided tail P(|T| >= |t|) of Student's t with df > 0 degrees of freedom. */
double stats_t_sf2(double t, double df);
/* Upper quantile: t with P(T > t) = p, 0 < p < 0.5 (bisection on stats_t_sf2). */
double stats_t_upper(double p, double df);

/*
 * The comparison of side 0 ("x", e.g. base) with side 1 ("y") in the
 * additive model  value = block effect + side effect + error  (errors
 * independent, one normal spread), fitted by least squares:
 *
 *   d   = sum_b w_b (mean_x,b - mean_y,b) / sum_b w_b,
 *         w_b = n_x,b n_y,b / (n_x,b + n_y,b)  over blocks holding both sides;
 *   s^2 = (within-cell sums of squares + sum_b w_b (d_b - d)^2) / df,
 *         df = N - B - 1 (N values, B blocks);
 *   se  = s / sqrt(sum_b w_b),  t = d / se,  p two-sided with df.
 *
 * One block is Student's pooled two-sample t test; one value a side in
 * each block is the paired t test.  Blocks are small integers chosen by
 * the caller (a board, a round); values in a block holding one side only
 * estimate the spread but not d.
 */
struct stats_cmp {
	int ok;          /* 1: d, se, df, t and p are set */
	int no_spread;   /* not ok because every value equals its cell's mean */
	size_t n_x, n_y; /* values of each side in blocks holding both */
	size_t blocks;   /* blocks holding both sides */
	double d;        /* estimated mean(x) - mean(y) */
	double s;        /* residual standard deviation */
	double se, df, t, p;
};
/* -1 if n is 0 or a side is not 0/1; 0 otherwise (r->ok says whether it could test). */
int stats_blocked_t(const double *v, const int *side, const unsigned *block, size_t n,
		    struct stats_cmp *r);
/* The 1 - alpha interval of d (r->ok): d -/+ t(alpha/2, df) se. */
void stats_cmp_interval(const struct stats_cmp *r, double alpha, double *lo, double *hi);

/*
 * Power of the two-sided t test at level alpha with df degrees of
 * freedom when the true d is lambda standard errors (noncentral t,
 * integrated numerically over the spread estimate's distribution).
 */
double stats_t_power(double lambda, double df, double alpha);
/* The smallest lambda (in standard errors) detected with the given power. */
double stats_t_mde(double df, double alpha, double power);

/* ---- multiple comparisons ---- */

/*
 * Benjamini-Hochberg adjusted p-values: adj_(i) = min over j >= i of
 * min(1, n p_(j) / j) in ascending order of p.  Rejecting adj <= q
 * controls the false discovery rate at q (independent or positively
 * dependent tests) and, when every hypothesis is true, the chance of
 * any rejection.  adj may alias p.
 */
void stats_bh_adjust(const double *p, size_t n, double *adj);

/* ---- change points ---- */

/*
 * E-divisive (Matteson & James 2014) over K consecutive groups of values
 * (group k has sizes[k] values, concatenated in v): for each boundary
 * tau (groups [0, tau) against [tau, K)) the energy statistic
 *
 *   Q(tau) = nL nR / (nL + nR) * (2 mean|x - y| - mean|x - x'| - mean|y - y'|)
 *
 * and the boundary maximising it.  Its significance is a permutation
 * test of the maximum over boundaries: values are reassigned to the
 * groups (sizes kept) - every distinct assignment when there are at most
 * STATS_CP_EXACT of them, else perms random ones from seed.
 */
#define STATS_CP_EXACT 20000
struct stats_cp {
	size_t at;       /* first group after the change, 1..K-1 */
	double q;        /* Q(at), the largest */
	double p;        /* permutation p-value of that maximum */
	int exact;       /* 1: every assignment enumerated */
};
/* -1 if K < 2 or a group is empty. */
int stats_edivisive(const double *v, const size_t *sizes, size_t K, unsigned perms,
		    unsigned long long seed, struct stats_cp *r);

#endif
