/*
 * reports/csvjson.c - the report for other tools: CSV with one line per
 * compared cell (and revision) and every number in nanoseconds, and JSON
 * with the whole model (methods, who ran what, environment differences,
 * rows, and which rows make up each table).
 */
#include "reports/report.h"
#include "common/util.h"

#include <string.h>

static const char *figure_name(const struct report *r)
{
	return r->opts.figure == REPORT_FIGURE_MAX ? "max" : "mean";
}

static void csv_side(FILE *out, const struct report_side *s)
{
	fprintf(out, ",%zu", s->n);
	if (s->n)
		fprintf(out, ",%.1f,%.1f,%.1f,%.1f,%.1f,%.1f", s->median, s->q1, s->q3, s->min, s->max,
			s->median_slowest);
	else
		fputs(",,,,,,", out);
	if (s->n_drain)
		fprintf(out, ",%.1f,%zu", s->drain_median, s->n_undrained);
	else
		fputs(",,", out);
	if (s->n_cpu)
		fprintf(out, ",%.1f", s->cpu_median);
	else
		fputs(",", out);
	fputc(',', out);
	csv_put_field(out, s->comp);
}

int report_write_csv(const struct report *r, FILE *out)
{
	static const char *const side_cols[] = { "n", "median_ns", "q1_ns", "q3_ns", "min_ns",
						 "max_ns", "slowest_median_ns", "drain_median_ns",
						 "undrained", "cpu_median_ns", "comp" };
	size_t i, k;

	fputs("backend,size_bytes,procs,revision,figure,base_label,patched_label", out);
	for (k = 0; k < 2; k++)
		for (i = 0; i < ARRAY_SIZE(side_cols); i++)
			fprintf(out, ",%s_%s", k ? "patched" : "base", side_cols[i]);
	fputs(",speedup,ci_low,ci_high,ci_level,ci_method,hl_ratio,test,u,p,alpha,significant,"
	      "env_differs,prev_change,prev_p,prev_significant\n", out);
	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];
		size_t p = 0;

		if (r->opts.series)
			for (p = 0; p < r->nr_revisions && r->revisions[p] != row->revision; p++)
				;
		csv_put_field(out, row->backend);
		fprintf(out, ",%llu,%u,", (unsigned long long)row->size, row->procs);
		if (row->revision)
			fprintf(out, "%u", row->revision);
		fprintf(out, ",%s,", figure_name(r));
		csv_put_field(out, r->base.label);
		fputc(',', out);
		csv_put_field(out, r->patched[p < r->nr_patched ? p : 0].label);
		csv_side(out, &row->base);
		csv_side(out, &row->patched);
		if (row->compared) {
			fprintf(out, ",%.6f", row->speedup);
			if (row->ci.ok)
				fprintf(out, ",%.6f,%.6f", row->ci.lo, row->ci.hi);
			else
				fputs(",,", out);
			fprintf(out, ",%g,hodges-lehmann,%.6f,%s,%g,%.6g,%g,%d", 1 - r->opts.alpha,
				row->ci.hl, row->mw.exact ? "mann-whitney-exact" : "mann-whitney-normal",
				row->mw.u, row->mw.p, r->opts.alpha, row->significant);
		} else {
			fprintf(out, ",,,,,,,,,,%g,", r->opts.alpha);
		}
		fprintf(out, ",%d", !!(row->flags & ROW_ENV_DIFFERS));
		if (row->has_prev)
			fprintf(out, ",%.6f,%.6g,%d\n", row->prev_change, row->prev_mw.p,
				row->prev_significant);
		else
			fputs(",,,\n", out);
	}
	if (ferror(out))
		return error_errno("cannot write the report");
	return 0;
}

static void json_side(FILE *out, const struct report_side *s)
{
	fprintf(out, "{\"n\":%zu", s->n);
	if (s->n) {
		size_t i;

		fprintf(out, ",\"median_ns\":%.1f,\"q1_ns\":%.1f,\"q3_ns\":%.1f,\"min_ns\":%.1f,"
			     "\"max_ns\":%.1f,\"slowest_median_ns\":%.1f,\"runs_ns\":[",
			s->median, s->q1, s->q3, s->min, s->max, s->median_slowest);
		for (i = 0; i < s->n; i++)
			fprintf(out, "%s%.1f", i ? "," : "", s->v[i]);
		fputc(']', out);
	}
	if (s->n_drain)
		fprintf(out, ",\"drain_median_ns\":%.1f,\"undrained\":%zu", s->drain_median,
			s->n_undrained);
	if (s->n_cpu)
		fprintf(out, ",\"cpu_median_ns\":%.1f", s->cpu_median);
	fputs(",\"comp\":", out);
	json_put_string(out, s->comp);
	fputc('}', out);
}

static void json_who(FILE *out, const struct report_who *w)
{
	fputs("{\"label\":", out);
	json_put_string(out, w->label);
	fprintf(out, ",\"runs\":%zu,\"kernels\":", w->runs);
	json_put_string(out, w->kernels);
	fputs(",\"commits\":", out);
	json_put_string(out, w->commits);
	fputs(",\"devices\":", out);
	json_put_string(out, w->devices);
	fputs(",\"cpus\":", out);
	json_put_string(out, w->cpus);
	fputc('}', out);
}

int report_write_json(const struct report *r, FILE *out)
{
	char ci[256], test[256], title[256], **notes;
	size_t i, j;

	fprintf(out, "{\"schema\":1,\"figure\":\"%s\",\"alpha\":%g,\"interval\":{\"level\":%g,"
		     "\"method\":", figure_name(r), r->opts.alpha, 1 - r->opts.alpha);
	json_put_string(out, report_method_ci(r, ci, sizeof(ci)));
	fputs("},\"test\":", out);
	json_put_string(out, report_method_test(r, test, sizeof(test)));
	fputs(",\"base\":", out);
	json_who(out, &r->base);
	fputs(",\"patched\":[", out);
	for (i = 0; i < r->nr_patched; i++) {
		fputs(i ? "," : "", out);
		json_who(out, &r->patched[i]);
	}
	fputs("],\"series\":", out);
	if (r->opts.series)
		json_put_string(out, r->opts.series);
	else
		fputs("null", out);
	fputs(",\"environment_differences\":[", out);
	for (i = 0; i < r->nr_diffs; i++) {
		fputs(i ? ",{\"field\":" : "{\"field\":", out);
		json_put_string(out, r->diffs[i].field);
		fputs(",\"backend\":", out);
		if (r->diffs[i].backend)
			json_put_string(out, r->diffs[i].backend);
		else
			fputs("null", out);
		fputs(",\"base\":", out);
		json_put_string(out, r->diffs[i].base);
		fputs(",\"patched\":", out);
		json_put_string(out, r->diffs[i].patched);
		fputc('}', out);
	}
	fputs("],\"rows\":[\n", out);
	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];

		fputs("{\"backend\":", out);
		json_put_string(out, row->backend);
		fprintf(out, ",\"size_bytes\":%llu,\"procs\":%u", (unsigned long long)row->size,
			row->procs);
		if (row->revision)
			fprintf(out, ",\"revision\":%u", row->revision);
		fputs(",\"base\":", out);
		json_side(out, &row->base);
		fputs(",\"patched\":", out);
		json_side(out, &row->patched);
		fprintf(out, ",\"compared\":%s", row->compared ? "true" : "false");
		if (row->compared) {
			fprintf(out, ",\"speedup\":%.6f,\"hl_ratio\":%.6f", row->speedup, row->ci.hl);
			if (row->ci.ok)
				fprintf(out, ",\"ci\":[%.6f,%.6f]", row->ci.lo, row->ci.hi);
			else
				fputs(",\"ci\":null", out);
			fprintf(out, ",\"u\":%g,\"p\":%.6g,\"exact\":%s,\"significant\":%s", row->mw.u,
				row->mw.p, row->mw.exact ? "true" : "false",
				row->significant ? "true" : "false");
		}
		fprintf(out, ",\"env_differs\":%s,\"undrained\":%s",
			(row->flags & ROW_ENV_DIFFERS) ? "true" : "false",
			(row->flags & ROW_UNDRAINED) ? "true" : "false");
		if (row->has_prev)
			fprintf(out, ",\"prev_change\":%.6f,\"prev_p\":%.6g,\"prev_significant\":%s",
				row->prev_change, row->prev_mw.p,
				row->prev_significant ? "true" : "false");
		fprintf(out, "}%s\n", i + 1 < r->nr_rows ? "," : "");
	}
	fputs("],\"tables\":[\n", out);
	for (i = 0; i < r->nr_tables; i++) {
		const struct report_table *t = &r->tables[i];

		fprintf(out, "{\"test\":%zu,\"kind\":\"%s\",\"backend\":", i + 1,
			t->kind == TABLE_MODES ? "modes" : "sizes");
		json_put_string(out, t->backend);
		if (t->kind == TABLE_MODES)
			fprintf(out, ",\"size_bytes\":%llu", (unsigned long long)t->size);
		else
			fprintf(out, ",\"procs\":%u", t->procs);
		fputs(",\"title\":", out);
		json_put_string(out, report_table_title(r, t, title, sizeof(title)));
		fputs(",\"rows\":[", out);
		for (j = 0; j < t->nr_rows; j++)
			fprintf(out, "%s%zu", j ? "," : "", (size_t)(t->rows[j] - r->rows));
		fprintf(out, "]}%s\n", i + 1 < r->nr_tables ? "," : "");
	}
	fputs("],\"notes\":[", out);
	notes = report_notes(r);
	for (i = 0; notes[i]; i++) {
		char *tab = strchr(notes[i], '\t');

		if (tab)
			*tab = ' ';
		fputs(i ? "," : "", out);
		json_put_string(out, notes[i]);
	}
	report_free_notes(notes);
	fputs("]}\n", out);
	if (ferror(out))
		return error_errno("cannot write the report");
	return 0;
}
