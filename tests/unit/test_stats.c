/*
 * test_stats.c - reports/stats.[ch] against independently known values:
 * published two-tailed Mann-Whitney U critical values, R's documented
 * wilcox.test example, and p-values / intervals computed by brute-force
 * enumeration in python3 (tests/unit/test_stats_ref.py prints them all), then
 * the behaviour the reports promise on generated data: an A/A comparison
 * is marked significant in about alpha of trials, a 10% shift with a 5%
 * spread and 10 runs a side almost always.
 */
#include "reports/report.h"
#include "reports/stats.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int near(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want) + 1e-12;
}

/* splitmix64: a fixed, portable stream so the trials are the same everywhere. */
static uint64_t rng_state = 0x5eed5eed12345678ULL;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double rng_unit(void) /* (0, 1) */
{
	return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_normal(void) /* Box-Muller */
{
	return sqrt(-2 * log(rng_unit())) * cos(2 * M_PI * rng_unit());
}

static void test_median(void)
{
	double odd[] = { 5, 1, 4, 2, 3 }, even[] = { 8.62, 9.0, 8.0, 8.7 };
	double q[] = { 1, 2, 3, 4 };

	ok(stats_median(odd, 5) == 3, "median of 5 values");
	ok(near(stats_median(even, 4), (8.62 + 8.7) / 2, 1e-15), "median of 4 values");
	ok(near(stats_quantile_sorted(q, 4, 0.25), 1.75, 1e-15), "quantile 0.25 (type 7)");
	ok(stats_quantile_sorted(q, 4, 1) == 4 && stats_quantile_sorted(q, 4, 0) == 1,
	   "quantile 0 and 1 are min and max");
}

static int cmp_d(const void *a, const void *b);
static uint64_t rng_next(void);

static void test_select(void)
{
	int trial, bad = 0, badmed = 0;

	/* Quickselect against sorting: every k, ties and sorted inputs included. */
	for (trial = 0; trial < 300; trial++) {
		size_t n = 1 + rng_next() % 40, i, k;
		double v[40], sorted[40], w[40];

		for (i = 0; i < n; i++)
			v[i] = trial % 3 == 0 ? (double)(rng_next() % 5)
			       : trial % 3 == 1 ? (double)i : (double)(rng_next() % 1000) / 7;
		memcpy(sorted, v, sizeof(v));
		qsort(sorted, n, sizeof(double), cmp_d);
		for (k = 0; k < n; k++) {
			memcpy(w, v, sizeof(v));
			if (stats_select(w, n, k) != sorted[k])
				bad++;
		}
		memcpy(w, v, sizeof(v));
		if (stats_median(w, n) != (n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2))
			badmed++;
	}
	is_int(bad, 0, "stats_select: the k-th smallest, every k, 300 random arrays");
	is_int(badmed, 0, "stats_median: equals the sorted median");
}

static void test_critical_values(void)
{
	/* Published two-tailed critical values of U (reject if U <= value). */
	static const struct { size_t n, m; long a05, a01; } tab[] = {
		{ 5, 5, 2, 0 },    { 6, 6, 5, 2 },     { 7, 7, 8, 4 },     { 8, 8, 13, 7 },
		{ 9, 9, 17, 11 },  { 10, 10, 23, 16 }, { 11, 11, 30, 21 }, { 12, 12, 37, 27 },
		{ 15, 15, 64, 51 }, { 20, 20, 127, 105 }, { 5, 10, 8, 4 }, { 8, 12, 22, 15 },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		is_int(stats_mw_critical(tab[i].n, tab[i].m, 0.05), tab[i].a05,
		       "U critical value n=%zu m=%zu alpha=0.05", tab[i].n, tab[i].m);
		is_int(stats_mw_critical(tab[i].n, tab[i].m, 0.01), tab[i].a01,
		       "U critical value n=%zu m=%zu alpha=0.01", tab[i].n, tab[i].m);
	}
	is_int(stats_mw_critical(3, 3, 0.05), -1, "3 runs a side cannot reach p <= 0.05");
	is_int(stats_mw_critical(4, 4, 0.05), 0, "4 runs a side: only complete separation");
	ok(near(stats_mw_cdf(10, 10, 23), 0.0216, 0.01), "P(U <= 23 | 10, 10) ~ 0.0216");
	ok(stats_mw_exact_ok(27, 27) && !stats_mw_exact_ok(40, 40),
	   "exact distribution only while C(n+m, n) fits a double");
}

static void test_mann_whitney(void)
{
	/* R's ?wilcox.test example (Hollander & Wolfe): W = 35, p-value = 0.2544 */
	double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	double x2[] = { 61.2, 63.0, 59.9, 62.4, 60.7, 61.9 };
	double y2[] = { 8.6, 8.9, 8.4, 9.1, 8.7, 8.5, 60.0 };
	double x3[] = { 10, 12, 12, 15, 17, 17, 17, 20, 22, 25, 30, 31 };
	double y3[] = { 9, 10, 11, 12, 12, 13, 14, 17, 18, 18, 19, 21, 23 };
	struct mw_result r;

	stats_mann_whitney(x, 10, y, 5, &r);
	ok(r.u == 35 && r.exact && !r.ties, "R example: U = 35, exact");
	ok(near(r.p, 0.2544122544122544, 1e-12), "R example: p = 0.2544 (got %.10f)", r.p);
	stats_mann_whitney(y, 5, x, 10, &r);
	ok(r.u == 15 && near(r.p, 0.2544122544122544, 1e-12), "symmetric in the samples");

	/* Enumerated in python over all C(13,6) splits: U = 41, p = 0.002331... */
	stats_mann_whitney(x2, 6, y2, 7, &r);
	ok(r.u == 41 && near(r.p, 0.002331002331002331, 1e-12), "exact p vs enumeration (%.10f)",
	   r.p);

	/*
	 * Ties at small n: the exact permutation distribution of the midranks
	 * (counted in python over the tie groups: 0.218331..., where the
	 * normal approximation says 0.219053); and the case, where
	 * the approximation said 0.047 and marked it: exactly 2/20.
	 */
	stats_mann_whitney(x3, 12, y3, 13, &r);
	ok(r.ties && r.exact && r.u == 101, "ties, 12 vs 13: exact, U = 101");
	ok(near(r.p, 0.21833125012018537, 1e-12), "ties: exact p as counted independently (%.12f)",
	   r.p);
	{
		double a[] = { 60, 60, 60 }, b[] = { 56, 56, 56 };

		stats_mann_whitney(a, 3, b, 3, &r);
		ok(r.exact && r.ties && near(r.p, 0.1, 1e-12),
		   "[60,60,60] vs [56,56,56]: exact p = 0.100 (got %.4f)", r.p);
	}
}

static void test_large_samples(void)
{
	/* 60 vs 70 values (tests/unit/test_stats_ref.py): normal approximation. */
	static const double x[] = {
		1.277573, 0.635328, 0.979093, 1.054283, 1.176719, 1.194312, 1.07167, 0.826462,
		1.064663, 1.335077, 0.917911, 0.772917, 0.88612, 1.371217, 0.832982, 1.118179,
		0.849253, 0.527597, 0.883264, 1.05829, 0.726766, 2.006375, 1.03437, 0.891696,
		0.938466, 1.321, 0.961309, 0.621969, 1.22181, 1.372421, 0.699046, 0.824391,
		1.565658, 0.977723, 0.984902, 0.943636, 0.999473, 0.747828, 0.716385, 1.589233,
		1.420763, 0.788337, 0.803085, 1.566918, 1.201677, 0.676544, 0.901184, 1.454915,
		0.802561, 2.038896, 0.6119, 1.841988, 1.020033, 1.538184, 1.42114, 1.153903,
		1.410937, 1.158477, 1.326656, 1.286522,
	};
	static const double y[] = {
		1.065362, 0.733121, 1.246442, 1.140082, 1.035772, 1.128858, 1.336945, 0.754132,
		0.957716, 1.086175, 1.239328, 1.203494, 3.15323, 1.540645, 1.822711, 1.074308,
		1.301099, 1.266356, 0.729973, 1.244803, 2.144336, 1.038285, 0.952381, 1.719516,
		1.24187, 1.899233, 1.089937, 1.897215, 0.941605, 0.694622, 1.114986, 1.408232,
		1.008583, 1.29154, 1.402447, 1.339235, 1.407255, 1.192401, 0.93014, 1.128935,
		1.581172, 0.844392, 0.88354, 1.802867, 1.064338, 1.554779, 1.045362, 1.054511,
		1.455561, 0.627308, 1.386246, 0.703674, 1.133557, 1.159765, 0.755362, 0.53784,
		1.815482, 1.295502, 1.455686, 1.318303, 0.731282, 1.102076, 1.240936, 0.839626,
		1.350286, 1.454993, 1.103729, 1.285374, 1.666379, 0.71386,
	};
	struct mw_result r;

	stats_mann_whitney(x, 60, y, 70, &r);
	ok(!r.exact && r.u == 1649, "60 vs 70: approximation, U = 1649");
	ok(near(r.p, 0.03538715759796688, 1e-9), "60 vs 70: p = 0.035387 (got %.10f)", r.p);
	ok(near(stats_normal_upper(0.025), 1.959963984540054, 1e-12), "z(0.975) = 1.95996");
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_pairwise_selection(void)
{
	int trial, bad = 0;

	/* Against sorting all n*m differences, ties included. */
	for (trial = 0; trial < 200; trial++) {
		size_t n = 1 + rng_next() % 17, m = 1 + rng_next() % 13, i, j, k;
		double x[17], y[13], d[17 * 13];

		for (i = 0; i < n; i++)
			x[i] = (double)(rng_next() % 20) / 4 - 2;
		for (j = 0; j < m; j++)
			y[j] = trial % 2 ? rng_normal() : (double)(rng_next() % 10);
		qsort(x, n, sizeof(double), cmp_d);
		qsort(y, m, sizeof(double), cmp_d);
		for (i = 0; i < n; i++)
			for (j = 0; j < m; j++)
				d[i * m + j] = x[i] - y[j];
		qsort(d, n * m, sizeof(double), cmp_d);
		for (k = 1; k <= n * m; k++)
			if (stats_kth_pairwise_diff(x, n, y, m, k) != d[k - 1])
				bad++;
	}
	is_int(bad, 0, "k-th pairwise difference equals brute force (200 random cases)");

	/* stats_ratio_ci bisects beyond 4M pairs: the same order statistics. */
	{
		size_t n = 2100, m = 2100, i, N = n * m;
		double *x = malloc(n * sizeof(double)), *y = malloc(m * sizeof(double));
		double *lx = malloc(n * sizeof(double)), *ly = malloc(m * sizeof(double)), *d;
		struct ratio_ci ci;

		for (i = 0; i < n; i++) {
			x[i] = exp(0.3 * rng_normal());
			y[i] = exp(0.3 * rng_normal() + 0.05);
			lx[i] = log(x[i]);
			ly[i] = log(y[i]);
		}
		qsort(lx, n, sizeof(double), cmp_d);
		qsort(ly, m, sizeof(double), cmp_d);
		d = malloc(N * sizeof(double));
		for (i = 0; i < N; i++)
			d[i] = lx[i / m] - ly[i % m];
		stats_ratio_ci(x, n, y, m, 0.05, &ci);
		ok(ci.ok && ci.lo == exp(stats_select(d, N, ci.k - 1)) &&
		   ci.hi == exp(stats_select(d, N, N - ci.k)),
		   "2100 x 2100: the bisected interval equals selection over all pairs");
		free(x);
		free(y);
		free(lx);
		free(ly);
		free(d);
	}
}

static void test_ratio_ci(void)
{
	double x2[] = { 61.2, 63.0, 59.9, 62.4, 60.7, 61.9 };
	double y2[] = { 8.6, 8.9, 8.4, 9.1, 8.7, 8.5, 60.0 };
	double x5[] = { 61.82, 60.10, 63.40, 62.00, 59.80, 61.00, 64.20, 62.50, 60.90, 61.50 };
	double y5[] = { 8.62, 8.40, 8.95, 8.70, 8.55, 8.80, 8.50, 8.66, 9.10, 8.59 };
	double small[] = { 1, 2, 3 }, neg[] = { 1, -2 };
	struct ratio_ci ci;

	/* Brute force in python: k = crit + 1, order statistics of all log ratios. */
	stats_ratio_ci(x2, 6, y2, 7, 0.05, &ci);
	ok(ci.ok && ci.exact && ci.k == 7, "6 vs 7: exact interval, k = 7");
	ok(near(ci.lo, 6.58241758241758, 1e-12) && near(ci.hi, 7.285714285714285, 1e-12),
	   "6 vs 7: [6.5824, 7.2857] (got [%.6f, %.6f])", ci.lo, ci.hi);
	ok(near(ci.hl, 7.040767983189293, 1e-12), "6 vs 7: Hodges-Lehmann ratio 7.0408");
	stats_ratio_ci(x5, 10, y5, 10, 0.05, &ci);
	ok(ci.ok && ci.k == 24, "10 vs 10: k = 24 (critical value 23)");
	ok(near(ci.lo, 6.939953810623556, 1e-12) && near(ci.hi, 7.2729411764705905, 1e-12) &&
	   near(ci.hl, 7.112394263679024, 1e-12),
	   "10 vs 10: [6.9400, 7.2729], HL 7.1124 (got [%.6f, %.6f] %.6f)", ci.lo, ci.hi, ci.hl);
	stats_ratio_ci(small, 3, small, 3, 0.05, &ci);
	ok(!ci.ok, "3 vs 3: no 95%% interval exists");
	ok(stats_ratio_ci(neg, 2, small, 3, 0.05, &ci) == -1, "non-positive times are refused");
}

/* n lognormal times around median, log-sd sd. */
static void draw(double *v, size_t n, double median, double sd)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = median * exp(sd * rng_normal());
}

static void test_generated(void)
{
	double a[60], b[60];
	int t, aa = 0, shift = 0, agree = 0, trials_aa = 2000, trials_shift = 1000;
	struct mw_result r;
	struct ratio_ci ci;

	/* A/A: same distribution on both sides; alpha 0.05 (exact size 0.043 at 10/10). */
	for (t = 0; t < trials_aa; t++) {
		draw(a, 10, 61.82, 0.05);
		draw(b, 10, 61.82, 0.05);
		stats_mann_whitney(a, 10, b, 10, &r);
		aa += r.p <= 0.05;
		stats_ratio_ci(a, 10, b, 10, 0.05, &ci);
		/* The interval excludes 1 exactly when the exact test rejects. */
		agree += (ci.lo > 1 || ci.hi < 1) == (r.p <= 0.05);
	}
	ok(aa >= 0.025 * trials_aa && aa <= 0.065 * trials_aa,
	   "A/A, 10 runs a side: %d of %d trials significant (%.1f%%, expect ~4.3%%)", aa,
	   trials_aa, 100.0 * aa / trials_aa);
	is_int(agree, trials_aa, "A/A: the interval excludes 1 iff the test is significant");

	/* A 10% shift with a 5% spread (log-sd 0.05), 10 runs a side. */
	for (t = 0; t < trials_shift; t++) {
		draw(a, 10, 61.82 * 1.10, 0.05);
		draw(b, 10, 61.82, 0.05);
		stats_mann_whitney(a, 10, b, 10, &r);
		shift += r.p <= 0.05;
	}
	ok(shift >= 0.93 * trials_shift,
	   "10%% shift, 5%% spread, 10 runs a side: %d of %d trials significant (%.1f%%)", shift,
	   trials_shift, 100.0 * shift / trials_shift);

	/* Larger samples go through the approximation: still about alpha under A/A. */
	aa = 0;
	for (t = 0; t < 1000; t++) {
		draw(a, 60, 10, 0.1);
		draw(b, 60, 10, 0.1);
		stats_mann_whitney(a, 60, b, 60, &r);
		aa += r.p <= 0.05;
	}
	ok(aa >= 25 && aa <= 70, "A/A, 60 runs a side (approximation): %d of 1000 significant", aa);
}

/* Q(tau) by its definition (pairs loops), for groups given as labels of v. */
static double brute_q(const double *v, const unsigned *lab, size_t n, unsigned tau)
{
	double lr = 0, ll = 0, rr = 0, e;
	size_t i, j, nl = 0, nr = 0;

	for (i = 0; i < n; i++)
		lab[i] < tau ? nl++ : nr++;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			double d = fabs(v[i] - v[j]);

			if ((lab[i] < tau) != (lab[j] < tau))
				lr += d;
			else if (lab[i] < tau)
				ll += d;
			else
				rr += d;
		}
	e = 2 * lr / (nl * nr) - (nl > 1 ? ll / (nl * (nl - 1) / 2.0) : 0) -
	    (nr > 1 ? rr / (nr * (nr - 1) / 2.0) : 0);
	return (double)nl * nr / (nl + nr) * e;
}

static double brute_max(const double *v, const unsigned *lab, size_t n, unsigned K)
{
	double best = -INFINITY;
	unsigned tau;

	for (tau = 1; tau < K; tau++)
		if (brute_q(v, lab, n, tau) > best)
			best = brute_q(v, lab, n, tau);
	return best;
}

static int next_perm(unsigned *v, size_t n)
{
	size_t i = n - 1, j;
	unsigned t;

	while (i > 0 && v[i - 1] >= v[i])
		i--;
	if (!i)
		return 0;
	for (j = n - 1; v[j] <= v[i - 1]; j--)
		;
	t = v[i - 1], v[i - 1] = v[j], v[j] = t;
	for (j = n - 1; i < j; i++, j--)
		t = v[i], v[i] = v[j], v[j] = t;
	return 1;
}

static void test_edivisive(void)
{
	size_t sizes[4] = { 3, 3, 3, 3 }, i;
	double v[12];
	unsigned lab[12];
	struct stats_cp r, r2;
	double q0, exact;
	unsigned long hits = 0, total = 0;
	int trial, small = 0;

	/* 12!/(3!^4) = 369,600 assignments: drawn, not enumerated.  Against the full count here. */
	for (i = 0; i < 12; i++)
		v[i] = rng_normal() + (i >= 6 ? 1.2 : 0);
	stats_edivisive(v, sizes, 4, 999, 7, &r);
	for (i = 0; i < 12; i++)
		lab[i] = (unsigned)(i / 3);
	q0 = brute_max(v, lab, 12, 4);
	do {
		hits += brute_max(v, lab, 12, 4) >= q0 - 1e-12 * fabs(q0);
		total++;
	} while (next_perm(lab, 12));
	exact = (double)hits / total;
	ok(!r.exact && total == 369600 && fabs(r.q - q0) < 1e-9 * fabs(q0),
	   "E-divisive, 4 groups of 3: drawn permutations, Q = %.6f as by definition", r.q);
	ok(fabs(r.p - exact) < 3 * sqrt(exact * (1 - exact) / 999) + 0.002,
	   "the drawn p-value %.4f agrees with the exact one %.4f (all 369,600 assignments)", r.p, exact);
	stats_edivisive(v, sizes, 4, 999, 7, &r2);
	ok(r2.p == r.p && r2.at == r.at, "the same seed, the same answer (reproducible reports)");

	/* Under no change the p-value is not small more often than its level. */
	for (trial = 0; trial < 200; trial++) {
		for (i = 0; i < 12; i++)
			v[i] = rng_normal();
		stats_edivisive(v, sizes, 4, 199, (unsigned long long)trial, &r);
		small += r.p <= 0.05;
	}
	ok(small <= 18, "no change: p <= 0.05 in %d of 200 series (~10 expected)", small);
}

/*
 * --xcheck: a line-oriented driver for tests/unit/test_stats_ref.py, which
 * sends cases and compares the answers with its own computation.  One
 * request a line, numbers as %.17g; one answer line each.
 */
static int xcheck(void)
{
	char cmd[32];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (scanf("%31s", cmd) == 1) {
		if (!strcmp(cmd, "sf2")) {
			double t, df;

			if (scanf("%lf %lf", &t, &df) != 2)
				return 1;
			printf("%.17g\n", stats_t_sf2(t, df));
		} else if (!strcmp(cmd, "tq")) {
			double p, df;

			if (scanf("%lf %lf", &p, &df) != 2)
				return 1;
			printf("%.17g\n", stats_t_upper(p, df));
		} else if (!strcmp(cmd, "power")) {
			double l, df, a;

			if (scanf("%lf %lf %lf", &l, &df, &a) != 3)
				return 1;
			printf("%.17g\n", stats_t_power(l, df, a));
		} else if (!strcmp(cmd, "mde")) {
			double df, a, pw;

			if (scanf("%lf %lf %lf", &df, &a, &pw) != 3)
				return 1;
			printf("%.17g\n", stats_t_mde(df, a, pw));
		} else if (!strcmp(cmd, "bh")) {
			size_t n, i;
			double *p;

			if (scanf("%zu", &n) != 1)
				return 1;
			p = calloc(n + 1, sizeof(*p));
			for (i = 0; i < n; i++)
				if (scanf("%lf", &p[i]) != 1)
					return 1;
			stats_bh_adjust(p, n, p);
			for (i = 0; i < n; i++)
				printf("%s%.17g", i ? " " : "", p[i]);
			printf("\n");
			free(p);
		} else if (!strcmp(cmd, "cmp")) {
			size_t n, i;
			double *v;
			int *side;
			unsigned *block;
			struct stats_cmp r;

			if (scanf("%zu", &n) != 1)
				return 1;
			v = calloc(n, sizeof(*v));
			side = calloc(n, sizeof(*side));
			block = calloc(n, sizeof(*block));
			for (i = 0; i < n; i++)
				if (scanf("%lf %d %u", &v[i], &side[i], &block[i]) != 3)
					return 1;
			stats_blocked_t(v, side, block, n, &r);
			printf("%d %.17g %.17g %.17g %.17g %.17g\n", r.ok, r.d, r.se, r.df, r.t, r.p);
			free(v);
			free(side);
			free(block);
		} else if (!strcmp(cmd, "mw")) {
			size_t n, m, i;
			double *x;
			struct mw_result r;

			if (scanf("%zu %zu", &n, &m) != 2)
				return 1;
			x = calloc(n + m, sizeof(*x));
			for (i = 0; i < n + m; i++)
				if (scanf("%lf", &x[i]) != 1)
					return 1;
			stats_mann_whitney(x, n, x + n, m, &r);
			printf("%.17g %.17g %d\n", r.u, r.p, r.exact);
			free(x);
		} else if (!strcmp(cmd, "cp")) {
			size_t K, i, n = 0;
			size_t *sizes;
			double *v;
			struct stats_cp r;

			if (scanf("%zu", &K) != 1)
				return 1;
			sizes = calloc(K, sizeof(*sizes));
			for (i = 0; i < K; i++) {
				if (scanf("%zu", &sizes[i]) != 1)
					return 1;
				n += sizes[i];
			}
			v = calloc(n, sizeof(*v));
			for (i = 0; i < n; i++)
				if (scanf("%lf", &v[i]) != 1)
					return 1;
			stats_edivisive(v, sizes, K, 999, 42, &r);
			printf("%zu %.17g %.17g %d\n", r.at, r.q, r.p, r.exact);
			free(v);
			free(sizes);
		} else if (!strcmp(cmd, "decide")) {
			/* decide F alpha min_effect, then per comparison: nx ny x... y... */
			size_t F, i, j;
			double alpha, me;
			struct report_cmp *c;
			struct report_verdict *v;
			struct report_family f;

			if (scanf("%zu %lf %lf", &F, &alpha, &me) != 3)
				return 1;
			c = calloc(F, sizeof(*c));
			v = calloc(F, sizeof(*v));
			for (i = 0; i < F; i++) {
				double *x;

				if (scanf("%zu %zu", &c[i].nx, &c[i].ny) != 2)
					return 1;
				x = calloc(c[i].nx + c[i].ny + 1, sizeof(*x));
				for (j = 0; j < c[i].nx + c[i].ny; j++)
					if (scanf("%lf", &x[j]) != 1)
						return 1;
				c[i].x = x;
				c[i].y = x + c[i].nx;
				c[i].v = &v[i];
			}
			report_decide(c, F, alpha, me, &f);
			printf("%.17g", f.ci_level);
			for (i = 0; i < F; i++) {
				printf(" %d %.17g %.17g %.17g %.17g %.17g %d", v[i].dir, v[i].estimate,
				       v[i].lo, v[i].hi, v[i].p, v[i].p_adj, v[i].ci_ok);
				free((double *)c[i].x);
			}
			printf("\n");
			free(c);
			free(v);
		} else {
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--xcheck"))
		return xcheck();
	test_median();
	test_select();
	test_critical_values();
	test_mann_whitney();
	test_large_samples();
	test_pairwise_selection();
	test_ratio_ci();
	test_generated();
	test_edivisive();
	return done_testing();
}
