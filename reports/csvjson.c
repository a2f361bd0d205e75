/*
 * reports/csvjson.c - the report for other tools: CSV with one line per
 * compared cell (and revision) and every number in nanoseconds, and JSON
 * with the whole model (methods, who ran what, environment differences,
 * rows, and which rows make up each table).
 */
#include "reports/report.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A number, or nothing (CSV) / null (JSON) when it is not finite: never inf or nan. */
static void csv_num(FILE *out, const char *fmt, double x)
{
	fputc(',', out);
	if (isfinite(x))
		fprintf(out, fmt, x);
}

static void json_num(FILE *out, const char *key, const char *fmt, double x)
{
	fprintf(out, ",\"%s\":", key);
	if (isfinite(x))
		fprintf(out, fmt, x);
	else
		fputs("null", out);
}

static const char *dir_name(enum report_dir d)
{
	return d == DIR_FASTER ? "faster" : d == DIR_SLOWER ? "slower" : "none";
}

/* The verdict's columns, in CSV and JSON. */
static const char csv_verdict_cols[] =
	",inv_base,inv_patched,estimate,change_pct,v_ci_low,v_ci_high,ci_ok,v_p,p_adj,"
	"v_significant,direction,why_unmarked";

static void csv_verdict(FILE *out, const struct report_verdict *v, int compared)
{
	if (!compared) {
		fprintf(out, ",%zu,%zu,,,,,,,,,none,", v->inv_base, v->inv_patched);
		return;
	}
	fprintf(out, ",%zu,%zu", v->inv_base, v->inv_patched);
	csv_num(out, "%.6f", v->estimate);
	csv_num(out, "%.4f", v->change_pct);
	if (v->ci_ok) {
		csv_num(out, "%.6f", v->lo);
		csv_num(out, "%.6f", v->hi);
	} else {
		fputs(",,", out);
	}
	fprintf(out, ",%d", v->ci_ok);
	csv_num(out, "%.6g", v->p);
	csv_num(out, "%.6g", v->p_adj);
	fprintf(out, ",%d,%s,", v->significant, dir_name(v->dir));
	csv_put_field(out, v->why_unmarked ? v->why_unmarked : "");
}

static void json_verdict(FILE *out, const struct report_verdict *v)
{
	fprintf(out, "{\"inv_base\":%zu,\"inv_patched\":%zu", v->inv_base, v->inv_patched);
	json_num(out, "estimate", "%.6f", v->estimate);
	json_num(out, "change_pct", "%.4f", v->change_pct);
	if (v->ci_ok)
		fprintf(out, ",\"ci\":[%.6f,%.6f]", v->lo, v->hi);
	else
		fputs(",\"ci\":null", out);
	json_num(out, "p", "%.6g", v->p);
	json_num(out, "p_adj", "%.6g", v->p_adj);
	fprintf(out, ",\"significant\":%s,\"direction\":\"%s\",\"why_unmarked\":",
		v->significant ? "true" : "false", dir_name(v->dir));
	if (v->why_unmarked)
		json_put_string(out, v->why_unmarked);
	else
		fputs("null", out);
	fputc('}', out);
}

static const char *figure_name(const struct report *r)
{
	return r->opts.figure == REPORT_FIGURE_MAX ? "max" : "mean";
}

static void csv_side(FILE *out, const struct report_side *s)
{
	fprintf(out, ",%zu", s->n);
	if (s->n) {
		csv_num(out, "%.1f", s->median);
		csv_num(out, "%.1f", s->q1);
		csv_num(out, "%.1f", s->q3);
		csv_num(out, "%.1f", s->min);
		csv_num(out, "%.1f", s->max);
		csv_num(out, "%.1f", s->median_slowest);
	} else {
		fputs(",,,,,,", out);
	}
	if (s->n_drain) {
		csv_num(out, "%.1f", s->drain_median);
		fprintf(out, ",%zu", s->n_undrained);
	}
	else
		fputs(",,", out);
	if (s->n_cpu)
		csv_num(out, "%.1f", s->cpu_median);
	else
		fputs(",", out);
	if (s->n_peak)
		csv_num(out, "%.0f", s->peak_median);
	else
		fputs(",", out);
	fputc(',', out);
	csv_put_field(out, s->comp);
}

int report_write_csv(const struct report *r, FILE *out)
{
	static const char *const side_cols[] = { "n", "median_ns", "q1_ns", "q3_ns", "min_ns",
						 "max_ns", "slowest_median_ns", "drain_median_ns",
						 "undrained", "cpu_median_ns", "peak_pool_median_bytes",
						 "comp" };
	static const char *const fio_metric[] = { "bw_MBps", "iops", "lat_us" };
	static const double fio_unit[] = { 1048576.0, 1, 1000 };
	size_t i, k;
	char name[192];

	/*
	 * One line per cell (and revision), then one per fio job and metric:
	 * suite and metric (the lkp name) say which; the munmap-only columns
	 * are empty on fio lines, whose base_median/patched_median are in the
	 * metric's unit.
	 */
	fputs("suite,metric,load,backend,size_bytes,procs,revision,figure,base_label,patched_label",
	      out);
	for (k = 0; k < 2; k++)
		for (i = 0; i < ARRAY_SIZE(side_cols); i++)
			fprintf(out, ",%s_%s", k ? "patched" : "base", side_cols[i]);
	fputs(",speedup,ci_low,ci_high,ci_level,ci_method,hl_ratio,test,u,p,alpha,significant,"
	      "env_differs,prev_change,prev_p,prev_significant", out);
	fprintf(out, "%s,base_median,patched_median\n", csv_verdict_cols);
	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];
		size_t p = 0;

		if (r->opts.series)
			for (p = 0; p < r->nr_revisions && r->revisions[p] != row->revision; p++)
				;
		fprintf(out, "munmap,%s,", report_metric_name(row, "munmap_ms", name, sizeof(name)));
		csv_put_field(out, row->load);
		fputc(',', out);
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
			csv_num(out, "%.6f", row->speedup);
			if (row->ci.ok) {
				csv_num(out, "%.6f", row->ci.lo);
				csv_num(out, "%.6f", row->ci.hi);
			} else {
				fputs(",,", out);
			}
			fprintf(out, ",%g,hodges-lehmann", 1 - r->opts.alpha);
			csv_num(out, "%.6f", row->ci.hl);
			fprintf(out, ",%s,%g", row->mw.exact ? "mann-whitney-exact" : "mann-whitney-normal",
				row->mw.u);
			csv_num(out, "%.6g", row->mw.p);
			fprintf(out, ",%g,%d", r->opts.alpha, row->significant);
		} else {
			fprintf(out, ",,,,,,,,,,%g,", r->opts.alpha);
		}
		fprintf(out, ",%d", !!(row->flags & ROW_ENV_DIFFERS));
		if (row->has_prev) {
			csv_num(out, "%.6f", row->prev_change);
			csv_num(out, "%.6g", row->prev_mw.p);
			fprintf(out, ",%d", row->prev_significant);
		} else {
			fputs(",,,", out);
		}
		csv_verdict(out, &row->v, row->compared);
		if (row->base.n)
			csv_num(out, "%.1f", row->base.median);
		else
			fputc(',', out);
		if (row->patched.n)
			csv_num(out, "%.1f", row->patched.median);
		else
			fputc(',', out);
		fputc('\n', out);
	}
	for (i = 0; i < r->nr_fio; i++) {
		const struct report_fio_row *f = &r->fio[i];
		size_t m, p = 0, cols = 2 * ARRAY_SIZE(side_cols) + 15;
		char job[128];

		if (r->opts.series)
			for (p = 0; p < r->nr_revisions && r->revisions[p] != f->revision; p++)
				;
		for (m = 0; m < NR_FIO_METRICS; m++) {
			size_t c;

			fprintf(out, "fio,swaplab.fio.%s%s%s.%s,", report_fio_job(f, job, sizeof(job)),
				strcmp(f->load, "none") ? ".load-" : "",
				strcmp(f->load, "none") ? f->load : "", fio_metric[m]);
			csv_put_field(out, f->load);
			fputs(",zram,,,", out);
			if (f->revision)
				fprintf(out, "%u", f->revision);
			fputs(",,", out);
			csv_put_field(out, r->base.label);
			fputc(',', out);
			csv_put_field(out, r->patched[p < r->nr_patched ? p : 0].label);
			for (c = 0; c < cols; c++)
				fputc(',', out);
			csv_verdict(out, &f->v[m], f->base.n && f->patched.n);
			if (f->base.n)
				csv_num(out, "%.3f", f->base.median[m] / fio_unit[m]);
			else
				fputc(',', out);
			if (f->patched.n)
				csv_num(out, "%.3f", f->patched.median[m] / fio_unit[m]);
			else
				fputc(',', out);
			fputc('\n', out);
		}
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

		json_num(out, "median_ns", "%.1f", s->median);
		json_num(out, "q1_ns", "%.1f", s->q1);
		json_num(out, "q3_ns", "%.1f", s->q3);
		json_num(out, "min_ns", "%.1f", s->min);
		json_num(out, "max_ns", "%.1f", s->max);
		json_num(out, "slowest_median_ns", "%.1f", s->median_slowest);
		fputs(",\"runs_ns\":[", out);
		for (i = 0; i < s->n; i++) {
			fputs(i ? "," : "", out);
			if (isfinite(s->v[i]))
				fprintf(out, "%.1f", s->v[i]);
			else
				fputs("null", out);
		}
		fputc(']', out);
	}
	if (s->n_drain) {
		json_num(out, "drain_median_ns", "%.1f", s->drain_median);
		fprintf(out, ",\"undrained\":%zu", s->n_undrained);
	}
	if (s->n_cpu)
		json_num(out, "cpu_median_ns", "%.1f", s->cpu_median);
	if (s->n_peak)
		json_num(out, "peak_pool_median_bytes", "%.0f", s->peak_median);
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
	char ci[256], test[256], title[256], **notes, name[192];
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
		fputs(",\"load\":", out);
		json_put_string(out, row->load);
		fputs(",\"metric\":", out);
		json_put_string(out, report_metric_name(row, "munmap_ms", name, sizeof(name)));
		if (row->revision)
			fprintf(out, ",\"revision\":%u", row->revision);
		fputs(",\"base\":", out);
		json_side(out, &row->base);
		fputs(",\"patched\":", out);
		json_side(out, &row->patched);
		fprintf(out, ",\"compared\":%s", row->compared ? "true" : "false");
		if (row->compared) {
			json_num(out, "speedup", "%.6f", row->speedup);
			json_num(out, "hl_ratio", "%.6f", row->ci.hl);
			if (row->ci.ok && isfinite(row->ci.lo) && isfinite(row->ci.hi))
				fprintf(out, ",\"ci\":[%.6f,%.6f]", row->ci.lo, row->ci.hi);
			else
				fputs(",\"ci\":null", out);
			json_num(out, "u", "%g", row->mw.u);
			json_num(out, "p", "%.6g", row->mw.p);
			fprintf(out, ",\"exact\":%s,\"significant\":%s",
				row->mw.exact ? "true" : "false", row->significant ? "true" : "false");
		}
		fputs(",\"verdict\":", out);
		if (row->compared)
			json_verdict(out, &row->v);
		else
			fputs("null", out);
		fprintf(out, ",\"env_differs\":%s,\"undrained\":%s",
			(row->flags & ROW_ENV_DIFFERS) ? "true" : "false",
			(row->flags & ROW_UNDRAINED) ? "true" : "false");
		if (row->has_prev) {
			json_num(out, "prev_change", "%.6f", row->prev_change);
			json_num(out, "prev_p", "%.6g", row->prev_mw.p);
			fprintf(out, ",\"prev_significant\":%s", row->prev_significant ? "true" : "false");
		}
		if (row->has_prev) {
			fputs(",\"prev_verdict\":", out);
			json_verdict(out, &row->prev_v);
		}
		if (row->cp.starts) {
			fprintf(out, ",\"change_point\":{\"direction\":\"%s\",\"from\":%u",
				dir_name(row->cp.dir), row->cp.from);
			json_num(out, "change_pct", "%.4f", row->cp.change_pct);
			json_num(out, "p", "%.6g", row->cp.p);
			json_num(out, "p_adj", "%.6g", row->cp.p_adj);
			fputc('}', out);
		}
		fprintf(out, "}%s\n", i + 1 < r->nr_rows ? "," : "");
	}
	fputs("],\"tables\":[\n", out);
	for (i = 0; i < r->nr_tables; i++) {
		const struct report_table *t = &r->tables[i];

		fprintf(out, "{\"test\":%zu,\"kind\":\"%s\",\"backend\":", i + 1,
			t->kind == TABLE_MODES ? "modes" : t->kind == TABLE_SIZES ? "sizes" : "cells");
		json_put_string(out, t->backend);
		fputs(",\"load\":", out);
		json_put_string(out, t->load);
		if (t->kind == TABLE_MODES)
			fprintf(out, ",\"size_bytes\":%llu", (unsigned long long)t->size);
		else
			fprintf(out, ",\"procs\":%u", t->procs);
		fputs(",\"title\":", out);
		json_put_string(out, report_table_title(r, t, title, sizeof(title)));
		fputs(",\"rows\":[", out);
		for (j = 0; j < t->nr_rows; j++)
			fprintf(out, "%s%zu", j ? "," : "", (size_t)(t->rows[j] - r->rows));
		/* Rows printed as a reference to the test that holds their figures: 0 = here. */
		fputs("],\"shown_in\":[", out);
		for (j = 0; j < t->nr_rows; j++)
			fprintf(out, "%s%zu", j ? "," : "", t->shown_in[j]);
		fprintf(out, "]}%s\n", i + 1 < r->nr_tables ? "," : "");
	}
	fputs("],\"fio\":[", out);
	for (i = 0; i < r->nr_fio; i++) {
		const struct report_fio_row *f = &r->fio[i];
		static const char *const mname[] = { "bw_bytes", "iops", "lat_mean_ns" };
		size_t m, k;

		fputs(i ? ",\n{\"job\":" : "\n{\"job\":", out);
		json_put_string(out, f->job);
		fputs(",\"rw\":", out);
		json_put_string(out, f->rw);
		fputs(",\"load\":", out);
		json_put_string(out, f->load);
		if (f->revision)
			fprintf(out, ",\"revision\":%u", f->revision);
		for (k = 0; k < 2; k++) {
			const struct report_fio_side *s = k ? &f->patched : &f->base;

			fprintf(out, ",\"%s\":{\"n\":%zu", k ? "patched" : "base", s->n);
			for (m = 0; m < NR_FIO_METRICS && s->n; m++) {
				char key[48];

				snprintf(key, sizeof(key), "%s_median", mname[m]);
				json_num(out, key, "%.3f", s->median[m]);
				snprintf(key, sizeof(key), "%s_sd", mname[m]);
				json_num(out, key, "%.3f", s->sd[m]);
			}
			fputc('}', out);
		}
		for (m = 0; m < NR_FIO_METRICS; m++) {
			fprintf(out, ",\"%s\":", mname[m]);
			if (f->base.n && f->patched.n)
				json_verdict(out, &f->v[m]);
			else
				fputs("null", out);
		}
		fputc('}', out);
	}
	fputs("],\"method\":", out);
	json_put_string(out, r->method ? r->method : "");
	fputs(",\"correction\":", out);
	if (r->correction)
		json_put_string(out, r->correction);
	else
		fputs("null", out);
	json_num(out, "min_effect_pct", "%g", r->opts.min_effect_pct);
	fputs(",\"mde\":[", out);
	for (i = 0; i < r->nr_mde; i++) {
		fputs(i ? ",{\"backend\":" : "{\"backend\":", out);
		json_put_string(out, r->mde[i].backend);
		json_num(out, "pct", "%.2f", r->mde[i].pct);
		fprintf(out, ",\"invocations\":%zu}", r->mde[i].inv);
	}
	fputs("],\"header\":[", out);
	for (i = 0; i < 4; i++) {
		char *h = report_header_line(r, (int)i);

		fputs(i ? "," : "", out);
		json_put_string(out, h);
		free(h);
	}
	fputs("],\"summary\":", out);
	{
		char *sum = report_summary(r, r->opts.series ? "The latest revision" : "The patch");

		json_put_string(out, sum);
		free(sum);
	}
	fputs(",\"notes\":[", out);
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
