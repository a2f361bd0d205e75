/*
 * reports/verdict.c - the decision rule of the reports (report.h,
 * report_decide()): on in-memory invocation figures, so that
 * report_build(), `swaplab calibrate`, the generated-data checks and
 * `make bench` all decide with the same code.
 *
 * Per comparison: the log invocation figures of the two sides go through
 * the blocked t test of reports/stats.h (blocks when some block holds
 * both sides, else one block); then per family Benjamini-Hochberg, the
 * intervals at 1 - R alpha / m, the minimum effect and the direction.
 * docs/reports.md says why each step is what it is.
 */
#include "reports/report.h"
#include "common/util.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const WHY_FEW = "fewer than 3 invocations a side";
static const char *const WHY_FEW_BLOCKS = "fewer than 3 invocations a side on devices that ran both";
static const char *const WHY_FLAT = "no spread between invocations to test against";
static const char *const WHY_NS = "not significant";
static const char *const WHY_SMALL = "below the minimum effect";

/* The test of one comparison; 1 when it joins the family. */
static int test_one(struct report_cmp *c, struct stats_cmp *t)
{
	size_t n = c->nx + c->ny, i, j;
	double *val = xmalloc(n * sizeof(*val));
	int *side = xmalloc(n * sizeof(*side)), shared = 0, several = 0, joins = 0;
	unsigned *block = xmalloc(n * sizeof(*block));
	struct report_verdict *v = c->v;

	for (i = 0; i < n; i++) {
		int s = i >= c->nx;
		size_t k = s ? i - c->nx : i;
		const unsigned *b = s ? c->by : c->bx;

		assert((s ? c->y[k] : c->x[k]) > 0);
		val[i] = log(s ? c->y[k] : c->x[k]);
		side[i] = s;
		block[i] = b ? b[k] : 0;
	}
	/* Blocks only when some block holds both sides (else they are the sides). */
	{
		unsigned *ids = xmalloc(n * sizeof(*ids));
		int *has = xcalloc(2 * n, sizeof(*has));
		size_t nb = 0;

		for (i = 0; i < n; i++) {
			for (j = 0; j < nb && ids[j] != block[i]; j++)
				;
			if (j == nb)
				ids[nb++] = block[i];
			has[2 * j + side[i]] = 1;
		}
		for (j = 0; j < nb; j++)
			shared |= has[2 * j] && has[2 * j + 1];
		several = nb > 1;
		free(ids);
		free(has);
	}
	c->blocked = shared && several;
	if (!c->blocked)
		memset(block, 0, n * sizeof(*block));
	stats_blocked_t(val, side, block, n, t);
	if (t->blocks)
		v->estimate = exp(t->d);
	v->change_pct = v->estimate > 0 ? (1 / v->estimate - 1) * 100 : 0;
	if (c->nx < REPORT_MIN_INV || c->ny < REPORT_MIN_INV)
		v->why_unmarked = WHY_FEW;
	else if (t->no_spread)
		v->why_unmarked = WHY_FLAT;
	else if (!t->ok || t->n_x < REPORT_MIN_INV || t->n_y < REPORT_MIN_INV)
		v->why_unmarked = WHY_FEW_BLOCKS;
	else {
		v->p = t->p;
		c->s = t->s;
		c->df = t->df;
		c->used_x = t->n_x;
		c->used_y = t->n_y;
		joins = 1;
	}
	free(val);
	free(side);
	free(block);
	return joins;
}

void report_decide(struct report_cmp *c, size_t n, double alpha, double min_effect_pct,
		   struct report_family *f)
{
	struct stats_cmp *t = xcalloc(n ? n : 1, sizeof(*t));
	double *p = xmalloc((n ? n : 1) * sizeof(*p)), a_ci;
	size_t *in = xmalloc((n ? n : 1) * sizeof(*in)), m = 0, R = 0, i;

	assert(alpha > 0 && alpha < 1 && min_effect_pct >= 0);
	for (i = 0; i < n; i++) {
		struct report_verdict *v = c[i].v;

		memset(v, 0, sizeof(*v));
		v->inv_base = c[i].nx;
		v->inv_patched = c[i].ny;
		v->p = v->p_adj = 1;
		c[i].s = c[i].df = 0;
		c[i].used_x = c[i].used_y = 0;
		c[i].blocked = 0;
		if (!c[i].nx || !c[i].ny)
			continue; /* nothing to compare: no verdict, no reason */
		if (test_one(&c[i], &t[i]))
			in[m++] = i;
	}
	/*
	 * Benjamini-Hochberg over the m tests; intervals at 1 - R alpha / m,
	 * which exclude 1 exactly for the R rejected (their p <= R alpha / m,
	 * every other p above it), or at 1 - alpha / m when none is.
	 */
	for (i = 0; i < m; i++)
		p[i] = t[in[i]].p;
	stats_bh_adjust(p, m, p);
	for (i = 0; i < m; i++)
		R += p[i] <= alpha;
	a_ci = (double)(R ? R : 1) * alpha / (double)(m ? m : 1);
	f->tests = m;
	f->marks = 0;
	f->ci_level = 1 - a_ci;
	for (i = 0; i < m; i++) {
		struct report_verdict *v = c[in[i]].v;
		double lo, hi;

		stats_cmp_interval(&t[in[i]], a_ci, &lo, &hi);
		v->p_adj = p[i];
		v->ci_ok = 1;
		v->lo = exp(lo);
		v->hi = exp(hi);
		v->significant = p[i] <= alpha && (v->lo > 1 || v->hi < 1);
		if (!v->significant)
			v->why_unmarked = WHY_NS;
		else if (fabs(v->change_pct) < min_effect_pct)
			v->why_unmarked = WHY_SMALL;
		else
			v->dir = v->estimate > 1 ? DIR_FASTER : DIR_SLOWER;
		f->marks += v->dir != DIR_NONE;
	}
	for (i = 0; i < n; i++) {
		const struct report_verdict *v = c[i].v;

		/* report.h's invariants */
		assert(!v->ci_ok || (v->lo <= v->estimate && v->estimate <= v->hi));
		assert(v->dir == DIR_NONE || (v->significant && v->ci_ok &&
					      (v->dir == DIR_FASTER ? v->lo > 1 : v->hi < 1)));
		assert(!v->significant || v->dir != DIR_NONE ||
		       fabs(v->change_pct) < min_effect_pct);
		assert((v->why_unmarked != NULL) == (v->dir == DIR_NONE && c[i].nx && c[i].ny));
		assert(isfinite(v->estimate) && isfinite(v->lo) && isfinite(v->hi) &&
		       isfinite(v->change_pct) && isfinite(v->p) && isfinite(v->p_adj));
	}
	free(t);
	free(p);
	free(in);
}

double report_mde_pct(double s, size_t inv, double alpha, double power)
{
	double lambda;

	if (!(s > 0) || inv < 2)
		return 0;
	/* Two sides of inv invocations, one block: df 2 inv - 2, se s sqrt(2 / inv). */
	lambda = stats_t_mde(2.0 * (double)inv - 2, alpha, power);
	return (exp(lambda * s * sqrt(2.0 / (double)inv)) - 1) * 100;
}
