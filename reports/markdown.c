/*
 * reports/markdown.c - the report as GitHub-flavoured Markdown: one pipe
 * table per test with every column (times, speedup and marks, interval,
 * p-value, run counts, drain and CPU), then the notes as a list.
 */
#include "reports/report.h"
#include "common/util.h"

#include <string.h>

/* Text with Markdown's active characters escaped. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("|*_`[]<>\\", *s))
			fputc('\\', out);
		fputc(*s == '\t' ? ' ' : *s, out);
	}
}

static void md_side(FILE *out, const struct report_side *s)
{
	char buf[32];

	fprintf(out, " %s |", s->n ? report_ms(s->median, buf, sizeof(buf)) : "-");
}

static void md_drain(FILE *out, const struct report_side *s, int cpu)
{
	char buf[32];
	size_t n = cpu ? s->n_cpu : s->n_drain;

	if (!n) {
		fputs(" - |", out);
		return;
	}
	fprintf(out, " %s%s |", report_ms(cpu ? s->cpu_median : s->drain_median, buf, sizeof(buf)),
		!cpu && s->n_undrained ? "+" : "");
}

int report_write_markdown(const struct report *r, FILE *out)
{
	int series = !!r->opts.series, drain = r->any_drain || r->any_cpu;
	char **notes;
	size_t i, j;

	for (i = 0; i < r->nr_tables; i++) {
		const struct report_table *t = &r->tables[i];
		char title[256];

		fprintf(out, "%s### Test %zu: %s\n\n", i ? "\n" : "", i + 1,
			report_table_title(r, t, title, sizeof(title)));
		fprintf(out, "| %s |%s Base | Patched | Speedup | %g%% CI | p | n |%s%s\n",
			t->kind == TABLE_MODES ? "mode" : "Size", series ? " rev |" : "",
			100 * (1 - r->opts.alpha),
			drain ? " Drain base | Drain patched | CPU base | CPU patched |" : "",
			series ? " vs prev |" : "");
		fprintf(out, "|---|%s--:|--:|--:|:-:|--:|--:|%s%s\n", series ? ":-:|" : "",
			drain ? "--:|--:|--:|--:|" : "", series ? "--:|" : "");
		for (j = 0; j < t->nr_rows; j++) {
			const struct report_row *row = t->rows[j];
			char key[32];

			fprintf(out, "| %s |", report_row_key(t, row, key, sizeof(key)));
			if (series)
				fprintf(out, " v%u |", row->revision);
			md_side(out, &row->base);
			md_side(out, &row->patched);
			if (row->compared) {
				fprintf(out, " %.2fx%s%s |", row->speedup, row->significant ? " \\*" : "",
					(row->flags & ROW_ENV_DIFFERS) ? " !" : "");
				if (row->ci.ok)
					fprintf(out, " [%.2f, %.2f] |", row->ci.lo, row->ci.hi);
				else
					fputs(" - |", out);
				fprintf(out, " %.2g |", row->mw.p);
			} else {
				fputs(" - | - | - |", out);
			}
			fprintf(out, " %zu/%zu |", row->base.n, row->patched.n);
			if (drain) {
				md_drain(out, &row->base, 0);
				md_drain(out, &row->patched, 0);
				md_drain(out, &row->base, 1);
				md_drain(out, &row->patched, 1);
			}
			if (series) {
				if (row->has_prev)
					fprintf(out, " %+.1f%%%s |", 100 * row->prev_change,
						row->prev_significant ? " \\*" : "");
				else
					fputs(" |", out);
			}
			fputc('\n', out);
		}
	}
	fputc('\n', out);
	notes = report_notes(r);
	for (i = 0; notes[i]; i++) {
		char *tab = strchr(notes[i], '\t');

		fputs("- ", out);
		if (tab) {
			fprintf(out, "**%.*s** ", (int)(tab - notes[i]), notes[i]);
			md_text(out, tab + 1);
		} else {
			md_text(out, notes[i]);
		}
		fputc('\n', out);
	}
	report_free_notes(notes);
	if (ferror(out))
		return error_errno("cannot write the report");
	return 0;
}
