/*
 * reports/stats.c - medians, the Mann-Whitney U test and the
 * Hodges-Lehmann ratio interval, the blocked t test with its interval,
 * power and minimum detectable effect, the Benjamini-Hochberg adjustment
 * and E-divisive change points, for the speedup reports (see stats.h).
 *
 * The exact null distribution of U (no ties) is the coefficient list of the
 * Gaussian binomial [n+m choose n]_q, built by multiplying and dividing
 * polynomials with integer coefficients held in doubles; it is exact
 * while C(n+m, n) < 2^53, which stats_mw_exact_ok() checks.  Order
 * statistics of the n*m pairwise differences are found by bisection over
 * the ordered bit patterns of doubles, counting in O(n+m) per step, so
 * large samples never materialise n*m values.  With ties and small
 * samples the distribution of the midrank sum is counted exactly.
 *
 * Student's t distribution comes from the regularized incomplete beta
 * function (continued fraction); its quantiles by bisection, so a test
 * and the interval that inverts it use the same function.
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

/*
 * The exact two-sided p-value of a rank sum with ties: the null
 * distribution of the sum of n of the N (doubled, so integer) midranks,
 * counted by choosing elements one at a time (cnt[k][s]: ways to pick k
 * of the elements seen so far with doubled rank sum s).  N <= 100 and
 * C(N, n) below 2^51 keep it small and exact.
 */
static double mw_exact_tied_p(const unsigned *r2, size_t N, size_t n, unsigned long obs)
{
	size_t e, k, top = 0, s;
	double *cnt, lower = 0, upper = 0, total = 0, p;

	for (e = 0; e < N; e++)
		top += r2[e];
	cnt = xcalloc((n + 1) * (top + 1), sizeof(*cnt));
	cnt[0] = 1;
	for (e = 0; e < N; e++)
		for (k = (e + 1 < n ? e + 1 : n); k >= 1; k--)
			for (s = top; s >= r2[e]; s--)
				cnt[k * (top + 1) + s] += cnt[(k - 1) * (top + 1) + s - r2[e]];
	for (s = 0; s <= top; s++) {
		double c = cnt[n * (top + 1) + s];

		total += c;
		if (s <= obs)
			lower += c;
		if (s >= obs)
			upper += c;
	}
	free(cnt);
	p = 2 * (lower < upper ? lower : upper) / total;
	return p > 1 ? 1 : p;
}

int stats_mann_whitney(const double *x, size_t n, const double *y, size_t m,
		       struct mw_result *r)
{
	size_t N = n + m, i, j;
	struct tagged *t;
	unsigned *r2;
	unsigned long r2x = 0;
	double rank_x = 0, tie_sum = 0, mu, var;

	memset(r, 0, sizeof(*r));
	if (!n || !m)
		return -1;
	t = xmalloc(N * sizeof(*t));
	r2 = xmalloc(N * sizeof(*r2));
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
		for (size_t k = i; k < j; k++) {
			r2[k] = (unsigned)(i + 1 + j);
			if (t[k].from_x) {
				rank_x += rank;
				r2x += r2[k];
			}
		}
	}
	free(t);
	r->u = rank_x - (double)n * (double)(n + 1) / 2;
	mu = (double)n * (double)m / 2;
	var = (double)n * (double)m / 12 *
	      ((double)(N + 1) - tie_sum / ((double)N * (double)(N - 1)));
	r->sigma = var > 0 ? sqrt(var) : 0;
	if (r->ties && N <= 100 && stats_mw_exact_ok(n, m)) {
		/* Ties at small n: the exact permutation distribution of the midranks. */
		r->exact = 1;
		r->p = mw_exact_tied_p(r2, N, n, r2x);
	} else if (!r->ties && stats_mw_exact_ok(n, m)) {
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
	free(r2);
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
	/* With ties the order statistics of the differences tie too: the approximate bound. */
	if (mw.exact && !mw.ties) {
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

/* ---- Student's t ---- */

/* Continued fraction of the regularized incomplete beta function (modified Lentz). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 100000; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
		d = 1 + aa * d;
		c = 1 + aa / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
		d = 1 + aa * d;
		c = 1 + aa / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		c = fabs(c) < tiny ? tiny : c;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return h;
}

/* I_x(a, b), the regularized incomplete beta function. */
static double betai(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	/* The fraction converges fast on the side of the mean; use the symmetry beyond. */
	if (x < (a + 1) / (a + b + 2))
		return front * betacf(a, b, x) / a;
	return 1 - front * betacf(b, a, 1 - x) / b;
}

double stats_t_sf2(double t, double df)
{
	assert(df > 0);
	if (isnan(t))
		return 1;
	if (isinf(t))
		return 0;
	/* P(|T| >= t) = I_{df/(df+t^2)}(df/2, 1/2) */
	return betai(df / 2, 0.5, df / (df + t * t));
}

static double t_pdf(double t, double df)
{
	return exp(lgamma((df + 1) / 2) - lgamma(df / 2) - (df + 1) / 2 * log1p(t * t / df)) /
	       sqrt(df * M_PI);
}

double stats_t_upper(double p, double df)
{
	double lo = 0, hi = 1, t;
	int i;

	assert(p > 0 && p < 0.5 && df > 0);
	while (stats_t_sf2(hi, df) / 2 > p)
		hi *= 2;
	/* Newton on P(T > t) - p, kept inside the bracket [lo, hi] (bisect when it leaves). */
	t = hi / 2;
	for (i = 0; i < 200; i++) {
		double g = stats_t_sf2(t, df) / 2 - p, next;

		if (g > 0)
			lo = t;
		else
			hi = t;
		if (g == 0 || hi - lo <= 4e-16 * hi)
			break;
		next = t + g / t_pdf(t, df);
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		if (fabs(next - t) <= 1e-15 * t) {
			t = next;
			break;
		}
		t = next;
	}
	return t;
}

/* ---- the blocked comparison ---- */

struct cellsum {
	size_t n;
	double mean, ss;
};

int stats_blocked_t(const double *v, const int *side, const unsigned *block, size_t n,
		    struct stats_cmp *r)
{
	unsigned *ids;
	struct cellsum *c;  /* [2 * b + side] */
	size_t i, b, nb = 0;
	double W = 0, dw = 0, ss = 0, scale = 0;

	memset(r, 0, sizeof(*r));
	if (!n)
		return -1;
	for (i = 0; i < n; i++)
		if (side[i] != 0 && side[i] != 1)
			return -1;
	ids = xmalloc(n * sizeof(*ids));
	for (i = 0; i < n; i++) {
		for (b = 0; b < nb && ids[b] != block[i]; b++)
			;
		if (b == nb)
			ids[nb++] = block[i];
	}
	c = xcalloc(2 * nb, sizeof(*c));
	/* Two passes: means, then sums of squares about them (no cancellation). */
	for (i = 0; i < n; i++) {
		for (b = 0; ids[b] != block[i]; b++)
			;
		c[2 * b + side[i]].n++;
		c[2 * b + side[i]].mean += v[i];
		if (fabs(v[i]) > scale)
			scale = fabs(v[i]);
	}
	for (b = 0; b < 2 * nb; b++)
		if (c[b].n)
			c[b].mean /= (double)c[b].n;
	for (i = 0; i < n; i++) {
		struct cellsum *cs;

		for (b = 0; ids[b] != block[i]; b++)
			;
		cs = &c[2 * b + side[i]];
		cs->ss += (v[i] - cs->mean) * (v[i] - cs->mean);
	}
	for (b = 0; b < nb; b++) {
		const struct cellsum *x = &c[2 * b], *y = &c[2 * b + 1];
		double w;

		ss += x->ss + y->ss;
		if (!x->n || !y->n)
			continue;
		w = (double)x->n * (double)y->n / (double)(x->n + y->n);
		W += w;
		dw += w * (x->mean - y->mean);
		r->n_x += x->n;
		r->n_y += y->n;
		r->blocks++;
	}
	if (W > 0) {
		r->d = dw / W;
		/* The interaction: how far each block's difference is from the common one. */
		for (b = 0; b < nb; b++) {
			const struct cellsum *x = &c[2 * b], *y = &c[2 * b + 1];

			if (x->n && y->n) {
				double w = (double)x->n * (double)y->n / (double)(x->n + y->n);
				double e = x->mean - y->mean - r->d;

				ss += w * e * e;
			}
		}
		r->df = (double)n - (double)nb - 1;
	}
	if (W > 0 && r->df >= 1) {
		double s2 = ss / r->df;

		/*
		 * Values that agree to 1 part in 10^9 of their magnitude (identical
		 * figures, or rounding of them) leave no spread to test against.
		 */
		if (s2 <= 1e-18 * (scale > 1 ? scale * scale : 1)) {
			r->no_spread = 1;
		} else {
			r->s = sqrt(s2);
			r->se = sqrt(s2 / W);
			r->t = r->d / r->se;
			r->p = stats_t_sf2(r->t, r->df);
			r->ok = 1;
		}
	}
	free(c);
	free(ids);
	return 0;
}

void stats_cmp_interval(const struct stats_cmp *r, double alpha, double *lo, double *hi)
{
	double q;

	assert(r->ok && alpha > 0 && alpha < 1);
	q = stats_t_upper(alpha / 2, r->df);
	*lo = r->d - q * r->se;
	*hi = r->d + q * r->se;
}

/* ---- power ---- */

static double normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

double stats_t_power(double lambda, double df, double alpha)
{
	/*
	 * T' = (Z + lambda) / S with S = sqrt(V / df), V ~ chi^2(df):
	 * power = E_S[ Phi(lambda - c S) + Phi(-lambda - c S) ], c the critical
	 * value.  S has density 2 (df/2)^(df/2) / Gamma(df/2) s^(df-1) e^(-df s^2 / 2),
	 * mean ~1 and sd ~1/sqrt(2 df): Simpson's rule over 12 sd either side.
	 */
	const int steps = 4000;
	double c = stats_t_upper(alpha / 2, df), half = 12 / sqrt(2 * df);
	double a = 1 - half > 0 ? 1 - half : 0, b = 1 + half, h = (b - a) / steps, sum = 0;
	double k = M_LN2 + df / 2 * log(df / 2) - lgamma(df / 2);
	int i;

	for (i = 0; i <= steps; i++) {
		double s = a + i * h, f, w = i == 0 || i == steps ? 1 : i % 2 ? 4 : 2;

		if (s <= 0)
			f = df == 1 ? exp(k) : 0;
		else
			f = exp(k + (df - 1) * log(s) - df * s * s / 2);
		sum += w * f * (normal_cdf(lambda - c * s) + normal_cdf(-lambda - c * s));
	}
	sum *= h / 3;
	return sum > 1 ? 1 : sum;
}

double stats_t_mde(double df, double alpha, double power)
{
	double lo = 0, hi = 1;
	int i;

	assert(power > alpha && power < 1);
	while (stats_t_power(hi, df, alpha) < power)
		hi *= 2;
	for (i = 0; i < 60; i++) {
		double mid = (lo + hi) / 2;

		if (stats_t_power(mid, df, alpha) < power)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* ---- Benjamini-Hochberg ---- */

struct ranked {
	double p;
	size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void stats_bh_adjust(const double *p, size_t n, double *adj)
{
	struct ranked *r;
	double run = 1;
	size_t k;

	if (!n)
		return;
	r = xmalloc(n * sizeof(*r));
	for (k = 0; k < n; k++)
		r[k] = (struct ranked){ p[k], k };
	qsort(r, n, sizeof(*r), cmp_ranked);
	/* From the largest p down: the running minimum of n p_(k) / k. */
	for (k = n; k-- > 0;) {
		double a = r[k].p * (double)n / (double)(k + 1);

		if (a < run)
			run = a;
		adj[r[k].i] = run;
	}
	free(r);
}

/* ---- E-divisive ---- */

/* splitmix64: the permutations' stream (seeded by the caller: reproducible). */
static unsigned long long mix_next(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/*
 * max over tau of Q(tau) when value i belongs to group lab[i]; dist is
 * the n x n matrix of |v_i - v_j|, S a K x K scratch matrix.
 */
static double cp_max(const double *dist, const unsigned *lab, size_t n, const size_t *sizes,
		     size_t K, double *S, size_t *at)
{
	size_t i, j, a, b, tau, nL = 0, N = 0;
	double best = -INFINITY;

	memset(S, 0, K * K * sizeof(*S));
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			S[lab[i] * K + lab[j]] += dist[i * n + j];
			if (lab[i] != lab[j])
				S[lab[j] * K + lab[i]] += dist[i * n + j];
		}
	/* S[a][b] (a != b): sum over pairs across a and b; S[a][a]: pairs inside a. */
	for (a = 0; a < K; a++)
		N += sizes[a];
	for (tau = 1; tau < K; tau++) {
		double LL = 0, RR = 0, LR = 0, e, q;
		size_t nR;

		nL += sizes[tau - 1];
		nR = N - nL;
		for (a = 0; a < K; a++)
			for (b = a; b < K; b++) {
				double s = S[a * K + b];

				if (b < tau)
					LL += s;
				else if (a >= tau)
					RR += s;
				else
					LR += s;
			}
		e = 2 * LR / ((double)nL * (double)nR);
		if (nL > 1)
			e -= LL / ((double)nL * (double)(nL - 1) / 2);
		if (nR > 1)
			e -= RR / ((double)nR * (double)(nR - 1) / 2);
		q = (double)nL * (double)nR / (double)N * e;
		if (q > best) {
			best = q;
			*at = tau;
		}
	}
	return best;
}

/* The next arrangement of a multiset in lexicographic order; 0 after the last. */
static int next_arrangement(unsigned *v, size_t n)
{
	size_t i, j;

	if (n < 2)
		return 0;
	for (i = n - 1; i > 0 && v[i - 1] >= v[i]; i--)
		;
	if (!i)
		return 0;
	for (j = n - 1; v[j] <= v[i - 1]; j--)
		;
	unsigned t = v[i - 1];
	v[i - 1] = v[j];
	v[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
	return 1;
}

int stats_edivisive(const double *v, const size_t *sizes, size_t K, unsigned perms,
		    unsigned long long seed, struct stats_cp *r)
{
	size_t n = 0, i, j, k, at;
	double *dist, *S, q, arrangements = 1, tol;
	unsigned *lab;
	unsigned long long hits = 0, total = 0;

	memset(r, 0, sizeof(*r));
	if (K < 2)
		return -1;
	for (k = 0; k < K; k++) {
		if (!sizes[k])
			return -1;
		/* multinomial n! / prod sizes!, built as a product of binomials */
		for (i = 1; i <= sizes[k]; i++)
			arrangements = arrangements * (double)(n + i) / (double)i;
		n += sizes[k];
	}
	dist = xmalloc(n * n * sizeof(*dist));
	S = xmalloc(K * K * sizeof(*S));
	lab = xmalloc(n * sizeof(*lab));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			dist[i * n + j] = fabs(v[i] - v[j]);
	for (k = 0, i = 0; k < K; k++)
		for (j = 0; j < sizes[k]; j++)
			lab[i++] = (unsigned)k;
	r->q = cp_max(dist, lab, n, sizes, K, S, &r->at);
	/* Ties in the maximum count as "at least as large" (rounding of equal sums). */
	tol = 1e-12 * (fabs(r->q) > 1e-300 ? fabs(r->q) : 1e-300);
	if (arrangements <= STATS_CP_EXACT) {
		/* lab is the smallest arrangement (sorted): walk them all, this one included. */
		r->exact = 1;
		do {
			q = cp_max(dist, lab, n, sizes, K, S, &at);
			hits += q >= r->q - tol;
			total++;
		} while (next_arrangement(lab, n));
		r->p = (double)hits / (double)total;
	} else {
		unsigned long long s = seed;
		unsigned t;

		for (t = 0; t < perms; t++) {
			for (i = n; i > 1; i--) {
				size_t x = (size_t)(mix_next(&s) % i);
				unsigned l = lab[i - 1];

				lab[i - 1] = lab[x];
				lab[x] = l;
			}
			q = cp_max(dist, lab, n, sizes, K, S, &at);
			hits += q >= r->q - tol;
		}
		r->p = (double)(hits + 1) / (double)(perms + 1);
	}
	free(dist);
	free(S);
	free(lab);
	return 0;
}
