/*
 * test_db.c - db/ through its interface (and SQLite directly to look at
 * what it wrote): schema creation and upgrade, pragmas, refusal of newer
 * and foreign files, the import of interleaved runs and its per-run
 * figures, duplicate and replaced runs, rollback on bad input, the
 * import's two parsers storing the same rows, and the upserts of the lab's
 * objects.
 */
#include "db/db-internal.h"
#include "tap.h"
#include "test_db_gen.h"
#include "common/util.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/swaplab-test-db-XXXXXX";

static char *path_in(const char *name)
{
	return xstrfmt("%s/%s", dir, name);
}

static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return v;
}

static int sql_exec(const char *path, const char *sql)
{
	sqlite3 *h;
	int rc = -1;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK)
		rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc;
}

/* munmap = cell size in MB * 1000 * run + 1000 * proc: every figure known. */
static int64_t figure(const struct gen_cell *c, unsigned run, unsigned proc, void *arg)
{
	(void)arg;
	return (int64_t)(c->size >> 20) * 1000 * run + 1000 * proc;
}

static const struct gen_cell cells[] = {
	{ "zram", 64 << 20, 1 }, { "zram", 64 << 20, 3 }, { "zswap", 128 << 20, 2 },
};

static void test_open(void)
{
	char *p = path_in("open.db"), *q = path_in("missing.db");
	struct db *db;
	char mode[16] = "";

	ok(!db_open(q, 0) && access(q, F_OK) < 0, "no database without DB_CREATE");
	ok(!db_open(q, DB_READONLY), "read-only open of a missing file fails");
	db = db_open(p, DB_CREATE);
	ok(db != NULL, "DB_CREATE makes a database");
	if (db) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		is_str(mode, "wal", "journal_mode is WAL");
		if (sqlite3_prepare_v2(db->h, "PRAGMA foreign_keys", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			is_int(sqlite3_column_int(st, 0), 1, "foreign keys on");
		sqlite3_finalize(st);
		db_close(db);
	}
	is_int(sql_int(p, "PRAGMA user_version"), db_schema_version(), "user_version is the schema version");
	db = db_open(p, DB_READONLY);
	ok(db && db_upsert_series(db, "s", NULL) < 0, "a read-only handle refuses writes");
	db_close(db);

	sql_exec(p, "PRAGMA user_version = 99");
	ok(!db_open(p, 0) && !db_open(p, DB_READONLY), "a newer schema version is refused");
	is_int(sql_int(p, "PRAGMA user_version"), 99, "and left alone");
	free(p);
	free(q);

	p = path_in("foreign.db");
	sql_exec(p, "CREATE TABLE t(x)");
	ok(!db_open(p, DB_CREATE), "an SQLite file of another program is refused");
	free(p);
}

/* A database at schema 1 (built by hand) upgrades in place, keeping its rows. */
static void test_upgrade(void)
{
	char *p = path_in("v1.db");
	struct db *db;

	char *sql = xstrfmt("PRAGMA application_id = %d; PRAGMA user_version = 1;"
			    " INSERT INTO label(name) VALUES ('old');", DB_APP_ID);

	ok(sql_exec(p, db_migration_sql(0)) == SQLITE_OK && sql_exec(p, sql) == SQLITE_OK,
	   "a schema-1 database");
	free(sql);
	db = db_open(p, 0);
	ok(db != NULL, "opens (and upgrades) it");
	db_close(db);
	is_int(sql_int(p, "PRAGMA user_version"), db_schema_version(), "now at the current version");
	is_int(sql_int(p, "SELECT count(*) FROM label WHERE name = 'old'"), 1, "its rows kept");
	is_int(sql_int(p, "SELECT count(*) FROM pragma_table_info('cell') WHERE name = 'thp_swpout'"),
	       1, "migration 2 added cell.thp_swpout");
	free(p);
}

static void test_import(void)
{
	char *p = path_in("imp.db"), *f, *bad;
	struct gen_run g = { "aaaa0000aaaa0000aaaa0000aaaa0000", "6.18.0", NULL, 4, 3, cells, 3,
			     figure, NULL, 0, NULL, 0 };
	struct db_import_stats st;
	struct db_cell_run *cr;
	struct db_counts before, after;
	struct db_sel sel = { "base", NULL, 0, NULL };
	struct db *db = db_open(p, DB_CREATE);
	size_t n, i;
	int good = 1;

	f = gen_file(&g);
	is_int(db_import_jsonl(db, f, "base", NULL, &st), 0, "import of run-major, reversed samples");
	ok(st.runs == 1 && st.samples == 18 && st.cells == 3, "stats: 1 run, 18 samples, 3 cells");
	is_str(st.run_uuid, g.uuid, "stats: the run's uuid");
	is_int(db_cell_runs(db, &sel, &cr, &n), 0, "runs of cells read back");
	is_int(n, 9, "3 cells x 3 runs");
	for (i = 0; i < n; i++) {
		const struct db_cell_run *c = &cr[i];
		double base = (double)(c->size_bytes >> 20) * 1000 * c->run_no;
		/* procs 0..P-1 add 1000*proc: mean adds 500*(P-1), max 1000*(P-1) */
		double mean = base + 500.0 * (c->procs - 1);
		int64_t max = (int64_t)base + 1000 * (int64_t)(c->procs - 1);

		if (c->munmap_mean_ns != mean || c->munmap_max_ns != max || !c->has_drain ||
		    c->drain_ns != 2000 + c->run_no || c->drained != (c->run_no != 1) ||
		    c->cpu_ns != 3000 + c->run_no)
			good = 0;
	}
	ok(good, "each run's mean and max munmap, drain, drained and CPU as written");
	ok(n == 9 && !strcmp(cr[0].backend, "zram") && cr[0].procs == 1 && cr[0].run_no == 1 &&
	   !strcmp(cr[8].backend, "zswap"), "ordered by backend, size, procs, run");
	free(cr);

	db_count(db, &before);
	ok(db_import_jsonl(db, f, "again", NULL, &st) < 0, "the same run_uuid is refused");
	{
		struct db_import_opts o = { .replace = 1 };

		is_int(db_import_jsonl(db, f, "base", &o, &st), 0, "... unless replacing");
		is_int(st.replaced, 1, "stats: one run replaced");
	}
	db_count(db, &after);
	ok(before.runs == after.runs && before.cells == after.cells &&
	   before.samples == after.samples && after.labels == 1 &&
	   sql_int(p, "SELECT count(*) FROM sample") == 18,
	   "replacing keeps one copy (18 sample rows) and no new label");
	is_int(sql_int(p, "SELECT count(*) FROM pragma_foreign_key_check"), 0,
	       "no row left without its parent (the import runs with foreign keys off)");

	/* A bad line late in the file: nothing of it stays. */
	g.uuid = "bbbb0000bbbb0000bbbb0000bbbb0000";
	g.no_end = 1;
	bad = gen_file(&g);
	{
		FILE *fp = fopen(bad, "a");

		fputs("{\"type\":\"sample\",\"backend\":\"zram\"}\n", fp);
		fclose(fp);
	}
	ok(db_import_jsonl(db, bad, "bad", NULL, &st) < 0, "a bad last line fails the import");
	db_count(db, &after);
	ok(!memcmp(&before, &after, sizeof(before)), "and leaves every table as it was");
	ok(db_label_exists(db, "bad") == 0, "no label 'bad'");
	unlink(bad);
	free(bad);

	/* Two runs in one file, and the lab's objects linked. */
	{
		struct db_import_opts o = { .series = "zsd", .revision = 2, .kind = "patched",
					    .commit = "c0ffee", .device_kind = "lava", .job = "1234" };
		char *two = path_in("two.jsonl");
		FILE *out = fopen(two, "w"), *in;
		char buf[4096];
		int k;

		for (k = 0; k < 2; k++) {
			g.uuid = k ? "dddd0000dddd0000dddd0000dddd0000" : "cccc0000cccc0000cccc0000cccc0000";
			g.no_end = 0;
			g.device = "rpi4b-1";
			unlink(f);
			free(f);
			f = gen_file(&g);
			in = fopen(f, "r");
			while (fgets(buf, sizeof(buf), in))
				fputs(buf, out);
			fclose(in);
			unlink(f);
		}
		fclose(out);
		is_int(db_import_jsonl(db, two, "v2", &o, &st), 0, "a file with two runs");
		is_int(st.runs, 2, "both runs stored");
		is_int(sql_int(p, "SELECT count(*) FROM run r JOIN kernel_build kb ON kb.id ="
				  " r.kernel_build_id JOIN revision rv ON rv.id = kb.revision_id JOIN"
				  " series s ON s.id = rv.series_id WHERE s.name = 'zsd' AND"
				  " rv.version = 2 AND kb.kind = 'patched' AND kb.commit_sha = 'c0ffee'"),
		       2, "runs linked to series zsd v2, patched build c0ffee");
		is_int(sql_int(p, "SELECT count(*) FROM run r JOIN job j ON j.id = r.job_id JOIN device d"
				  " ON d.id = j.device_id WHERE d.name = 'rpi4b-1' AND d.kind = 'lava'"
				  " AND j.external_id = '1234'"),
		       2, "and to LAVA job 1234 on device rpi4b-1");
		unlink(two);
		free(two);
	}
	unlink(f);
	free(f);

	{
		int64_t a = db_upsert_device(db, "qemu-arm64", "qemu", "virt"), b;

		b = db_upsert_device(db, "qemu-arm64", NULL, NULL);
		ok(a > 0 && a == b, "db_upsert_device: one row per name");
		ok(db_upsert_device(db, "x", "phone", NULL) < 0, "db_upsert_device: kinds are checked");
		a = db_upsert_revision(db, "zsd", 3, "<msg@id>", "v6.18");
		ok(a > 0 && a == db_upsert_revision(db, "zsd", 3, NULL, NULL),
		   "db_upsert_revision: one row per (series, version)");
		is_int(db_upsert_series(db, "zsd", "mm/zsmalloc: deferred free"),
		       sql_int(p, "SELECT id FROM series WHERE name = 'zsd'"), "db_upsert_series");
	}
	db_close(db);
	free(p);
}

/* Figures a broken clock or writer could produce (zero; sums past 2^63). */
static int64_t zero_figure(const struct gen_cell *c, unsigned run, unsigned proc, void *arg)
{
	(void)c;
	(void)arg;
	return run == 2 && proc == 0 ? 0 : 1000000;
}

static int64_t huge_figure(const struct gen_cell *c, unsigned run, unsigned proc, void *arg)
{
	(void)c;
	(void)run;
	(void)proc;
	(void)arg;
	return INT64_MAX / 2 + 1000;
}

static void test_bad_figures(void)
{
	static const struct gen_cell two[] = { { "zram", 64 << 20, 2 } };
	char *p = path_in("bad-figures.db"), *f;
	struct db *db = db_open(p, DB_CREATE);
	struct gen_run g = { "eeee0000eeee0000eeee0000eeee0000", "6.18.0", NULL, 4, 3, two, 1,
			     zero_figure, NULL, 0, NULL, 0 };
	struct db_counts c;

	f = gen_file(&g);
	ok(db_import_jsonl(db, f, "zero", NULL, NULL) < 0, "munmap_ns 0 is refused at import");
	unlink(f);
	free(f);
	g.munmap = huge_figure;
	f = gen_file(&g);
	ok(db_import_jsonl(db, f, "huge", NULL, NULL) < 0,
	   "two processes near 4.6e18 ns each (a sum past 2^63) are refused");
	unlink(f);
	free(f);
	db_count(db, &c);
	g.munmap = figure;
	f = gen_file(&g);
	ok(db_import_jsonl(db, f, "caf\xe9", NULL, NULL) < 0 &&
	   db_import_jsonl(db, f, "\xc0\xaf", NULL, NULL) < 0, "a label that is not UTF-8 is refused");
	ok(c.runs == 0 && c.samples == 0 && c.labels == 0, "and nothing of either is stored");
	ok(db_import_jsonl(db, f, "caf\xc3\xa9", NULL, NULL) == 0, "a UTF-8 label is taken");
	unlink(f);
	free(f);
	db_close(db);
	free(p);
}

/* Copies src to dst with a space after every ',' and ':' outside strings. */
static void spaced_copy(const char *src, const char *dst)
{
	FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
	int c, in_str = 0;

	while ((c = fgetc(in)) != EOF) {
		fputc(c, out);
		if (c == '"')
			in_str = !in_str;
		else if (!in_str && (c == ',' || c == ':'))
			fputc(' ', out);
	}
	fclose(in);
	fclose(out);
}

static char *export_csv(struct db *db, const char *label)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	int rc = db_export_csv(db, label, f);

	fclose(f);
	if (rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Sample lines as swapbench writes them are read in place (scan_sample);
 * anything else goes through the JSON parser.  The same stream both ways
 * must store the same rows, and the same run twice in one stream with
 * --replace must leave one copy (its samples are still pending when the
 * second env line replaces it).
 */
static void test_import_paths(void)
{
	struct gen_run g = { "cccc0000cccc0000cccc0000cccc0000", "6.18.0", NULL, 4, 3, cells, 3,
			     figure, NULL, 0, NULL, 0 };
	char *f = gen_file(&g), *spaced = path_in("spaced.jsonl"), *twice = path_in("twice.jsonl");
	char *pa = path_in("fast.db"), *pb = path_in("slow.db"), *pc = path_in("twice.db");
	char *a, *b, *cmd;
	struct db_import_opts o = { .replace = 1 };
	struct db_import_stats st;
	struct db_counts ca, cc;
	struct db *da = db_open(pa, DB_CREATE), *db = db_open(pb, DB_CREATE);
	struct db *dc = db_open(pc, DB_CREATE);

	spaced_copy(f, spaced);
	is_int(db_import_jsonl(da, f, "x", NULL, &st), 0, "compact stream imported");
	ok(st.samples == 18 && st.fast_samples == 18, "... every sample line read in place");
	is_int(db_import_jsonl(db, spaced, "x", NULL, &st), 0, "spaced stream imported");
	ok(st.samples == 18 && st.fast_samples == 0, "... every sample line by the JSON parser");
	a = export_csv(da, "x");
	b = export_csv(db, "x");
	ok(sql_int(pa, "SELECT count(*) FROM sample") == 18 &&
	   sql_int(pb, "SELECT count(*) FROM sample") == 18, "both store 18 sample rows");
	ok(a && b && !strcmp(a, b), "both store the same samples and figures");

	/* An unknown key with a number past 64 bits: ignored, not overflowed (ASan/UBSan build). */
	cmd = xstrfmt("sed 's/\"type\":\"sample\",/&\"extra\":123456789012345678901234,/' '%s' >'%s'",
		      f, spaced);
	ok(system(cmd) == 0, "a stream with a 24-digit unknown key");
	free(cmd);
	db_close(db);
	unlink(pb);
	db = db_open(pb, DB_CREATE);
	is_int(db_import_jsonl(db, spaced, "x", NULL, &st), 0, "... imports");
	ok(st.samples == 18 && st.fast_samples == 0, "... all its samples, by the JSON parser");

	cmd = xstrfmt("cat '%s' '%s' >'%s'", f, f, twice);
	ok(system(cmd) == 0, "a stream with the same run twice");
	is_int(db_import_jsonl(dc, twice, "x", &o, &st), 0, "... imports with --replace");
	is_int(st.replaced, 1, "... replacing the first copy");
	db_count(da, &ca);
	db_count(dc, &cc);
	ok(ca.runs == cc.runs && ca.cells == cc.cells &&
	   sql_int(pc, "SELECT count(*) FROM sample") == 18,
	   "... leaving one copy of its run, cells and sample rows");
	is_int(sql_int(pc, "SELECT count(*) FROM pragma_foreign_key_check"), 0,
	       "... and no orphan rows");

	db_close(da);
	db_close(db);
	db_close(dc);
	unlink(f);
	free(a);
	free(b);
	free(cmd);
	free(f);
	free(spaced);
	free(twice);
	free(pa);
	free(pb);
	free(pc);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_open();
	test_upgrade();
	test_import();
	test_bad_figures();
	test_import_paths();
	{
		const char *const argv[] = { "rm", "-rf", dir, NULL };

		run_argv(argv, -1, -1);
	}
	return done_testing();
}
