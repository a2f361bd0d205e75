/*
 * ci/watch.h - continuous mode: follow inboxes and git refs, take every
 * new revision in (`swaplab submit`'s intake), queue it in the database,
 * and run the queue through the pipeline, one revision at a time.  The
 * queue and the record of what was taken live in the database, so a
 * restarted watcher neither loses nor repeats work; one revision's
 * failure is recorded against it and the others go on.
 */
#ifndef SWAPLAB_CI_WATCH_H
#define SWAPLAB_CI_WATCH_H

#include "ci/pipeline.h"

struct db;

struct watch_opts {
	const char *const *maildirs;   /* maildir folders (new/ and cur/), NULL-terminated */
	const char *const *mbox_dirs;  /* directories of mbox files (.mbox, .mbx, .mbox.gz) */
	const char *git_tree;          /* a kernel tree and a ref in it whose */
	const char *git_ref;           /*   moves become new revisions */
	const char *git_base;          /*   from this base (default v6.1-debian) */
	const char *git_series;        /*   under this series name */
	const char *patches_dir;       /* NULL: intake's default */
	unsigned max_attempts;         /* a revision is given up after this many; default 2 */
	struct pipeline_opts pipeline;
};

/*
 * Takes new inputs into the queue; returns how many revisions were
 * queued, or -1 when the database cannot be written (nothing of the
 * failed input is recorded: the next scan takes it).
 */
int watch_scan(struct db *db, const struct watch_opts *o);
/*
 * Runs queued revisions until the queue is empty or *stop is set
 * (checked between revisions); returns how many ran, or -1 when the
 * database could not record an outcome (that revision stays 'running'
 * and db_queue_recover() queues it again).
 */
int watch_drain(struct db *db, const struct watch_opts *o, volatile int *stop);

#endif
