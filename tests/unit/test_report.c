/*
 * test_report.c - reports/report.[ch] on databases built from generated
 * streams: the seed's table layout for a full grid of cells, the 72-column
 * limit of the lore format under stress (long series, large times,
 * missing sides), the verdicts (per-invocation figures, too few
 * invocations, minimum effect, order and kernel checks, the interval
 * agreeing with the mark), change points across a series, the level and
 * alpha named in the output, and the row figures themselves.
 */
#include "db/db.h"
#include "reports/report.h"
#include "tap.h"
#include "test_db_gen.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/swaplab-test-report-XXXXXX";

struct scale {
	double ms;      /* median of a 64MB single-process cell */
	double spread;  /* relative, across runs */
	double boot;    /* this invocation's factor (set by import()) */
	uint64_t mem;   /* the env's mem_total_bytes (0: the generator's) */
};

/*
 * Times grow with size and procs; runs spread symmetrically around the
 * middle run (run 6 of 11 is the median: ms * boot exactly, for one process).
 */
static int64_t figure(const struct gen_cell *c, unsigned run, unsigned proc, void *arg)
{
	const struct scale *s = arg;
	double base = s->ms * s->boot * 1e6 * (double)(c->size >> 26) * (1 + 0.5 * (c->procs - 1));

	return (int64_t)llround(base * (1 + s->spread * ((double)run - 6)) + 1000.0 * proc);
}

/* Boot-to-boot factors: invocation k of a label runs this much slower. */
static const double boots[] = { 1.00, 1.02, 0.985, 1.01, 0.995, 1.015 };

/*
 * Imports inv invocations of a label (uuid prefix + k), invocation k
 * started at minute slot + k * step (interleave two labels with step 2
 * and slots 0 and 1).
 */
static void import_inv(struct db *db, const char *uuid, const char *kernel, unsigned inv,
		       unsigned runs, const struct gen_cell *cells, size_t n, struct scale *s,
		       const char *label, const struct db_import_opts *o, unsigned slot,
		       unsigned step)
{
	unsigned k;

	for (k = 0; k < inv; k++) {
		char *id = inv == 1 ? xstrdup(uuid) : xstrfmt("%.30s%02u", uuid, k);
		unsigned minute = slot + k * step;
		char *started = xstrfmt("2026-05-01T%02u:%02u:00Z", 10 + minute / 60, minute % 60);
		struct gen_run g = { id, kernel, NULL, 4, runs, cells, n, figure, s, 0, started, s->mem };
		char *f;

		s->boot = boots[k % ARRAY_SIZE(boots)];
		f = gen_file(&g);
		if (db_import_jsonl(db, f, label, o, NULL))
			printf("# import of %s failed\n", label);
		unlink(f);
		free(f);
		free(id);
		free(started);
	}
	s->boot = 1;
}

static void import(struct db *db, const char *uuid, const char *kernel, unsigned runs,
		   const struct gen_cell *cells, size_t n, struct scale *s, const char *label,
		   const struct db_import_opts *o)
{
	import_inv(db, uuid, kernel, 1, runs, cells, n, s, label, o, 0, 1);
}

static char *render(const struct report *r, enum report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	report_write(r, fmt, f);
	fclose(f);
	return buf;
}

static size_t widest(const char *text)
{
	size_t max = 0;

	while (*text) {
		size_t l = strcspn(text, "\n");

		if (l > max)
			max = l;
		text += l + (text[l] == '\n');
	}
	return max;
}

/* The text as TAP comments, to see why a check failed. */
static void diag(const char *text)
{
	while (*text) {
		size_t l = strcspn(text, "\n");

		printf("# %.*s\n", (int)l, text);
		text += l + (text[l] == '\n');
	}
}

static const struct gen_cell grid[] = {
	{ "zram", 64 << 20, 1 },   { "zram", 64 << 20, 2 },   { "zram", 128 << 20, 1 },
	{ "zram", 128 << 20, 2 },  { "zram", 256 << 20, 1 },  { "zram", 256 << 20, 2 },
	{ "zswap", 64 << 20, 1 },  { "zswap", 64 << 20, 2 },  { "zswap", 128 << 20, 1 },
	{ "zswap", 128 << 20, 2 }, { "zswap", 256 << 20, 1 }, { "zswap", 256 << 20, 2 },
};

static void test_layout(struct db *db)
{
	struct scale b = { 14.11, 0.02, 1, 0 }, p = { 2.18, 0.02, 1, 0 };
	struct report_opts o = { .base = "grid-base", .patched = "grid-patched", .alpha = 0.05 };
	struct report r;
	char *text, title[256];
	size_t i;

	import_inv(db, "100000000000000000000000000001", "6.18.0", 4, 11, grid, 12, &b, "grid-base",
		   NULL, 0, 2);
	import_inv(db, "100000000000000000000000000002", "6.18.0-p", 4, 11, grid, 12, &p,
		   "grid-patched", NULL, 1, 2);
	is_int(report_build(db, &o, &r), 0, "report over a 2 x 3 x 2 grid");
	is_int(r.nr_rows, 12, "one row per cell");
	is_int(r.nr_tables, 10, "per backend: 3 modes tables (one per size) + 2 sizes tables");
	ok(r.tables[0].kind == TABLE_MODES && r.tables[3].kind == TABLE_SIZES &&
	   r.tables[3].procs == 1 && r.tables[4].procs == 2 && !strcmp(r.tables[5].backend, "zswap"),
	   "zram first, modes tables before sizes tables, process counts ascending");
	is_str(report_table_title(&r, &r.tables[2], title, sizeof(title)),
	       "munmap latency for 256MB swap-filled VMA (zram backend)", "modes title as the seed's");
	is_str(report_table_title(&r, &r.tables[3], title, sizeof(title)),
	       "munmap latency for different sizes (zram, single process)", "sizes title as the seed's");
	is_str(report_table_title(&r, &r.tables[4], title, sizeof(title)),
	       "munmap latency for different sizes (zram, 2 processes)", "sizes title, 2 processes");
	ok(r.rows[0].compared && r.rows[0].base.n == 44 && r.rows[0].base.n_inv == 4 &&
	   r.rows[0].patched.n_inv == 4, "row 0: 4 invocations of 11 runs a side");
	ok(r.rows[0].base.inv[0] == 14110000.0 && r.rows[0].base.inv[1] == llround(14110000.0 * 1.02) &&
	   r.rows[0].patched.inv[2] == llround(2180000.0 * 0.985),
	   "an invocation's figure is the median of its runs");
	ok(r.rows[0].v.dir == DIR_FASTER && r.rows[0].significant && r.rows[0].ci.ok &&
	   r.rows[0].ci.lo < r.rows[0].speedup && r.rows[0].speedup < r.rows[0].ci.hi,
	   "row 0: marked faster, speedup inside its interval");
	{
		/* The estimate: ratio of the geometric means of the invocation figures. */
		double lb = 0, lp = 0;

		for (i = 0; i < 4; i++) {
			lb += log(r.rows[0].base.inv[i]) / 4;
			lp += log(r.rows[0].patched.inv[i]) / 4;
		}
		ok(fabs(r.rows[0].v.estimate - exp(lb - lp)) < 1e-12 * r.rows[0].v.estimate &&
		   r.rows[0].speedup == r.rows[0].v.estimate,
		   "speedup = ratio of geometric means of invocation figures (%.6f)", r.rows[0].speedup);
	}
	is_int(r.nr_tests, 12, "every row tested");
	is_int(r.nr_marks, 12, "every row marked (6.5x everywhere)");
	ok(fabs(r.ci_level - 0.95) < 1e-12, "12 marks of 12: intervals at 95%%");
	is_str(r.correction, "Benjamini-Hochberg", "the correction is named");
	ok(r.nr_mde == 2 && !strcmp(r.mde[0].backend, "zram") && r.mde[0].inv == 4 &&
	   r.mde[0].pct > 0 && r.mde[0].pct < 10, "minimum detectable effect per backend (zram %.2f%%)",
	   r.nr_mde ? r.mde[0].pct : 0);
	for (i = 0; i < r.nr_rows && !(r.rows[i].flags & (ROW_NOT_INTERLEAVED | ROW_MIXED_KERNELS)); i++)
		;
	is_int(i, r.nr_rows, "interleaved, one kernel a side: no flag");
	for (i = 0; i < r.nr_rows && !(r.rows[i].flags & ROW_ENV_DIFFERS); i++)
		;
	is_int(i, r.nr_rows, "no environment flag: only the kernel differs");
	ok((r.rows[0].flags & ROW_UNDRAINED) && r.any_undrained, "run 1 hit the drain timeout: flagged");
	text = render(&r, REPORT_LORE);
	ok(widest(text) <= 72, "lore: widest line %zu <= 72", widest(text));
	ok(strstr(text, "Test 10: munmap latency for different sizes (zswap, 2 processes)") != NULL,
	   "lore: tests numbered through both backends");
	free(text);
	report_release(&r);

	o.alpha = 0.01;
	o.figure = REPORT_FIGURE_MAX;
	is_int(report_build(db, &o, &r), 0, "report at alpha 0.01, slowest process");
	text = render(&r, REPORT_LORE);
	ok(strstr(text, "alpha = 0.01") && strstr(text, "99% CI of the Base/Patched ratio") &&
	   strstr(text, "  mode        Base       Patched     Speedup    CI"),
	   "the level and alpha are named in the output");
	ok(strstr(text, "munmap latency of the slowest process for") != NULL,
	   "the slowest-process figure is named in the titles");
	ok(widest(text) <= 72, "lore: still <= 72 columns (%zu)", widest(text));
	ok(r.rows[1].base.median == r.rows[1].base.median_slowest, "--figure max uses the slowest");
	free(text);
	report_release(&r);
}

static void test_edges(struct db *db)
{
	static const struct gen_cell one[] = { { "zram", 1024 << 20, 3 }, { "zram", 64 << 20, 1 } };
	static const struct gen_cell other[] = { { "zram", 1024 << 20, 3 }, { "zswap", 64 << 20, 1 } };
	struct scale big = { 900.0, 0.05, 1, 0 }, small = { 3.0, 0.05, 1, 0 };
	struct report_opts o = { .base = "few-base", .patched = "few-patched", .alpha = 0.05 };
	struct report r;
	char *text;

	/* One invocation a side: no interval, never marked; cells on one side only. */
	import(db, "20000000000000000000000000000001", "6.18.0", 3, one, 2, &big, "few-base", NULL);
	import(db, "20000000000000000000000000000002", "6.18.0-p", 3, other, 2, &small,
	       "few-patched", NULL);
	is_int(report_build(db, &o, &r), 0, "report with tiny samples and one-sided cells");
	/* Rows: zram 64MB 1p (base only), zram 1024MB 3p, zswap 64MB 1p (patched only). */
	is_int(r.nr_rows, 3, "three cells");
	ok(r.rows[1].compared && !r.rows[1].ci.ok && !r.rows[1].significant && r.any_small &&
	   r.rows[1].v.why_unmarked && strstr(r.rows[1].v.why_unmarked, "fewer than 3 invocations"),
	   "1 invocation a side: '-' interval, no mark, and why");
	ok(!r.rows[0].v.why_unmarked && !r.rows[0].v.dir, "a one-sided row has neither mark nor why");
	ok(!r.rows[0].compared && r.rows[0].base.n == 3 && r.rows[0].patched.n == 0 &&
	   !r.rows[2].compared && r.rows[2].patched.n == 3, "cells only one side measured");
	text = render(&r, REPORT_LORE);
	ok(strstr(text, "  64MB       720.00ms     -           -") &&
	   strstr(text, "  64MB       -            2.40ms      -") &&
	   strstr(text, "  1024MB     23040.00ms   76.80ms     300.00x    -  ") &&
	   strstr(text, "x *") == NULL, "lore shows every row, one-sided ones too, nothing marked");
	is_int(r.nr_tables, 3, "a table for each cell no other table shows");
	if (strstr(text, "x *") || !strstr(text, "1024MB"))
		diag(text);
	ok(widest(text) <= 72, "lore with 5000ms figures: %zu <= 72", widest(text));
	free(text);
	report_release(&r);

	o.backend = "zswap";
	o.patched = "few-base";
	o.base = "few-patched";
	is_int(report_build(db, &o, &r), 0, "--backend zswap");
	ok(r.nr_rows == 1 && !strcmp(r.rows[0].backend, "zswap"), "only zswap rows");
	report_release(&r);
	o.backend = NULL;
	o.patched = "nosuch";
	ok(report_build(db, &o, &r) < 0, "an unknown label fails the build");
}

static void test_series(struct db *db)
{
	static const struct gen_cell cells[] = { { "zram", 64 << 20, 1 }, { "zram", 64 << 20, 3 } };
	struct report_opts o = { .series = "long", .alpha = 0.05 };
	struct db_import_opts io = { .series = "long", .kind = "base", .revision = 1 };
	struct scale s = { 12345.0, 0.01, 1, 0 };
	struct report r;
	char uuid[40], *text;
	unsigned v, k, changes = 0, prev_marks = 0;

	/* v1-v3 at 7 s, v4-v7 at 10.5 s: a 50% regression that starts at v4. */
	import_inv(db, "300000000000000000000000000000", "6.18.0", 3, 11, cells, 2, &s, "long-base",
		   &io, 0, 1);
	io.kind = "patched";
	for (v = 1; v <= 7; v++) {
		struct scale p = { v < 4 ? 7000.0 : 10500.0, 0.01, 1, 0 };
		char *label = xstrfmt("long-v%u", v);

		io.revision = v;
		snprintf(uuid, sizeof(uuid), "3000000000000000000000000%05u", v);
		import_inv(db, uuid, "6.18.0-p", 3, 11, cells, 2, &p, label, &io, 10 * v, 1);
		free(label);
	}
	is_int(report_build(db, &o, &r), 0, "a seven-revision series");
	is_int(r.nr_revisions, 7, "seven revisions");
	ok(r.rows[3].revision == 4 && r.rows[3].has_prev && r.rows[3].prev_v.dir == DIR_SLOWER &&
	   fabs(r.rows[3].prev_v.change_pct - 50) < 0.5 && r.rows[3].prev_significant &&
	   fabs(r.rows[3].prev_change - 0.5) < 0.005, "v4 against v3: +50%%, marked slower");
	for (k = 0; k < r.nr_rows; k++) {
		changes += r.rows[k].cp.starts;
		prev_marks += r.rows[k].prev_v.dir != DIR_NONE;
	}
	is_int(prev_marks, 2, "vs previous: only v4 is marked, in both cells");
	ok(r.rows[3].cp.starts && r.rows[3].cp.dir == DIR_SLOWER && r.rows[3].cp.from == 1 &&
	   fabs(r.rows[3].cp.change_pct - 50) < 1 && r.rows[10].cp.starts,
	   "change point: the series changed at v4 (+%.1f%%), in both cells", r.rows[3].cp.change_pct);
	is_int(changes, 2, "and nowhere else");
	ok(r.cp_method && strstr(r.cp_method, "E-divisive"), "the change-point method is named");
	text = render(&r, REPORT_LORE);
	ok(widest(text) <= 72, "lore: 12-second figures, 7 revisions: %zu <= 72", widest(text));
	ok(strstr(text, "v7:      6.18.0-p (long v7, 3 bench invocations)") != NULL, "the footer lists v7");
	free(text);
	report_release(&r);
}

static int any_flag(const struct report *r, int flag)
{
	size_t i;

	for (i = 0; i < r->nr_rows; i++)
		if (r->rows[i].flags & flag)
			return 1;
	return 0;
}

static int has_warning(const struct report *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->nr_warnings; i++)
		if (strstr(r->warnings[i], what))
			return 1;
	return 0;
}

/* Environment checks: memory with a tolerance, kernels within a side, run order. */
static void test_env(struct db *db)
{
	static const struct gen_cell one[] = { { "zram", 64 << 20, 1 } };
	struct scale a = { 10.0, 0.02, 1, 1024ULL << 20 }, b = { 10.0, 0.02, 1, 1021ULL << 20 };
	struct scale c = { 10.0, 0.02, 1, 848ULL << 20 };
	struct report_opts o = { .base = "mem-a", .patched = "mem-b", .alpha = 0.05 };
	struct report r;
	char *text;

	import_inv(db, "400000000000000000000000000001", "6.18.0", 3, 5, one, 1, &a, "mem-a", NULL, 0, 2);
	import_inv(db, "400000000000000000000000000002", "6.18.0-p", 3, 5, one, 1, &b, "mem-b", NULL, 1, 2);
	import_inv(db, "400000000000000000000000000003", "6.18.0-p", 3, 5, one, 1, &c, "mem-c", NULL, 1, 2);
	is_int(report_build(db, &o, &r), 0, "1024M against 1021M");
	ok(!any_flag(&r, ROW_ENV_DIFFERS | ROW_NOT_INTERLEAVED | ROW_MIXED_KERNELS) && !r.nr_warnings,
	   "3 MB apart (0.3%%): not an environment difference; interleaved; one kernel a side");
	report_release(&r);
	o.patched = "mem-c";
	is_int(report_build(db, &o, &r), 0, "1024M against 848M");
	ok(any_flag(&r, ROW_ENV_DIFFERS) && r.nr_diffs == 1 && !strcmp(r.diffs[0].field, "mem_total_bytes") &&
	   !strcmp(r.diffs[0].base, "1024M") && !strcmp(r.diffs[0].patched, "848M"),
	   "176 MB apart (17%%): flagged, both sizes named");
	report_release(&r);

	/* One side booted two different kernels. */
	import_inv(db, "400000000000000000000000000004", "6.18.0-p", 2, 5, one, 1, &b, "mix", NULL, 1, 2);
	import_inv(db, "400000000000000000000000000005", "6.18.1-p", 1, 5, one, 1, &b, "mix", NULL, 5, 2);
	o.patched = "mix";
	is_int(report_build(db, &o, &r), 0, "a side with two kernel releases");
	ok(any_flag(&r, ROW_MIXED_KERNELS) && r.any_mixed_kernels &&
	   has_warning(&r, "mix mixes kernels") && has_warning(&r, "6.18.0-p, 6.18.1-p"),
	   "flagged, and the footer names both kernels");
	text = render(&r, REPORT_LORE);
	ok(strstr(text, "mixes kernels") != NULL, "lore prints the warning");
	free(text);
	report_release(&r);

	/* Every base boot before every patched one. */
	import_inv(db, "400000000000000000000000000006", "6.18.0", 3, 5, one, 1, &a, "seq-a", NULL, 100, 1);
	import_inv(db, "400000000000000000000000000007", "6.18.0-p", 3, 5, one, 1, &a, "seq-b", NULL, 110, 1);
	o.base = "seq-a";
	o.patched = "seq-b";
	is_int(report_build(db, &o, &r), 0, "sides run one after the other");
	ok(any_flag(&r, ROW_NOT_INTERLEAVED) && r.any_not_interleaved && has_warning(&r, "Not interleaved"),
	   "not interleaved: flagged, and the footer says why");
	report_release(&r);
}

/* Two boards running both sides, one 30% slower: compared within each board. */
static void test_blocks(struct db *db)
{
	static const struct gen_cell one[] = { { "zram", 64 << 20, 1 } };
	static const char *const boards[] = { "rpi4b-1", "rpi4b-2" };
	struct report_opts o = { .base = "farm-base", .patched = "farm-patched", .alpha = 0.05 };
	struct report r;
	unsigned b, k, side;

	for (b = 0; b < 2; b++)
		for (k = 0; k < 3; k++)
			for (side = 0; side < 2; side++) {
				struct scale s = { (side ? 8.0 : 10.0) * (b ? 1.3 : 1.0), 0.02, 1, 0 };
				char *id = xstrfmt("5000000000000000000000000000%u%u%u0", b, k, side);
				char *started = xstrfmt("2026-05-02T10:%02u:00Z", 6 * b + 2 * k + side);
				struct gen_run g = { id, side ? "6.18.0-p" : "6.18.0", boards[b], 4, 5, one, 1,
						     figure, &s, 0, started, 0 };
				char *f;

				s.boot = boots[k];
				f = gen_file(&g);
				if (db_import_jsonl(db, f, side ? "farm-patched" : "farm-base", NULL, NULL))
					printf("# import failed\n");
				unlink(f);
				free(f);
				free(id);
				free(started);
			}
	is_int(report_build(db, &o, &r), 0, "two boards, each running both sides");
	ok(r.blocked && strstr(r.method, "blocked by device") && r.rows[0].v.dir == DIR_FASTER &&
	   fabs(r.rows[0].v.estimate - 1.25) < 0.01,
	   "compared within each board: 1.25x (%.4f), marked, method says so", r.rows[0].v.estimate);
	ok(any_flag(&r, ROW_ENV_DIFFERS) && r.diffs[0].field && !strcmp(r.diffs[0].field, "device"),
	   "the boards still differ as environments (listed)");
	report_release(&r);
}

int main(void)
{
	struct db *db;
	char *path;

	if (!mkdtemp(dir))
		return 1;
	path = xstrfmt("%s/lab.db", dir);
	db = db_open(path, DB_CREATE);
	test_layout(db);
	test_edges(db);
	test_series(db);
	test_env(db);
	test_blocks(db);
	db_close(db);
	{
		const char *const argv[] = { "rm", "-rf", dir, NULL };

		run_argv(argv, -1, -1);
	}
	free(path);
	return done_testing();
}
