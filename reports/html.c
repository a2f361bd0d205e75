/*
 * reports/html.c - the report as one self-contained HTML page, readable
 * offline: inline CSS, the tables of the Markdown report, and per backend
 * and process count an inline SVG plot of median munmap() latency against
 * VMA size (log scale), base and patched (every revision with --series),
 * with bars over the interquartile range of the per-run figures.  No
 * script, no external resource.
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

static const char *const palette[] = { "#1f5fa8", "#c8311f", "#2a8a3e", "#8a4fb0",
					"#c77a12", "#168a8a", "#7a7a7a" };

static void td_side(FILE *out, const struct report_side *s)
{
	char buf[32];

	fprintf(out, "<td class=\"num\">%s</td>", s->n ? report_ms(s->median, buf, sizeof(buf)) : "-");
}

static void td_drain(FILE *out, const struct report_side *s, int cpu)
{
	char buf[32];
	size_t n = cpu ? s->n_cpu : s->n_drain;

	if (!n)
		fputs("<td class=\"num\">-</td>", out);
	else
		fprintf(out, "<td class=\"num\">%s%s</td>",
			report_ms(cpu ? s->cpu_median : s->drain_median, buf, sizeof(buf)),
			!cpu && s->n_undrained ? "+" : "");
}

static void write_table(const struct report *r, const struct report_table *t, size_t no,
			FILE *out)
{
	int series = !!r->opts.series, drain = r->any_drain || r->any_cpu;
	char title[256];
	size_t j;

	fprintf(out, "<h2>Test %zu: ", no);
	html_text(out, report_table_title(r, t, title, sizeof(title)));
	fprintf(out, "</h2>\n<table class=\"results\">\n<thead><tr><th>%s</th>%s"
		     "<th>Base</th><th>Patched</th><th>Speedup</th><th>%g%% CI</th><th>p</th>"
		     "<th>n</th>%s%s</tr></thead>\n<tbody>\n",
		t->kind == TABLE_MODES ? "mode" : "Size", series ? "<th>rev</th>" : "",
		100 * (1 - r->opts.alpha),
		drain ? "<th>Drain base</th><th>Drain patched</th><th>CPU base</th>"
			"<th>CPU patched</th>" : "",
		series ? "<th>vs prev</th>" : "");
	for (j = 0; j < t->nr_rows; j++) {
		const struct report_row *row = t->rows[j];
		char key[32];

		fprintf(out, "<tr class=\"row%s%s\"><td>%s</td>", row->significant ? " sig" : "",
			(row->flags & ROW_ENV_DIFFERS) ? " envdiff" : "",
			report_row_key(t, row, key, sizeof(key)));
		if (series)
			fprintf(out, "<td>v%u</td>", row->revision);
		td_side(out, &row->base);
		td_side(out, &row->patched);
		if (row->compared) {
			fprintf(out, "<td class=\"num speedup\">%.2fx%s%s</td>", row->speedup,
				row->significant ? " *" : "",
				(row->flags & ROW_ENV_DIFFERS) ? " !" : "");
			if (row->ci.ok)
				fprintf(out, "<td class=\"num\">[%.2f, %.2f]</td>", row->ci.lo, row->ci.hi);
			else
				fputs("<td class=\"num\">-</td>", out);
			fprintf(out, "<td class=\"num\">%.2g</td>", row->mw.p);
		} else {
			fputs("<td>-</td><td>-</td><td>-</td>", out);
		}
		fprintf(out, "<td class=\"num\">%zu/%zu</td>", row->base.n, row->patched.n);
		if (drain) {
			td_drain(out, &row->base, 0);
			td_drain(out, &row->patched, 0);
			td_drain(out, &row->base, 1);
			td_drain(out, &row->patched, 1);
		}
		if (series) {
			if (row->has_prev)
				fprintf(out, "<td class=\"num%s\">%+.1f%%%s</td>",
					row->prev_significant && row->prev_change > 0 ? " regress" : "",
					100 * row->prev_change, row->prev_significant ? " *" : "");
			else
				fputs("<td></td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n", out);
}

/* A "nice" tick step for a range: 1, 2 or 5 times a power of ten. */
static double tick_step(double range)
{
	double raw = range / 5, p = pow(10, floor(log10(raw))), f = raw / p;

	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* Plot geometry. */
#define PW 640
#define PH 360
#define ML 72
#define MR 150
#define MT 36
#define MB 48

struct axes {
	double xmin, xmax, ymax;
};

static double px(const struct axes *a, uint64_t size)
{
	double l = log2((double)size), w = PW - ML - MR;

	if (a->xmax <= a->xmin)
		return ML + w / 2;
	return ML + (l - a->xmin) / (a->xmax - a->xmin) * w;
}

static double py(const struct axes *a, double ms)
{
	return MT + (PH - MT - MB) * (1 - ms / a->ymax);
}

/* One line of points (a side of the rows of one revision) with its IQR bars. */
static void plot_series(FILE *out, const struct axes *a, const struct report_row *const *rows,
			size_t n, int patched, const char *cls, const char *color)
{
	size_t i;
	int first = 1;

	fprintf(out, "<path class=\"line %s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"",
		cls, color);
	for (i = 0; i < n; i++) {
		const struct report_side *s = patched ? &rows[i]->patched : &rows[i]->base;

		if (!s->n)
			continue;
		fprintf(out, "%s%.1f,%.1f", first ? "M" : " L", px(a, rows[i]->size),
			py(a, s->median / 1e6));
		first = 0;
	}
	fputs("\"/>\n", out);
	for (i = 0; i < n; i++) {
		const struct report_side *s = patched ? &rows[i]->patched : &rows[i]->base;
		double x = px(a, rows[i]->size);

		if (!s->n)
			continue;
		fprintf(out, "<line class=\"iqr %s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\""
			     " stroke=\"%s\" stroke-width=\"1.5\"/>\n",
			cls, x, x, py(a, s->q1 / 1e6), py(a, s->q3 / 1e6), color);
		fprintf(out, "<circle class=\"point %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\">"
			     "<title>%s %.2fms (n=%zu)</title></circle>\n",
			cls, x, py(a, s->median / 1e6), color, cls, s->median / 1e6, s->n);
	}
}

/* Latency against size for one backend and process count. */
static void plot(const struct report *r, const struct report_table *t, FILE *out)
{
	struct axes a = { 1e300, -1e300, 0 };
	size_t i, k, nrev = r->opts.series ? r->nr_revisions : 1;
	const struct report_row **rows = xcalloc(t->nr_rows, sizeof(*rows));
	char pr[32], sz[32];
	double step, y;

	for (i = 0; i < t->nr_rows; i++) {
		const struct report_row *row = t->rows[i];
		double l = log2((double)row->size);

		a.xmin = l < a.xmin ? l : a.xmin;
		a.xmax = l > a.xmax ? l : a.xmax;
		if (row->base.n && row->base.q3 / 1e6 > a.ymax)
			a.ymax = row->base.q3 / 1e6;
		if (row->patched.n && row->patched.q3 / 1e6 > a.ymax)
			a.ymax = row->patched.q3 / 1e6;
	}
	if (a.ymax <= 0)
		a.ymax = 1;
	step = tick_step(a.ymax);
	a.ymax = ceil(a.ymax * 1.05 / step) * step;
	if (t->procs == 1)
		snprintf(pr, sizeof(pr), "single process");
	else
		snprintf(pr, sizeof(pr), "%u processes", t->procs);
	fprintf(out, "<figure class=\"plot\">\n<svg xmlns=\"http://www.w3.org/2000/svg\""
		     " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
		PW, PH, PW, PH);
	fprintf(out, "<text x=\"%d\" y=\"20\" class=\"ptitle\">%s, %s: median munmap() latency"
		     " by VMA size</text>\n", ML, t->backend, pr);
	/* Axes, grid, ticks. */
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", ML,
		PH - MB, PW - MR, PH - MB);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", ML, MT, ML,
		PH - MB);
	for (y = 0; y <= a.ymax + step / 2; y += step) {
		fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			     "<text x=\"%d\" y=\"%.1f\" class=\"ytick\">%g</text>\n",
			ML, PW - MR, py(&a, y), py(&a, y), ML - 6, py(&a, y) + 4, y);
	}
	for (i = 0; i < t->nr_rows; i++)
		if (!i || t->rows[i]->size != t->rows[i - 1]->size)
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"xtick\">%s</text>\n",
				px(&a, t->rows[i]->size), PH - MB + 18,
				report_size(t->rows[i]->size, sz, sizeof(sz)));
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"xlabel\">VMA size (log scale)</text>\n",
		ML + (PW - ML - MR) / 2, PH - 8);
	fprintf(out, "<text x=\"16\" y=\"%d\" class=\"ylabel\" transform=\"rotate(-90 16 %d)\">"
		     "munmap() latency (ms)</text>\n", MT + (PH - MT - MB) / 2, MT + (PH - MT - MB) / 2);
	/* Base (of the first revision), then patched per revision. */
	for (k = 0; k < nrev; k++) {
		size_t n = 0;
		char cls[32];

		for (i = 0; i < t->nr_rows; i++)
			if (!r->opts.series || t->rows[i]->revision == r->revisions[k])
				rows[n++] = t->rows[i];
		if (!k)
			plot_series(out, &a, rows, n, 0, "base", palette[0]);
		if (r->opts.series)
			snprintf(cls, sizeof(cls), "patched v%u", r->revisions[k]);
		else
			snprintf(cls, sizeof(cls), "patched");
		plot_series(out, &a, rows, n, 1, cls, palette[1 + k % (ARRAY_SIZE(palette) - 1)]);
	}
	/* Legend. */
	for (k = 0; k <= nrev; k++) {
		int ly = MT + 8 + (int)k * 20;

		fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\""
			     " stroke-width=\"2\"/><text x=\"%d\" y=\"%d\" class=\"legend\">",
			PW - MR + 12, PW - MR + 36, ly, ly,
			palette[k ? 1 + (k - 1) % (ARRAY_SIZE(palette) - 1) : 0], PW - MR + 42, ly + 4);
		if (!k)
			html_text(out, r->base.label);
		else
			html_text(out, r->patched[k - 1].label);
		fputs("</text>\n", out);
	}
	fputs("</svg>\n<figcaption>Points: median of the per-run figures; bars: their"
	      " interquartile range.</figcaption>\n</figure>\n", out);
	free(rows);
}

/* One plot per backend and process count, over all the sizes measured. */
static void plots(const struct report *r, FILE *out)
{
	struct report_table t;
	size_t i, j, k;

	memset(&t, 0, sizeof(t));
	t.kind = TABLE_SIZES;
	t.rows = xcalloc(r->nr_rows, sizeof(*t.rows));
	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];
		int seen = 0;

		/* First row of its (backend, procs) pair? */
		for (j = 0; j < i && !seen; j++)
			seen = !strcmp(r->rows[j].backend, row->backend) &&
			       r->rows[j].procs == row->procs;
		if (seen)
			continue;
		t.backend = row->backend;
		t.procs = row->procs;
		t.nr_rows = 0;
		for (k = i; k < r->nr_rows; k++)
			if (!strcmp(r->rows[k].backend, row->backend) && r->rows[k].procs == row->procs)
				t.rows[t.nr_rows++] = &r->rows[k];
		plot(r, &t, out);
	}
	free(t.rows);
}

static const char css[] =
	"body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}"
	"table.results{border-collapse:collapse;margin:.5em 0}"
	"table.results th,table.results td{border:1px solid #ccc;padding:.25em .6em;"
	"white-space:nowrap}"
	"table.results th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:"
	"tabular-nums}tr.sig td.speedup{font-weight:bold}tr.envdiff{background:#fff4e0}"
	"td.regress{color:#b00}.plot svg{background:#fff;border:1px solid #ddd}"
	".ytick{font-size:11px;text-anchor:end}.xtick{font-size:11px;text-anchor:middle}"
	".xlabel{font-size:12px;text-anchor:middle}.ylabel{font-size:12px;text-anchor:middle}"
	".ptitle{font-size:13px;font-weight:bold}.legend{font-size:12px}"
	"ul.notes li{margin:.3em 0}";

int report_write_html(const struct report *r, FILE *out)
{
	char **notes;
	size_t i;

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<title>swaplab: ");
	html_text(out, r->base.label);
	fputs(" vs ", out);
	html_text(out, r->opts.series ? r->opts.series : r->patched[0].label);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>munmap() latency: ", css);
	html_text(out, r->base.label);
	fputs(" (base) vs ", out);
	html_text(out, r->opts.series ? r->opts.series : r->patched[0].label);
	fputs(r->opts.series ? " (every revision)</h1>\n" : " (patched)</h1>\n", out);
	for (i = 0; i < r->nr_tables; i++)
		write_table(r, &r->tables[i], i + 1, out);
	fputs("<h2>Latency against size</h2>\n", out);
	plots(r, out);
	fputs("<h2>What the figures are</h2>\n<ul class=\"notes\">\n", out);
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
