/*
 * intake_db.h - the intake's side of the lab database: a submitted
 * revision becomes a row of db/'s series and revision tables.
 *
 *   struct intake_db idb;
 *   intake_db_init(&idb, db);
 *   intake_submit(&req, &res, &idb.ops);        new revision: files + row
 *   if (res.already)                            known patches: make sure
 *       intake_db_upsert_stored(db, res.dir);    the row exists
 *
 * Upserts are idempotent: recording a revision twice changes nothing.
 */
#ifndef SWAPLAB_INTAKE_DB_H
#define SWAPLAB_INTAKE_DB_H

#include "db/db.h"
#include "kernel-patches/intake.h"

struct intake_db {
	struct intake_db_ops ops;   /* what intake_submit() takes */
	struct db *db;
	const struct patch_series *pending;
	int failed;   /* the database refused the row (full, read-only): not the input's fault */
};

void intake_db_init(struct intake_db *idb, struct db *db);

/* Series (with its subject) and revision rows; -1 with a message. */
int intake_db_upsert(struct db *db, const char *series, unsigned version,
		     const char *title, const char *message_id, const char *base_commit);
/* The same from a stored revision's directory (its series.json). */
int intake_db_upsert_stored(struct db *db, const char *revision_dir);

#endif
