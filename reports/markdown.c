/*
 * reports/markdown.c - the report as GitHub-flavoured Markdown: the
 * lore header as a list, one pipe table per test (the layout of
 * reports/layout.c: a row whose figures another test holds says so),
 * every verdict field (change, interval, p and adjusted p, invocations,
 * the mark or why there is none), one drain / CPU / peak-pool table per
 * backend, the fio comparison, then the method lines and the notes.
 */
#include "reports/report.h"
#include "common/util.h"

#include <stdlib.h>
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

static void md_ms(FILE *out, size_t n, double ns, const char *plus)
{
	char buf[32];

	if (n && report_finite(ns))
		fprintf(out, " %s%s |", report_ms(ns, buf, sizeof(buf)), plus);
	else
		fputs(" - |", out);
}

static void md_verdict(FILE *out, const struct report_verdict *v, int compared, int envdiff)
{
	if (!compared) {
		fputs(" - | - | - | - | |", out);
		return;
	}
	if (!report_finite(v->estimate) || !(v->estimate > 0)) {
		fprintf(out, " - | - | - | %zu/%zu | (%s) |", v->inv_base, v->inv_patched,
			v->why_unmarked ? v->why_unmarked : "no estimate");
		return;
	}
	if (report_finite(v->change_pct))
		fprintf(out, " %+.1f%% |", v->change_pct);
	else
		fputs(" - |", out);
	if (v->ci_ok && report_finite(v->lo) && report_finite(v->hi))
		fprintf(out, " %.2f-%.2f |", v->lo, v->hi);
	else
		fputs(" - |", out);
	if (report_finite(v->p) && report_finite(v->p_adj))
		fprintf(out, " %.2g / %.2g |", v->p, v->p_adj);
	else
		fputs(" - |", out);
	fprintf(out, " %zu/%zu |", v->inv_base, v->inv_patched);
	if (v->dir != DIR_NONE)
		fprintf(out, " **%s**", report_mark(v));
	else if (v->why_unmarked)
		fprintf(out, " (%s)", v->why_unmarked);
	fprintf(out, "%s |", envdiff ? " !" : "");
}

int report_write_markdown(const struct report *r, FILE *out)
{
	int series = !!r->opts.series;
	char **notes;
	size_t i, j, t = 0;

	for (i = 0; i < 4; i++) {
		char *h = report_header_line(r, (int)i), *colon = strchr(h, ':');

		fputs("- ", out);
		if (colon) {
			*colon = '\0';
			fprintf(out, "**%s:** ", h);
			md_text(out, colon + 1 + strspn(colon + 1, " "));
		} else {
			md_text(out, h);
		}
		fputc('\n', out);
		free(h);
	}
	for (t = 0; t < r->nr_tables; t++) {
		const struct report_table *tb = &r->tables[t];
		char title[256];

		fprintf(out, "\n### Test %zu: %s\n\n", t + 1,
			report_table_title(r, tb, title, sizeof(title)));
		fprintf(out, "| %s |%s Base | Patched | Speedup | Change | %.3g%% CI | p / adj. p |"
			     " boots | mark |%s\n",
			tb->kind == TABLE_MODES ? "mode" : tb->kind == TABLE_SIZES ? "Size" : "cell",
			series ? " rev |" : "", 100 * report_ci_level(r), series ? " vs prev |" : "");
		fprintf(out, "|---|%s--:|--:|--:|--:|:-:|--:|--:|---|%s\n", series ? ":-:|" : "",
			series ? "--:|" : "");
		for (j = 0; j < tb->nr_rows; j++) {
			const struct report_row *row = tb->rows[j];
			char key[32], sp[32] = "-";

			fprintf(out, "| %s |", report_row_key(tb, row, key, sizeof(key)));
			if (series)
				fprintf(out, " v%u |", row->revision);
			if (tb->shown_in[j]) {
				fprintf(out, " see Test %zu | | | | | | | |%s\n", tb->shown_in[j],
					series ? " |" : "");
				continue;
			}
			md_ms(out, row->base.n, row->base.median, "");
			md_ms(out, row->patched.n, row->patched.median, "");
			if (row->compared && report_finite(row->v.estimate) && row->v.estimate > 0)
				snprintf(sp, sizeof(sp), "%.2fx", row->v.estimate);
			fprintf(out, " %s |", sp);
			md_verdict(out, &row->v, row->compared, !!(row->flags & ROW_ENV_DIFFERS));
			if (series) {
				if (row->has_prev && report_finite(row->prev_v.change_pct))
					fprintf(out, " %+.1f%% %s%s |", row->prev_v.change_pct,
						report_mark(&row->prev_v),
						row->cp.starts ? " (a change starts here)" : "");
				else
					fputs(" |", out);
			}
			fputc('\n', out);
		}
	}
	/* Drain, CPU and peak pool: one table per backend and load. */
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
		fprintf(out, "\n### After munmap (%s%s%s): drain, CPU time, peak pool\n\n", g->backend,
			strcmp(g->load, "none") ? ", load " : "", strcmp(g->load, "none") ? g->load : "");
		fprintf(out, "| cell |%s Drain base | Drain patched | CPU base | CPU patched |"
			     " Peak pool base | Peak pool patched |\n|---|%s--:|--:|--:|--:|--:|--:|\n",
			series ? " rev |" : "", series ? ":-:|" : "");
		for (j = from; j < i; j++) {
			const struct report_row *row = &r->rows[j];
			char sz[32];

			fprintf(out, "| %s %up |", report_size(row->size, sz, sizeof(sz)), row->procs);
			if (series)
				fprintf(out, " v%u |", row->revision);
			md_ms(out, row->base.n_drain, row->base.drain_median,
			      row->base.n_undrained ? "+" : "");
			md_ms(out, row->patched.n_drain, row->patched.drain_median,
			      row->patched.n_undrained ? "+" : "");
			md_ms(out, row->base.n_cpu, row->base.cpu_median, "");
			md_ms(out, row->patched.n_cpu, row->patched.cpu_median, "");
			if (row->base.n_peak)
				fprintf(out, " %.1fMB |", row->base.peak_median / 1048576.0);
			else
				fputs(" - |", out);
			if (row->patched.n_peak)
				fprintf(out, " %.1fMB |\n", row->patched.peak_median / 1048576.0);
			else
				fputs(" - |\n", out);
		}
	}
	if (r->nr_fio) {
		static const char *const names[] = { "bandwidth (MB/s)", "IOPS", "mean latency (us)" };
		static const double units[] = { 1048576.0, 1, 1000 };

		fprintf(out, "\n### fio on zram (bench --suite fio)\n\n| job | metric |%s Base |"
			     " Patched | Change | p / adj. p | boots | mark |\n|---|---|%s--:|--:|--:|--:|--:|---|\n",
			series ? " rev |" : "", series ? ":-:|" : "");
		for (i = 0; i < r->nr_fio; i++) {
			const struct report_fio_row *f = &r->fio[i];
			char job[128];

			for (j = 0; j < NR_FIO_METRICS; j++) {
				const struct report_verdict *v = &f->v[j];

				fputs("| ", out);
				md_text(out, report_fio_job(f, job, sizeof(job)));
				if (strcmp(f->load, "none"))
					fprintf(out, " (%s load)", f->load);
				fprintf(out, " | %s |", names[j]);
				if (series)
					fprintf(out, " v%u |", f->revision);
				if (f->base.n)
					fprintf(out, " %.1f |", f->base.median[j] / units[j]);
				else
					fputs(" - |", out);
				if (f->patched.n)
					fprintf(out, " %.1f |", f->patched.median[j] / units[j]);
				else
					fputs(" - |", out);
				if (f->base.n && f->patched.n && report_finite(v->change_pct))
					fprintf(out, " %+.1f%% | %.2g / %.2g | %zu/%zu | %s%s%s%s |\n",
						v->change_pct, v->p, v->p_adj, v->inv_base, v->inv_patched,
						v->dir ? "**" : "", v->dir ? report_mark(v) : "",
						v->dir ? "**" : "",
						!v->dir && v->why_unmarked ? v->why_unmarked : "");
				else
					fprintf(out, " - | - | %zu/%zu | |\n", v->inv_base, v->inv_patched);
			}
		}
	}
	fputc('\n', out);
	{
		char **lines = report_method_lines(r), *all = xstrdup("");

		for (i = 0; lines[i]; i++) {
			char *t = xstrfmt("%s%s%s", all, i ? " " : "", lines[i]);

			free(all);
			all = t;
			free(lines[i]);
		}
		free(lines);
		md_text(out, all);
		fputs("\n\n", out);
		free(all);
	}
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
