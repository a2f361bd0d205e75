/*
 * db/query.c - reading the results database: listings for `swaplab db`,
 * the per-run-of-cell figures and run environments the reports compare,
 * and the JSON Lines export (which db_import_jsonl reads back).
 */
#include "db/db-internal.h"
#include "common/util.h"

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
			  &c->labels, &c->runs, &c->cells, &c->samples, &c->fio };
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

/*
 * A cell's per-run figure column, as import.c writes it: "[v,v,...]" with
 * v an integer, null, true or false, index = run - 1.  Decoded by hand:
 * a report over a big label reads millions of these figures.
 */
struct figures {
	size_t n, alloc;
	int64_t *v;
	unsigned char *present;
};

static int figures_parse(struct db *db, sqlite3_stmt *st, int col, struct figures *f)
{
	const char *p = (const char *)sqlite3_column_text(st, col), *start = p;

	f->n = 0;
	if (!p)
		return 0;
	if (*p++ != '[')
		goto bad;
	while (*p && *p != ']') {
		int64_t x = 0;
		int neg = 0, present = 1;

		if (f->n == f->alloc) {
			f->alloc = f->alloc * 2 + 16;
			f->v = xrealloc(f->v, f->alloc * sizeof(*f->v));
			f->present = xrealloc(f->present, f->alloc);
		}
		if (*p >= '0' && *p <= '9') {
			while (*p >= '0' && *p <= '9')
				x = x * 10 + (*p++ - '0');
		} else if (!strncmp(p, "null", 4)) {
			present = 0;
			p += 4;
		} else if (!strncmp(p, "true", 4)) {
			x = 1;
			p += 4;
		} else if (!strncmp(p, "false", 5)) {
			p += 5;
		} else {
			if (*p == '-') {
				neg = 1;
				p++;
			}
			if (*p < '0' || *p > '9')
				goto bad;
			while (*p >= '0' && *p <= '9')
				x = x * 10 + (*p++ - '0');
			if (neg)
				x = -x;
		}
		f->v[f->n] = x;
		f->present[f->n++] = (unsigned char)present;
		if (*p == ',')
			p++;
		else if (*p != ']')
			goto bad;
	}
	if (*p == ']' && !p[1])
		return 0;
bad:
	return error("database '%s': cell column '%s' is not an array of figures: '%.40s'",
		     db->path, sqlite3_column_name(st, col), start);
}

static void figures_release(struct figures *f)
{
	free(f->v);
	free(f->present);
}

/* Element i of a figure array; 0 if absent or null. */
static int fig(const struct figures *f, size_t i, int64_t *out)
{
	if (i >= f->n || !f->present[i])
		return 0;
	*out = f->v[i];
	return 1;
}

int db_cell_runs(struct db *db, const struct db_sel *sel, struct db_cell_run **out, size_t *nr)
{
	enum { C_SUM, C_MAX, C_DRAIN, C_DRAINED, C_CPU, C_PEAK, C__N };
	sqlite3_stmt *st = sel_stmt(db, sel, ST_CELLS_LABEL, ST_CELLS_REV);
	struct db_cell_run *v = NULL;
	struct figures fg[C__N];
	size_t n = 0, alloc = 0;
	const char *backend = NULL, *comp = NULL, *load = NULL;
	int rc, f, bad = 0;

	if (!st)
		return -1;
	memset(fg, 0, sizeof(fg));
	/* Rows come ordered by backend, size, procs, run (the statement's ORDER BY). */
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(st, 1);
		const char *cp = sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "";
		unsigned procs = (unsigned)sqlite3_column_int(st, 4);
		size_t r;

		if (!backend || strcmp(backend, b))
			backend = db_intern(db, b);
		if (!comp || strcmp(comp, cp))
			comp = db_intern(db, cp);
		if (!load || strcmp(load, (const char *)sqlite3_column_text(st, 5 + C__N)))
			load = db_intern(db, (const char *)sqlite3_column_text(st, 5 + C__N));
		for (f = 0; f < C__N && !bad; f++)
			bad = figures_parse(db, st, 5 + f, &fg[f]) < 0;
		for (r = 0; !bad && r < fg[C_SUM].n; r++) {
			struct db_cell_run *c;
			int64_t sum, x;

			if (!fig(&fg[C_SUM], r, &sum))
				continue;
			ALLOC_GROW(v, n + 1, alloc);
			c = &v[n++];
			c->run_id = sqlite3_column_int64(st, 0);
			c->backend = backend;
			c->comp = comp;
			c->load = load;
			c->size_bytes = (uint64_t)sqlite3_column_int64(st, 3);
			c->procs = procs;
			c->run_no = (unsigned)r + 1;
			c->munmap_mean_ns = (double)sum / procs;
			c->munmap_max_ns = fig(&fg[C_MAX], r, &x) ? x : 0;
			c->has_drain = fig(&fg[C_DRAIN], r, &c->drain_ns);
			c->drained = fig(&fg[C_DRAINED], r, &x) ? (int)x : 1;
			c->has_cpu = fig(&fg[C_CPU], r, &c->cpu_ns);
			c->has_peak = fig(&fg[C_PEAK], r, &c->pool_peak_bytes);
		}
	}
	for (f = 0; f < C__N; f++)
		figures_release(&fg[f]);
	if (bad || rc != SQLITE_DONE) {
		free(v);
		if (bad) {
			sqlite3_reset(st);
			return -1;
		}
		return step_error(db, st, "cannot read cells");
	}
	sqlite3_reset(st);
	*out = v;
	*nr = n;
	return 0;
}

int db_fio_runs(struct db *db, const struct db_sel *sel, struct db_fio_run **out, size_t *nr)
{
	sqlite3_stmt *st = sel_stmt(db, sel, ST_FIO_LABEL, ST_FIO_REV);
	struct db_fio_run *v = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_fio_run *f;

		ALLOC_GROW(v, n + 1, alloc);
		f = &v[n++];
		f->run_id = sqlite3_column_int64(st, 0);
		f->job = db_intern(db, (const char *)sqlite3_column_text(st, 1));
		f->rw = db_intern(db, (const char *)sqlite3_column_text(st, 2));
		f->load = db_intern(db, (const char *)sqlite3_column_text(st, 3));
		f->has_bw = sqlite3_column_type(st, 4) != SQLITE_NULL;
		f->bw_bytes = sqlite3_column_double(st, 4);
		f->has_iops = sqlite3_column_type(st, 5) != SQLITE_NULL;
		f->iops = sqlite3_column_double(st, 5);
		f->has_lat = sqlite3_column_type(st, 6) != SQLITE_NULL;
		f->lat_mean_ns = sqlite3_column_double(st, 6);
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return step_error(db, st, "cannot read fio results");
	}
	sqlite3_reset(st);
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
		e->started = db_col_strdup(st, 11);
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
		free(e[i].started);
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
	"zswpout", "pswpout", "thp_swpout", "thp_swpout_fallback",
};
#define NR_RUN_COLS (sizeof(run_cols) / sizeof(run_cols[0]))

enum export_format { EXPORT_JSONL, EXPORT_CSV };

/* One sample line: the cell's identity, the process's columns, the run's figures. */
static void export_sample(FILE *out, enum export_format fmt, const char *label,
			  const char *uuid, sqlite3_stmt *cell, sqlite3_stmt *smp,
			  const struct figures *fg)
{
	const char *backend = (const char *)sqlite3_column_text(cell, 1);
	const char *comp = (const char *)sqlite3_column_text(cell, 2);
	size_t r = (size_t)sqlite3_column_int(smp, 0) - 1, k;

	if (fmt == EXPORT_CSV) {
		csv_put_field(out, label);
		fputc(',', out);
		csv_put_field(out, uuid);
		fputc(',', out);
		csv_put_field(out, backend);
		fputc(',', out);
		csv_put_field(out, comp ? comp : "");
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
		int is_bool = !strcmp(run_cols[k], "drained");
		int64_t x;

		if (!fig(&fg[k], r, &x)) {
			if (fmt == EXPORT_CSV)
				fputc(',', out);
			continue;
		}
		if (fmt == EXPORT_CSV)
			fprintf(out, ",%lld", (long long)x);
		else if (is_bool)
			fprintf(out, ",\"%s\":%s", run_cols[k], x ? "true" : "false");
		else
			fprintf(out, ",\"%s\":%lld", run_cols[k], (long long)x);
	}
	fputs(fmt == EXPORT_CSV ? "\n" : "}\n", out);
}

static int export_run(struct db *db, enum export_format fmt, const char *label,
		      const char *uuid, int64_t run_id, FILE *out, uint64_t *count)
{
	sqlite3_stmt *cell = db_stmt(db, ST_EXPORT_CELLS), *smp;
	struct figures fg[NR_RUN_COLS];
	size_t k;
	int rc, bad = 0;

	if (!cell)
		return -1;
	memset(fg, 0, sizeof(fg));
	sqlite3_bind_int64(cell, 1, run_id);
	while (!bad && (rc = sqlite3_step(cell)) == SQLITE_ROW) {
		for (k = 0; k < NR_RUN_COLS && !bad; k++)
			bad = figures_parse(db, cell, 5 + (int)k, &fg[k]) < 0;
		if (bad || !(smp = db_stmt(db, ST_EXPORT_SAMPLES))) {
			bad = 1;
			break;
		}
		sqlite3_bind_int64(smp, 1, sqlite3_column_int64(cell, 0));
		while ((rc = sqlite3_step(smp)) == SQLITE_ROW) {
			export_sample(out, fmt, label, uuid, cell, smp, fg);
			(*count)++;
		}
		if (rc != SQLITE_DONE)
			bad = step_error(db, smp, "cannot read samples") < 0;
		sqlite3_reset(smp);
	}
	for (k = 0; k < NR_RUN_COLS; k++)
		figures_release(&fg[k]);
	if (bad) {
		sqlite3_reset(cell);
		return -1;
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
