/*
 * db/calibration.c - storing and listing what `swaplab calibrate`
 * measured about a device (db.h, schema version 4): one calibration row
 * per measurement, one calibration_cell row per (backend, size, procs).
 */
#include "db/db-internal.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

int64_t db_calibration_add(struct db *db, const struct db_calibration *c)
{
	sqlite3_stmt *st;
	int64_t id = -1, dev;
	size_t i;

	if (db_begin(db))
		return -1;
	if ((dev = db_device_id(db, c->device, NULL, NULL)) < 0 || !(st = db_stmt(db, ST_CALIB_ADD)))
		goto fail;
	sqlite3_bind_int64(st, 1, dev);
	db_bind_text(st, 2, c->kernel);
	db_bind_text(st, 3, c->artifact);
	db_bind_text(st, 4, c->plan);
	sqlite3_bind_int(st, 5, (int)c->boots);
	sqlite3_bind_int(st, 6, (int)c->runs);
	sqlite3_bind_double(st, 7, c->alpha);
	db_bind_text(st, 8, c->label_a);
	db_bind_text(st, 9, c->label_b);
	sqlite3_bind_int(st, 10, (int)c->rows);
	sqlite3_bind_int(st, 11, (int)c->false_marks);
	if (db_exec_stmt(db, st, "cannot store the calibration"))
		goto fail;
	id = sqlite3_last_insert_rowid(db->h);
	for (i = 0; i < c->nr_cells; i++) {
		const struct db_calibration_cell *x = &c->cells[i];

		if (!(st = db_stmt(db, ST_CALIB_CELL_ADD)))
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		db_bind_text(st, 2, x->backend);
		sqlite3_bind_int64(st, 3, (int64_t)x->size_bytes);
		sqlite3_bind_int(st, 4, (int)x->procs);
		sqlite3_bind_double(st, 5, x->between_pct);
		if (x->within_pct >= 0)
			sqlite3_bind_double(st, 6, x->within_pct);
		else
			sqlite3_bind_null(st, 6);
		sqlite3_bind_double(st, 7, x->mde_pct);
		sqlite3_bind_int(st, 8, !!x->marked);
		if (db_exec_stmt(db, st, "cannot store a calibration cell"))
			goto fail;
	}
	if (db_commit(db))
		goto fail;
	return id;
fail:
	db_rollback(db);
	return -1;
}

static int read_cells(struct db *db, struct db_calibration *c)
{
	sqlite3_stmt *st = db_stmt(db, ST_CALIB_CELLS);
	size_t alloc = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_calibration_cell *x;

		ALLOC_GROW(c->cells, c->nr_cells + 1, alloc);
		x = &c->cells[c->nr_cells++];
		x->backend = db_col_strdup(st, 0);
		x->size_bytes = (uint64_t)sqlite3_column_int64(st, 1);
		x->procs = (unsigned)sqlite3_column_int(st, 2);
		x->between_pct = sqlite3_column_double(st, 3);
		x->within_pct = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 4);
		x->mde_pct = sqlite3_column_double(st, 5);
		x->marked = sqlite3_column_int(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(db, "cannot read calibration cells");
}

int db_calibration_list(struct db *db, const char *device, struct db_calibration **out,
			size_t *nr)
{
	sqlite3_stmt *st = db_stmt(db, ST_CALIB_LIST);
	struct db_calibration *v = NULL;
	size_t n = 0, alloc = 0, i;
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, device);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_calibration *c;

		ALLOC_GROW(v, n + 1, alloc);
		c = &v[n++];
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(st, 0);
		c->device = db_col_strdup(st, 1);
		c->kernel = db_col_strdup(st, 2);
		c->artifact = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL : db_col_strdup(st, 3);
		c->plan = db_col_strdup(st, 4);
		c->boots = (unsigned)sqlite3_column_int(st, 5);
		c->runs = (unsigned)sqlite3_column_int(st, 6);
		c->alpha = sqlite3_column_double(st, 7);
		c->label_a = db_col_strdup(st, 8);
		c->label_b = db_col_strdup(st, 9);
		c->rows = (unsigned)sqlite3_column_int(st, 10);
		c->false_marks = (unsigned)sqlite3_column_int(st, 11);
		c->created = db_col_strdup(st, 12);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_calibration_free(v, n);
		return db_err(db, "cannot list calibrations");
	}
	for (i = 0; i < n; i++)
		if (read_cells(db, &v[i]) < 0) {
			db_calibration_free(v, n);
			return -1;
		}
	*out = v;
	*nr = n;
	return 0;
}

void db_calibration_free(struct db_calibration *c, size_t nr)
{
	size_t i, j;

	for (i = 0; i < nr; i++) {
		free(c[i].device);
		free(c[i].kernel);
		free(c[i].artifact);
		free(c[i].plan);
		free(c[i].label_a);
		free(c[i].label_b);
		free(c[i].created);
		for (j = 0; j < c[i].nr_cells; j++)
			free(c[i].cells[j].backend);
		free(c[i].cells);
	}
	free(c);
}
