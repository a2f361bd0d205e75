/*
 * reports/html.c - the report as one self-contained HTML page (inline CSS
 * and SVG; no script, no external resource), meant to be looked at:
 *
 *   the summary sentence and the four header facts;
 *   a forest plot: every compared cell's speedup with its interval on a
 *   log axis, a line at 1.0, the band no data here could tell from 1.0
 *   (the minimum detectable effect, else the minimum effect) shaded,
 *   faster green and slower red, unmarked grey;
 *   per backend and process count measured at several sizes, latency
 *   against size (its axis spans the data, not 0 to max, so a 154.85 ->
 *   158.75 ms change shows) and beside it drain and CPU time;
 *   per backend and size measured with several process counts, latency
 *   against processes;
 *   --series: each cell's patched figure across revisions, the base as a
 *   dashed line, and the change points the statistics found;
 *   the tables of reports/layout.c (coloured marks), drain / CPU / peak
 *   pool, the fio comparison, the method and the notes.
 *
 * Legends are HTML lists under each plot (full label names, never cut);
 * every plot fits half of a 1200 px window, tables fit it whole.
 */
#include "reports/report.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\t': fputc(' ', out); break;
		default: fputc(*s, out);
		}
	}
}

#define C_FASTER "#1a7f37"
#define C_SLOWER "#cf222e"
#define C_NONE "#6e7781"
#define C_BASE "#1f5fa8"
static const char *const palette[] = { "#c8311f", "#8a4fb0", "#c77a12", "#168a8a", "#2a8a3e",
					"#7a7a7a" };

static const char *dir_class(enum report_dir d)
{
	return d == DIR_FASTER ? "faster" : d == DIR_SLOWER ? "slower" : "none";
}

static const char *dir_colour(enum report_dir d)
{
	return d == DIR_FASTER ? C_FASTER : d == DIR_SLOWER ? C_SLOWER : C_NONE;
}

/* The colour of a patched side: one per revision (--series). */
static const char *patched_colour(const struct report *r, unsigned revision)
{
	size_t k;

	for (k = 0; k < r->nr_revisions && r->revisions[k] != revision; k++)
		;
	return palette[(r->opts.series ? k : 0) % ARRAY_SIZE(palette)];
}

static const char *patched_label(const struct report *r, unsigned revision)
{
	size_t k;

	for (k = 0; k < r->nr_revisions && r->revisions[k] != revision; k++)
		;
	return r->patched[k < r->nr_patched ? k : 0].label;
}

static char *cell_name(const struct report_row *row)
{
	char sz[32];

	return xstrfmt("%s%s%s %s %up", row->backend, strcmp(row->load, "none") ? "/" : "",
		       strcmp(row->load, "none") ? row->load : "",
		       report_size(row->size, sz, sizeof(sz)), row->procs);
}

/* A "nice" tick step for a range: 1, 2 or 5 times a power of ten. */
static double tick_step(double range, int n)
{
	double raw = range / n, p, f;

	if (!(raw > 0))
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* ---- an x/y plot ---- */

#define PW 560
#define PH 300
#define ML 60
#define MR 16
#define MT 30
#define MB 44

struct axis {
	double lo, hi;
	int log;
};

static double ax_map(const struct axis *a, double v, double p0, double p1)
{
	double x = a->log ? log(v) : v, lo = a->log ? log(a->lo) : a->lo,
	       hi = a->log ? log(a->hi) : a->hi;

	if (!(hi > lo))
		return (p0 + p1) / 2;
	return p0 + (x - lo) / (hi - lo) * (p1 - p0);
}

/* The y axis over [lo, hi] of the data, padded, in nice steps: not from 0. */
static void y_axis(struct axis *a, double lo, double hi)
{
	double pad, step;

	if (!(hi > lo)) {
		pad = fabs(hi) * 0.1 + 1e-9;
		lo -= pad;
		hi += pad;
	}
	pad = (hi - lo) * 0.08;
	step = tick_step(hi - lo + 2 * pad, 5);
	a->lo = floor((lo - pad) / step) * step;
	a->hi = ceil((hi + pad) / step) * step;
	if (a->lo < 0 && lo >= 0)
		a->lo = 0;
	a->log = 0;
}

struct line {
	const char *label, *colour, *cls;
	int dashed;
	size_t n;
	double x[64], y[64], ylo[64], yhi[64];
	int bars;
};

struct plot {
	const char *title, *xlabel, *ylabel;
	struct axis x, y;
	struct line *lines;
	size_t nr_lines;
	double xt[64];              /* x ticks and their labels */
	char xtl[64][24];
	size_t nxt;
	double vline;               /* x of a vertical marker, 0: none */
	char vlabel[64];
};

static struct line *plot_line(struct plot *p, const char *label, const char *colour,
			      const char *cls, int dashed)
{
	struct line *l;

	p->lines = xrealloc(p->lines, (p->nr_lines + 1) * sizeof(*p->lines));
	l = &p->lines[p->nr_lines++];
	memset(l, 0, sizeof(*l));
	l->label = label;
	l->colour = colour;
	l->cls = cls;
	l->dashed = dashed;
	return l;
}

static void line_point(struct line *l, double x, double y, double ylo, double yhi)
{
	if (l->n >= ARRAY_SIZE(l->x) || !report_finite(y))
		return;
	l->x[l->n] = x;
	l->y[l->n] = y;
	l->ylo[l->n] = ylo;
	l->yhi[l->n++] = yhi;
}

static void plot_write(struct plot *p, FILE *out)
{
	double lo = INFINITY, hi = -INFINITY, y, step;
	size_t i, j;

	for (i = 0; i < p->nr_lines; i++)
		for (j = 0; j < p->lines[i].n; j++) {
			const struct line *l = &p->lines[i];
			double a = l->bars ? l->ylo[j] : l->y[j], b = l->bars ? l->yhi[j] : l->y[j];

			lo = a < lo ? a : lo;
			hi = b > hi ? b : hi;
		}
	if (!(lo <= hi)) {
		lo = 0;
		hi = 1;
	}
	y_axis(&p->y, lo, hi);
	fprintf(out, "<figure class=\"plot\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
		     " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		PW, PH, PW, PH);
	html_text(out, p->title);
	fprintf(out, "\">\n<text x=\"%d\" y=\"18\" class=\"ptitle\">", ML);
	html_text(out, p->title);
	fputs("</text>\n", out);
	step = tick_step(p->y.hi - p->y.lo, 5);
	for (y = p->y.lo; y <= p->y.hi + step / 2; y += step) {
		double py = ax_map(&p->y, y, PH - MB, MT);

		fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
			     "<text x=\"%d\" y=\"%.1f\" class=\"ytick\">%g</text>\n",
			ML, PW - MR, py, py, ML - 6, py + 4, fabs(y) < step / 1e6 ? 0 : y);
	}
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", ML,
		PH - MB, PW - MR, PH - MB);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", ML, MT, ML,
		PH - MB);
	for (i = 0; i < p->nxt; i++)
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"xtick\">%s</text>\n",
			ax_map(&p->x, p->xt[i], ML + 20, PW - MR - 20), PH - MB + 16, p->xtl[i]);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"xlabel\">", ML + (PW - ML - MR) / 2, PH - 8);
	html_text(out, p->xlabel);
	fprintf(out, "</text>\n<text x=\"14\" y=\"%d\" class=\"ylabel\" transform=\"rotate(-90 14 %d)\">",
		MT + (PH - MT - MB) / 2, MT + (PH - MT - MB) / 2);
	html_text(out, p->ylabel);
	fputs("</text>\n", out);
	if (p->vline > 0) {
		double x = ax_map(&p->x, p->vline, ML + 20, PW - MR - 20);

		fprintf(out, "<line class=\"changepoint\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\""
			     " stroke=\"#444\" stroke-dasharray=\"3 3\"/><text x=\"%.1f\" y=\"%d\""
			     " class=\"cplabel\">%s</text>\n",
			x, x, MT, PH - MB, x + 4, MT + 12, p->vlabel);
	}
	for (i = 0; i < p->nr_lines; i++) {
		const struct line *l = &p->lines[i];

		fprintf(out, "<path class=\"line %s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"",
			l->cls, l->colour, l->dashed ? " stroke-dasharray=\"6 4\"" : "");
		for (j = 0; j < l->n; j++)
			fprintf(out, "%s%.1f,%.1f", j ? " L" : "M",
				ax_map(&p->x, l->x[j], ML + 20, PW - MR - 20),
				ax_map(&p->y, l->y[j], PH - MB, MT));
		fputs("\"/>\n", out);
		for (j = 0; j < l->n; j++) {
			double x = ax_map(&p->x, l->x[j], ML + 20, PW - MR - 20);

			if (l->bars)
				fprintf(out, "<line class=\"iqr\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\""
					     " y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", x, x,
					ax_map(&p->y, l->ylo[j], PH - MB, MT),
					ax_map(&p->y, l->yhi[j], PH - MB, MT), l->colour);
			fprintf(out, "<circle class=\"point %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\""
				     " fill=\"%s\"><title>", l->cls, x, ax_map(&p->y, l->y[j], PH - MB, MT),
				l->colour);
			html_text(out, l->label);
			fprintf(out, ": %.2f</title></circle>\n", l->y[j]);
		}
	}
	fputs("</svg>\n<ul class=\"legend\">", out);
	for (i = 0; i < p->nr_lines; i++) {
		fprintf(out, "<li><span class=\"swatch%s\" style=\"border-color:%s\"></span>",
			p->lines[i].dashed ? " dashed" : "", p->lines[i].colour);
		html_text(out, p->lines[i].label);
		fputs("</li>", out);
	}
	fputs("</ul></figure>\n", out);
	free(p->lines);
	p->lines = NULL;
	p->nr_lines = 0;
}

/* ---- the forest plot ---- */

#define FW 1100
#define FROW 22
#define FL 190
#define FR 170

static double mde_of(const struct report *r, const char *backend)
{
	size_t i;

	for (i = 0; i < r->nr_mde; i++)
		if (!strcmp(r->mde[i].backend, backend))
			return r->mde[i].pct;
	return r->opts.min_effect_pct;
}

static int forest_row(const struct report *r, const struct report_row *row)
{
	unsigned last = r->opts.series && r->nr_revisions ? r->revisions[r->nr_revisions - 1] : 0;

	return row->compared && row->revision == last && report_finite(row->v.estimate) &&
	       row->v.estimate > 0;
}

static void forest(const struct report *r, FILE *out)
{
	struct axis a = { 1, 1, 1 };
	size_t i, n = 0, k;
	double h, step;
	const double ticks[] = { 0.1, 0.2, 0.5, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10, 20, 50 };

	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];
		double m = mde_of(r, row->backend) / 100;

		if (!forest_row(r, row))
			continue;
		n++;
		a.lo = fmin(a.lo, fmin(row->v.estimate, 1 / (1 + m)));
		a.hi = fmax(a.hi, fmax(row->v.estimate, 1 + m));
		if (row->v.ci_ok && report_finite(row->v.lo) && report_finite(row->v.hi) &&
		    row->v.lo > 0) {
			a.lo = fmin(a.lo, row->v.lo);
			a.hi = fmax(a.hi, row->v.hi);
		}
	}
	if (!n)
		return;
	a.lo /= 1.08;
	a.hi *= 1.08;
	h = MT + n * FROW + MB;
	fprintf(out, "<h2 id=\"forest\">Speedup per cell%s</h2>\n<figure class=\"forest\"><svg"
		     " xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d"
		     " %.0f\" role=\"img\" aria-label=\"speedup per cell with intervals\">\n",
		r->opts.series ? " (latest revision)" : "", FW, h, FW, h);
	/* The band no change inside of which these data could show. */
	for (i = 0, k = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];
		double m = mde_of(r, row->backend) / 100, y = MT + k * FROW;

		if (!forest_row(r, row))
			continue;
		k++;
		if (m > 0)
			fprintf(out, "<rect class=\"mde\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\""
				     " fill=\"#eaeef2\"/>\n", ax_map(&a, 1 / (1 + m), FL, FW - FR), y,
				ax_map(&a, 1 + m, FL, FW - FR) - ax_map(&a, 1 / (1 + m), FL, FW - FR),
				FROW);
	}
	for (k = 0; k < ARRAY_SIZE(ticks); k++) {
		double x;

		if (ticks[k] < a.lo || ticks[k] > a.hi)
			continue;
		x = ax_map(&a, ticks[k], FL, FW - FR);
		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.0f\" stroke=\"%s\"%s/>"
			     "<text x=\"%.1f\" y=\"%.0f\" class=\"xtick\">%gx</text>\n", x, x, MT,
			h - MB, ticks[k] == 1 ? "#444" : "#e4e4e4",
			ticks[k] == 1 ? " class=\"one\" stroke-width=\"1.5\"" : "", x, h - MB + 16,
			ticks[k]);
	}
	fprintf(out, "<text x=\"%d\" y=\"%.0f\" class=\"xlabel\">speedup = base / patched"
		     " (log scale; right of 1x: patched is faster)</text>\n",
		FL + (FW - FL - FR) / 2, h - 8);
	step = 0;
	for (i = 0, k = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];
		const struct report_verdict *v = &row->v;
		double y = MT + k * FROW + FROW / 2.0, x = ax_map(&a, v->estimate, FL, FW - FR);
		char *name;

		if (!forest_row(r, row))
			continue;
		k++;
		name = cell_name(row);
		fprintf(out, "<g class=\"cell %s\" data-cell=\"", dir_class(v->dir));
		html_text(out, name);
		fprintf(out, "\"><text x=\"%d\" y=\"%.1f\" class=\"flabel\">", FL - 10, y + 4);
		html_text(out, name);
		fputs("</text>", out);
		if (v->ci_ok && v->lo > 0 && report_finite(v->hi))
			fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
				     " stroke-width=\"3\"/>", ax_map(&a, v->lo, FL, FW - FR),
				ax_map(&a, v->hi, FL, FW - FR), y, y, dir_colour(v->dir));
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>", x, y,
			v->ci_ok ? dir_colour(v->dir) : "#fff");
		if (!v->ci_ok)
			fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" stroke=\"%s\"/>",
				x, y, dir_colour(v->dir));
		fprintf(out, "<text x=\"%d\" y=\"%.1f\" class=\"fvalue\" fill=\"%s\">%.2fx", FW - FR + 10,
			y + 4, dir_colour(v->dir), v->estimate);
		if (report_finite(v->change_pct))
			fprintf(out, " (%+.1f%%)", v->change_pct);
		fprintf(out, " %s</text></g>\n", v->dir ? report_mark(v) : "");
		free(name);
	}
	(void)step;
	fputs("</svg><figcaption>Points: speedup; bars: its interval; hollow: too few boots for an"
	      " interval. Green: marked faster, red: marked slower, grey: no mark. Shaded: changes"
	      " smaller than the minimum detectable effect of the backend's data.</figcaption>"
	      "</figure>\n", out);
}

/* ---- latency against size, drain and CPU beside it; process scaling ---- */

static void size_tick(struct plot *p, uint64_t size)
{
	size_t i;

	for (i = 0; i < p->nxt; i++)
		if (p->xt[i] == (double)size)
			return;
	if (p->nxt < ARRAY_SIZE(p->xt)) {
		report_size(size, p->xtl[p->nxt], sizeof(p->xtl[p->nxt]));
		p->xt[p->nxt++] = (double)size;
	}
}

static void side_line(struct plot *p, const struct report_row *const *rows, size_t n, int patched,
		      unsigned rev, const char *label, const char *colour, const char *cls, int by_procs)
{
	struct line *l = plot_line(p, label, colour, cls, 0);
	size_t i;

	l->bars = 1;
	for (i = 0; i < n; i++) {
		const struct report_side *s = patched ? &rows[i]->patched : &rows[i]->base;

		if (!s->n || (patched && rows[i]->revision != rev) ||
		    (!patched && rows[i]->revision != rev))
			continue;
		line_point(l, by_procs ? rows[i]->procs : (double)rows[i]->size, s->median / 1e6,
			   s->q1 / 1e6, s->q3 / 1e6);
	}
}

static void after_line(struct plot *p, const struct report_row *const *rows, size_t n, int cpu,
		       int patched, unsigned rev, const char *label, const char *colour)
{
	struct line *l = plot_line(p, label, colour, cpu ? "cpu" : "drain", cpu);
	size_t i;

	for (i = 0; i < n; i++) {
		const struct report_side *s = patched ? &rows[i]->patched : &rows[i]->base;
		size_t have = cpu ? s->n_cpu : s->n_drain;

		if (!have || rows[i]->revision != rev)
			continue;
		line_point(l, (double)rows[i]->size, (cpu ? s->cpu_median : s->drain_median) / 1e6, 0, 0);
	}
}

static void curves(const struct report *r, FILE *out, int by_procs)
{
	const struct report_row **rows = xcalloc(r->nr_rows + 1, sizeof(*rows));
	size_t i, j, k, nrev = r->opts.series ? r->nr_revisions : 1, shown = 0;
	unsigned rev0 = r->opts.series ? r->revisions[0] : 0;

	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];
		size_t n = 0, distinct = 0, seen = 0;

		/* First row of its group: (backend, load, procs) or (backend, load, size). */
		for (j = 0; j < i && !seen; j++)
			seen = !strcmp(r->rows[j].backend, row->backend) &&
			       !strcmp(r->rows[j].load, row->load) &&
			       (by_procs ? r->rows[j].size == row->size : r->rows[j].procs == row->procs);
		if (seen)
			continue;
		for (j = i; j < r->nr_rows; j++)
			if (!strcmp(r->rows[j].backend, row->backend) &&
			    !strcmp(r->rows[j].load, row->load) &&
			    (by_procs ? r->rows[j].size == row->size : r->rows[j].procs == row->procs)) {
				if (r->rows[j].revision == rev0)
					distinct++;
				rows[n++] = &r->rows[j];
			}
		if (distinct < 2)
			continue; /* one point is not a curve */
		if (!shown++)
			fprintf(out, "<h2>%s</h2>\n<div class=\"plots\">\n",
				by_procs ? "Process scaling" : "Latency against size, and what munmap leaves to do");
		{
			struct plot p;
			char title[160], sz[32], load[48] = "", *cls[32];

			memset(&p, 0, sizeof(p));
			if (strcmp(row->load, "none"))
				snprintf(load, sizeof(load), ", %s load", row->load);
			if (by_procs)
				snprintf(title, sizeof(title), "%s %s%s: munmap() by processes", row->backend,
					 report_size(row->size, sz, sizeof(sz)), load);
			else
				snprintf(title, sizeof(title), "%s, %u process%s%s: munmap() by VMA size",
					 row->backend, row->procs, row->procs == 1 ? "" : "es", load);
			p.title = title;
			p.xlabel = by_procs ? "processes unmapping at once" : "VMA size (log scale)";
			p.ylabel = "munmap() latency (ms)";
			p.x.log = !by_procs;
			p.x.lo = 1e300;
			p.x.hi = -1e300;
			for (j = 0; j < n; j++) {
				double x = by_procs ? rows[j]->procs : (double)rows[j]->size;

				p.x.lo = fmin(p.x.lo, x);
				p.x.hi = fmax(p.x.hi, x);
				if (by_procs) {
					if (p.nxt < ARRAY_SIZE(p.xt) && (!p.nxt || p.xt[p.nxt - 1] != x)) {
						snprintf(p.xtl[p.nxt], sizeof(p.xtl[0]), "%u", rows[j]->procs);
						p.xt[p.nxt++] = x;
					}
				} else {
					size_tick(&p, rows[j]->size);
				}
			}
			side_line(&p, rows, n, 0, rev0, r->base.label, C_BASE, "base", by_procs);
			for (k = 0; k < nrev && k < ARRAY_SIZE(cls); k++) {
				unsigned rev = r->opts.series ? r->revisions[k] : 0;

				cls[k] = r->opts.series ? xstrfmt("patched v%u", rev) : xstrdup("patched");
				side_line(&p, rows, n, 1, rev, patched_label(r, rev), patched_colour(r, rev),
					  cls[k], by_procs);
			}
			plot_write(&p, out);
			/* Drain and CPU beside latency, on the same sizes. */
			if (!by_procs) {
				int any = 0;
				char t2[160];

				for (j = 0; j < n; j++)
					any |= rows[j]->base.n_drain || rows[j]->patched.n_drain ||
					       rows[j]->base.n_cpu || rows[j]->patched.n_cpu;
				if (any) {
					char *lb[4];
					unsigned last = r->opts.series ? r->revisions[nrev - 1] : 0;

					snprintf(t2, sizeof(t2), "%s, %u process%s%s: drain and CPU after"
						 " munmap", row->backend, row->procs,
						 row->procs == 1 ? "" : "es", load);
					p.title = t2;
					p.ylabel = "time after barrier release (ms)";
					lb[0] = xstrfmt("drain, %s", r->base.label);
					lb[1] = xstrfmt("drain, %s", patched_label(r, last));
					lb[2] = xstrfmt("CPU, %s", r->base.label);
					lb[3] = xstrfmt("CPU, %s", patched_label(r, last));
					after_line(&p, rows, n, 0, 0, rev0, lb[0], C_BASE);
					after_line(&p, rows, n, 0, 1, last, lb[1], patched_colour(r, last));
					after_line(&p, rows, n, 1, 0, rev0, lb[2], C_BASE);
					after_line(&p, rows, n, 1, 1, last, lb[3], patched_colour(r, last));
					plot_write(&p, out);
					for (k = 0; k < 4; k++)
						free(lb[k]);
				}
			}
			for (k = 0; k < nrev && k < ARRAY_SIZE(cls); k++)
				free(cls[k]);
		}
	}
	if (shown)
		fputs("</div>\n", out);
	free(rows);
}

/* ---- --series: each cell across revisions ---- */

static void across_revisions(const struct report *r, FILE *out)
{
	size_t i, j, k;

	fputs("<h2>Across revisions</h2>\n<p class=\"caption\">Each cell's patched median per revision"
	      " (bars: interquartile range of the runs), the base as a dashed line; a dotted line"
	      " marks where the statistics found the cell's figure changing.</p>\n"
	      "<div class=\"plots\">\n", out);
	for (i = 0; i < r->nr_rows; i = j) {
		const struct report_row *row = &r->rows[i];
		struct plot p;
		struct line *pl, *bl;
		char *name = cell_name(row), title[200];

		for (j = i; j < r->nr_rows && r->rows[j].size == row->size &&
			    r->rows[j].procs == row->procs && !strcmp(r->rows[j].backend, row->backend) &&
			    !strcmp(r->rows[j].load, row->load);
		     j++)
			;
		memset(&p, 0, sizeof(p));
		snprintf(title, sizeof(title), "%s: munmap() across revisions", name);
		p.title = title;
		p.xlabel = "revision";
		p.ylabel = "munmap() latency (ms)";
		p.x.lo = 1;
		p.x.hi = (double)(j - i);
		/* plot_line() may move the lines: take both pointers after adding both. */
		plot_line(&p, r->base.label, C_BASE, "base", 1);
		plot_line(&p, "patched", palette[0], "patched", 0);
		bl = &p.lines[0];
		pl = &p.lines[1];
		pl->bars = 1;
		for (k = i; k < j; k++) {
			const struct report_row *x = &r->rows[k];
			double pos = (double)(k - i + 1);

			if (p.nxt < ARRAY_SIZE(p.xt)) {
				snprintf(p.xtl[p.nxt], sizeof(p.xtl[0]), "v%u", x->revision);
				p.xt[p.nxt++] = pos;
			}
			if (x->base.n)
				line_point(bl, pos, x->base.median / 1e6, 0, 0);
			if (x->patched.n)
				line_point(pl, pos, x->patched.median / 1e6, x->patched.q1 / 1e6,
					   x->patched.q3 / 1e6);
			if (x->cp.starts && p.vline == 0) {
				p.vline = pos - 0.5;
				snprintf(p.vlabel, sizeof(p.vlabel), "change at v%u", x->revision);
			}
		}
		fprintf(out, "<div class=\"series-cell\" data-cell=\"");
		html_text(out, name);
		fputs("\">", out);
		plot_write(&p, out);
		fputs("</div>\n", out);
		free(name);
	}
	fputs("</div>\n", out);
}

/* ---- tables ---- */

static void td_ms(FILE *out, size_t n, double ns, const char *plus)
{
	char buf[32];

	if (n && report_finite(ns))
		fprintf(out, "<td class=\"num\">%s%s</td>", report_ms(ns, buf, sizeof(buf)), plus);
	else
		fputs("<td class=\"num\">-</td>", out);
}

static void write_table(const struct report *r, const struct report_table *t, size_t no,
			FILE *out)
{
	int series = !!r->opts.series;
	char title[256];
	size_t j;

	fprintf(out, "<h3 id=\"test%zu\">Test %zu: ", no, no);
	html_text(out, report_table_title(r, t, title, sizeof(title)));
	fprintf(out, "</h3>\n<table class=\"results\">\n<thead><tr><th>%s</th>%s<th>Base</th>"
		     "<th>Patched</th><th>Speedup</th><th>Change</th><th>%.3g%% CI</th><th>p / adj.</th>"
		     "<th>boots</th><th>mark</th>%s</tr></thead>\n<tbody>\n",
		t->kind == TABLE_MODES ? "mode" : t->kind == TABLE_SIZES ? "Size" : "cell",
		series ? "<th>rev</th>" : "", 100 * report_ci_level(r),
		series ? "<th>vs prev</th>" : "");
	for (j = 0; j < t->nr_rows; j++) {
		const struct report_row *row = t->rows[j];
		const struct report_verdict *v = &row->v;
		char key[32], *name = cell_name(row);

		report_row_key(t, row, key, sizeof(key));
		if (t->shown_in[j]) {
			fprintf(out, "<tr class=\"ref\"><td>%s</td>%s<td colspan=\"%d\"><a href=\"#test%zu\">"
				     "see Test %zu</a></td></tr>\n", key, series ? "<td></td>" : "",
				series ? 9 : 8, t->shown_in[j], t->shown_in[j]);
			free(name);
			continue;
		}
		fprintf(out, "<tr class=\"row %s%s\" data-cell=\"", dir_class(v->dir),
			(row->flags & ROW_ENV_DIFFERS) ? " envdiff" : "");
		html_text(out, name);
		fprintf(out, "\"><td>%s</td>", key);
		free(name);
		if (series)
			fprintf(out, "<td>v%u</td>", row->revision);
		td_ms(out, row->base.n, row->base.median, "");
		td_ms(out, row->patched.n, row->patched.median, "");
		if (row->compared && report_finite(v->estimate) && v->estimate > 0) {
			fprintf(out, "<td class=\"num speedup\">%.2fx</td>", v->estimate);
			if (report_finite(v->change_pct))
				fprintf(out, "<td class=\"num\">%+.1f%%</td>", v->change_pct);
			else
				fputs("<td class=\"num\">-</td>", out);
			if (v->ci_ok && report_finite(v->lo) && report_finite(v->hi))
				fprintf(out, "<td class=\"num\">%.2f&ndash;%.2f</td>", v->lo, v->hi);
			else
				fputs("<td class=\"num\">-</td>", out);
			if (report_finite(v->p) && report_finite(v->p_adj))
				fprintf(out, "<td class=\"num\">%.2g / %.2g</td>", v->p, v->p_adj);
			else
				fputs("<td class=\"num\">-</td>", out);
		} else {
			fputs("<td class=\"num\">-</td><td class=\"num\">-</td><td class=\"num\">-</td>"
			      "<td class=\"num\">-</td>", out);
		}
		fprintf(out, "<td class=\"num\">%zu/%zu</td><td class=\"mark %s\">", v->inv_base,
			v->inv_patched, dir_class(v->dir));
		if (v->dir != DIR_NONE)
			fputs(report_mark(v), out);
		else if (row->compared && v->why_unmarked)
			fprintf(out, "<span class=\"why\">%s</span>", v->why_unmarked);
		fprintf(out, "%s</td>", (row->flags & ROW_ENV_DIFFERS) ? " !" : "");
		if (series) {
			if (row->has_prev && report_finite(row->prev_v.change_pct))
				fprintf(out, "<td class=\"num %s\">%+.1f%% %s%s</td>",
					dir_class(row->prev_v.dir), row->prev_v.change_pct,
					report_mark(&row->prev_v), row->cp.starts ? " (change starts)" : "");
			else
				fputs("<td></td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n", out);
}

static void after_tables(const struct report *r, FILE *out)
{
	size_t i, j;

	for (i = 0; i < r->nr_rows;) {
		const struct report_row *g = &r->rows[i];
		size_t from = i;
		int any = 0;

		while (i < r->nr_rows && !strcmp(r->rows[i].backend, g->backend) &&
		       !strcmp(r->rows[i].load, g->load)) {
			any |= r->rows[i].base.n_drain || r->rows[i].patched.n_drain ||
			       r->rows[i].base.n_cpu || r->rows[i].patched.n_cpu ||
			       r->rows[i].base.n_peak || r->rows[i].patched.n_peak;
			i++;
		}
		if (!any)
			continue;
		fprintf(out, "<h3>After munmap (%s%s%s): drain, CPU time, peak pool</h3>\n"
			     "<table class=\"results after\"><thead><tr><th>cell</th>%s<th>Drain base</th>"
			     "<th>Drain patched</th><th>CPU base</th><th>CPU patched</th><th>Peak pool base</th>"
			     "<th>Peak pool patched</th></tr></thead>\n<tbody>\n", g->backend,
			strcmp(g->load, "none") ? ", load " : "", strcmp(g->load, "none") ? g->load : "",
			r->opts.series ? "<th>rev</th>" : "");
		for (j = from; j < i; j++) {
			const struct report_row *row = &r->rows[j];
			char sz[32];

			fprintf(out, "<tr><td>%s %up</td>", report_size(row->size, sz, sizeof(sz)),
				row->procs);
			if (r->opts.series)
				fprintf(out, "<td>v%u</td>", row->revision);
			td_ms(out, row->base.n_drain, row->base.drain_median,
			      row->base.n_undrained ? "+" : "");
			td_ms(out, row->patched.n_drain, row->patched.drain_median,
			      row->patched.n_undrained ? "+" : "");
			td_ms(out, row->base.n_cpu, row->base.cpu_median, "");
			td_ms(out, row->patched.n_cpu, row->patched.cpu_median, "");
			if (row->base.n_peak)
				fprintf(out, "<td class=\"num\">%.1fMB</td>", row->base.peak_median / 1048576.0);
			else
				fputs("<td class=\"num\">-</td>", out);
			if (row->patched.n_peak)
				fprintf(out, "<td class=\"num\">%.1fMB</td>",
					row->patched.peak_median / 1048576.0);
			else
				fputs("<td class=\"num\">-</td>", out);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
}

static void fio_tables(const struct report *r, FILE *out)
{
	static const char *const names[] = { "bandwidth (MB/s)", "IOPS", "mean latency (us)" };
	static const double units[] = { 1048576.0, 1, 1000 };
	size_t i, m;

	if (!r->nr_fio)
		return;
	fprintf(out, "<h3>fio on zram (bench --suite fio)</h3>\n<table class=\"results fio\"><thead>"
		     "<tr><th>job</th><th>metric</th>%s<th>Base</th><th>Patched</th><th>Change</th>"
		     "<th>p / adj.</th><th>boots</th><th>mark</th></tr></thead>\n<tbody>\n",
		r->opts.series ? "<th>rev</th>" : "");
	for (i = 0; i < r->nr_fio; i++) {
		const struct report_fio_row *f = &r->fio[i];
		char job[128];

		for (m = 0; m < NR_FIO_METRICS; m++) {
			const struct report_verdict *v = &f->v[m];
			int both = f->base.n && f->patched.n;

			fprintf(out, "<tr class=\"row fio %s\"><td>", dir_class(v->dir));
			html_text(out, report_fio_job(f, job, sizeof(job)));
			if (strcmp(f->load, "none"))
				fprintf(out, " (%s load)", f->load);
			fprintf(out, "</td><td>%s</td>", names[m]);
			if (r->opts.series)
				fprintf(out, "<td>v%u</td>", f->revision);
			if (f->base.n)
				fprintf(out, "<td class=\"num\">%.1f</td>", f->base.median[m] / units[m]);
			else
				fputs("<td class=\"num\">-</td>", out);
			if (f->patched.n)
				fprintf(out, "<td class=\"num\">%.1f</td>", f->patched.median[m] / units[m]);
			else
				fputs("<td class=\"num\">-</td>", out);
			if (both && report_finite(v->change_pct))
				fprintf(out, "<td class=\"num\">%+.1f%%</td><td class=\"num\">%.2g / %.2g</td>",
					v->change_pct, v->p, v->p_adj);
			else
				fputs("<td class=\"num\">-</td><td class=\"num\">-</td>", out);
			fprintf(out, "<td class=\"num\">%zu/%zu</td><td class=\"mark %s\">%s</td></tr>\n",
				v->inv_base, v->inv_patched, dir_class(v->dir), report_mark(v));
		}
	}
	fputs("</tbody></table>\n", out);
}

static const char css[] =
	"body{font-family:system-ui,sans-serif;margin:1em auto;max-width:1140px;padding:0 12px;"
	"color:#1f2328}"
	"h1{font-size:1.35em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em;margin:1.2em 0 .3em}"
	".summary{font-size:1.1em;background:#f6f8fa;border-left:4px solid #1f5fa8;padding:.6em 1em}"
	"ul.facts{list-style:none;padding:0;margin:.5em 0;font-family:ui-monospace,monospace;"
	"font-size:.9em}"
	"table.results{border-collapse:collapse;margin:.3em 0;font-size:.92em}"
	"table.results th,table.results td{border:1px solid #d0d7de;padding:.2em .5em;"
	"white-space:nowrap}"
	"table.results th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:"
	"tabular-nums}td.mark.faster{color:#fff;background:" C_FASTER ";font-weight:600}"
	"td.mark.slower{color:#fff;background:" C_SLOWER ";font-weight:600}"
	"span.why{color:#6e7781;font-size:.85em}tr.envdiff td{background:#fff4e0}"
	"td.slower{color:" C_SLOWER "}td.faster{color:" C_FASTER "}"
	".plots{display:flex;flex-wrap:wrap;gap:8px}"
	"figure{margin:0}figure.plot svg,figure.forest svg{background:#fff;border:1px solid #d0d7de;"
	"max-width:100%;height:auto}"
	"ul.legend{list-style:none;padding:0;margin:.2em 0 .8em;font-size:12px;max-width:560px}"
	"ul.legend li{display:inline-block;margin-right:1em}"
	".swatch{display:inline-block;width:22px;border-top:3px solid;margin-right:5px;"
	"vertical-align:middle}.swatch.dashed{border-top-style:dashed}"
	".ytick,.fvalue{font-size:11px}.ytick{text-anchor:end}.xtick{font-size:11px;"
	"text-anchor:middle}.xlabel,.ylabel{font-size:12px;text-anchor:middle}"
	".ptitle{font-size:13px;font-weight:600}.flabel{font-size:12px;text-anchor:end}"
	".cplabel{font-size:11px}figcaption,.caption{font-size:12px;color:#57606a;max-width:1100px}"
	"ul.notes li{margin:.3em 0}";

int report_write_html(const struct report *r, FILE *out)
{
	char **notes, *sum;
	size_t i;

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width\">\n<title>swaplab: ");
	html_text(out, r->base.label);
	fputs(" vs ", out);
	html_text(out, r->opts.series ? r->opts.series : r->patched[0].label);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>munmap() latency: ", css);
	html_text(out, r->base.label);
	fputs(" (base) vs ", out);
	html_text(out, r->opts.series ? r->opts.series : r->patched[0].label);
	fputs(r->opts.series ? " (every revision)</h1>\n" : " (patched)</h1>\n", out);
	sum = report_summary(r, r->opts.series ? "The latest revision" : "The patch");
	fputs("<p class=\"summary\">", out);
	html_text(out, sum);
	fputs("</p>\n<ul class=\"facts\">\n", out);
	free(sum);
	for (i = 0; i < 4; i++) {
		char *h = report_header_line(r, (int)i);

		fputs("<li>", out);
		html_text(out, h);
		fputs("</li>\n", out);
		free(h);
	}
	fputs("</ul>\n", out);
	forest(r, out);
	curves(r, out, 0);
	curves(r, out, 1);
	if (r->opts.series)
		across_revisions(r, out);
	fputs("<h2>Tables</h2>\n", out);
	for (i = 0; i < r->nr_tables; i++)
		write_table(r, &r->tables[i], i + 1, out);
	after_tables(r, out);
	fio_tables(r, out);
	fputs("<h2>What the figures are</h2>\n<p>", out);
	{
		char **lines = report_method_lines(r);

		for (i = 0; lines[i]; i++) {
			html_text(out, lines[i]);
			fputc(' ', out);
			free(lines[i]);
		}
		free(lines);
	}
	fputs("</p>\n<ul class=\"notes\">\n", out);
	notes = report_notes(r);
	for (i = 0; notes[i]; i++) {
		char *tab = strchr(notes[i], '\t');

		fputs("<li>", out);
		if (tab) {
			fputs("<b>", out);
			*tab = '\0';
			html_text(out, notes[i]);
			fputs("</b> ", out);
			html_text(out, tab + 1);
		} else {
			html_text(out, notes[i]);
		}
		fputs("</li>\n", out);
	}
	report_free_notes(notes);
	fputs("</ul>\n</body>\n</html>\n", out);
	if (ferror(out))
		return error_errno("cannot write the report");
	return 0;
}
