/*
 * db/db.c - the results database's connection: opening (WAL, foreign
 * keys, busy timeout), forward-only schema migrations keyed on PRAGMA
 * user_version, the one table of SQL statements (prepared once per
 * connection) and the upserts of the lab's objects (series, revisions,
 * devices, kernel builds, jobs, labels).
 *
 * Invariant: a database this code wrote has application_id DB_APP_ID and
 * user_version in [1, db_schema_version()]; migrations[i] takes version i
 * to i+1 inside one transaction, so a failed upgrade changes nothing.
 */
#include "db/db-internal.h"
#include "common/util.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/*
 * Forward-only migrations; never edit one that has shipped, append.
 * docs/db-schema.md describes the resulting schema.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the lab's objects, runs, runs of cells and samples. */
	"CREATE TABLE series (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  subject TEXT,\n"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))\n"
	");\n"
	"CREATE TABLE revision (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,\n"
	"  version INTEGER NOT NULL CHECK (version >= 1),\n"
	"  message_id TEXT,\n"
	"  base_commit TEXT,\n"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),\n"
	"  UNIQUE (series_id, version)\n"
	");\n"
	"CREATE TABLE kernel_build (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('base','patched','unknown')),\n"
	"  revision_id INTEGER REFERENCES revision(id) ON DELETE SET NULL,\n"
	"  commit_sha TEXT NOT NULL DEFAULT '',\n"
	"  config_fingerprint TEXT NOT NULL DEFAULT '',\n"
	"  release TEXT NOT NULL,\n"
	"  version TEXT NOT NULL,\n"
	"  arch TEXT NOT NULL,\n"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))\n"
	");\n"
	"CREATE INDEX kernel_build_revision ON kernel_build(revision_id, kind);\n"
	"CREATE TABLE device (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('host','qemu','lava')),\n"
	"  board TEXT,\n"
	"  hostname TEXT,\n"
	"  arch TEXT,\n"
	"  cpu_model TEXT,\n"
	"  cpus INTEGER\n"
	");\n"
	"CREATE TABLE job (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  device_id INTEGER NOT NULL REFERENCES device(id),\n"
	"  kernel_build_id INTEGER REFERENCES kernel_build(id),\n"
	"  external_id TEXT NOT NULL,\n"
	"  status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN\n"
	"    ('queued','running','complete','failed','infra_error','canceled')),\n"
	"  submitted TEXT,\n"
	"  finished TEXT,\n"
	"  log_path TEXT,\n"
	"  message TEXT,\n"
	"  UNIQUE (device_id, external_id)\n"
	");\n"
	"CREATE TABLE label (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))\n"
	");\n"
	"CREATE TABLE run (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  uuid TEXT NOT NULL UNIQUE,\n"
	"  label_id INTEGER NOT NULL REFERENCES label(id),\n"
	"  device_id INTEGER NOT NULL REFERENCES device(id),\n"
	"  kernel_build_id INTEGER NOT NULL REFERENCES kernel_build(id),\n"
	"  job_id INTEGER REFERENCES job(id) ON DELETE SET NULL,\n"
	"  source TEXT NOT NULL,\n"
	"  imported TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),\n"
	"  schema INTEGER NOT NULL,\n"
	"  tool TEXT NOT NULL,\n"
	"  started TEXT NOT NULL,\n"
	"  hostname TEXT,\n"
	"  kernel_cmdline TEXT,\n"
	"  cpu_model TEXT NOT NULL,\n"
	"  cpus INTEGER NOT NULL,\n"
	"  mem_total_bytes INTEGER,\n"
	"  page_size INTEGER,\n"
	"  thp_enabled TEXT,\n"
	"  cpufreq_governor TEXT,\n"
	"  cpu_clock TEXT,\n"
	"  runs INTEGER NOT NULL,\n"
	"  fill TEXT,\n"
	"  ratio REAL,\n"
	"  thp TEXT,\n"
	"  load TEXT,\n"
	"  drain_timeout_ns INTEGER,\n"
	"  end_status TEXT NOT NULL DEFAULT 'incomplete',\n"
	"  samples INTEGER NOT NULL DEFAULT 0,\n"
	"  env_json TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX run_label ON run(label_id);\n"
	"CREATE INDEX run_build ON run(kernel_build_id);\n"
	"CREATE TABLE cell (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"  backend TEXT NOT NULL,\n"
	"  comp TEXT,\n"
	"  size_bytes INTEGER NOT NULL,\n"
	"  procs INTEGER NOT NULL CHECK (procs >= 1),\n"
	"  runs INTEGER NOT NULL DEFAULT 0,\n"
	"  munmap_sum_ns TEXT,\n"
	"  munmap_max_ns TEXT,\n"
	"  wall_ns TEXT,\n"
	"  drain_ns TEXT,\n"
	"  drained TEXT,\n"
	"  cpu_ns TEXT,\n"
	"  pool_base_bytes TEXT,\n"
	"  pool_before_bytes TEXT,\n"
	"  pool_peak_bytes TEXT,\n"
	"  pool_after_bytes TEXT,\n"
	"  orig_bytes TEXT,\n"
	"  notify_free TEXT,\n"
	"  miss_free TEXT,\n"
	"  zswpout TEXT,\n"
	"  pswpout TEXT,\n"
	"  UNIQUE (run_id, backend, size_bytes, procs)\n"
	");\n"
	"CREATE TABLE sample (\n"
	"  cell_id INTEGER NOT NULL REFERENCES cell(id) ON DELETE CASCADE,\n"
	"  run INTEGER NOT NULL CHECK (run >= 1),\n"
	"  proc INTEGER NOT NULL CHECK (proc >= 0),\n"
	"  munmap_ns INTEGER NOT NULL,\n"
	"  start_ns INTEGER,\n"
	"  swap_bytes INTEGER,\n"
	"  rss_bytes INTEGER,\n"
	"  vmswap_bytes INTEGER,\n"
	"  fill_ns INTEGER,\n"
	"  pageout_ns INTEGER,\n"
	"  pageout_passes INTEGER,\n"
	"  PRIMARY KEY (cell_id, run, proc)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE fio (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"  job TEXT NOT NULL,\n"
	"  rw TEXT,\n"
	"  comp TEXT,\n"
	"  size_bytes INTEGER,\n"
	"  bw_bytes INTEGER,\n"
	"  iops REAL,\n"
	"  lat_mean_ns INTEGER,\n"
	"  runtime_ms INTEGER\n"
	");\n"
	"CREATE INDEX fio_run ON fio(run_id);\n"
	"CREATE VIEW sample_full AS\n"
	"  SELECT l.name AS label, r.uuid AS run_uuid, c.backend, c.comp, c.size_bytes,\n"
	"         c.procs, s.run, s.proc, s.munmap_ns, s.start_ns, s.swap_bytes,\n"
	"         s.rss_bytes, s.vmswap_bytes, s.fill_ns, s.pageout_ns, s.pageout_passes,\n"
	"         CAST(c.munmap_sum_ns ->> (s.run - 1) AS REAL) / c.procs AS run_munmap_mean_ns,\n"
	"         c.wall_ns ->> (s.run - 1) AS wall_ns,\n"
	"         c.drain_ns ->> (s.run - 1) AS drain_ns,\n"
	"         c.drained ->> (s.run - 1) AS drained,\n"
	"         c.cpu_ns ->> (s.run - 1) AS cpu_ns,\n"
	"         c.pool_base_bytes ->> (s.run - 1) AS pool_base_bytes,\n"
	"         c.pool_before_bytes ->> (s.run - 1) AS pool_before_bytes,\n"
	"         c.pool_peak_bytes ->> (s.run - 1) AS pool_peak_bytes,\n"
	"         c.pool_after_bytes ->> (s.run - 1) AS pool_after_bytes,\n"
	"         c.orig_bytes ->> (s.run - 1) AS orig_bytes,\n"
	"         c.notify_free ->> (s.run - 1) AS notify_free,\n"
	"         c.miss_free ->> (s.run - 1) AS miss_free,\n"
	"         c.zswpout ->> (s.run - 1) AS zswpout,\n"
	"         c.pswpout ->> (s.run - 1) AS pswpout\n"
	"  FROM sample s JOIN cell c ON c.id = s.cell_id\n"
	"  JOIN run r ON r.id = c.run_id JOIN label l ON l.id = r.label_id;\n",

	/* 1 -> 2: bench --thp records large-folio swap-outs per run of a cell. */
	"ALTER TABLE cell ADD COLUMN thp_swpout TEXT;\n"
	"ALTER TABLE cell ADD COLUMN thp_swpout_fallback TEXT;\n"
	"DROP VIEW sample_full;\n"
	"CREATE VIEW sample_full AS\n"
	"  SELECT l.name AS label, r.uuid AS run_uuid, c.backend, c.comp, c.size_bytes,\n"
	"         c.procs, s.run, s.proc, s.munmap_ns, s.start_ns, s.swap_bytes,\n"
	"         s.rss_bytes, s.vmswap_bytes, s.fill_ns, s.pageout_ns, s.pageout_passes,\n"
	"         CAST(c.munmap_sum_ns ->> (s.run - 1) AS REAL) / c.procs AS run_munmap_mean_ns,\n"
	"         c.wall_ns ->> (s.run - 1) AS wall_ns,\n"
	"         c.drain_ns ->> (s.run - 1) AS drain_ns,\n"
	"         c.drained ->> (s.run - 1) AS drained,\n"
	"         c.cpu_ns ->> (s.run - 1) AS cpu_ns,\n"
	"         c.pool_base_bytes ->> (s.run - 1) AS pool_base_bytes,\n"
	"         c.pool_before_bytes ->> (s.run - 1) AS pool_before_bytes,\n"
	"         c.pool_peak_bytes ->> (s.run - 1) AS pool_peak_bytes,\n"
	"         c.pool_after_bytes ->> (s.run - 1) AS pool_after_bytes,\n"
	"         c.orig_bytes ->> (s.run - 1) AS orig_bytes,\n"
	"         c.notify_free ->> (s.run - 1) AS notify_free,\n"
	"         c.miss_free ->> (s.run - 1) AS miss_free,\n"
	"         c.zswpout ->> (s.run - 1) AS zswpout,\n"
	"         c.pswpout ->> (s.run - 1) AS pswpout,\n"
	"         c.thp_swpout ->> (s.run - 1) AS thp_swpout,\n"
	"         c.thp_swpout_fallback ->> (s.run - 1) AS thp_swpout_fallback\n"
	"  FROM sample s JOIN cell c ON c.id = s.cell_id\n"
	"  JOIN run r ON r.id = c.run_id JOIN label l ON l.id = r.label_id;\n",

	/*
	 * 2 -> 3: the pipeline's queue (`swaplab watch`, `swaplab status`):
	 * one row per stored revision to run, and the inputs watch has taken.
	 */
	"CREATE TABLE queue (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  revision_dir TEXT NOT NULL UNIQUE,\n"
	"  series TEXT NOT NULL,\n"
	"  version INTEGER NOT NULL CHECK (version >= 1),\n"
	"  source TEXT,\n"
	"  state TEXT NOT NULL DEFAULT 'queued'\n"
	"    CHECK (state IN ('queued','running','done','failed')),\n"
	"  stage TEXT,\n"
	"  message TEXT,\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  report_dir TEXT,\n"
	"  queued TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),\n"
	"  started TEXT,\n"
	"  finished TEXT\n"
	");\n"
	"CREATE INDEX queue_state ON queue(state, id);\n"
	"CREATE TABLE watch_seen (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  outcome TEXT,\n"
	"  seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))\n"
	") WITHOUT ROWID;\n",
	/*
	 * 3 -> 4: a device's own noise, measured by `swaplab calibrate` (the
	 * same kernel booted as two labels, interleaved): per cell the spread
	 * between and within boots, whether the A/A comparison marked it, and
	 * the smallest change that plan and number of boots can detect.
	 */
	"CREATE TABLE calibration (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  device_id INTEGER NOT NULL REFERENCES device(id),\n"
	"  kernel TEXT NOT NULL,\n"
	"  artifact TEXT,\n"
	"  plan TEXT NOT NULL,\n"
	"  boots INTEGER NOT NULL CHECK (boots >= 1),\n"
	"  runs INTEGER NOT NULL CHECK (runs >= 1),\n"
	"  alpha REAL NOT NULL CHECK (alpha > 0 AND alpha < 1),\n"
	"  label_a TEXT NOT NULL,\n"
	"  label_b TEXT NOT NULL,\n"
	"  rows INTEGER NOT NULL,\n"
	"  false_marks INTEGER NOT NULL,\n"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))\n"
	");\n"
	"CREATE INDEX calibration_device ON calibration(device_id, id);\n"
	"CREATE TABLE calibration_cell (\n"
	"  calibration_id INTEGER NOT NULL REFERENCES calibration(id),\n"
	"  backend TEXT NOT NULL,\n"
	"  size_bytes INTEGER NOT NULL,\n"
	"  procs INTEGER NOT NULL,\n"
	"  between_pct REAL NOT NULL,\n"
	"  within_pct REAL,\n"
	"  mde_pct REAL NOT NULL,\n"
	"  marked INTEGER NOT NULL CHECK (marked IN (0, 1)),\n"
	"  PRIMARY KEY (calibration_id, backend, size_bytes, procs)\n"
	") WITHOUT ROWID;\n",
	/*
	 * 4 -> 5: `swaplab bisect`: a session (tree, ends, metric, rule,
	 * state) and every commit it measured (boots, runs' label, build,
	 * decision and why), so --resume repeats nothing finished.
	 */
	"CREATE TABLE bisect (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  tree TEXT NOT NULL,\n"
	"  worktree TEXT NOT NULL,\n"
	"  good TEXT NOT NULL,\n"
	"  bad TEXT NOT NULL,\n"
	"  metric TEXT NOT NULL,\n"
	"  threshold_pct REAL NOT NULL CHECK (threshold_pct >= 0),\n"
	"  direction TEXT NOT NULL CHECK (direction IN ('slower', 'faster')),\n"
	"  device TEXT NOT NULL,\n"
	"  plan TEXT NOT NULL,\n"
	"  max_boots INTEGER NOT NULL CHECK (max_boots >= 3),\n"
	"  confirm_boots INTEGER NOT NULL CHECK (confirm_boots >= 3),\n"
	"  state TEXT NOT NULL DEFAULT 'confirming'\n"
	"    CHECK (state IN ('confirming', 'bisecting', 'done', 'stopped')),\n"
	"  result TEXT,\n"
	"  message TEXT,\n"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),\n"
	"  updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))\n"
	");\n"
	"CREATE TABLE bisect_step (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  bisect_id INTEGER NOT NULL REFERENCES bisect(id),\n"
	"  seq INTEGER NOT NULL,\n"
	"  commit_sha TEXT NOT NULL,\n"
	"  role TEXT NOT NULL CHECK (role IN ('good', 'bad', 'step')),\n"
	"  label TEXT NOT NULL,\n"
	"  build TEXT NOT NULL DEFAULT '',\n"
	"  boots INTEGER NOT NULL DEFAULT 0,\n"
	"  decision TEXT NOT NULL DEFAULT 'pending'\n"
	"    CHECK (decision IN ('good', 'bad', 'skip', 'pending')),\n"
	"  why TEXT,\n"
	"  updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),\n"
	"  UNIQUE (bisect_id, commit_sha)\n"
	");\n",
};

/* 256 rows of the sample table's 11 columns, for import.c's batched inserts. */
#define SAMPLE_ROW "(?,?,?,?,?,?,?,?,?,?,?)"
#define SAMPLE_ROWS_4 SAMPLE_ROW "," SAMPLE_ROW "," SAMPLE_ROW "," SAMPLE_ROW
#define SAMPLE_ROWS_16 SAMPLE_ROWS_4 "," SAMPLE_ROWS_4 "," SAMPLE_ROWS_4 "," SAMPLE_ROWS_4
#define SAMPLE_ROWS_64 SAMPLE_ROWS_16 "," SAMPLE_ROWS_16 "," SAMPLE_ROWS_16 "," SAMPLE_ROWS_16
#define SAMPLE_ROWS_256 SAMPLE_ROWS_64 "," SAMPLE_ROWS_64 "," SAMPLE_ROWS_64 "," SAMPLE_ROWS_64

static const char *const sql_text[ST__COUNT] = {
	[ST_BISECT_ADD] = "INSERT INTO bisect(tree, worktree, good, bad, metric, threshold_pct,"
			  " direction, device, plan, max_boots, confirm_boots)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/* ?1 = 0: the newest. */
	[ST_BISECT_GET] = "SELECT id, tree, worktree, good, bad, metric, threshold_pct, direction,"
			  " device, plan, max_boots, confirm_boots, state, coalesce(result, ''),"
			  " coalesce(message, ''), created, updated FROM bisect"
			  " WHERE id = ?1 OR (?1 = 0 AND id = (SELECT max(id) FROM bisect))",
	[ST_BISECT_SET_STATE] = "UPDATE bisect SET state = ?2, result = ?3, message = ?4,"
				" updated = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1",
	[ST_BISECT_SET_WORKTREE] = "UPDATE bisect SET worktree = ?2 WHERE id = ?1",
	[ST_BISECT_STEP_PUT] =
		"INSERT INTO bisect_step(bisect_id, seq, commit_sha, role, label, build, boots,"
		" decision, why) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM bisect_step"
		" WHERE bisect_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT(bisect_id, commit_sha) DO UPDATE SET role = excluded.role,"
		" label = excluded.label, build = excluded.build, boots = excluded.boots,"
		" decision = excluded.decision, why = excluded.why,"
		" updated = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
	[ST_BISECT_STEPS] = "SELECT id, seq, commit_sha, role, label, build, boots, decision,"
			    " coalesce(why, '') FROM bisect_step WHERE bisect_id = ?1 ORDER BY seq",
	[ST_QUEUE_ADD] = "INSERT INTO queue(revision_dir, series, version, source)"
			 " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(revision_dir) DO NOTHING",
	[ST_QUEUE_REQUEUE] = "UPDATE queue SET state = 'queued', stage = NULL"
			     " WHERE id = ?1 AND state IN ('done','failed')",
	[ST_QUEUE_BY_DIR] = "SELECT id, state FROM queue WHERE revision_dir = ?1",
	[ST_QUEUE_NEXT] = "SELECT id, revision_dir, series, version, attempts FROM queue"
			  " WHERE state = 'queued' ORDER BY id LIMIT 1",
	[ST_QUEUE_CLAIM] = "UPDATE queue SET state = 'running', stage = NULL, message = NULL,"
			   " attempts = attempts + 1,"
			   " started = strftime('%Y-%m-%dT%H:%M:%SZ','now'), finished = NULL"
			   " WHERE id = ?1 AND state = 'queued'",
	[ST_QUEUE_FINISH] = "UPDATE queue SET state = ?2, stage = ?3, message = ?4,"
			    " report_dir = coalesce(?5, report_dir),"
			    " finished = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1",
	[ST_QUEUE_RECOVER] = "UPDATE queue SET state = 'queued',"
			     " message = 'interrupted while running; queued again' WHERE state = 'running'",
	[ST_QUEUE_LIST] = "SELECT id, revision_dir, series, version, coalesce(source,''), state,"
			  " coalesce(stage,''), coalesce(message,''), attempts,"
			  " coalesce(report_dir,''), queued, coalesce(started,''),"
			  " coalesce(finished,'') FROM queue ORDER BY id",
	[ST_SEEN_GET] = "SELECT 1 FROM watch_seen WHERE key = ?1",
	[ST_SEEN_ADD] = "INSERT OR REPLACE INTO watch_seen(key, outcome) VALUES (?1, ?2)",
	[ST_CALIB_ADD] = "INSERT INTO calibration(device_id, kernel, artifact, plan, boots, runs,"
			 " alpha, label_a, label_b, rows, false_marks)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_CALIB_CELL_ADD] = "INSERT INTO calibration_cell(calibration_id, backend, size_bytes, procs,"
			      " between_pct, within_pct, mde_pct, marked)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* Newest first; ?1 NULL: every device. */
	[ST_CALIB_LIST] = "SELECT c.id, d.name, c.kernel, c.artifact, c.plan, c.boots, c.runs, c.alpha,"
			  " c.label_a, c.label_b, c.rows, c.false_marks, c.created"
			  " FROM calibration c JOIN device d ON d.id = c.device_id"
			  " WHERE ?1 IS NULL OR d.name = ?1 ORDER BY c.id DESC",
	[ST_CALIB_CELLS] = "SELECT backend, size_bytes, procs, between_pct, within_pct, mde_pct, marked"
			   " FROM calibration_cell WHERE calibration_id = ?1"
			   " ORDER BY backend, size_bytes, procs",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_FOREIGN_KEYS_ON] = "PRAGMA foreign_keys = ON",
	[ST_FOREIGN_KEYS_OFF] = "PRAGMA foreign_keys = OFF",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_LABEL_GET] = "SELECT id FROM label WHERE name = ?1",
	[ST_LABEL_ADD] = "INSERT INTO label(name) VALUES (?1)",
	[ST_SERIES_GET] = "SELECT id FROM series WHERE name = ?1",
	[ST_SERIES_ADD] = "INSERT INTO series(name, subject) VALUES (?1, ?2)",
	[ST_SERIES_SET_SUBJECT] = "UPDATE series SET subject = ?2 WHERE id = ?1",
	[ST_REV_GET] = "SELECT id FROM revision WHERE series_id = ?1 AND version = ?2",
	[ST_REV_ADD] = "INSERT INTO revision(series_id, version, message_id, base_commit)"
		       " VALUES (?1, ?2, ?3, ?4)",
	[ST_REV_UPDATE] = "UPDATE revision SET message_id = coalesce(?2, message_id),"
			  " base_commit = coalesce(?3, base_commit) WHERE id = ?1",
	[ST_DEVICE_GET] = "SELECT id FROM device WHERE name = ?1",
	[ST_DEVICE_ADD] = "INSERT INTO device(name, kind, board) VALUES (?1, ?2, ?3)",
	[ST_DEVICE_UPDATE] = "UPDATE device SET kind = coalesce(?2, kind),"
			     " board = coalesce(?3, board) WHERE id = ?1",
	[ST_DEVICE_SEEN] = "UPDATE device SET hostname = ?2, arch = ?3, cpu_model = ?4,"
			   " cpus = ?5 WHERE id = ?1",
	[ST_BUILD_GET] = "SELECT id FROM kernel_build WHERE kind = ?1 AND revision_id IS ?2"
			 " AND commit_sha = ?3 AND config_fingerprint = ?4 AND release = ?5"
			 " AND version = ?6 AND arch = ?7",
	[ST_BUILD_ADD] = "INSERT INTO kernel_build(kind, revision_id, commit_sha,"
			 " config_fingerprint, release, version, arch)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_JOB_GET] = "SELECT id FROM job WHERE device_id = ?1 AND external_id = ?2",
	[ST_JOB_ADD] = "INSERT INTO job(device_id, kernel_build_id, external_id)"
		       " VALUES (?1, ?2, ?3)",
	[ST_RUN_BY_UUID] = "SELECT r.id, l.name, r.imported, r.source FROM run r"
			   " JOIN label l ON l.id = r.label_id WHERE r.uuid = ?1",
	/* Child-first: db import deletes with foreign keys off (db/import.c). */
	[ST_RUN_DELETE_SAMPLES] = "DELETE FROM sample WHERE cell_id IN"
				  " (SELECT id FROM cell WHERE run_id = ?1)",
	[ST_RUN_DELETE_CELLS] = "DELETE FROM cell WHERE run_id = ?1",
	[ST_RUN_DELETE_FIO] = "DELETE FROM fio WHERE run_id = ?1",
	[ST_RUN_DELETE] = "DELETE FROM run WHERE id = ?1",
	[ST_RUN_ADD] = "INSERT INTO run(uuid, label_id, device_id, kernel_build_id, job_id,"
		       " source, schema, tool, started, hostname, kernel_cmdline, cpu_model,"
		       " cpus, mem_total_bytes, page_size, thp_enabled, cpufreq_governor,"
		       " cpu_clock, runs, fill, ratio, thp, load, drain_timeout_ns, env_json)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
		       " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
	[ST_RUN_END] = "UPDATE run SET end_status = ?2, samples = ?3 WHERE id = ?1",
	[ST_CELL_MAX_ID] = "SELECT coalesce(max(id), 0) FROM cell",
	[ST_CELL_ADD] = "INSERT INTO cell(id, run_id, backend, comp, size_bytes, procs, runs,"
			" munmap_sum_ns, munmap_max_ns, wall_ns, drain_ns, drained, cpu_ns,"
			" pool_base_bytes, pool_before_bytes, pool_peak_bytes, pool_after_bytes,"
			" orig_bytes, notify_free, miss_free, zswpout, pswpout, thp_swpout,"
			" thp_swpout_fallback) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
			" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
	[ST_SAMPLE_ADD] = "INSERT INTO sample(cell_id, run, proc, munmap_ns, start_ns, swap_bytes,"
			  " rss_bytes, vmswap_bytes, fill_ns, pageout_ns, pageout_passes)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_SAMPLE_ADD_BATCH] = "INSERT INTO sample(cell_id, run, proc, munmap_ns, start_ns,"
				" swap_bytes, rss_bytes, vmswap_bytes, fill_ns, pageout_ns,"
				" pageout_passes) VALUES " SAMPLE_ROWS_256,
	[ST_FIO_ADD] = "INSERT INTO fio(run_id, job, rw, comp, size_bytes, bw_bytes, iops,"
		       " lat_mean_ns, runtime_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_LIST_LABELS] =
		"SELECT l.name, count(r.id), coalesce(sum(r.samples), 0), min(r.started),"
		" max(r.started), group_concat(DISTINCT kb.release),"
		" group_concat(DISTINCT d.name)"
		" FROM label l LEFT JOIN run r ON r.label_id = l.id"
		" LEFT JOIN kernel_build kb ON kb.id = r.kernel_build_id"
		" LEFT JOIN device d ON d.id = r.device_id"
		" GROUP BY l.id ORDER BY l.name",
	[ST_LIST_RUNS] =
		"SELECT r.id, r.uuid, l.name, r.started, d.name, kb.release, r.tool, r.source,"
		" kb.kind, s.name, rv.version, r.samples"
		" FROM run r JOIN label l ON l.id = r.label_id JOIN device d ON d.id = r.device_id"
		" JOIN kernel_build kb ON kb.id = r.kernel_build_id"
		" LEFT JOIN revision rv ON rv.id = kb.revision_id"
		" LEFT JOIN series s ON s.id = rv.series_id"
		" ORDER BY l.name, r.started, r.id",
	[ST_LIST_RUNS_LABEL] =
		"SELECT r.id, r.uuid, l.name, r.started, d.name, kb.release, r.tool, r.source,"
		" kb.kind, s.name, rv.version, r.samples"
		" FROM run r JOIN label l ON l.id = r.label_id JOIN device d ON d.id = r.device_id"
		" JOIN kernel_build kb ON kb.id = r.kernel_build_id"
		" LEFT JOIN revision rv ON rv.id = kb.revision_id"
		" LEFT JOIN series s ON s.id = rv.series_id"
		" WHERE l.name = ?1 ORDER BY r.started, r.id",
	[ST_COUNT] =
		"SELECT (SELECT count(*) FROM series), (SELECT count(*) FROM revision),"
		" (SELECT count(*) FROM kernel_build), (SELECT count(*) FROM device),"
		" (SELECT count(*) FROM job), (SELECT count(*) FROM label),"
		" (SELECT count(*) FROM run), (SELECT count(*) FROM cell),"
		" (SELECT coalesce(sum(samples), 0) FROM run), (SELECT count(*) FROM fio)",
	[ST_LABEL_EXISTS] = "SELECT 1 FROM label l WHERE l.name = ?1"
			    " AND EXISTS (SELECT 1 FROM run r WHERE r.label_id = l.id)",
	/* The reports' hot queries: label (or build) -> run_label (run_build) -> cell. */
	[ST_CELLS_LABEL] =
		"SELECT c.run_id, c.backend, c.comp, c.size_bytes, c.procs, c.munmap_sum_ns,"
		" c.munmap_max_ns, c.drain_ns, c.drained, c.cpu_ns, c.pool_peak_bytes,"
		" coalesce(r.load, 'none')"
		" FROM label l JOIN run r ON r.label_id = l.id"
		" JOIN cell c ON c.run_id = r.id WHERE l.name = ?1"
		" ORDER BY c.backend, coalesce(r.load, 'none') <> 'none', coalesce(r.load, 'none'),"
		" c.size_bytes, c.procs, c.run_id",
	[ST_CELLS_REV] =
		"SELECT c.run_id, c.backend, c.comp, c.size_bytes, c.procs, c.munmap_sum_ns,"
		" c.munmap_max_ns, c.drain_ns, c.drained, c.cpu_ns, c.pool_peak_bytes,"
		" coalesce(r.load, 'none')"
		" FROM series s JOIN revision rv ON rv.series_id = s.id"
		" JOIN kernel_build kb ON kb.revision_id = rv.id"
		" JOIN run r ON r.kernel_build_id = kb.id"
		" JOIN cell c ON c.run_id = r.id"
		" WHERE s.name = ?1 AND rv.version = ?2 AND kb.kind = ?3"
		" ORDER BY c.backend, coalesce(r.load, 'none') <> 'none', coalesce(r.load, 'none'),"
		" c.size_bytes, c.procs, c.run_id",
	[ST_ENVS_LABEL] =
		"SELECT r.id, r.uuid, l.name, d.name, d.kind, kb.release, kb.version, kb.kind,"
		" kb.commit_sha, kb.config_fingerprint, r.env_json, r.started"
		" FROM label l JOIN run r ON r.label_id = l.id JOIN device d ON d.id = r.device_id"
		" JOIN kernel_build kb ON kb.id = r.kernel_build_id"
		" WHERE l.name = ?1 ORDER BY r.id",
	[ST_ENVS_REV] =
		"SELECT r.id, r.uuid, l.name, d.name, d.kind, kb.release, kb.version, kb.kind,"
		" kb.commit_sha, kb.config_fingerprint, r.env_json, r.started"
		" FROM series s JOIN revision rv ON rv.series_id = s.id"
		" JOIN kernel_build kb ON kb.revision_id = rv.id"
		" JOIN run r ON r.kernel_build_id = kb.id"
		" JOIN label l ON l.id = r.label_id JOIN device d ON d.id = r.device_id"
		" WHERE s.name = ?1 AND rv.version = ?2 AND kb.kind = ?3 ORDER BY r.id",
	[ST_SERIES_REVS] =
		"SELECT DISTINCT rv.version FROM series s JOIN revision rv ON rv.series_id = s.id"
		" JOIN kernel_build kb ON kb.revision_id = rv.id"
		" JOIN run r ON r.kernel_build_id = kb.id"
		" WHERE s.name = ?1 ORDER BY rv.version",
	[ST_EXPORT_RUNS] =
		"SELECT r.id, r.env_json, r.end_status, r.samples FROM label l"
		" JOIN run r ON r.label_id = l.id WHERE l.name = ?1 ORDER BY r.id",
	[ST_EXPORT_CELLS] =
		"SELECT id, backend, comp, size_bytes, procs, wall_ns, drain_ns, drained, cpu_ns,"
		" pool_base_bytes, pool_before_bytes, pool_peak_bytes, pool_after_bytes,"
		" orig_bytes, notify_free, miss_free, zswpout, pswpout, thp_swpout,"
		" thp_swpout_fallback FROM cell WHERE run_id = ?1 ORDER BY id",
	[ST_EXPORT_SAMPLES] =
		"SELECT run, proc, munmap_ns, start_ns, swap_bytes, rss_bytes, vmswap_bytes,"
		" fill_ns, pageout_ns, pageout_passes FROM sample WHERE cell_id = ?1"
		" ORDER BY run, proc",
	/* The fio suite's results of a side, for the reports (one line per job and run). */
	[ST_FIO_LABEL] =
		"SELECT f.run_id, f.job, coalesce(f.rw, ''), coalesce(r.load, 'none'), f.bw_bytes,"
		" f.iops, f.lat_mean_ns FROM label l JOIN run r ON r.label_id = l.id"
		" JOIN fio f ON f.run_id = r.id WHERE l.name = ?1"
		" ORDER BY coalesce(r.load, 'none') <> 'none', coalesce(r.load, 'none'), f.job,"
		" f.run_id",
	[ST_FIO_REV] =
		"SELECT f.run_id, f.job, coalesce(f.rw, ''), coalesce(r.load, 'none'), f.bw_bytes,"
		" f.iops, f.lat_mean_ns FROM series s JOIN revision rv ON rv.series_id = s.id"
		" JOIN kernel_build kb ON kb.revision_id = rv.id"
		" JOIN run r ON r.kernel_build_id = kb.id JOIN fio f ON f.run_id = r.id"
		" WHERE s.name = ?1 AND rv.version = ?2 AND kb.kind = ?3"
		" ORDER BY coalesce(r.load, 'none') <> 'none', coalesce(r.load, 'none'), f.job,"
		" f.run_id",
	[ST_EXPORT_FIO] =
		"SELECT job, rw, comp, size_bytes, bw_bytes, iops, lat_mean_ns, runtime_ms"
		" FROM fio WHERE run_id = ?1 ORDER BY id",
	[ST_EXPORT_RUN_IDS] =
		"SELECT r.id, r.uuid FROM label l JOIN run r ON r.label_id = l.id"
		" WHERE l.name = ?1 ORDER BY r.id",
};

const char *db_migration_sql(int i)
{
	assert(i >= 0 && i < db_schema_version());
	return migrations[i];
}

int db_schema_version(void)
{
	return (int)ARRAY_SIZE(migrations);
}

const char *db_path(const struct db *db)
{
	return db->path;
}

int db_err(struct db *db, const char *what)
{
	return error("database '%s': %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

sqlite3_stmt *db_stmt_all_bound(struct db *db, enum db_stmt id)
{
	sqlite3_stmt *st;

	assert(id < ST__COUNT && sql_text[id]);
	st = db->st[id];
	if (st) {
		sqlite3_reset(st);
		return st;
	}
	if (sqlite3_prepare_v3(db->h, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT,
			       &db->st[id], NULL) != SQLITE_OK) {
		db_err(db, "cannot prepare a statement");
		return NULL;
	}
	return db->st[id];
}

sqlite3_stmt *db_stmt(struct db *db, enum db_stmt id)
{
	sqlite3_stmt *st = db_stmt_all_bound(db, id);

	if (st)
		sqlite3_clear_bindings(st);
	return st;
}

int db_exec_stmt(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_err(db, what);
	sqlite3_reset(st);
	return 0;
}

int db_begin(struct db *db)
{
	if (db->readonly)
		return error("database '%s' was opened read-only", db->path);
	return db_exec_stmt(db, db_stmt(db, ST_BEGIN), "cannot start a transaction");
}

/* (The pragma expires the connection's prepared statements: they are prepared again on use.) */
int db_foreign_keys(struct db *db, int on)
{
	assert(sqlite3_get_autocommit(db->h)); /* a no-op inside a transaction */
	return db_exec_stmt(db, db_stmt(db, on ? ST_FOREIGN_KEYS_ON : ST_FOREIGN_KEYS_OFF),
			    "cannot switch foreign-key enforcement");
}

int db_commit(struct db *db)
{
	if (db_exec_stmt(db, db_stmt(db, ST_COMMIT), "cannot commit")) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

void db_rollback(struct db *db)
{
	/* Statements still stepping would keep the transaction's locks. */
	size_t i;

	for (i = 0; i < ST__COUNT; i++)
		if (db->st[i])
			sqlite3_reset(db->st[i]);
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

char *db_col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return xstrdup(s ? (const char *)s : "");
}

const char *db_intern(struct db *db, const char *s)
{
	size_t i;

	for (i = 0; i < db->nr_strs; i++)
		if (!strcmp(db->strs[i], s))
			return db->strs[i];
	ALLOC_GROW(db->strs, db->nr_strs + 1, db->alloc_strs);
	db->strs[db->nr_strs] = xstrdup(s);
	return db->strs[db->nr_strs++];
}

/* Runs one PRAGMA or DDL script; -1 + error() naming what failed. */
static int db_exec(struct db *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("database '%s': %s: %s", db->path, what, msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int pragma_int(struct db *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	/* One-off pragmas at open: not worth a slot in the statement table. */
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Switches the file to WAL (persistent).  Changing the journal mode takes
 * an exclusive lock without calling the busy handler, so when two
 * processes open a new file at once, retry for the busy timeout.
 */
static int set_wal(struct db *db)
{
	int tries;

	for (tries = 0; tries < 3000; tries++) {
		sqlite3_stmt *st;
		int rc, wal = 0;

		if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
			return db_err(db, "cannot switch to WAL");
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			wal = !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
		if (rc == SQLITE_ROW && wal)
			return 0;
		if (rc == SQLITE_ROW || ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED))
			return error("database '%s': cannot switch to WAL: %s", db->path,
				     rc == SQLITE_ROW ? "the journal mode stays another" : sqlite3_errstr(rc));
		sleep_ns(10 * 1000000ULL);
	}
	return error("database '%s': cannot switch to WAL: still locked after 30 s", db->path);
}

/*
 * Upgrades to db_schema_version(), one migration per transaction.  The
 * version is read again under the write lock: another process may have
 * created or upgraded the file since db_open() looked.
 */
static int migrate(struct db *db)
{
	for (;;) {
		char *sql;
		int v;

		if (db_exec(db, "BEGIN IMMEDIATE", "cannot start the schema upgrade"))
			return -1;
		if (pragma_int(db, "PRAGMA user_version", &v)) {
			db_err(db, "cannot read the schema version");
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (v >= db_schema_version()) {
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			if (v > db_schema_version())
				return error("database '%s' has schema version %d, newer than this"
					     " swaplab's %d; use a newer swaplab", db->path, v,
					     db_schema_version());
			return 0;
		}
		sql = xstrfmt("%s\nPRAGMA application_id = %d;\nPRAGMA user_version = %d;",
			      migrations[v], DB_APP_ID, v + 1);
		if (db_exec(db, sql, "cannot upgrade the schema")) {
			free(sql);
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		free(sql);
		if (db_exec(db, "COMMIT", "cannot commit the schema upgrade")) {
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
}

/*
 * A WAL database in a directory we cannot write, without its -shm file,
 * cannot be opened even for reading.  When there is no -wal file either,
 * the database file holds every committed transaction: read it as an
 * immutable file (no locks, no shared memory).
 */
static int reopen_immutable(struct db *db)
{
	char *wal = xstrfmt("%s-wal", db->path), *uri;
	struct stat sb;
	size_t i, n = 0;
	int exists = stat(wal, &sb) == 0;

	free(wal);
	if (exists)
		return 0; /* a writer is at work: report the original error */
	uri = xmalloc(3 * strlen(db->path) + 32);
	n += (size_t)sprintf(uri, "file:");
	for (i = 0; db->path[i]; i++) {
		unsigned char c = (unsigned char)db->path[i];

		if (c == '%' || c == '?' || c == '#' || c <= ' ' || c >= 0x7f)
			n += (size_t)sprintf(uri + n, "%%%02X", c);
		else
			uri[n++] = (char)c;
	}
	sprintf(uri + n, "?immutable=1");
	sqlite3_close(db->h);
	db->h = NULL;
	if (sqlite3_open_v2(uri, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		error("cannot open database '%s': %s", db->path,
		      db->h ? sqlite3_errmsg(db->h) : "out of memory");
		free(uri);
		return -1;
	}
	free(uri);
	sqlite3_extended_result_codes(db->h, 1);
	return 0;
}

/*
 * The schema version, application id and number of schema objects, read
 * in one statement and so from one snapshot: read one by one, they can
 * straddle another process's creation of the file (version 0 read before
 * its first migration commits, the objects after), which looked like a
 * foreign SQLite file.
 */
static int read_identity(struct db *db, int *version, int *app_id, int *objects)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, "SELECT (SELECT user_version FROM pragma_user_version),"
			       " (SELECT application_id FROM pragma_application_id),"
			       " (SELECT count(*) FROM sqlite_schema)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		*app_id = sqlite3_column_int(st, 1);
		*objects = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/*
 * Before SQLite's first use: no allocation statistics, which would take a
 * global mutex on every allocation (millions in one import).
 */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* 1 when the file system holding path has no block left for us. */
static int fs_is_full(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct statvfs sv;
	int full;

	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	full = statvfs(dir, &sv) == 0 && sv.f_bavail == 0;
	free(dir);
	return full;
}

struct db *db_open(const char *path, int flags)
{
	struct db *db;
	struct stat sb;
	int oflags, version, app_id, objects;

	assert(path && *path);
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT || !(flags & DB_CREATE) || (flags & DB_READONLY)) {
			if (errno == ENOENT)
				error("no database '%s' (runs are stored with 'swaplab db import'"
				      " or 'swaplab bench --db')", path);
			else
				error_errno("cannot open database '%s'", path);
			return NULL;
		}
	} else if (!S_ISREG(sb.st_mode)) {
		error("database '%s' is not a regular file", path);
		return NULL;
	}

	pthread_once(&sqlite_once, sqlite_setup);
	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	db->readonly = !!(flags & DB_READONLY);
	oflags = db->readonly ? SQLITE_OPEN_READONLY
			      : SQLITE_OPEN_READWRITE | ((flags & DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	/* One connection per thread: SQLite's own mutexes are pure cost. */
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db->h, oflags, NULL) != SQLITE_OK) {
		error("cannot open database '%s': %s", path,
		      db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 30000); /* another import may hold the write lock for seconds */
	if (!db->readonly && sqlite3_db_readonly(db->h, "main") == 1) {
		error("database '%s' is read-only: cannot write to it", path);
		goto fail;
	}
	/* The first read: a file that is not SQLite fails here. */
	if (db->readonly && pragma_int(db, "PRAGMA user_version", &version) &&
	    ((sqlite3_errcode(db->h) & 0xff) == SQLITE_READONLY ||
	     (sqlite3_errcode(db->h) & 0xff) == SQLITE_CANTOPEN) &&
	    reopen_immutable(db))
		goto fail;
	if (read_identity(db, &version, &app_id, &objects)) {
		/* A full file system shows as an I/O error on the WAL index: say which. */
		error("cannot read database '%s': %s%s", path, sqlite3_errmsg(db->h),
		      fs_is_full(path) ? " (the file system holding it is full: database or disk is full)" : "");
		goto fail;
	}
	if (version > db_schema_version()) {
		error("database '%s' has schema version %d, newer than this swaplab's %d;"
		      " use a newer swaplab", path, version, db_schema_version());
		goto fail;
	}
	if ((version > 0 && app_id != DB_APP_ID) || (version == 0 && objects > 0)) {
		error("'%s' is an SQLite database but not a swaplab one", path);
		goto fail;
	}
	if (db->readonly) {
		if (version < db_schema_version()) {
			error("database '%s' has schema version %d and needs an upgrade to %d:"
			      " run a writing command (e.g. 'swaplab db info') on it first",
			      path, version, db_schema_version());
			goto fail;
		}
		return db;
	}
	/* A new file: 16K pages (fewer page writes on bulk imports, ~8% faster). */
	if (!version && !objects && db_exec(db, "PRAGMA page_size = 16384", "cannot set the page size"))
		goto fail;
	if (set_wal(db) ||
	    db_exec(db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
			" PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY",
		    "cannot set the connection up") ||
	    (version < db_schema_version() && migrate(db)))
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

void db_close(struct db *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(db->st[i]);
	if (db->h)
		sqlite3_close(db->h);
	for (i = 0; i < db->nr_strs; i++)
		free(db->strs[i]);
	free(db->strs);
	free(db->path);
	free(db);
}

/* Returns the id of the single row st selects, 0 if none, -1 on error. */
static int64_t select_id(struct db *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int64_t id = 0;

	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		return db_err(db, "lookup failed");
	sqlite3_reset(st);
	return id;
}

static int64_t insert_id(struct db *db, sqlite3_stmt *st, const char *what)
{
	if (db_exec_stmt(db, st, what))
		return -1;
	return sqlite3_last_insert_rowid(db->h);
}

int64_t db_label_id(struct db *db, const char *name, int create)
{
	sqlite3_stmt *st = db_stmt(db, ST_LABEL_GET);
	int64_t id;

	if (!st)
		return -1;
	db_bind_text(st, 1, name);
	id = select_id(db, st);
	if (id || !create)
		return id;
	if (!(st = db_stmt(db, ST_LABEL_ADD)))
		return -1;
	db_bind_text(st, 1, name);
	return insert_id(db, st, "cannot add a label");
}

static int64_t series_id(struct db *db, const char *name, const char *subject)
{
	sqlite3_stmt *st = db_stmt(db, ST_SERIES_GET);
	int64_t id;

	if (!st)
		return -1;
	db_bind_text(st, 1, name);
	id = select_id(db, st);
	if (id < 0)
		return -1;
	if (id) {
		if (subject) {
			if (!(st = db_stmt(db, ST_SERIES_SET_SUBJECT)))
				return -1;
			sqlite3_bind_int64(st, 1, id);
			db_bind_text(st, 2, subject);
			if (db_exec_stmt(db, st, "cannot update a series"))
				return -1;
		}
		return id;
	}
	if (!(st = db_stmt(db, ST_SERIES_ADD)))
		return -1;
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, subject);
	return insert_id(db, st, "cannot add a series");
}

static int64_t revision_id(struct db *db, const char *series, unsigned version,
			   const char *message_id, const char *base_commit)
{
	int64_t sid = series_id(db, series, NULL), id;
	sqlite3_stmt *st;

	if (sid < 0 || !(st = db_stmt(db, ST_REV_GET)))
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int(st, 2, (int)version);
	id = select_id(db, st);
	if (id < 0)
		return -1;
	if (id) {
		if (!message_id && !base_commit)
			return id;
		if (!(st = db_stmt(db, ST_REV_UPDATE)))
			return -1;
		sqlite3_bind_int64(st, 1, id);
		db_bind_text(st, 2, message_id);
		db_bind_text(st, 3, base_commit);
		return db_exec_stmt(db, st, "cannot update a revision") ? -1 : id;
	}
	if (!(st = db_stmt(db, ST_REV_ADD)))
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int(st, 2, (int)version);
	db_bind_text(st, 3, message_id);
	db_bind_text(st, 4, base_commit);
	return insert_id(db, st, "cannot add a revision");
}

int64_t db_device_id(struct db *db, const char *name, const char *kind, const char *board)
{
	sqlite3_stmt *st = db_stmt(db, ST_DEVICE_GET);
	int64_t id;

	if (!st)
		return -1;
	db_bind_text(st, 1, name);
	id = select_id(db, st);
	if (id < 0)
		return -1;
	if (id) {
		if (!kind && !board)
			return id;
		if (!(st = db_stmt(db, ST_DEVICE_UPDATE)))
			return -1;
		sqlite3_bind_int64(st, 1, id);
		db_bind_text(st, 2, kind);
		db_bind_text(st, 3, board);
		return db_exec_stmt(db, st, "cannot update a device") ? -1 : id;
	}
	if (!(st = db_stmt(db, ST_DEVICE_ADD)))
		return -1;
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, kind ? kind : "host");
	db_bind_text(st, 3, board);
	return insert_id(db, st, "cannot add a device");
}

int64_t db_build_id(struct db *db, const char *kind, int64_t revision_id,
		    const char *commit, const char *config_fingerprint,
		    const char *release, const char *version, const char *arch)
{
	sqlite3_stmt *st;
	int64_t id;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (!(st = db_stmt(db, pass ? ST_BUILD_ADD : ST_BUILD_GET)))
			return -1;
		db_bind_text(st, 1, kind);
		if (revision_id > 0)
			sqlite3_bind_int64(st, 2, revision_id);
		else
			sqlite3_bind_null(st, 2);
		db_bind_text(st, 3, commit ? commit : "");
		db_bind_text(st, 4, config_fingerprint ? config_fingerprint : "");
		db_bind_text(st, 5, release);
		db_bind_text(st, 6, version);
		db_bind_text(st, 7, arch);
		if (pass)
			return insert_id(db, st, "cannot add a kernel build");
		id = select_id(db, st);
		if (id)
			return id;
	}
	return -1;
}

int64_t db_job_id(struct db *db, int64_t device_id, int64_t build_id, const char *external_id)
{
	sqlite3_stmt *st = db_stmt(db, ST_JOB_GET);
	int64_t id;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	db_bind_text(st, 2, external_id);
	id = select_id(db, st);
	if (id)
		return id;
	if (!(st = db_stmt(db, ST_JOB_ADD)))
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	sqlite3_bind_int64(st, 2, build_id);
	db_bind_text(st, 3, external_id);
	return insert_id(db, st, "cannot add a job");
}

/* The public upserts: each its own transaction. */
int64_t db_upsert_series(struct db *db, const char *name, const char *subject)
{
	int64_t id;

	if (db_begin(db))
		return -1;
	id = series_id(db, name, subject);
	if (id < 0 || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return id;
}

int64_t db_upsert_revision(struct db *db, const char *series, unsigned version,
			   const char *message_id, const char *base_commit)
{
	int64_t id;

	if (version < 1)
		return error("revision of series '%s': version must be >= 1", series);
	if (db_begin(db))
		return -1;
	id = revision_id(db, series, version, message_id, base_commit);
	if (id < 0 || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return id;
}

int64_t db_upsert_device(struct db *db, const char *name, const char *kind, const char *board)
{
	int64_t id;

	if (kind && strcmp(kind, "host") && strcmp(kind, "qemu") && strcmp(kind, "lava"))
		return error("device '%s': kind '%s' is not host, qemu or lava", name, kind);
	if (db_begin(db))
		return -1;
	id = db_device_id(db, name, kind, board);
	if (id < 0 || db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return id;
}

int64_t db_revision_id(struct db *db, const char *series, unsigned version)
{
	return revision_id(db, series, version, NULL, NULL);
}
