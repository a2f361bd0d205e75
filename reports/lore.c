/*
 * reports/lore.c - the plain-text report to paste under a cover letter:
 * the seed's layout ("Test N: ..." title, then mode / Base / Patched /
 * Speedup columns, times as 61.82ms, speedups as 7.17x) extended with
 * the interval, the significance and environment marks and the run
 * counts, then a drain / CPU table when the samples have those figures,
 * and a footer saying what every figure is.  Every line fits 72 columns
 * (mail bodies are wrapped beyond that); columns shrink to do so.
 */
#include "reports/report.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

#define LORE_WIDTH 72
#define MAX_COLS 8

/* A table of strings printed with per-column widths. */
struct grid {
	size_t nr_rows, alloc;
	char *(*cell)[MAX_COLS];
	size_t cols;
	size_t minw[MAX_COLS];
};

static void grid_row(struct grid *g, const char *const *v)
{
	size_t c;

	ALLOC_GROW(g->cell, g->nr_rows + 1, g->alloc);
	for (c = 0; c < g->cols; c++)
		g->cell[g->nr_rows][c] = xstrdup(v[c] ? v[c] : "");
	g->nr_rows++;
}

static void grid_print(struct grid *g, FILE *out)
{
	size_t w[MAX_COLS], r, c, total = 2, gap;

	for (c = 0; c < g->cols; c++) {
		size_t max = 0;

		for (r = 0; r < g->nr_rows; r++)
			if (strlen(g->cell[r][c]) > max)
				max = strlen(g->cell[r][c]);
		w[c] = c + 1 == g->cols ? max : (max + 2 > g->minw[c] ? max + 2 : g->minw[c]);
		total += w[c];
	}
	/* Too wide with the seed's spacing: two-space gaps, then one. */
	for (gap = 2; total > LORE_WIDTH && gap >= 1; gap--) {
		for (c = 0, total = 2; c < g->cols; c++) {
			size_t max = 0;

			for (r = 0; r < g->nr_rows; r++)
				if (strlen(g->cell[r][c]) > max)
					max = strlen(g->cell[r][c]);
			w[c] = c + 1 == g->cols ? max : max + gap;
			total += w[c];
		}
	}
	for (r = 0; r < g->nr_rows; r++) {
		char line[512];
		size_t len = 0;

		len += (size_t)snprintf(line, sizeof(line), "  ");
		for (c = 0; c < g->cols && len < sizeof(line); c++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%-*s", (int)w[c],
						g->cell[r][c]);
		while (len && line[len - 1] == ' ')
			line[--len] = '\0';
		fprintf(out, "%s\n", line);
	}
	for (r = 0; r < g->nr_rows; r++)
		for (c = 0; c < g->cols; c++)
			free(g->cell[r][c]);
	free(g->cell);
	memset(g, 0, sizeof(*g));
}

/*
 * Words of text after first, wrapped to LORE_WIDTH; continuation lines
 * are indented by indent.  A word longer than a line stays whole.
 */
static void wrap(FILE *out, const char *first, const char *text, size_t indent)
{
	char *copy = xstrdup(text), *save = NULL, *word, line[1024];
	size_t len;
	int words = 0;

	len = (size_t)snprintf(line, sizeof(line), "%s", first);
	for (word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		size_t wl = strlen(word);
		int sep = words || (len && line[len - 1] != ' ');

		if (words && len + 1 + wl > LORE_WIDTH) {
			fprintf(out, "%s\n", line);
			len = (size_t)snprintf(line, sizeof(line), "%*s", (int)indent, "");
			sep = 0;
		}
		if (len + sep + wl + 1 < sizeof(line))
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
						sep ? " " : "", word);
		words = 1;
	}
	fprintf(out, "%s\n", line);
	free(copy);
}

static void speedup_cell(const struct report_row *row, char *buf, size_t len)
{
	if (!row->compared) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%.2fx%s%s%s", row->speedup,
		 row->significant || (row->flags & ROW_ENV_DIFFERS) ? " " : "",
		 row->significant ? "*" : (row->flags & ROW_ENV_DIFFERS) ? " " : "",
		 (row->flags & ROW_ENV_DIFFERS) ? "!" : "");
}

static void ci_cell(const struct report_row *row, char *buf, size_t len)
{
	if (!row->compared)
		snprintf(buf, len, "%s", "");
	else if (!row->ci.ok)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "[%.2f, %.2f]", row->ci.lo, row->ci.hi);
}

static void side_ms(const struct report_side *s, char *buf, size_t len)
{
	if (s->n)
		report_ms(s->median, buf, len);
	else
		snprintf(buf, len, "-");
}

static void drain_ms(const struct report_side *s, int cpu, char *buf, size_t len)
{
	size_t n = cpu ? s->n_cpu : s->n_drain;

	if (!n) {
		snprintf(buf, len, "-");
		return;
	}
	report_ms(cpu ? s->cpu_median : s->drain_median, buf, len);
	if (!cpu && s->n_undrained)
		strncat(buf, "+", len - strlen(buf) - 1);
}

static void main_table(const struct report *r, const struct report_table *t, FILE *out)
{
	int series = !!r->opts.series, modes = t->kind == TABLE_MODES;
	struct grid g = { 0 };
	size_t i;

	if (series) {
		static const size_t minw[] = { 10, 5, 11, 11, 10, 14, 0 };
		const char *head[] = { modes ? "mode" : "Size", "rev", "Base", "Patched", "Speedup",
				       "95% CI", "vs prev" };

		g.cols = 7;
		memcpy(g.minw, minw, sizeof(minw));
		if (r->opts.alpha != 0.05)
			head[5] = "CI";
		grid_row(&g, head);
	} else {
		/* The seed's spacing: "  mode        Base       Patched     Speedup" */
		static const size_t minw_modes[] = { 12, 11, 12, 11, 16, 0 };
		static const size_t minw_sizes[] = { 11, 13, 12, 11, 16, 0 };
		const char *head[] = { modes ? "mode" : "Size", "Base", "Patched", "Speedup",
				       "95% CI", "n" };

		g.cols = 6;
		memcpy(g.minw, modes ? minw_modes : minw_sizes, sizeof(minw_modes));
		if (r->opts.alpha != 0.05)
			head[4] = "CI";
		grid_row(&g, head);
	}
	for (i = 0; i < t->nr_rows; i++) {
		const struct report_row *row = t->rows[i];
		char key[32], base[32], patched[32], sp[32], ci[64], n[32], rev[16], prev[32];

		report_row_key(t, row, key, sizeof(key));
		side_ms(&row->base, base, sizeof(base));
		side_ms(&row->patched, patched, sizeof(patched));
		speedup_cell(row, sp, sizeof(sp));
		ci_cell(row, ci, sizeof(ci));
		if (series) {
			const char *v[7] = { key, rev, base, patched, sp, ci, prev };

			if (i && t->rows[i - 1]->size == row->size && t->rows[i - 1]->procs == row->procs)
				key[0] = '\0';
			snprintf(rev, sizeof(rev), "v%u", row->revision);
			if (row->has_prev)
				snprintf(prev, sizeof(prev), "%+.1f%%%s", 100 * row->prev_change,
					 row->prev_significant ? " *" : "");
			else
				prev[0] = '\0';
			grid_row(&g, v);
		} else {
			const char *v[6] = { key, base, patched, sp, ci, n };

			snprintf(n, sizeof(n), "%zu/%zu", row->base.n, row->patched.n);
			grid_row(&g, v);
		}
	}
	grid_print(&g, out);
}

static int table_has(const struct report_table *t, int cpu)
{
	size_t i;

	for (i = 0; i < t->nr_rows; i++) {
		const struct report_row *row = t->rows[i];

		if (cpu ? row->base.n_cpu || row->patched.n_cpu
			: row->base.n_drain || row->patched.n_drain)
			return 1;
	}
	return 0;
}

static void drain_table(const struct report *r, const struct report_table *t, FILE *out)
{
	int series = !!r->opts.series;
	struct grid g = { 0 };
	size_t i;
	const char *head[] = { t->kind == TABLE_MODES ? "mode" : "Size", "rev", "Drain base",
			       "Drain patched", "CPU base", "CPU patched" };
	static const size_t minw[] = { 12, 5, 12, 15, 12, 0 };

	g.cols = series ? 6 : 5;
	if (series) {
		memcpy(g.minw, minw, sizeof(minw));
		g.minw[0] = 10;
		grid_row(&g, head);
	} else {
		/* Key column as wide as the main table's. */
		g.minw[0] = t->kind == TABLE_MODES ? 12 : 11;
		memcpy(g.minw + 1, minw + 2, 4 * sizeof(size_t));
		{
			const char *h[] = { head[0], head[2], head[3], head[4], head[5] };

			grid_row(&g, h);
		}
	}
	for (i = 0; i < t->nr_rows; i++) {
		const struct report_row *row = t->rows[i];
		char key[32], rev[16], db[32], dp[32], cb[32], cp[32];

		report_row_key(t, row, key, sizeof(key));
		drain_ms(&row->base, 0, db, sizeof(db));
		drain_ms(&row->patched, 0, dp, sizeof(dp));
		drain_ms(&row->base, 1, cb, sizeof(cb));
		drain_ms(&row->patched, 1, cp, sizeof(cp));
		if (series) {
			const char *v[] = { key, rev, db, dp, cb, cp };

			if (i && t->rows[i - 1]->size == row->size && t->rows[i - 1]->procs == row->procs)
				key[0] = '\0';
			snprintf(rev, sizeof(rev), "v%u", row->revision);
			grid_row(&g, v);
		} else {
			const char *v[] = { key, db, dp, cb, cp };

			grid_row(&g, v);
		}
	}
	grid_print(&g, out);
}

int report_write_lore(const struct report *r, FILE *out)
{
	char **notes;
	size_t i;

	for (i = 0; i < r->nr_tables; i++) {
		const struct report_table *t = &r->tables[i];
		char title[256], first[32];

		if (i)
			fputc('\n', out);
		snprintf(first, sizeof(first), "Test %zu:", i + 1);
		wrap(out, first, report_table_title(r, t, title, sizeof(title)), 2);
		fputc('\n', out);
		main_table(r, t, out);
		if (table_has(t, 0) || table_has(t, 1)) {
			fputc('\n', out);
			drain_table(r, t, out);
		}
	}
	fputc('\n', out);
	notes = report_notes(r);
	for (i = 0; notes[i]; i++) {
		char *tab = strchr(notes[i], '\t');

		if (tab) {
			/* "Base:    6.18.0 (...)": a label and a hanging indent. */
			char first[32];

			snprintf(first, sizeof(first), "%-9.*s", (int)(tab - notes[i]), notes[i]);
			wrap(out, first, tab + 1, 9);
		} else {
			wrap(out, "", notes[i], notes[i][0] == '!' ? 2 : 0);
		}
	}
	report_free_notes(notes);
	if (ferror(out))
		return error_errno("cannot write the report");
	return 0;
}
