/*
 * db/db-internal.h - what the files of db/ share: the connection, the
 * table of SQL statements (each prepared once, on first use, finalized
 * by db_close) and small binding helpers.  Not for use outside db/.
 */
#ifndef SWAPLAB_DB_INTERNAL_H
#define SWAPLAB_DB_INTERNAL_H

#include "db/db.h"

#include <sqlite3.h>

/* PRAGMA application_id of a swaplab database. */
#define DB_APP_ID 0x53574c42 /* "SWLB" */

/* Every SQL statement swaplab runs; the text is in db.c's sql_text[]. */
enum db_stmt {
	ST_BEGIN,
	ST_FOREIGN_KEYS_ON,
	ST_FOREIGN_KEYS_OFF,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_LABEL_GET,
	ST_LABEL_ADD,
	ST_SERIES_GET,
	ST_SERIES_ADD,
	ST_SERIES_SET_SUBJECT,
	ST_REV_GET,
	ST_REV_ADD,
	ST_REV_UPDATE,
	ST_DEVICE_GET,
	ST_DEVICE_ADD,
	ST_DEVICE_UPDATE,
	ST_DEVICE_SEEN,
	ST_BUILD_GET,
	ST_BUILD_ADD,
	ST_JOB_GET,
	ST_JOB_ADD,
	ST_RUN_BY_UUID,
	ST_RUN_DELETE_SAMPLES,
	ST_RUN_DELETE_CELLS,
	ST_RUN_DELETE_FIO,
	ST_RUN_DELETE,
	ST_RUN_ADD,
	ST_RUN_END,
	ST_CELL_MAX_ID,
	ST_CELL_ADD,
	ST_SAMPLE_ADD,
	ST_SAMPLE_ADD_BATCH,
	ST_FIO_ADD,
	ST_LIST_LABELS,
	ST_LIST_RUNS,
	ST_LIST_RUNS_LABEL,
	ST_COUNT,
	ST_LABEL_EXISTS,
	ST_CELLS_LABEL,
	ST_CELLS_REV,
	ST_ENVS_LABEL,
	ST_ENVS_REV,
	ST_SERIES_REVS,
	ST_EXPORT_RUNS,
	ST_EXPORT_CELLS,
	ST_EXPORT_SAMPLES,
	ST_EXPORT_FIO,
	ST_FIO_LABEL,
	ST_FIO_REV,
	ST_EXPORT_RUN_IDS,
	ST_QUEUE_ADD,
	ST_QUEUE_REQUEUE,
	ST_QUEUE_BY_DIR,
	ST_QUEUE_NEXT,
	ST_QUEUE_CLAIM,
	ST_QUEUE_FINISH,
	ST_QUEUE_RECOVER,
	ST_QUEUE_LIST,
	ST_SEEN_GET,
	ST_SEEN_ADD,
	ST_CALIB_ADD,
	ST_CALIB_CELL_ADD,
	ST_CALIB_LIST,
	ST_CALIB_CELLS,
	ST_BISECT_ADD,
	ST_BISECT_GET,
	ST_BISECT_SET_STATE,
	ST_BISECT_SET_WORKTREE,
	ST_BISECT_STEP_PUT,
	ST_BISECT_STEPS,
	ST__COUNT
};

struct db {
	sqlite3 *h;
	char *path;
	int readonly;
	sqlite3_stmt *st[ST__COUNT];
	/* Interned short strings (backend and compressor names). */
	char **strs;
	size_t nr_strs, alloc_strs;
};

/* The SQL of migration i (from schema version i to i+1), for tests. */
const char *db_migration_sql(int i);

/* The prepared statement, reset and with its bindings cleared; NULL + error(). */
sqlite3_stmt *db_stmt(struct db *db, enum db_stmt id);
/* The same without clearing the bindings, for callers that bind every parameter. */
sqlite3_stmt *db_stmt_all_bound(struct db *db, enum db_stmt id);
/* error() naming the database and SQLite's message; returns -1. */
int db_err(struct db *db, const char *what);
/* Steps a statement that returns no rows; -1 + error() on failure. */
int db_exec_stmt(struct db *db, sqlite3_stmt *st, const char *what);

int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
/*
 * Foreign-key enforcement on this connection (on from db_open()).  SQLite
 * ignores the change inside a transaction: call it before db_begin().
 */
int db_foreign_keys(struct db *db, int on);

/* Binds text, or NULL for a NULL pointer (SQLITE_STATIC: caller keeps it). */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* A column as a malloc'd string ("" for NULL). */
char *db_col_strdup(sqlite3_stmt *st, int i);
/* A short string shared for the connection's lifetime. */
const char *db_intern(struct db *db, const char *s);

/* Finds or creates a label / kernel build / job; the id or -1. */
int64_t db_label_id(struct db *db, const char *name, int create);
int64_t db_build_id(struct db *db, const char *kind, int64_t revision_id,
		    const char *commit, const char *config_fingerprint,
		    const char *release, const char *version, const char *arch);
int64_t db_device_id(struct db *db, const char *name, const char *kind,
		     const char *board);
/* The revision's id inside the caller's transaction (series created as needed). */
int64_t db_revision_id(struct db *db, const char *series, unsigned version);
int64_t db_job_id(struct db *db, int64_t device_id, int64_t build_id,
		  const char *external_id);

#endif
