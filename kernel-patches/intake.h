/*
 * intake.h - the patch intake: one posted revision of a kernel patch
 * series, from wherever it comes (an mbox file, a directory of git
 * format-patch files, a git range of a kernel tree, a lore thread fetched
 * over HTTP(S)), checked, and stored as
 *
 *   <patches-dir>/<series>/v<N>/0000-cover-letter.patch   (if posted)
 *                              /0001-<title>.patch ...      (git am accepts)
 *                              /series.json               (the manifest)
 *
 * <patches-dir> is the repository's kernel-patches/ unless --patches-dir
 * or SWAPLAB_PATCHES_DIR says otherwise.  A revision is named by the hash
 * of its diffs (series.json "content_hash"): submitting the same patches
 * again finds the stored revision instead of adding one.
 *
 * Storing is all or nothing: files are written into a temporary directory
 * beside the target and renamed into place.  The steps are separate
 * (stage, publish) so a database insert can sit between them in one
 * transaction: stage, BEGIN, insert, publish, COMMIT (or discard and
 * ROLLBACK).
 *
 * Library code: returns error() (-1), never exits.
 */
#ifndef SWAPLAB_INTAKE_H
#define SWAPLAB_INTAKE_H

#include "kernel-patches/mbox.h"
#include "kernel-patches/series.h"

/* Where lore threads come from unless SWAPLAB_LORE_URL or --lore-url. */
#define INTAKE_DEFAULT_LORE_URL "https://lore.kernel.org/all"

/* ---- loading mail ---- */

/* An mbox file, plain or gzip'd. */
int intake_load_mbox(struct mbox *mb, const char *path);
/* Every *.patch file of dir (git format-patch output), in name order. */
int intake_load_dir(struct mbox *mb, const char *dir);
/*
 * `git -C tree format-patch --stdout [-v N] [--base=A] A..B` (argv, no
 * shell).  version 0 leaves the subjects unversioned.
 */
int intake_load_git_range(struct mbox *mb, const char *tree, const char *range,
			  unsigned version);
/*
 * The thread of msgid from a public-inbox server: GET <base_url>/<msgid>/t.mbox.gz
 * (through common/http.c), gunzipped.  base_url NULL: SWAPLAB_LORE_URL, else
 * INTAKE_DEFAULT_LORE_URL.  A 404, another non-2xx status, or a body that
 * is not gzip data is a clear error.
 */
int intake_load_lore(struct mbox *mb, const char *base_url, const char *msgid);
/* The URL intake_load_lore() fetches (malloc'd); msgid is percent-escaped. */
char *intake_lore_url(const char *base_url, const char *msgid);

/* ---- the store ---- */

/*
 * The patches directory: explicit if given, else $SWAPLAB_PATCHES_DIR,
 * else the kernel-patches/ directory of the repository swaplab was built
 * in (found from /proc/self/exe), else ./kernel-patches - the last two
 * only when they hold the marker file INTAKE_STORE_MARKER, which says the
 * directory is a swaplab series store.  Malloc'd, or NULL with a message
 * when none exists.
 */
#define INTAKE_STORE_MARKER ".swaplab-series-store"
char *intake_patches_dir(const char *explicit_dir);

/* A stored revision, as series.json describes it. */
struct intake_revision {
	char *series;
	unsigned version;
	int rfc;
	char *title;
	char *author;
	char *base_commit;        /* or NULL */
	char *content_hash;
	char *dir;                /* <patches-dir>/<series>/v<N> */
	char *cover_file;         /* full path, or NULL */
	char *cover_message_id;   /* or NULL */
	char **patch_files;       /* full paths, in order: what git am takes */
	char **message_ids;       /* per patch, NULL entries when unknown */
	char **subjects;          /* per patch */
	unsigned nr_patches;
};

/* Reads <patches_dir>/<series>/v<version>/series.json. */
int intake_revision_load(const char *patches_dir, const char *series,
			 unsigned version, struct intake_revision *rev);
/* Reads <dir>/series.json (dir: a revision directory, e.g. intake_result.dir). */
int intake_revision_load_dir(const char *dir, struct intake_revision *rev);
void intake_revision_release(struct intake_revision *rev);

/*
 * Looks for a stored revision with this content hash.  Returns 1 and
 * sets *series (malloc'd) and *version when found, 0 when not, -1 when a
 * manifest in patches_dir is unreadable.
 */
int intake_find_hash(const char *patches_dir, const char *content_hash,
		     char **series, unsigned *version);

struct intake_staged {
	char *tmp_dir;     /* written, not yet visible; NULL once published */
	char *final_dir;   /* <patches-dir>/<series>/v<N> */
	char *series_dir;  /* <patches-dir>/<series> */
	int created_series_dir;
};

/*
 * Writes the revision's files into a temporary directory in patches_dir.
 * source describes the input for the manifest ("mbox:FILE", ...).  Fails
 * if <series>/v<N> exists already (with other patches: recognising the
 * same patches is intake_find_hash()'s job, done first).
 */
int intake_stage(const struct patch_series *s, const char *patches_dir,
		 const char *source, struct intake_staged *st);
/* Renames the staged directory into place. */
int intake_publish(struct intake_staged *st);
/* Removes whatever stage wrote and was not published; frees st. */
void intake_discard(struct intake_staged *st);
/* Removes a published revision again (the database refused it). */
int intake_unpublish(struct intake_staged *st);

/* ---- all of it ---- */

enum intake_kind { INTAKE_MBOX, INTAKE_DIR, INTAKE_GIT_RANGE, INTAKE_LORE };

struct intake_request {
	enum intake_kind kind;
	const char *path;         /* mbox file, directory, or kernel tree */
	const char *range;        /* INTAKE_GIT_RANGE: "A..B" */
	const char *msgid;        /* INTAKE_LORE */
	const char *lore_url;     /* INTAKE_LORE, NULL: default */
	const char *patches_dir;  /* NULL: intake_patches_dir(NULL) */
	struct series_opts opts;  /* --series, --version */
	int dry_run;              /* parse and check only */
};

struct intake_result {
	int already;              /* 1: the same patches were stored before */
	char *series;
	unsigned version;
	unsigned nr_patches;
	int has_cover;
	int rfc;
	char *dir;                /* where the revision lives */
	char *content_hash;
	char *base_commit;        /* or NULL */
};

/*
 * The database side of a submit, for db/ to provide (the intake does not
 * include sqlite3).  Each may be NULL.  The order is: find_hash (before
 * the directory scan), then after the files are staged record (BEGIN and
 * insert the series, revision and patch rows; no COMMIT), publish the
 * files, finish(ctx, 1) (COMMIT).  When record or publishing fails:
 * finish(ctx, 0) (ROLLBACK) and the staged files are removed; when the
 * COMMIT fails the published directory is removed again.
 */
struct intake_db_ops {
	int (*find_hash)(void *ctx, const char *content_hash, char **series,
			 unsigned *version);  /* 1 found, 0 not, -1 error */
	int (*record)(void *ctx, const struct patch_series *s, const char *dir);
	int (*finish)(void *ctx, int commit);
	void *ctx;
};

/*
 * Loads, assembles, and stores a revision unless the same patches are
 * stored already (res->already).  This is what the pipeline calls; db may
 * be NULL (files only).
 */
int intake_submit(const struct intake_request *req, struct intake_result *res,
		  const struct intake_db_ops *db);
void intake_result_release(struct intake_result *res);

#endif
