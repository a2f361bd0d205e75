/*
 * reports/lore.c - the plain-text report to paste under a cover letter,
 * in the seed's layout ("Test N: ..." titles, mode / Base / Patched /
 * Speedup columns at the seed's spacing, 61.82ms, 7.17x):
 *
 *   four header lines: device, kernels, backend setup, n;
 *   the tables of reports/layout.c (no cell's figures twice), each row
 *   with the signed change, the interval and the mark (faster/slower);
 *   per backend one compact table of drain, CPU time and peak pool;
 *   the fio suite's comparison when the runs have one;
 *   at most four lines naming the method and the smallest detectable
 *   change, then one line per environment difference (! rows).
 *
 * Every line fits 72 columns (mail bodies are wrapped beyond that): gaps
 * shrink, trailing columns first, so the seed's columns keep their
 * places when they can.  Formats only: every mark comes from the
 * verdicts of report.h.
 */
#include "reports/report.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

#define LORE_WIDTH 72
#define MAX_COLS 9

/* A table of strings printed with per-column widths. */
struct grid {
	size_t nr_rows, alloc;
	char *(*cell)[MAX_COLS];
	size_t cols;
	size_t minw[MAX_COLS];      /* the seed's column widths, kept while they fit */
	size_t lead;                /* columns before this keep two-space gaps longest */
	int drop, drop2;            /* columns to leave out if nothing else fits, or -1 */
};

static void grid_row(struct grid *g, const char *const *v)
{
	size_t c;

	ALLOC_GROW(g->cell, g->nr_rows + 1, g->alloc);
	for (c = 0; c < MAX_COLS; c++)
		g->cell[g->nr_rows][c] = c < g->cols ? xstrdup(v[c] ? v[c] : "") : NULL;
	g->nr_rows++;
}

/* Column widths at a shrink stage; returns the line width. */
static size_t grid_widths(const struct grid *g, int stage, const int *skip, size_t *w)
{
	size_t r, c, total = 2;

	for (c = 0; c < g->cols; c++) {
		size_t max = 0, gap = stage >= 3 || (stage >= 1 && c >= g->lead) ? 1 : 2;

		w[c] = 0;
		if (skip[c])
			continue;
		for (r = 0; r < g->nr_rows; r++)
			if (strlen(g->cell[r][c]) > max)
				max = strlen(g->cell[r][c]);
		w[c] = c + 1 == g->cols ? max : max + gap;
		if (stage < 2 && w[c] < g->minw[c] && c + 1 < g->cols)
			w[c] = g->minw[c];
		total += w[c];
	}
	return total;
}

static void grid_print(struct grid *g, FILE *out)
{
	size_t w[MAX_COLS], r, c, last = 0;
	int stage, skip[MAX_COLS] = { 0 };

	/* The last column that has any text: trailing blanks do not count. */
	for (c = 0; c < g->cols; c++)
		for (r = 0; r < g->nr_rows; r++)
			if (*g->cell[r][c])
				last = c;
	for (c = last + 1; c < g->cols; c++)
		skip[c] = 1;
	g->cols = last + 1;
	/*
	 * Narrowest last: the seed's spacing with every column, then (for
	 * tables with droppable columns) two-space gaps without the
	 * interval, then without the change, then single spaces.
	 */
	for (stage = 0; stage < 4 && grid_widths(g, stage, skip, w) > LORE_WIDTH; stage++)
		if (stage == 1 && g->drop >= 0)
			break;
	if (grid_widths(g, stage, skip, w) > LORE_WIDTH && g->drop >= 0) {
		skip[g->drop] = 1;
		for (stage = 0; stage < 2 && grid_widths(g, stage, skip, w) > LORE_WIDTH; stage++)
			;
		if (grid_widths(g, stage, skip, w) > LORE_WIDTH && g->drop2 >= 0)
			skip[g->drop2] = 1;
		for (stage = 0; stage < 4 && grid_widths(g, stage, skip, w) > LORE_WIDTH; stage++)
			;
	}
	if (stage == 4)
		stage = 3;
	grid_widths(g, stage, skip, w);
	for (r = 0; r < g->nr_rows; r++) {
		char line[512];
		size_t len = 0;

		len += (size_t)snprintf(line, sizeof(line), "  ");
		for (c = 0; c < g->cols && len < sizeof(line); c++)
			if (!skip[c])
				len += (size_t)snprintf(line + len, sizeof(line) - len, "%-*s",
							(int)w[c], g->cell[r][c]);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		while (len && line[len - 1] == ' ')
			line[--len] = '\0';
		fprintf(out, "%s\n", line);
	}
	for (r = 0; r < g->nr_rows; r++)
		for (c = 0; c < MAX_COLS; c++)
			if (g->cell[r][c])
				free(g->cell[r][c]);
	free(g->cell);
	memset(g, 0, sizeof(*g));
}

static void side_ms(const struct report_side *s, char *buf, size_t len)
{
	if (s->n && report_finite(s->median))
		report_ms(s->median, buf, len);
	else
		snprintf(buf, len, "-");
}

/* Speedup, change, interval and mark of a row: the verdict's fields. */
static void verdict_cells(const struct report_row *row, char *sp, char *chg, char *ci, char *mark,
			  size_t len)
{
	const struct report_verdict *v = &row->v;

	snprintf(sp, len, "-");
	chg[0] = ci[0] = mark[0] = '\0';
	if (!row->compared)
		return;
	/* No estimate (no positive figure to compare): no change either. */
	if (!report_finite(v->estimate) || !(v->estimate > 0))
		return;
	snprintf(sp, len, "%.2fx", v->estimate);
	if (report_finite(v->change_pct))
		snprintf(chg, len, "%+.1f%%", v->change_pct);
	if (v->ci_ok && report_finite(v->lo) && report_finite(v->hi))
		snprintf(ci, len, "%.2f-%.2f", v->lo, v->hi);
	else
		snprintf(ci, len, "-");
	snprintf(mark, len, "%s%s%s", report_mark(v), (row->flags & ROW_ENV_DIFFERS) && *report_mark(v) ? " " : "",
		 (row->flags & ROW_ENV_DIFFERS) ? "!" : "");
}

static void main_table(const struct report *r, const struct report_table *t, FILE *out)
{
	int series = !!r->opts.series, modes = t->kind == TABLE_MODES;
	struct grid g = { 0 };
	char ci_head[32];
	size_t i;
	const char *key = modes ? "mode" : t->kind == TABLE_SIZES ? "Size" : "cell";

	snprintf(ci_head, sizeof(ci_head), "%.3g%% CI", 100 * report_ci_level(r));
	g.drop = g.drop2 = -1;
	if (series) {
		static const size_t minw[] = { 10, 5, 11, 11, 10 };
		const char *head[] = { key, "rev", "Base", "Patched", "Speedup", "Change", ci_head,
				       "", "vs prev" };

		g.cols = 9;
		g.lead = 5;
		g.drop = 6;
		g.drop2 = 5;
		memcpy(g.minw, minw, sizeof(minw));
		grid_row(&g, head);
	} else {
		/* The seed's spacing: "  mode        Base       Patched     Speedup" */
		static const size_t minw_modes[] = { 12, 11, 12, 0 };
		static const size_t minw_sizes[] = { 11, 13, 12, 0 };
		const char *head[] = { key, "Base", "Patched", "Speedup", "Change", ci_head, "" };

		g.cols = 7;
		g.lead = 3;
		memcpy(g.minw, t->kind == TABLE_SIZES ? minw_sizes : minw_modes, sizeof(minw_modes));
		grid_row(&g, head);
	}
	for (i = 0; i < t->nr_rows; i++) {
		const struct report_row *row = t->rows[i];
		char k[32], base[32], patched[32], sp[32], chg[32], ci[64], mark[32], rev[16],
			prev[48], see[32];

		report_row_key(t, row, k, sizeof(k));
		if (series && i && t->rows[i - 1]->size == row->size &&
		    t->rows[i - 1]->procs == row->procs)
			k[0] = '\0';
		if (t->shown_in[i]) {
			/* Printed in an earlier table: a pointer keeps the sizes in order. */
			const char *v[9] = { k, series ? "" : see, series ? see : "" };

			snprintf(see, sizeof(see), "see Test %zu", t->shown_in[i]);
			if (series && i && t->shown_in[i - 1] && !k[0])
				continue;
			grid_row(&g, v);
			continue;
		}
		side_ms(&row->base, base, sizeof(base));
		side_ms(&row->patched, patched, sizeof(patched));
		verdict_cells(row, sp, chg, ci, mark, sizeof(ci));
		if (series) {
			const char *v[9] = { k, rev, base, patched, sp, chg, ci, mark, prev };

			snprintf(rev, sizeof(rev), "v%u", row->revision);
			prev[0] = '\0';
			if (row->has_prev && report_finite(row->prev_v.change_pct))
				snprintf(prev, sizeof(prev), "%+.1f%%%s%s", row->prev_v.change_pct,
					 *report_mark(&row->prev_v) ? " " : "", report_mark(&row->prev_v));
			grid_row(&g, v);
		} else {
			const char *v[7] = { k, base, patched, sp, chg, ci, mark };

			grid_row(&g, v);
		}
	}
	grid_print(&g, out);
	/* Where the statistics see a cell's series change: one line each. */
	for (i = 0; series && i < t->nr_rows; i++) {
		const struct report_row *row = t->rows[i];
		char sz[32], *line;

		if (!row->cp.starts || t->shown_in[i])
			continue;
		line = xstrfmt("%s %s %up changes at v%u: %+.1f%% (%s) from v%u on", row->backend,
			       report_size(row->size, sz, sizeof(sz)), row->procs, row->revision,
			       row->cp.change_pct, row->cp.dir == DIR_SLOWER ? "slower" : "faster",
			       row->revision);
		report_wrap(out, "  ", line, 4, LORE_WIDTH);
		free(line);
	}
}

/* "154.6 -> 21.6": one figure of both sides, in ms or MB. */
static void pair(char *buf, size_t len, size_t nb, double b, size_t np, double p, double unit,
		 const char *bplus, const char *pplus)
{
	char x[48], y[48];

	if (nb && report_finite(b))
		snprintf(x, sizeof(x), "%.1f%s", b / unit, bplus);
	else
		snprintf(x, sizeof(x), "-");
	if (np && report_finite(p))
		snprintf(y, sizeof(y), "%.1f%s", p / unit, pplus);
	else
		snprintf(y, sizeof(y), "-");
	snprintf(buf, len, "%s -> %s", x, y);
}

static int group_has_after(const struct report *r, size_t from, size_t to, int *undrained)
{
	size_t i;
	int any = 0;

	for (i = from; i < to; i++) {
		const struct report_row *row = &r->rows[i];

		any |= row->base.n_drain || row->patched.n_drain || row->base.n_cpu ||
		       row->patched.n_cpu || row->base.n_peak || row->patched.n_peak;
		*undrained |= (row->flags & ROW_UNDRAINED) != 0;
	}
	return any;
}

/* One compact table per backend (and load): what munmap leaves to do. */
static void after_table(const struct report *r, size_t from, size_t to, FILE *out)
{
	int series = !!r->opts.series, undrained = 0;
	struct grid g = { 0 };
	const struct report_row *first = &r->rows[from];
	char title[32], *text;
	size_t i;
	const char *head[] = { "cell", "rev", "Drain (ms)", "CPU (ms)", "Peak pool (MB)" };

	if (!group_has_after(r, from, to, &undrained))
		return;
	snprintf(title, sizeof(title), "After munmap");
	text = xstrfmt("(%s%s%s%s), base -> patched%s",
		       first->backend,
		       strcmp(first->load, "none") ? ", " : "",
		       strcmp(first->load, "none") ? first->load : "",
		       strcmp(first->load, "none") ? " load" : "",
		       undrained ? "; + = the drain timed out" : "");
	report_wrap(out, title, text, 2, LORE_WIDTH);
	free(text);
	fputc('\n', out);
	g.cols = 5;
	g.lead = 5;
	g.drop = g.drop2 = -1;
	g.minw[0] = 12;
	grid_row(&g, head);
	for (i = from; i < to; i++) {
		const struct report_row *row = &r->rows[i];
		char k[48], rev[16], d[128], c[128], p[128], sz[32];
		const char *v[5] = { k, series ? rev : "", d, c, p };

		snprintf(k, sizeof(k), "%s %up", report_size(row->size, sz, sizeof(sz)), row->procs);
		if (series && i > from && row[-1].size == row->size && row[-1].procs == row->procs)
			k[0] = '\0';
		snprintf(rev, sizeof(rev), "v%u", row->revision);
		pair(d, sizeof(d), row->base.n_drain, row->base.drain_median, row->patched.n_drain,
		     row->patched.drain_median, 1e6, row->base.n_undrained ? "+" : "",
		     row->patched.n_undrained ? "+" : "");
		pair(c, sizeof(c), row->base.n_cpu, row->base.cpu_median, row->patched.n_cpu,
		     row->patched.cpu_median, 1e6, "", "");
		pair(p, sizeof(p), row->base.n_peak, row->base.peak_median, row->patched.n_peak,
		     row->patched.peak_median, 1048576.0, "", "");
		grid_row(&g, v);
	}
	if (!series)
		for (i = 0; i < g.nr_rows; i++) {
			/* No rev column: move the cells left. */
			free(g.cell[i][1]);
			memmove(&g.cell[i][1], &g.cell[i][2], (MAX_COLS - 2) * sizeof(char *));
			g.cell[i][MAX_COLS - 1] = NULL;
		}
	if (!series)
		g.cols = 4;
	grid_print(&g, out);
	fputc('\n', out);
}

static const char *const fio_metric_names[] = { "MB/s", "IOPS", "lat us" };
static const double fio_units[] = { 1048576.0, 1, 1000 };

static void fio_table(const struct report *r, FILE *out)
{
	struct grid g = { 0 };
	char title[32];
	size_t i, m;
	int series = !!r->opts.series;
	const char *head[] = { "job", "rev", "Base", "Patched", "Change", "" };

	snprintf(title, sizeof(title), "fio on zram");
	report_wrap(out, title, "(bench --suite fio): median over boots of each job's"
		    " bandwidth, IOPS and mean latency", 2, LORE_WIDTH);
	fputc('\n', out);
	g.cols = 6;
	g.lead = 6;
	g.drop = g.drop2 = -1;
	g.minw[0] = 12;
	grid_row(&g, head);
	for (i = 0; i < r->nr_fio; i++) {
		const struct report_fio_row *f = &r->fio[i];

		for (m = 0; m < NR_FIO_METRICS; m++) {
			char k[256], rev[16], b[32], p[32], chg[32], mark[16], job[128];
			const char *v[6] = { k, rev, b, p, chg, mark };

			snprintf(k, sizeof(k), "%s%s%s %s", report_fio_job(f, job, sizeof(job)),
				 strcmp(f->load, "none") ? "/" : "",
				 strcmp(f->load, "none") ? f->load : "", fio_metric_names[m]);
			snprintf(rev, sizeof(rev), "v%u", f->revision);
			snprintf(b, sizeof(b), f->base.n ? "%.1f" : "-", f->base.median[m] / fio_units[m]);
			snprintf(p, sizeof(p), f->patched.n ? "%.1f" : "-",
				 f->patched.median[m] / fio_units[m]);
			chg[0] = '\0';
			if (f->base.n && f->patched.n && report_finite(f->v[m].change_pct))
				snprintf(chg, sizeof(chg), "%+.1f%%", f->v[m].change_pct);
			snprintf(mark, sizeof(mark), "%s", report_mark(&f->v[m]));
			grid_row(&g, v);
		}
	}
	if (!series)
		for (i = 0; i < g.nr_rows; i++) {
			free(g.cell[i][1]);
			memmove(&g.cell[i][1], &g.cell[i][2], (MAX_COLS - 2) * sizeof(char *));
			g.cell[i][MAX_COLS - 1] = NULL;
		}
	if (!series)
		g.cols = 5;
	grid_print(&g, out);
	fputc('\n', out);
}

int report_write_lore(const struct report *r, FILE *out)
{
	char **lines;
	size_t i, t = 0;

	for (i = 0; i < 4; i++) {
		char *h = report_header_line(r, (int)i);

		fprintf(out, "%s\n", h);
		free(h);
	}
	fputc('\n', out);
	/* Tables come grouped by backend and load; each group ends with its drain table. */
	for (i = 0; i < r->nr_rows;) {
		size_t from = i;
		const struct report_row *g = &r->rows[i];

		while (i < r->nr_rows && !strcmp(r->rows[i].backend, g->backend) &&
		       !strcmp(r->rows[i].load, g->load))
			i++;
		for (; t < r->nr_tables && !strcmp(r->tables[t].backend, g->backend) &&
		       !strcmp(r->tables[t].load, g->load);
		     t++) {
			char title[256], first[32];

			snprintf(first, sizeof(first), "Test %zu:", t + 1);
			report_wrap(out, first, report_table_title(r, &r->tables[t], title, sizeof(title)),
				    2, LORE_WIDTH);
			fputc('\n', out);
			main_table(r, &r->tables[t], out);
			fputc('\n', out);
		}
		{
			int u = 0;

			if (group_has_after(r, from, i, &u))
				after_table(r, from, i, out);
		}
	}
	if (r->nr_fio)
		fio_table(r, out);
	lines = report_method_lines(r);
	for (i = 0; lines[i]; i++) {
		fprintf(out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	/* What the statistics warn about (runs not interleaved, sides mixing kernels). */
	for (i = 0; i < r->nr_warnings; i++)
		report_wrap(out, "! ", r->warnings[i], 2, LORE_WIDTH);
	for (i = 0; i < r->nr_diffs; i++) {
		const struct report_env_diff *d = &r->diffs[i];
		char *s = xstrfmt("%s%s%s%s: base %s; patched %s", d->field, d->backend ? " (" : "",
				  d->backend ? d->backend : "", d->backend ? " rows)" : "", d->base,
				  d->patched);

		report_wrap(out, "! ", s, 2, LORE_WIDTH);
		free(s);
	}
	if (ferror(out))
		return error_errno("cannot write the report");
	return 0;
}
