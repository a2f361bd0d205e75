/*
 * db/bisect.c - storing `swaplab bisect` sessions and their steps (db.h,
 * schema version 5): one bisect row per session, one bisect_step row per
 * commit it measured, updated in place as the commit gets more boots and
 * its decision.  Each write is one statement (its own transaction).
 */
#include "db/db-internal.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

int64_t db_bisect_add(struct db *db, struct db_bisect *b)
{
	sqlite3_stmt *st = db_stmt(db, ST_BISECT_ADD);

	if (!st)
		return -1;
	db_bind_text(st, 1, b->tree);
	db_bind_text(st, 2, b->worktree);
	db_bind_text(st, 3, b->good);
	db_bind_text(st, 4, b->bad);
	db_bind_text(st, 5, b->metric);
	sqlite3_bind_double(st, 6, b->threshold_pct);
	db_bind_text(st, 7, b->direction);
	db_bind_text(st, 8, b->device);
	db_bind_text(st, 9, b->plan);
	sqlite3_bind_int(st, 10, (int)b->max_boots);
	sqlite3_bind_int(st, 11, (int)b->confirm_boots);
	if (db_exec_stmt(db, st, "cannot store the bisect session"))
		return -1;
	b->id = sqlite3_last_insert_rowid(db->h);
	return b->id;
}

int db_bisect_get(struct db *db, int64_t id, struct db_bisect *b)
{
	sqlite3_stmt *st = db_stmt(db, ST_BISECT_GET);
	int rc;

	memset(b, 0, sizeof(*b));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return db_err(db, "cannot read the bisect session");
	b->id = sqlite3_column_int64(st, 0);
	b->tree = db_col_strdup(st, 1);
	b->worktree = db_col_strdup(st, 2);
	b->good = db_col_strdup(st, 3);
	b->bad = db_col_strdup(st, 4);
	b->metric = db_col_strdup(st, 5);
	b->threshold_pct = sqlite3_column_double(st, 6);
	b->direction = db_col_strdup(st, 7);
	b->device = db_col_strdup(st, 8);
	b->plan = db_col_strdup(st, 9);
	b->max_boots = (unsigned)sqlite3_column_int(st, 10);
	b->confirm_boots = (unsigned)sqlite3_column_int(st, 11);
	b->state = db_col_strdup(st, 12);
	b->result = db_col_strdup(st, 13);
	b->message = db_col_strdup(st, 14);
	b->created = db_col_strdup(st, 15);
	b->updated = db_col_strdup(st, 16);
	sqlite3_reset(st);
	return 0;
}

int db_bisect_set_state(struct db *db, int64_t id, const char *state, const char *result,
			const char *message)
{
	sqlite3_stmt *st = db_stmt(db, ST_BISECT_SET_STATE);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, state);
	db_bind_text(st, 3, result);
	db_bind_text(st, 4, message);
	return db_exec_stmt(db, st, "cannot update the bisect session");
}

int db_bisect_set_worktree(struct db *db, int64_t id, const char *worktree)
{
	sqlite3_stmt *st = db_stmt(db, ST_BISECT_SET_WORKTREE);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, worktree);
	return db_exec_stmt(db, st, "cannot update the bisect session");
}

int db_bisect_step_put(struct db *db, int64_t bisect_id, const struct db_bisect_step *s)
{
	sqlite3_stmt *st = db_stmt(db, ST_BISECT_STEP_PUT);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, bisect_id);
	db_bind_text(st, 2, s->commit);
	db_bind_text(st, 3, s->role);
	db_bind_text(st, 4, s->label);
	db_bind_text(st, 5, s->build ? s->build : "");
	sqlite3_bind_int(st, 6, (int)s->boots);
	db_bind_text(st, 7, s->decision ? s->decision : "pending");
	db_bind_text(st, 8, s->why);
	return db_exec_stmt(db, st, "cannot store a bisect step");
}

int db_bisect_steps(struct db *db, int64_t bisect_id, struct db_bisect_step **out, size_t *nr)
{
	sqlite3_stmt *st = db_stmt(db, ST_BISECT_STEPS);
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, bisect_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_bisect_step *s;

		ALLOC_GROW(*out, *nr + 1, alloc);
		s = &(*out)[(*nr)++];
		s->id = sqlite3_column_int64(st, 0);
		s->seq = (unsigned)sqlite3_column_int(st, 1);
		s->commit = db_col_strdup(st, 2);
		s->role = db_col_strdup(st, 3);
		s->label = db_col_strdup(st, 4);
		s->build = db_col_strdup(st, 5);
		s->boots = (unsigned)sqlite3_column_int(st, 6);
		s->decision = db_col_strdup(st, 7);
		s->why = db_col_strdup(st, 8);
	}
	if (rc != SQLITE_DONE) {
		db_bisect_steps_free(*out, *nr);
		*out = NULL;
		*nr = 0;
		return db_err(db, "cannot read the bisect steps");
	}
	return 0;
}

void db_bisect_release(struct db_bisect *b)
{
	free(b->tree);
	free(b->worktree);
	free(b->good);
	free(b->bad);
	free(b->metric);
	free(b->direction);
	free(b->device);
	free(b->plan);
	free(b->state);
	free(b->result);
	free(b->message);
	free(b->created);
	free(b->updated);
	memset(b, 0, sizeof(*b));
}

void db_bisect_steps_free(struct db_bisect_step *s, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(s[i].commit);
		free(s[i].role);
		free(s[i].label);
		free(s[i].build);
		free(s[i].decision);
		free(s[i].why);
	}
	free(s);
}
