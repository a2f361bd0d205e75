/*
 * db/queue.c - the pipeline's queue: stored revisions waiting for, being
 * or done with their run, and the inputs `swaplab watch` has taken.  The
 * queue lives in the database so that it survives restarts; a claim is
 * one transaction, so two watchers never take the same revision.
 */
#include "db/db-internal.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = { "queued", "running", "done", "failed" };

int db_queue_add(struct db *db, const char *revision_dir, const char *series,
		 unsigned version, const char *source, int requeue)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	int ret = -1, state_done = 0;

	if (db_begin(db))
		return -1;
	st = db_stmt(db, ST_QUEUE_BY_DIR);
	if (!st)
		goto out;
	db_bind_text(st, 1, revision_dir);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 1);

		id = sqlite3_column_int64(st, 0);
		state_done = state && (!strcmp(state, "done") || !strcmp(state, "failed"));
	}
	sqlite3_reset(st);
	if (id >= 0) {
		ret = 0;
		if (requeue && state_done) {
			st = db_stmt(db, ST_QUEUE_REQUEUE);
			if (!st)
				goto out;
			sqlite3_bind_int64(st, 1, id);
			if (db_exec_stmt(db, st, "cannot queue a revision again"))
				goto out;
			ret = 1;
		}
	} else {
		st = db_stmt(db, ST_QUEUE_ADD);
		if (!st)
			goto out;
		db_bind_text(st, 1, revision_dir);
		db_bind_text(st, 2, series);
		sqlite3_bind_int(st, 3, (int)version);
		db_bind_text(st, 4, source);
		if (db_exec_stmt(db, st, "cannot queue a revision"))
			goto out;
		ret = 1;
	}
	/* The input is seen in the same transaction: queued and seen together, or neither. */
	if (source) {
		int r = ret;

		ret = -1;
		st = db_stmt(db, ST_SEEN_ADD);
		if (!st)
			goto out;
		db_bind_text(st, 1, source);
		db_bind_text(st, 2, "taken");
		if (db_exec_stmt(db, st, "cannot record what watch has seen"))
			goto out;
		ret = r;
	}
	if (db_commit(db))
		ret = -1;
out:
	if (ret < 0)
		db_rollback(db);
	return ret;
}

int db_queue_claim(struct db *db, struct db_queue_item *it)
{
	sqlite3_stmt *st;
	int ret = -1;

	memset(it, 0, sizeof(*it));
	if (db_begin(db))
		return -1;
	st = db_stmt(db, ST_QUEUE_NEXT);
	if (!st)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		ret = 0;
		goto commit;
	}
	it->id = sqlite3_column_int64(st, 0);
	it->revision_dir = db_col_strdup(st, 1);
	it->series = db_col_strdup(st, 2);
	it->version = (unsigned)sqlite3_column_int(st, 3);
	it->attempts = (unsigned)sqlite3_column_int(st, 4) + 1;
	sqlite3_reset(st);
	st = db_stmt(db, ST_QUEUE_CLAIM);
	if (!st)
		goto out;
	sqlite3_bind_int64(st, 1, it->id);
	if (db_exec_stmt(db, st, "cannot claim a queued revision"))
		goto out;
	ret = 1;
commit:
	if (db_commit(db))
		ret = -1;
out:
	if (ret < 0) {
		db_rollback(db);
		db_queue_item_release(it);
	}
	return ret;
}

int db_queue_finish(struct db *db, int64_t id, enum db_queue_state state, const char *stage,
		    const char *message, const char *report_dir)
{
	sqlite3_stmt *st = db_stmt(db, ST_QUEUE_FINISH);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, state_names[state]);
	db_bind_text(st, 3, stage);
	db_bind_text(st, 4, message);
	db_bind_text(st, 5, report_dir);
	return db_exec_stmt(db, st, "cannot record the outcome of a queued revision");
}

int db_queue_recover(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, ST_QUEUE_RECOVER);

	if (!st || db_exec_stmt(db, st, "cannot recover the queue"))
		return -1;
	return sqlite3_changes(db->h);
}

int db_queue_list(struct db *db, struct db_queue_item **out, size_t *nr)
{
	sqlite3_stmt *st = db_stmt(db, ST_QUEUE_LIST);
	struct db_queue_item *items = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_queue_item *it;

		ALLOC_GROW(items, n + 1, alloc);
		it = &items[n++];
		it->id = sqlite3_column_int64(st, 0);
		it->revision_dir = db_col_strdup(st, 1);
		it->series = db_col_strdup(st, 2);
		it->version = (unsigned)sqlite3_column_int(st, 3);
		it->source = db_col_strdup(st, 4);
		it->state = db_col_strdup(st, 5);
		it->stage = db_col_strdup(st, 6);
		it->message = db_col_strdup(st, 7);
		it->attempts = (unsigned)sqlite3_column_int(st, 8);
		it->report_dir = db_col_strdup(st, 9);
		it->queued = db_col_strdup(st, 10);
		it->started = db_col_strdup(st, 11);
		it->finished = db_col_strdup(st, 12);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_queue_list_free(items, n);
		return db_err(db, "cannot list the queue");
	}
	*out = items;
	*nr = n;
	return 0;
}

void db_queue_item_release(struct db_queue_item *it)
{
	free(it->revision_dir);
	free(it->series);
	free(it->source);
	free(it->state);
	free(it->stage);
	free(it->message);
	free(it->report_dir);
	free(it->queued);
	free(it->started);
	free(it->finished);
	memset(it, 0, sizeof(*it));
}

void db_queue_list_free(struct db_queue_item *items, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		db_queue_item_release(&items[i]);
	free(items);
}

int db_seen(struct db *db, const char *key)
{
	sqlite3_stmt *st = db_stmt(db, ST_SEEN_GET);
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_err(db, "cannot read what watch has seen");
}

int db_mark_seen(struct db *db, const char *key, const char *outcome)
{
	sqlite3_stmt *st = db_stmt(db, ST_SEEN_ADD);

	if (!st)
		return -1;
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, outcome);
	return db_exec_stmt(db, st, "cannot record what watch has seen");
}
