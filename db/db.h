/*
 * db/db.h - the lab's results database: one SQLite file (default lab.db)
 * holding patch series and their revisions, kernel builds, devices, jobs,
 * benchmark runs (one `swaplab bench` / `swapbench` invocation each, with
 * its environment record) and their samples (one process's munmap() in
 * one run of one cell).  docs/db-schema.md describes the tables.
 *
 * db/ is the only module that includes sqlite3.h; everything else goes
 * through this interface.  Library code: every function reports failure
 * with error() (naming the database or input file) and returns -1 or
 * NULL, never exits.  Every write is one transaction: on failure the
 * database is left exactly as it was.
 */
#ifndef SWAPLAB_DB_H
#define SWAPLAB_DB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DB_DEFAULT_PATH "lab.db"

enum db_open_flags {
	DB_CREATE = 1 << 0,   /* create the file (and the schema) if missing */
	DB_READONLY = 1 << 1, /* never write: reports, listings, exports */
};

struct db;

/*
 * Opens (and, unless DB_READONLY, creates or upgrades the schema of) the
 * database at path.  Refuses a file of a newer schema version, a file
 * that is not a swaplab database, and a read-only file opened for
 * writing.  NULL + error() on failure.
 */
struct db *db_open(const char *path, int flags);
void db_close(struct db *db);
const char *db_path(const struct db *db);
/* The schema version this build writes (PRAGMA user_version). */
int db_schema_version(void);

/*
 * Importing a JSON Lines stream of docs/bench-output.md.  The options
 * link the run(s) to the lab's objects; all may be left zero/NULL.
 */
struct db_import_opts {
	const char *series;             /* patch series name; needs revision and kind */
	unsigned revision;              /* 1 for v1, ...; 0 = none */
	const char *kind;               /* kernel build: "base" or "patched" (NULL: unknown) */
	const char *commit;             /* commit the kernel was built from */
	const char *config_fingerprint; /* hash of the kernel .config */
	const char *device_kind;        /* "host" (default), "qemu" or "lava" */
	const char *job;                /* device-specific job id (e.g. LAVA's), or NULL */
	int replace;                    /* replace runs whose run_uuid is already stored */
};

struct db_import_stats {
	unsigned runs;          /* env..end blocks imported */
	uint64_t samples;       /* sample lines */
	uint64_t fast_samples;  /* of them, read in place (the rest by the JSON parser) */
	uint64_t cells;         /* (backend, size, procs) cells of the runs */
	uint64_t fio;           /* fio lines */
	unsigned replaced;      /* runs that replaced a stored one (--replace) */
	char run_uuid[40];      /* of the last run imported */
	/* CPU time of the two threads: reading + parsing, and storing (with commit). */
	uint64_t reader_cpu_ns, writer_cpu_ns;
	uint64_t commit_ns;     /* wall time of the commit (WAL checkpoint and fsync included) */
};

/*
 * Imports every run of the file at path ("-" for standard input) under
 * label, in one transaction.  Any malformed line, missing field, stream
 * without its "end" line, or run_uuid already in the database (unless
 * opts->replace) fails with "FILE:LINE: what" and leaves the database
 * unchanged.  st may be NULL.
 */
int db_import_jsonl(struct db *db, const char *path, const char *label,
		    const struct db_import_opts *opts, struct db_import_stats *st);
/*
 * Reads every line of text[0..len) with the import's fast sample scanner
 * and with the JSON parser: 0 when they agree (whatever the fast path
 * reads the parser reads alike), -1 with FILE-less "line N: what" in err.
 * For the differential test and the fuzz target.
 */
int db_import_fast_agrees(const char *text, size_t len, char *err, size_t errlen);

/* ---- listing ---- */

struct db_label_info {
	char *name;
	unsigned runs;
	uint64_t samples;
	char *first_started, *last_started;  /* env "started" of its runs */
	char *kernels;                        /* distinct kernel_release, comma-separated */
	char *devices;                        /* distinct device names, comma-separated */
};
int db_list_labels(struct db *db, struct db_label_info **out, size_t *nr);
void db_label_info_free(struct db_label_info *l, size_t nr);

struct db_run_info {
	int64_t id;
	char *uuid, *label, *started, *device, *kernel_release, *tool, *source;
	char *kind;          /* kernel build kind */
	char *series;        /* NULL when not linked */
	unsigned revision;
	uint64_t samples;
};
/* Runs of one label, or of all labels when label is NULL. */
int db_list_runs(struct db *db, const char *label, struct db_run_info **out, size_t *nr);
void db_run_info_free(struct db_run_info *r, size_t nr);

/* Counts of every table, for `swaplab db info`. */
struct db_counts {
	uint64_t series, revisions, kernel_builds, devices, jobs, labels, runs,
		 cells, samples, fio;
};
int db_count(struct db *db, struct db_counts *c);

/* Writes the runs of label as JSON Lines that db_import_jsonl accepts. */
int db_export_jsonl(struct db *db, const char *label, FILE *out);
/* One CSV row per sample (with its run-of-cell figures), a header first. */
int db_export_csv(struct db *db, const char *label, FILE *out);

/* ---- what the reports read ---- */

/*
 * Which runs: a label, or a series revision's kernel builds of one kind
 * (series + revision + kind).
 */
struct db_sel {
	const char *label;
	const char *series;
	unsigned revision;
	const char *kind;
};

/* One run of one cell, as reports aggregate it. */
struct db_cell_run {
	int64_t run_id;
	const char *backend;     /* interned: valid until db_close */
	const char *comp;        /* interned, "" when unknown */
	const char *load;        /* interned: the run's background load, "none" if unrecorded */
	uint64_t size_bytes;
	unsigned procs, run_no;
	double munmap_mean_ns;   /* mean over the cell's processes */
	int64_t munmap_max_ns;   /* slowest process */
	int has_drain, drained, has_cpu, has_peak;
	int64_t drain_ns, cpu_ns, pool_peak_bytes;
};
/* Ordered by backend, load, size, procs, run. */
int db_cell_runs(struct db *db, const struct db_sel *sel, struct db_cell_run **out,
		 size_t *nr);

/* One fio job's result in one run (--suite fio), as the reports compare it. */
struct db_fio_run {
	int64_t run_id;
	const char *job, *rw, *load; /* interned: valid until db_close */
	double bw_bytes, iops, lat_mean_ns;
	int has_bw, has_iops, has_lat;
};
/* Ordered by load, job, run. */
int db_fio_runs(struct db *db, const struct db_sel *sel, struct db_fio_run **out, size_t *nr);

/* One run's environment and provenance, for the reports' footers and checks. */
struct db_run_env {
	int64_t id;
	char *uuid, *label, *device, *device_kind, *kernel_release, *kernel_version;
	char *kind, *commit, *config_fingerprint;
	char *env_json;          /* the env line exactly as imported */
	char *started;           /* the env's "started" (ISO 8601 UTC): the run order */
};
int db_run_envs(struct db *db, const struct db_sel *sel, struct db_run_env **out,
		size_t *nr);
void db_run_env_free(struct db_run_env *e, size_t nr);

/* Whether a label exists (1), does not (0), or -1 on error. */
int db_label_exists(struct db *db, const char *label);
/* Revisions of a series that have runs, ascending.  -1 if no such series. */
int db_series_revisions(struct db *db, const char *series, unsigned **out, size_t *nr);

/* ---- the lab's objects (filled by later stages: devices, patch intake) ---- */

/* Returns the series' id, creating it; -1 on error. */
int64_t db_upsert_series(struct db *db, const char *name, const char *subject);
/* Returns the revision's id (series created as needed). */
int64_t db_upsert_revision(struct db *db, const char *series, unsigned version,
			   const char *message_id, const char *base_commit);
/* Returns the device's id; updates kind/board when given. */
int64_t db_upsert_device(struct db *db, const char *name, const char *kind,
			 const char *board);

/* ---- the pipeline's queue (db/queue.c) ---- */

enum db_queue_state { DBQ_QUEUED, DBQ_RUNNING, DBQ_DONE, DBQ_FAILED };

struct db_queue_item {
	int64_t id;
	char *revision_dir, *series, *source, *state, *stage, *message, *report_dir;
	char *queued, *started, *finished;
	unsigned version, attempts;
};

/*
 * Queues a stored revision (its directory is the key).  Returns 1 when
 * queued now, 0 when it was already queued or running; a revision that
 * is done or failed is queued again only with requeue.  source (may be
 * NULL): the watched input it came from, recorded as seen ("taken") in
 * the same transaction, so an input is never seen without being queued.
 */
int db_queue_add(struct db *db, const char *revision_dir, const char *series,
		 unsigned version, const char *source, int requeue);
/*
 * Claims the oldest queued revision (state running, attempts + 1):
 * 1 with *it filled, 0 when the queue is empty.
 */
int db_queue_claim(struct db *db, struct db_queue_item *it);
int db_queue_finish(struct db *db, int64_t id, enum db_queue_state state, const char *stage,
		    const char *message, const char *report_dir);
/* Rows left 'running' by a killed watcher go back to 'queued'; how many. */
int db_queue_recover(struct db *db);
int db_queue_list(struct db *db, struct db_queue_item **out, size_t *nr);
void db_queue_item_release(struct db_queue_item *it);
void db_queue_list_free(struct db_queue_item *items, size_t nr);
/* Inputs `swaplab watch` has taken: 1 seen, 0 not, -1 error. */
int db_seen(struct db *db, const char *key);
int db_mark_seen(struct db *db, const char *key, const char *outcome);

/* ---- a device's own noise (`swaplab calibrate`, db/calibration.c) ---- */

struct db_calibration_cell {
	char *backend;
	uint64_t size_bytes;
	unsigned procs;
	double between_pct;     /* sd of the log invocation figures, x 100 (~ percent) */
	double within_pct;      /* pooled sd of log runs inside a boot, x 100; < 0: one run a boot */
	double mde_pct;         /* smallest change detected (80% power, alpha) with these boots */
	int marked;             /* the A/A comparison marked this cell: a false mark */
};

struct db_calibration {
	int64_t id;
	char *device, *kernel, *plan, *label_a, *label_b, *created;
	char *artifact;         /* kernel artifact key, or NULL */
	unsigned boots, runs;   /* per label; runs per boot */
	double alpha;
	unsigned rows, false_marks;
	struct db_calibration_cell *cells;
	size_t nr_cells;
};

/* Stores a calibration and its cells in one transaction; its id, or -1. */
int64_t db_calibration_add(struct db *db, const struct db_calibration *c);
/* Calibrations of a device (NULL: every device), newest first, with their cells. */
int db_calibration_list(struct db *db, const char *device, struct db_calibration **out,
			size_t *nr);
void db_calibration_free(struct db_calibration *c, size_t nr);

/* ---- performance bisects (`swaplab bisect`, db/bisect.c, schema version 5) ---- */

struct db_bisect {
	int64_t id;
	char *tree, *worktree, *good, *bad;   /* good/bad: full commit ids */
	char *metric, *direction, *device, *plan;
	double threshold_pct;
	unsigned max_boots, confirm_boots;
	char *state;     /* "confirming", "bisecting", "done", "stopped" */
	char *result;    /* first bad (new) commit when done, else NULL/"" */
	char *message;   /* why it stopped, or the outcome in one line */
	char *created, *updated;
};

struct db_bisect_step {
	int64_t id;
	unsigned seq;           /* order of first visit */
	char *commit;
	char *role;             /* "good", "bad" (the ends) or "step" */
	char *label;            /* the runs' label */
	char *build;            /* "built", "reused", "failed" or "" (not yet) */
	unsigned boots;         /* boots stored under label */
	char *decision;         /* "good", "bad", "skip" or "pending" */
	char *why;
};

/* A new session (id filled in); its id or -1. */
int64_t db_bisect_add(struct db *db, struct db_bisect *b);
/* Session id (0: the newest) into b; 1 when there is none, -1 on error. */
int db_bisect_get(struct db *db, int64_t id, struct db_bisect *b);
int db_bisect_set_state(struct db *db, int64_t id, const char *state, const char *result,
			const char *message);
int db_bisect_set_worktree(struct db *db, int64_t id, const char *worktree);
/* Inserts or updates the step of (bisect, commit): seq is kept from the first visit. */
int db_bisect_step_put(struct db *db, int64_t bisect_id, const struct db_bisect_step *s);
/* The steps in seq order. */
int db_bisect_steps(struct db *db, int64_t bisect_id, struct db_bisect_step **out, size_t *nr);
void db_bisect_release(struct db_bisect *b);
void db_bisect_steps_free(struct db_bisect_step *s, size_t nr);

#endif
