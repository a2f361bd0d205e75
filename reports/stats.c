/*
 * reports/stats.c - medians, the Mann-Whitney U test and the
 * Hodges-Lehmann ratio interval for the speedup reports (see stats.h).
 *
 * The exact null distribution of U is the coefficient list of the
 * Gaussian binomial [n+m choose n]_q, built by multiplying and dividing
 * polynomials with integer coefficients held in doubles; it is exact
 * while C(n+m, n) < 2^53, which stats_mw_exact_ok() checks.  Order
 * statistics of the n*m pairwise differences are found by bisection over
 * the ordered bit patterns of doubles, counting in O(n+m) per step, so
 * large samples never materialise n*m values.
 */
#include "reports/stats.h"
#include "common/util.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void insertion_sort(double *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		double x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * Quicksort (median-of-three, insertion sort below 16, recursion on the
 * smaller side): a report sorts tens of thousands of figures per row,
 * and qsort()'s callback per comparison doubled the cost.
 */
void stats_sort(double *v, size_t n)
{
	while (n > 16) {
		double a = v[0], b = v[n / 2], c = v[n - 1];
		double x = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
		size_t i = 0, j = n - 1;

		for (;;) {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i >= j)
				break;
			double t = v[i];
			v[i++] = v[j];
			v[j--] = t;
		}
		/* v[0..j] <= x <= v[j+1..n-1] */
		if (j + 1 < n - j - 1) {
			stats_sort(v, j + 1);
			v += j + 1;
			n -= j + 1;
		} else {
			stats_sort(v + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	insertion_sort(v, n);
}

double stats_quantile_sorted(const double *v, size_t n, double q)
{
	double h;
	size_t i;

	assert(n >= 1 && q >= 0 && q <= 1);
	h = (double)(n - 1) * q;
	i = (size_t)h;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

double stats_select(double *v, size_t n, size_t k)
{
	long l = 0, m = (long)n - 1, kk = (long)k;

	assert(k < n);
	/*
	 * Wirth's selection: partition v[l..m] around an element x until the
	 * k-th position is settled; everything left of it is <= v[k].
	 */
	while (l < m) {
		double a = v[l], b = v[l + (m - l) / 2], c = v[m];
		double x = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
		long i = l, j = m;

		do {
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j) {
				double t = v[i];

				v[i++] = v[j];
				v[j--] = t;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
	return v[k];
}

double stats_median(double *v, size_t n)
{
	double upper;
	size_t i;

	assert(n >= 1);
	upper = stats_select(v, n, n / 2);
	if (n % 2)
		return upper;
	/* The lower middle is the largest value left of the upper one. */
	{
		double lower = v[0];

		for (i = 1; i < n / 2; i++)
			if (v[i] > lower)
				lower = v[i];
		return (lower + upper) / 2;
	}
}

int stats_mw_exact_ok(size_t n, size_t m)
{
	double c = 1;
	size_t i, a = n < m ? n : m, b = n < m ? m : n;

	if (!n || !m)
		return 0;
	/* C(a+b, a) = prod (b+i)/i, increasing partial products. */
	for (i = 1; i <= a; i++) {
		c = c * (double)(b + i) / (double)i;
		if (c >= 9007199254740992.0 / 4) /* 2^51: margin for the summed tails */
			return 0;
	}
	return 1;
}

/*
 * Frequencies of U = 0..n*m under H0 (no ties): coefficients of
 * [n+m choose n]_q = prod_{i=1..a} (1 - q^(b+i)) / (1 - q^i).
 */
static double *mw_counts(size_t n, size_t m)
{
	size_t a = n < m ? n : m, b = n < m ? m : n, top = a * b, i, u;
	double *c = xcalloc(top + 1, sizeof(*c));

	c[0] = 1;
	for (i = 1; i <= a; i++) {
		/* times (1 - q^(b+i)), truncated at degree a*b (higher terms cancel) */
		for (u = top; u >= b + i; u--)
			c[u] -= c[u - (b + i)];
		/* divided by (1 - q^i): c[u] += c[u-i], ascending */
		for (u = i; u <= top; u++)
			c[u] += c[u - i];
	}
	return c;
}

double stats_mw_cdf(size_t n, size_t m, double u)
{
	double *c, below = 0, total = 0;
	size_t k, top = n * m;

	if (!stats_mw_exact_ok(n, m))
		return -1;
	if (u < 0)
		return 0;
	if (u >= (double)top)
		return 1;
	c = mw_counts(n, m);
	for (k = 0; k <= top; k++) {
		total += c[k];
		if ((double)k <= u)
			below += c[k];
	}
	free(c);
	return below / total;
}

long stats_mw_critical(size_t n, size_t m, double alpha)
{
	double *c, total = 0, below = 0;
	size_t k, top = n * m;
	long crit = -1;

	if (!stats_mw_exact_ok(n, m))
		return -2;
	c = mw_counts(n, m);
	for (k = 0; k <= top; k++)
		total += c[k];
	for (k = 0; k <= top / 2; k++) {
		below += c[k];
		if (below / total > alpha / 2)
			break;
		crit = (long)k;
	}
	free(c);
	return crit;
}

double stats_normal_upper(double p)
{
	double lo = -40, hi = 40;
	int i;

	assert(p > 0 && p < 1);
	/* P(Z > z) = erfc(z / sqrt 2) / 2 decreases in z: bisect. */
	for (i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(mid / M_SQRT2) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

struct tagged {
	double v;
	int from_x;
};

static int cmp_tagged(const void *a, const void *b)
{
	return cmp_double(&((const struct tagged *)a)->v, &((const struct tagged *)b)->v);
}

int stats_mann_whitney(const double *x, size_t n, const double *y, size_t m,
		       struct mw_result *r)
{
	size_t N = n + m, i, j;
	struct tagged *t;
	double rank_x = 0, tie_sum = 0, mu, var;

	memset(r, 0, sizeof(*r));
	if (!n || !m)
		return -1;
	t = xmalloc(N * sizeof(*t));
	for (i = 0; i < n; i++)
		t[i] = (struct tagged){ x[i], 1 };
	for (j = 0; j < m; j++)
		t[n + j] = (struct tagged){ y[j], 0 };
	qsort(t, N, sizeof(*t), cmp_tagged);
	/* Midranks: a run of equal values [i, j) all get rank (i+1 + j) / 2. */
	for (i = 0; i < N; i = j) {
		double rank, len;

		for (j = i + 1; j < N && t[j].v == t[i].v; j++)
			;
		len = (double)(j - i);
		rank = ((double)(i + 1) + (double)j) / 2;
		if (len > 1) {
			r->ties = 1;
			tie_sum += len * len * len - len;
		}
		for (size_t k = i; k < j; k++)
			if (t[k].from_x)
				rank_x += rank;
	}
	free(t);
	r->u = rank_x - (double)n * (double)(n + 1) / 2;
	mu = (double)n * (double)m / 2;
	var = (double)n * (double)m / 12 *
	      ((double)(N + 1) - tie_sum / ((double)N * (double)(N - 1)));
	r->sigma = var > 0 ? sqrt(var) : 0;
	if (!r->ties && stats_mw_exact_ok(n, m)) {
		/* p = 2 min(P(U <= u), P(U >= u)), from the exact frequencies. */
		double *c = mw_counts(n, m), total = 0, lower = 0, upper = 0;
		size_t top = n * m, k, u = (size_t)r->u;

		for (k = 0; k <= top; k++) {
			total += c[k];
			if (k <= u)
				lower += c[k];
			if (k >= u)
				upper += c[k];
		}
		free(c);
		r->exact = 1;
		r->p = 2 * (lower < upper ? lower : upper) / total;
	} else {
		if (r->sigma <= 0) {
			r->p = 1;
		} else {
			r->z = (fabs(r->u - mu) - 0.5) / r->sigma;
			if (r->z < 0)
				r->z = 0;
			r->p = erfc(r->z / M_SQRT2);
		}
	}
	if (r->p > 1)
		r->p = 1;
	return 0;
}

/* Doubles as unsigned integers in the same order (no NaN here). */
static uint64_t dkey(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return (u >> 63) ? ~u : u | (1ULL << 63);
}

static double dval(uint64_t k)
{
	double d;

	k = (k >> 63) ? k & ~(1ULL << 63) : ~k;
	memcpy(&d, &k, sizeof(d));
	return d;
}

/* Number of pairs with x_i - y_j <= t; x and y sorted ascending. */
static size_t count_le(const double *x, size_t n, const double *y, size_t m, double t)
{
	size_t i, j = 0, c = 0;

	/* For fixed i the qualifying j form a suffix, whose start only moves right. */
	for (i = 0; i < n; i++) {
		while (j < m && x[i] - y[j] > t)
			j++;
		c += m - j;
	}
	return c;
}

double stats_kth_pairwise_diff(const double *x, size_t n, const double *y, size_t m, size_t k)
{
	uint64_t lo, hi;

	assert(n && m && k >= 1 && k <= n * m);
	/* count_le(lo) < k <= count_le(hi) throughout. */
	lo = dkey(x[0] - y[m - 1]) - 1;
	hi = dkey(x[n - 1] - y[0]);
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (count_le(x, n, y, m, dval(mid)) >= k)
			hi = mid;
		else
			lo = mid;
	}
	/* No double lies between lo and hi: the k-th difference is hi itself. */
	return dval(hi);
}

/*
 * The k-th pairwise difference for stats_ratio_ci(): up to a few million
 * pairs, select among them (O(nm), the array built once); beyond, bisect
 * without building them (O((n+m) log)).  Both are exact.
 */
#define MAX_PAIRS (4u << 20)

struct pairs {
	double *d;      /* the n*m differences, once built */
	int split;      /* d is partitioned around its middle index (median selected) */
};

static double kth_diff(const double *x, size_t n, const double *y, size_t m, size_t k,
		       struct pairs *p)
{
	size_t i, j, N = n * m, mid = N / 2;
	double v;

	if (N > MAX_PAIRS)
		return stats_kth_pairwise_diff(x, n, y, m, k);
	if (!p->d) {
		p->d = xmalloc(N * sizeof(*p->d));
		for (i = 0; i < n; i++)
			for (j = 0; j < m; j++)
				p->d[i * m + j] = x[i] - y[j];
	}
	/* Once the middle is in place, only the half holding k needs searching. */
	if (p->split && k - 1 < mid)
		return stats_select(p->d, mid, k - 1);
	if (p->split && k - 1 > mid)
		return stats_select(p->d + mid + 1, N - mid - 1, k - 1 - mid - 1);
	v = stats_select(p->d, N, k - 1);
	p->split |= k - 1 == mid;
	return v;
}

static double *sorted_logs(const double *v, size_t n)
{
	double *l = xmalloc(n * sizeof(*l));
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(v[i] > 0)) {
			free(l);
			return NULL;
		}
		l[i] = log(v[i]);
	}
	stats_sort(l, n);
	return l;
}

int stats_ratio_ci(const double *x, size_t n, const double *y, size_t m, double alpha,
		   struct ratio_ci *ci)
{
	double *lx, *ly;
	struct pairs d = { NULL, 0 };
	size_t N = n * m;
	struct mw_result mw;
	long crit;

	memset(ci, 0, sizeof(*ci));
	if (!n || !m)
		return -1;
	lx = sorted_logs(x, n);
	ly = sorted_logs(y, m);
	if (!lx || !ly) {
		free(lx);
		free(ly);
		return -1;
	}
	stats_mann_whitney(x, n, y, m, &mw);
	if (mw.exact) {
		crit = stats_mw_critical(n, m, alpha);
		ci->exact = 1;
	} else {
		/* The rejection bound of the approximate test (ties, continuity). */
		crit = (long)floor((double)N / 2 - 0.5 - stats_normal_upper(alpha / 2) * mw.sigma);
	}
	/* The median first: later selections then only reorder within its halves. */
	if (N % 2)
		ci->hl = exp(kth_diff(lx, n, ly, m, (N + 1) / 2, &d));
	else
		ci->hl = exp((kth_diff(lx, n, ly, m, N / 2 + 1, &d) +
			      kth_diff(lx, n, ly, m, N / 2, &d)) / 2);
	if (crit >= 0 && (size_t)crit < N / 2) {
		ci->ok = 1;
		ci->k = (size_t)crit + 1;
		ci->lo = exp(kth_diff(lx, n, ly, m, ci->k, &d));
		ci->hi = exp(kth_diff(lx, n, ly, m, N + 1 - ci->k, &d));
	}
	free(d.d);
	free(lx);
	free(ly);
	return 0;
}
