/*
 * reports/fio.c - the fio zram throughput suite (--suite fio) compared
 * base against patched: per job (and load, and revision) the medians of
 * bandwidth, IOPS and mean latency over each side's invocations, their
 * standard deviations, and a verdict per metric made by the munmap rows'
 * rule (report_decide(): a t test on log invocation figures, at least
 * REPORT_MIN_INV a side, Benjamini-Hochberg over the report's fio
 * metrics, the minimum effect): fio writes one line per job and
 * invocation.
 */
#include "reports/report.h"
#include "common/util.h"

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

/*
 * The comparison of one metric, for report_decide(): the side that is
 * better when higher first, so estimate = how many times better patched
 * is (bandwidth, IOPS: patched/base; latency: base/patched).
 */
static void fio_cmp(struct report_fio_row *f, enum report_fio_metric m, struct report_cmp *c)
{
	int higher = m != FIO_LAT;
	const struct report_fio_side *x = higher ? &f->patched : &f->base,
				     *y = higher ? &f->base : &f->patched;

	memset(c, 0, sizeof(*c));
	c->x = x->v[m];
	c->nx = x->n;
	c->y = y->v[m];
	c->ny = y->n;
	c->v = &f->v[m];
}

int report_build_fio(struct db *db, const struct db_sel *sels, size_t nr, struct report *r)
{
	struct fio_data *d = xcalloc(nr, sizeof(*d));
	size_t s, i, k, alloc = 0;
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
	/*
	 * Verdicts once the rows stop moving (the comparisons point into
	 * them): the munmap rows' rule, the report's fio metrics one family.
	 */
	if (r->nr_fio) {
		struct report_cmp *c = xcalloc(r->nr_fio * NR_FIO_METRICS, sizeof(*c));
		struct report_family fam;
		size_t m;

		for (k = 0; k < r->nr_fio; k++)
			for (m = 0; m < NR_FIO_METRICS; m++)
				fio_cmp(&r->fio[k], (enum report_fio_metric)m, &c[k * NR_FIO_METRICS + m]);
		report_decide(c, r->nr_fio * NR_FIO_METRICS, r->opts.alpha,
			      r->opts.min_effect_pct > 0 ? r->opts.min_effect_pct : 0, &fam);
		/* Printed as the metric's own change, and per side as base and patched. */
		for (k = 0; k < r->nr_fio; k++)
			for (m = 0; m < NR_FIO_METRICS; m++) {
				struct report_fio_row *f = &r->fio[k];
				struct report_verdict *v = &f->v[m];

				v->inv_base = f->base.n;
				v->inv_patched = f->patched.n;
				if (f->base.n && f->patched.n)
					v->change_pct = (f->patched.median[m] / f->base.median[m] - 1) * 100;
			}
		free(c);
	}
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
