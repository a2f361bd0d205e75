/*
 * intake_db.c - recording submitted revisions in the lab's database
 * (db/db.h: series and revision tables), for `swaplab submit --db` and the
 * pipeline.  The database's public writes commit on their own, so the row
 * is written after the files are published and the files are removed
 * again if the write fails: a revision is in both places or in neither.
 */
#include "kernel-patches/intake_db.h"
#include "common/util.h"

#include <string.h>

/* The message-id a revision is known by: its cover letter's, else patch 1's. */
static const char *revision_msgid(const struct patch_series *s)
{
	if (s->cover && s->cover->message_id)
		return s->cover->message_id;
	return s->total ? s->patches[0].message_id : NULL;
}

int intake_db_upsert(struct db *db, const char *series, unsigned version,
		     const char *title, const char *message_id, const char *base_commit)
{
	/* One transaction makes the series (if new) and the revision. */
	if (db_upsert_revision(db, series, version, message_id, base_commit) < 0)
		return error("cannot record %s v%u in '%s'", series, version, db_path(db));
	/* The subject is a label: failing to set it loses nothing. */
	if (title && db_upsert_series(db, series, title) < 0)
		warning("%s v%u recorded in '%s' without its subject", series, version, db_path(db));
	return 0;
}

static int db_record(void *ctx, const struct patch_series *s, const char *dir)
{
	struct intake_db *idb = ctx;

	(void)dir;
	idb->pending = s;    /* written in db_finish(), once the files are visible */
	return 0;
}

static int db_finish(void *ctx, int commit)
{
	struct intake_db *idb = ctx;
	const struct patch_series *s = idb->pending;

	idb->pending = NULL;
	if (!commit || !s)
		return 0;
	if (intake_db_upsert(idb->db, s->name, s->version, s->title, revision_msgid(s),
			     s->base_commit) < 0) {
		idb->failed = 1;
		return -1;
	}
	return 0;
}

void intake_db_init(struct intake_db *idb, struct db *db)
{
	memset(idb, 0, sizeof(*idb));
	idb->db = db;
	idb->ops.record = db_record;
	idb->ops.finish = db_finish;
	idb->ops.ctx = idb;
}

int intake_db_upsert_stored(struct db *db, const char *revision_dir)
{
	struct intake_revision rev;
	int ret;

	if (intake_revision_load_dir(revision_dir, &rev) < 0)
		return -1;
	ret = intake_db_upsert(db, rev.series, rev.version, rev.title,
			       rev.cover_message_id ? rev.cover_message_id :
			       rev.nr_patches ? rev.message_ids[0] : NULL,
			       rev.base_commit);
	intake_revision_release(&rev);
	return ret;
}
