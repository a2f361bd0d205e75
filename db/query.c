/*
 * db/query.c - reading the results database: listings for `swaplab db`,
 * the per-run-of-cell figures and run environments the reports compare,
 * and the JSON Lines export (which db_import_jsonl reads back).
 */
#include "db/db-internal.h"
#include "json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int step_error(struct db *db, sqlite3_stmt *st, const char *what)
{
	sqlite3_reset(st);
	return db_err(db, what);
}

int db_list_labels(struct db *db, struct db_label_info **out, size_t *nr)
{
	sqlite3_stmt *st = db_stmt(db, ST_LIST_LABELS);
	struct db_label_info *v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_label_info *l;

		ALLOC_GROW(v, n + 1, alloc);
		l = &v[n++];
		l->name = db_col_strdup(st, 0);
		l->runs = (unsigned)sqlite3_column_int(st, 1);
		l->samples = (uint64_t)sqlite3_column_int64(st, 2);
		l->first_started = db_col_strdup(st, 3);
		l->last_started = db_col_strdup(st, 4);
		l->kernels = db_col_strdup(st, 5);
		l->devices = db_col_strdup(st, 6);
	}
	if (rc != SQLITE_DONE) {
		db_label_info_free(v, n);
		return step_error(db, st, "cannot list labels");
	}
	sqlite3_reset(st);
	*out = v;
	*nr = n;
	return 0;
}

void db_label_info_free(struct db_label_info *l, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(l[i].name);
		free(l[i].first_started);
		free(l[i].last_started);
		free(l[i].kernels);
		free(l[i].devices);
	}
	free(l);
}

int db_list_runs(struct db *db, const char *label, struct db_run_info **out, size_t *nr)
{
	sqlite3_stmt *st = db_stmt(db, label ? ST_LIST_RUNS_LABEL : ST_LIST_RUNS);
	struct db_run_info *v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if (!st)
		return -1;
	if (label)
		db_bind_text(st, 1, label);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_run_info *r;

		ALLOC_GROW(v, n + 1, alloc);
		r = &v[n++];
		r->id = sqlite3_column_int64(st, 0);
		r->uuid = db_col_strdup(st, 1);
		r->label = db_col_strdup(st, 2);
		r->started = db_col_strdup(st, 3);
		r->device = db_col_strdup(st, 4);
		r->kernel_release = db_col_strdup(st, 5);
		r->tool = db_col_strdup(st, 6);
		r->source = db_col_strdup(st, 7);
		r->kind = db_col_strdup(st, 8);
		r->series = sqlite3_column_type(st, 9) == SQLITE_NULL ? NULL : db_col_strdup(st, 9);
		r->revision = (unsigned)sqlite3_column_int(st, 10);
		r->samples = (uint64_t)sqlite3_column_int64(st, 11);
	}
	if (rc != SQLITE_DONE) {
		db_run_info_free(v, n);
		return step_error(db, st, "cannot list runs");
	}
	sqlite3_reset(st);
	*out = v;
	*nr = n;
	return 0;
}

void db_run_info_free(struct db_run_info *r, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(r[i].uuid);
		free(r[i].label);
		free(r[i].started);
		free(r[i].device);
		free(r[i].kernel_release);
		free(r[i].tool);
		free(r[i].source);
		free(r[i].kind);
		free(r[i].series);
	}
	free(r);
}

int db_count(struct db *db, struct db_counts *c)
{
	sqlite3_stmt *st = db_stmt(db, ST_COUNT);
	uint64_t *f[] = { &c->series, &c->revisions, &c->kernel_builds, &c->devices, &c->jobs,
			  &c->labels, &c->runs, &c->cell_runs, &c->samples, &c->fio };
	size_t i;

	if (!st)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW)
		return step_error(db, st, "cannot count rows");
	for (i = 0; i < ARRAY_SIZE(f); i++)
		*f[i] = (uint64_t)sqlite3_column_int64(st, (int)i);
	sqlite3_reset(st);
	return 0;
}

int db_label_exists(struct db *db, const char *label)
{
	sqlite3_stmt *st = db_stmt(db, ST_LABEL_EXISTS);
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, label);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return step_error(db, st, "cannot look a label up");
	sqlite3_reset(st);
	return rc == SQLITE_ROW;
}

static sqlite3_stmt *sel_stmt(struct db *db, const struct db_sel *sel, enum db_stmt by_label,
			      enum db_stmt by_rev)
{
	sqlite3_stmt *st;

	if (sel->label) {
		if ((st = db_stmt(db, by_label)))
			db_bind_text(st, 1, sel->label);
		return st;
	}
	if (!sel->series || !sel->revision || !sel->kind) {
		error("a selection of runs needs a label, or a series, revision and kind");
		return NULL;
	}
	if ((st = db_stmt(db, by_rev))) {
		db_bind_text(st, 1, sel->series);
		sqlite3_bind_int(st, 2, (int)sel->revision);
		db_bind_text(st, 3, sel->kind);
	}
	return st;
}

static int cmp_cell_run(const void *a, const void *b)
{
	const struct db_cell_run *x = a, *y = b;
	int c = strcmp(x->backend, y->backend);

	if (c)
		return c;
	if (x->size_bytes != y->size_bytes)
		return x->size_bytes < y->size_bytes ? -1 : 1;
	if (x->procs != y->procs)
		return x->procs < y->procs ? -1 : 1;
	if (x->run_id != y->run_id)
		return x->run_id < y->run_id ? -1 : 1;
	return x->run_no < y->run_no ? -1 : x->run_no > y->run_no;
}

/*
 * A cell's per-run figure column: a JSON array indexed by run - 1 (see
 * import.c).  NULL column: *arr = NULL.  -1 + error() if malformed.
 */
static int col_array(struct db *db, sqlite3_stmt *st, int col, struct json_doc **doc,
		     struct json **arr)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	char err[128] = "not an array";

	*doc = NULL;
	*arr = NULL;
	if (!text)
		return 0;
	*doc = json_parse(text, (size_t)sqlite3_column_bytes(st, col), arr, err, sizeof(err));
	if (!*doc || (*arr)->type != JSON_ARRAY) {
		json_doc_free(*doc);
		*doc = NULL;
		*arr = NULL;
		return error("database '%s': cell column '%s' is not a JSON array: %s", db->path,
			     sqlite3_column_name(st, col), err);
	}
	return 0;
}

/* Element i of a figure array as an integer; 0 if absent or null. */
static int arr_int(const struct json *arr, size_t i, int64_t *out)
{
	const struct json *v;

	if (!arr || i >= arr->len)
		return 0;
	v = arr->items[i];
	if (v->type == JSON_BOOL) {
		*out = v->boolean;
		return 1;
	}
	if (v->type != JSON_NUMBER)
		return 0;
	*out = (int64_t)v->number;
	return 1;
}

int db_cell_runs(struct db *db, const struct db_sel *sel, struct db_cell_run **out, size_t *nr)
{
	enum { C_SUM, C_MAX, C_DRAIN, C_DRAINED, C_CPU, C__N };
	sqlite3_stmt *st = sel_stmt(db, sel, ST_CELLS_LABEL, ST_CELLS_REV);
	struct db_cell_run *v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct json_doc *doc[C__N];
		struct json *arr[C__N];
		const char *backend = db_intern(db, (const char *)sqlite3_column_text(st, 1));
		const char *comp = sqlite3_column_text(st, 2) ?
				   db_intern(db, (const char *)sqlite3_column_text(st, 2)) : "";
		unsigned procs = (unsigned)sqlite3_column_int(st, 4);
		size_t r;
		int f, bad = 0;

		for (f = 0; f < C__N; f++)
			if (col_array(db, st, 5 + f, &doc[f], &arr[f]))
				bad = 1;
		for (r = 0; !bad && arr[C_SUM] && r < arr[C_SUM]->len; r++) {
			struct db_cell_run *c;
			int64_t sum, x;

			if (!arr_int(arr[C_SUM], r, &sum))
				continue;
			ALLOC_GROW(v, n + 1, alloc);
			c = &v[n++];
			c->run_id = sqlite3_column_int64(st, 0);
			c->backend = backend;
			c->comp = comp;
			c->size_bytes = (uint64_t)sqlite3_column_int64(st, 3);
			c->procs = procs;
			c->run_no = (unsigned)r + 1;
			c->munmap_mean_ns = (double)sum / procs;
			c->munmap_max_ns = arr_int(arr[C_MAX], r, &x) ? x : 0;
			c->has_drain = arr_int(arr[C_DRAIN], r, &c->drain_ns);
			c->drained = arr_int(arr[C_DRAINED], r, &x) ? (int)x : 1;
			c->has_cpu = arr_int(arr[C_CPU], r, &c->cpu_ns);
		}
		for (f = 0; f < C__N; f++)
			json_doc_free(doc[f]);
		if (bad) {
			free(v);
			sqlite3_reset(st);
			return -1;
		}
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return step_error(db, st, "cannot read cells");
	}
	sqlite3_reset(st);
	/* Sorting here is cheaper than an ORDER BY over a join. */
	qsort(v, n, sizeof(*v), cmp_cell_run);
	*out = v;
	*nr = n;
	return 0;
}

int db_run_envs(struct db *db, const struct db_sel *sel, struct db_run_env **out, size_t *nr)
{
	sqlite3_stmt *st = sel_stmt(db, sel, ST_ENVS_LABEL, ST_ENVS_REV);
	struct db_run_env *v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_run_env *e;

		ALLOC_GROW(v, n + 1, alloc);
		e = &v[n++];
		e->id = sqlite3_column_int64(st, 0);
		e->uuid = db_col_strdup(st, 1);
		e->label = db_col_strdup(st, 2);
		e->device = db_col_strdup(st, 3);
		e->device_kind = db_col_strdup(st, 4);
		e->kernel_release = db_col_strdup(st, 5);
		e->kernel_version = db_col_strdup(st, 6);
		e->kind = db_col_strdup(st, 7);
		e->commit = db_col_strdup(st, 8);
		e->config_fingerprint = db_col_strdup(st, 9);
		e->env_json = db_col_strdup(st, 10);
	}
	if (rc != SQLITE_DONE) {
		db_run_env_free(v, n);
		return step_error(db, st, "cannot read run environments");
	}
	sqlite3_reset(st);
	*out = v;
	*nr = n;
	return 0;
}

void db_run_env_free(struct db_run_env *e, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(e[i].uuid);
		free(e[i].label);
		free(e[i].device);
		free(e[i].device_kind);
		free(e[i].kernel_release);
		free(e[i].kernel_version);
		free(e[i].kind);
		free(e[i].commit);
		free(e[i].config_fingerprint);
		free(e[i].env_json);
	}
	free(e);
}

int db_series_revisions(struct db *db, const char *series, unsigned **out, size_t *nr)
{
	sqlite3_stmt *st = db_stmt(db, ST_SERIES_GET);
	unsigned *v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, series);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return error("no series '%s' in '%s'", series, db->path);
	if (rc != SQLITE_ROW)
		return db_err(db, "cannot look a series up");
	if (!(st = db_stmt(db, ST_SERIES_REVS)))
		return -1;
	db_bind_text(st, 1, series);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ALLOC_GROW(v, n + 1, alloc);
		v[n++] = (unsigned)sqlite3_column_int(st, 0);
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return step_error(db, st, "cannot list revisions");
	}
	sqlite3_reset(st);
	*out = v;
	*nr = n;
	return 0;
}

/* ---- export ---- */

/* Per-process columns of ST_EXPORT_SAMPLES, from column 0. */
static const char *const sample_cols[] = {
	"run", "proc", "munmap_ns", "start_ns", "swap_bytes", "rss_bytes", "vmswap_bytes",
	"fill_ns", "pageout_ns", "pageout_passes",
};
/* Per-run columns of ST_EXPORT_CELLS, from column 5. */
static const char *const run_cols[] = {
	"wall_ns", "drain_ns", "drained", "cpu_ns", "pool_base_bytes", "pool_before_bytes",
	"pool_peak_bytes", "pool_after_bytes", "orig_bytes", "notify_free", "miss_free",
	"zswpout", "pswpout",
};
#define NR_RUN_COLS (sizeof(run_cols) / sizeof(run_cols[0]))

enum export_format { EXPORT_JSONL, EXPORT_CSV };

/* CSV field: quoted only when it needs to be (RFC 4180). */
static void csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* One sample line: the cell's identity, the process's columns, the run's figures. */
static void export_sample(FILE *out, enum export_format fmt, const char *label,
			  const char *uuid, sqlite3_stmt *cell, sqlite3_stmt *smp,
			  struct json **arr)
{
	const char *backend = (const char *)sqlite3_column_text(cell, 1);
	const char *comp = (const char *)sqlite3_column_text(cell, 2);
	size_t r = (size_t)sqlite3_column_int(smp, 0) - 1, k;

	if (fmt == EXPORT_CSV) {
		csv_field(out, label);
		fputc(',', out);
		csv_field(out, uuid);
		fputc(',', out);
		csv_field(out, backend);
		fputc(',', out);
		csv_field(out, comp ? comp : "");
		fprintf(out, ",%lld,%d", (long long)sqlite3_column_int64(cell, 3),
			sqlite3_column_int(cell, 4));
	} else {
		fputs("{\"type\":\"sample\",\"backend\":", out);
		json_put_string(out, backend);
		if (comp) {
			fputs(",\"comp\":", out);
			json_put_string(out, comp);
		}
		fprintf(out, ",\"size_bytes\":%lld,\"procs\":%d",
			(long long)sqlite3_column_int64(cell, 3), sqlite3_column_int(cell, 4));
	}
	for (k = 0; k < ARRAY_SIZE(sample_cols); k++) {
		int null = sqlite3_column_type(smp, (int)k) == SQLITE_NULL;
		long long x = (long long)sqlite3_column_int64(smp, (int)k);

		if (fmt == EXPORT_CSV)
			null ? fputs(",", out) : fprintf(out, ",%lld", x);
		else if (!null)
			fprintf(out, ",\"%s\":%lld", sample_cols[k], x);
	}
	for (k = 0; k < NR_RUN_COLS; k++) {
		const struct json *v = arr[k] && r < arr[k]->len ? arr[k]->items[r] : NULL;
		int present = v && (v->type == JSON_NUMBER || v->type == JSON_BOOL);

		if (fmt == EXPORT_CSV)
			fputc(',', out);
		else if (present)
			fprintf(out, ",\"%s\":", run_cols[k]);
		if (!present)
			continue;
		if (v->type == JSON_BOOL)
			fputs(fmt == EXPORT_CSV ? (v->boolean ? "1" : "0")
						: (v->boolean ? "true" : "false"), out);
		else
			fputs(v->str, out);
	}
	fputs(fmt == EXPORT_CSV ? "\n" : "}\n", out);
}

static int export_run(struct db *db, enum export_format fmt, const char *label,
		      const char *uuid, int64_t run_id, FILE *out, uint64_t *count)
{
	sqlite3_stmt *cell = db_stmt(db, ST_EXPORT_CELLS), *smp;
	int rc;

	if (!cell)
		return -1;
	sqlite3_bind_int64(cell, 1, run_id);
	while ((rc = sqlite3_step(cell)) == SQLITE_ROW) {
		struct json_doc *doc[NR_RUN_COLS];
		struct json *arr[NR_RUN_COLS];
		size_t k;
		int bad = 0;

		for (k = 0; k < NR_RUN_COLS; k++)
			if (col_array(db, cell, 5 + (int)k, &doc[k], &arr[k]))
				bad = 1;
		if (!bad && (smp = db_stmt(db, ST_EXPORT_SAMPLES))) {
			sqlite3_bind_int64(smp, 1, sqlite3_column_int64(cell, 0));
			while ((rc = sqlite3_step(smp)) == SQLITE_ROW) {
				export_sample(out, fmt, label, uuid, cell, smp, arr);
				(*count)++;
			}
			if (rc != SQLITE_DONE)
				bad = step_error(db, smp, "cannot read samples");
			sqlite3_reset(smp);
		} else {
			bad = 1;
		}
		for (k = 0; k < NR_RUN_COLS; k++)
			json_doc_free(doc[k]);
		if (bad) {
			sqlite3_reset(cell);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		return step_error(db, cell, "cannot read cells");
	sqlite3_reset(cell);
	return 0;
}

static int export_fio(struct db *db, int64_t run_id, FILE *out)
{
	static const char *const fio_keys[] = { "job", "rw", "comp", "size_bytes", "bw_bytes",
						"iops", "lat_mean_ns", "runtime_ms" };
	sqlite3_stmt *st = db_stmt(db, ST_EXPORT_FIO);
	int rc;
	size_t k;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs("{\"type\":\"fio\"", out);
		for (k = 0; k < ARRAY_SIZE(fio_keys); k++) {
			int t = sqlite3_column_type(st, (int)k);

			if (t == SQLITE_NULL)
				continue;
			fprintf(out, ",\"%s\":", fio_keys[k]);
			if (t == SQLITE_TEXT)
				json_put_string(out, (const char *)sqlite3_column_text(st, (int)k));
			else if (t == SQLITE_FLOAT)
				fprintf(out, "%.17g", sqlite3_column_double(st, (int)k));
			else
				fprintf(out, "%lld", (long long)sqlite3_column_int64(st, (int)k));
		}
		fputs("}\n", out);
	}
	if (rc != SQLITE_DONE)
		return step_error(db, st, "cannot read fio results");
	sqlite3_reset(st);
	return 0;
}

int db_export_jsonl(struct db *db, const char *label, FILE *out)
{
	sqlite3_stmt *st = db_stmt(db, ST_EXPORT_RUNS);
	size_t runs = 0;
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, label);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t count = 0;

		/* The env line exactly as it was imported. */
		fputs((const char *)sqlite3_column_text(st, 1), out);
		fputc('\n', out);
		if (export_run(db, EXPORT_JSONL, label, NULL, sqlite3_column_int64(st, 0), out,
			       &count) ||
		    export_fio(db, sqlite3_column_int64(st, 0), out)) {
			sqlite3_reset(st);
			return -1;
		}
		fprintf(out, "{\"type\":\"end\",\"status\":");
		json_put_string(out, (const char *)sqlite3_column_text(st, 2));
		fprintf(out, ",\"samples\":%llu}\n", (unsigned long long)count);
		runs++;
	}
	if (rc != SQLITE_DONE)
		return step_error(db, st, "cannot read runs");
	sqlite3_reset(st);
	if (!runs)
		return error("no runs labelled '%s' in '%s'", label, db->path);
	if (ferror(out) || fflush(out))
		return error_errno("cannot write the export");
	return 0;
}

int db_export_csv(struct db *db, const char *label, FILE *out)
{
	sqlite3_stmt *st = db_stmt(db, ST_EXPORT_RUN_IDS);
	size_t runs = 0, k;
	int rc;

	if (!st)
		return -1;
	fputs("label,run_uuid,backend,comp,size_bytes,procs", out);
	for (k = 0; k < ARRAY_SIZE(sample_cols); k++)
		fprintf(out, ",%s", sample_cols[k]);
	for (k = 0; k < NR_RUN_COLS; k++)
		fprintf(out, ",%s", run_cols[k]);
	fputc('\n', out);
	db_bind_text(st, 1, label);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t count = 0;

		if (export_run(db, EXPORT_CSV, label, (const char *)sqlite3_column_text(st, 1),
			       sqlite3_column_int64(st, 0), out, &count)) {
			sqlite3_reset(st);
			return -1;
		}
		runs++;
	}
	if (rc != SQLITE_DONE)
		return step_error(db, st, "cannot read runs");
	sqlite3_reset(st);
	if (!runs)
		return error("no runs labelled '%s' in '%s'", label, db->path);
	if (ferror(out) || fflush(out))
		return error_errno("cannot write the export");
	return 0;
}
