/*
 * reports/fio.c - the fio zram throughput suite (--suite fio) compared
 * base against patched: per job (and load, and revision) the medians of
 * bandwidth, IOPS and mean latency over each side's invocations, their
 * standard deviations, and a verdict per metric made with the same rule
 * as the munmap rows (a t test on log invocation figures, at least
 * REPORT_MIN_INV a side, Benjamini-Hochberg over the report's fio tests,
 * the minimum effect): fio writes one line per job and invocation.
 */
#include "reports/report.h"
#include "common/util.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fio_data {
	struct db_fio_run *v;
	size_t n;
};

static void fio_side(const struct fio_data *d, const char *job, const char *load,
		     struct report_fio_side *out, const char **rw)
{
	size_t i, m;

	memset(out, 0, sizeof(*out));
	for (m = 0; m < NR_FIO_METRICS; m++)
		out->v[m] = xcalloc(d->n + 1, sizeof(double));
	for (i = 0; i < d->n; i++) {
		const struct db_fio_run *f = &d->v[i];

		if (strcmp(f->job, job) || strcmp(f->load, load))
			continue;
		/* A figure that is missing or not positive cannot be compared as a ratio. */
		if (!f->has_bw || !f->has_iops || !f->has_lat || !(f->bw_bytes > 0) ||
		    !(f->iops > 0) || !(f->lat_mean_ns > 0))
			continue;
		out->v[FIO_BW][out->n] = f->bw_bytes;
		out->v[FIO_IOPS][out->n] = f->iops;
		out->v[FIO_LAT][out->n] = f->lat_mean_ns;
		out->n++;
		if (*f->rw)
			*rw = f->rw;
	}
	for (m = 0; m < NR_FIO_METRICS && out->n; m++) {
		double mean = 0, ss = 0;

		stats_sort(out->v[m], out->n);
		out->median[m] = stats_quantile_sorted(out->v[m], out->n, 0.5);
		for (i = 0; i < out->n; i++)
			mean += out->v[m][i] / (double)out->n;
		for (i = 0; i < out->n; i++)
			ss += (out->v[m][i] - mean) * (out->v[m][i] - mean);
		out->sd[m] = out->n > 1 ? sqrt(ss / (double)(out->n - 1)) : 0;
	}
}

/* One metric's test, kept until the report's fio tests are decided together. */
struct fio_test {
	struct report_verdict *v;
	struct stats_cmp cmp;
};

/*
 * The test on one metric, like the munmap rows' (reports/report.c): a t
 * test on the log invocation figures, the side that is better when
 * higher first, so estimate = exp(d) = how many times better patched is.
 * Returns 1 when a test could be made (then t holds it).
 */
static int fio_verdict(const struct report_fio_side *b, const struct report_fio_side *p,
		       enum report_fio_metric m, struct report_verdict *v, struct fio_test *t)
{
	int higher = m != FIO_LAT;
	const struct report_fio_side *x = higher ? p : b, *y = higher ? b : p;
	size_t n = x->n + y->n, i;
	double *val;
	int *side;
	unsigned *block;

	memset(v, 0, sizeof(*v));
	v->inv_base = b->n;
	v->inv_patched = p->n;
	v->p = v->p_adj = 1;
	if (!b->n || !p->n)
		return 0;
	v->change_pct = (p->median[m] / b->median[m] - 1) * 100;
	val = xmalloc(n * sizeof(*val));
	side = xmalloc(n * sizeof(*side));
	block = xcalloc(n, sizeof(*block));
	for (i = 0; i < n; i++) {
		side[i] = i >= x->n;
		val[i] = log(side[i] ? y->v[m][i - x->n] : x->v[m][i]);
	}
	memset(t, 0, sizeof(*t));
	stats_blocked_t(val, side, block, n, &t->cmp);
	free(val);
	free(side);
	free(block);
	v->estimate = t->cmp.blocks ? exp(t->cmp.d) : (higher ? p->median[m] / b->median[m]
							       : b->median[m] / p->median[m]);
	if (b->n < REPORT_MIN_INV || p->n < REPORT_MIN_INV) {
		v->why_unmarked = "fewer than 3 invocations a side";
		return 0;
	}
	if (!t->cmp.ok) {
		v->why_unmarked = t->cmp.no_spread ? "no spread between invocations" : "cannot test";
		return 0;
	}
	v->p = t->cmp.p;
	t->v = v;
	return 1;
}

/*
 * The report's fio tests decided together, as the munmap rows are:
 * Benjamini-Hochberg over them, intervals at 1 - R alpha / m, the
 * minimum effect on the metric's change.
 */
static void fio_decide(struct fio_test *t, size_t n, double alpha, double min_effect)
{
	double *p = xmalloc((n + 1) * sizeof(*p)), a_ci;
	size_t i, R = 0;

	for (i = 0; i < n; i++)
		p[i] = t[i].cmp.p;
	stats_bh_adjust(p, n, p);
	for (i = 0; i < n; i++)
		R += p[i] <= alpha;
	a_ci = (double)(R ? R : 1) * alpha / (double)(n ? n : 1);
	for (i = 0; i < n; i++) {
		struct report_verdict *v = t[i].v;
		double lo, hi;

		stats_cmp_interval(&t[i].cmp, a_ci, &lo, &hi);
		v->p_adj = p[i];
		v->ci_ok = 1;
		v->lo = exp(lo);
		v->hi = exp(hi);
		v->significant = p[i] <= alpha && (v->lo > 1 || v->hi < 1);
		if (!v->significant)
			v->why_unmarked = "not significant";
		else if (fabs(v->change_pct) < min_effect)
			v->why_unmarked = "below the minimum effect";
		else
			v->dir = v->estimate > 1 ? DIR_FASTER : DIR_SLOWER;
		assert(v->lo <= v->estimate && v->estimate <= v->hi);
		assert(v->dir == DIR_NONE || (v->dir == DIR_FASTER ? v->lo > 1 : v->hi < 1));
	}
	free(p);
}

int report_build_fio(struct db *db, const struct db_sel *sels, size_t nr, struct report *r)
{
	struct fio_data *d = xcalloc(nr, sizeof(*d));
	struct fio_test *tests = NULL;
	size_t s, i, k, alloc = 0, nt = 0, talloc = 0;
	int ret = -1;

	for (s = 0; s < nr; s++)
		if (db_fio_runs(db, &sels[s], &d[s].v, &d[s].n) < 0)
			goto out;
	/* Every (load, job) any patched side ran, in order, per revision. */
	for (s = 1; s < nr; s += 2) {
		for (i = 0; i < d[s].n; i++) {
			const struct db_fio_run *f = &d[s].v[i];
			struct report_fio_row *row;
			const char *rw = "";
			unsigned rev = r->opts.series && r->revisions ? r->revisions[s / 2] : 0;

			if (i && !strcmp(d[s].v[i - 1].job, f->job) && !strcmp(d[s].v[i - 1].load, f->load))
				continue;
			ALLOC_GROW(r->fio, r->nr_fio + 1, alloc);
			row = &r->fio[r->nr_fio++];
			memset(row, 0, sizeof(*row));
			row->job = f->job;
			row->load = f->load;
			row->revision = rev;
			fio_side(&d[s - 1], f->job, f->load, &row->base, &rw);
			fio_side(&d[s], f->job, f->load, &row->patched, &rw);
			row->rw = rw;
		}
	}
	/* Verdicts once the rows stop moving (they point into them). */
	for (k = 0; k < r->nr_fio; k++) {
		size_t m;

		for (m = 0; m < NR_FIO_METRICS; m++) {
			ALLOC_GROW(tests, nt + 1, talloc);
			nt += fio_verdict(&r->fio[k].base, &r->fio[k].patched, (enum report_fio_metric)m,
					  &r->fio[k].v[m], &tests[nt]);
		}
	}
	fio_decide(tests, nt, r->opts.alpha, r->opts.min_effect_pct);
	free(tests);
	/* Names live in the database, which dies before the report: the report's own copies. */
	for (k = 0; k < r->nr_fio; k++) {
		struct report_fio_row *row = &r->fio[k];

		r->strs = xrealloc(r->strs, (r->nr_strs + 3) * sizeof(*r->strs));
		r->strs[r->nr_strs] = xstrdup(row->job);
		row->job = r->strs[r->nr_strs++];
		r->strs[r->nr_strs] = xstrdup(row->rw);
		row->rw = r->strs[r->nr_strs++];
		r->strs[r->nr_strs] = xstrdup(row->load);
		row->load = r->strs[r->nr_strs++];
	}
	ret = 0;
out:
	for (s = 0; s < nr; s++)
		free(d[s].v);
	free(d);
	return ret;
}

void report_fio_release(struct report *r)
{
	size_t i, m;

	for (i = 0; i < r->nr_fio; i++)
		for (m = 0; m < NR_FIO_METRICS; m++) {
			free(r->fio[i].base.v[m]);
			free(r->fio[i].patched.v[m]);
		}
	free(r->fio);
	r->fio = NULL;
	r->nr_fio = 0;
}
