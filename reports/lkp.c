/*
 * reports/lkp.c - the comparison in the layout of the kernel test robot's
 * (lkp) reports, for people used to reading those:
 *
 *          base_commit      patched_commit
 *   ---------------- ---------------------------
 *            %stddev     %change         %stddev
 *                \          |                \
 *        61.82 ±  2%     -86.1%       8.62 ±  3%  swaplab.zram.256M.1p.munmap_ms
 *
 * One metric a line, dotted names (docs/reports.md lists them): the two
 * commit columns are medians, ±%stddev the relative standard deviation
 * of the per-run figures (left blank under 2%, as lkp does), %change the
 * verdict's change_pct.  Like the robot's mails, the marked rows come
 * first as sentences ("... noticed a -86.1% improvement of ..."): the
 * metric lines themselves carry no mark, so tools that read lkp output
 * read these.  --series: one column pair per revision is not lkp's
 * layout; the last revision is compared with the base.
 */
#include "reports/report.h"
#include "common/util.h"

#include <math.h>
#include <string.h>

/* Relative standard deviation of sorted per-run figures, percent; -1 unknown. */
static double rsd(const double *v, size_t n)
{
	double mean = 0, ss = 0;
	size_t i;

	if (n < 2)
		return -1;
	for (i = 0; i < n; i++)
		mean += v[i] / (double)n;
	for (i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	if (!(mean > 0))
		return -1;
	return 100 * sqrt(ss / (double)(n - 1)) / mean;
}

/* A commit column: the value right-aligned in 10, then " ±  2%" or blank (6). */
static void value(FILE *out, int have, double x, double sd)
{
	char num[32];

	if (!have || !report_finite(x)) {
		fprintf(out, "%16s", "");
		return;
	}
	if (fabs(x) >= 1e7)
		snprintf(num, sizeof(num), "%.4g", x);
	else
		snprintf(num, sizeof(num), "%.2f", x);
	if (sd >= 2 && sd < 1000 && report_finite(sd))
		fprintf(out, "%10s \xc2\xb1%3.0f%%", num, sd);
	else
		fprintf(out, "%10s      ", num);
}

/* "    143852 ±  2%     -30.2%     100424 ±  3%  will-it-scale.per_process_ops" */
static void line(FILE *out, int hb, double b, double sdb, int hp, double p, double sdp,
		 int hc, double change, const char *name)
{
	char chg[32] = "";

	value(out, hb, b, sdb);
	if (hc && report_finite(change))
		snprintf(chg, sizeof(chg), "%+.1f%%", change);
	fprintf(out, "%11s ", chg);
	value(out, hp, p, sdp);
	fprintf(out, "  %s\n", name);
}

static const char *short_commit(const struct report_who *w)
{
	return *w->commits ? w->commits : w->kernels;
}

int report_write_lkp(const struct report *r, FILE *out)
{
	unsigned rev = r->opts.series && r->nr_revisions ? r->revisions[r->nr_revisions - 1] : 0;
	const struct report_who *pw = &r->patched[r->nr_patched ? r->nr_patched - 1 : 0];
	static const char *const fio_names[] = { "bw_MBps", "iops", "lat_us" };
	static const double fio_units[] = { 1048576.0, 1, 1000 };
	size_t i, m, marked = 0;
	char name[192], job[128];

	/* The marked rows, as the robot's mails open. */
	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];

		if (row->revision != rev || row->v.dir == DIR_NONE)
			continue;
		fprintf(out, "swaplab noticed a %+.1f%% %s of %s\n",
			row->v.change_pct, row->v.dir == DIR_FASTER ? "improvement" : "regression",
			report_metric_name(row, "munmap_ms", name, sizeof(name)));
		marked++;
	}
	for (i = 0; i < r->nr_fio; i++)
		for (m = 0; m < NR_FIO_METRICS; m++)
			if (r->fio[i].revision == rev && r->fio[i].v[m].dir != DIR_NONE) {
				fprintf(out, "swaplab noticed a %+.1f%% %s of"
					     " swaplab.fio.%s.%s\n", r->fio[i].v[m].change_pct,
					r->fio[i].v[m].dir == DIR_FASTER ? "improvement" : "regression",
					report_fio_job(&r->fio[i], job, sizeof(job)), fio_names[m]);
				marked++;
			}
	if (!marked)
		fputs("swaplab noticed no significant change\n", out);
	fprintf(out, "\ncommit:\n  %s (\"%s\", base)\n  %s (\"%s\", %s)\n\n",
		short_commit(&r->base), r->base.kernels, short_commit(pw), pw->kernels,
		r->opts.series ? "latest revision" : "patched");
	fprintf(out, "%16.16s %27.27s\n", short_commit(&r->base), short_commit(pw));
	fputs("---------------- ---------------------------\n", out);
	fputs("         %stddev     %change         %stddev\n", out);
	fputs("             \\          |                \\\n", out);
	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];
		const struct report_side *b = &row->base, *p = &row->patched;

		if (row->revision != rev)
			continue;
		line(out, b->n > 0, b->median / 1e6, rsd(b->v, b->n), p->n > 0, p->median / 1e6,
		     rsd(p->v, p->n), row->compared, row->v.change_pct,
		     report_metric_name(row, "munmap_ms", name, sizeof(name)));
		if (b->n_drain || p->n_drain)
			line(out, b->n_drain > 0, b->drain_median / 1e6, -1, p->n_drain > 0,
			     p->drain_median / 1e6, -1, b->n_drain && p->n_drain,
			     (p->drain_median / b->drain_median - 1) * 100,
			     report_metric_name(row, "drain_ms", name, sizeof(name)));
		if (b->n_cpu || p->n_cpu)
			line(out, b->n_cpu > 0, b->cpu_median / 1e6, -1, p->n_cpu > 0,
			     p->cpu_median / 1e6, -1, b->n_cpu && p->n_cpu,
			     (p->cpu_median / b->cpu_median - 1) * 100,
			     report_metric_name(row, "cpu_ms", name, sizeof(name)));
		if (b->n_peak || p->n_peak)
			line(out, b->n_peak > 0, b->peak_median / 1048576.0, -1, p->n_peak > 0,
			     p->peak_median / 1048576.0, -1, b->n_peak && p->n_peak,
			     (p->peak_median / b->peak_median - 1) * 100,
			     report_metric_name(row, "peak_pool_MB", name, sizeof(name)));
	}
	for (i = 0; i < r->nr_fio; i++) {
		const struct report_fio_row *f = &r->fio[i];

		if (f->revision != rev)
			continue;
		for (m = 0; m < NR_FIO_METRICS; m++) {
			double sb = f->base.n > 1 ? 100 * f->base.sd[m] / f->base.median[m] : -1;
			double sp = f->patched.n > 1 ? 100 * f->patched.sd[m] / f->patched.median[m] : -1;

			snprintf(name, sizeof(name), "swaplab.fio.%s%s%s.%s",
				 report_fio_job(f, job, sizeof(job)),
				 strcmp(f->load, "none") ? ".load-" : "",
				 strcmp(f->load, "none") ? f->load : "", fio_names[m]);
			line(out, f->base.n > 0, f->base.median[m] / fio_units[m], sb, f->patched.n > 0,
			     f->patched.median[m] / fio_units[m], sp, f->base.n && f->patched.n,
			     f->v[m].change_pct, name);
		}
	}
	if (ferror(out))
		return error_errno("cannot write the report");
	return 0;
}
