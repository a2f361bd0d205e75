/*
 * test_report.c - reports/report.[ch] on databases built from generated
 * streams: the seed's table layout for a full grid of cells, the 72-column
 * limit of the lore format under stress (long series, large times,
 * missing sides), the verdicts (per-invocation figures, too few
 * invocations, minimum effect, order and kernel checks, the interval
 * agreeing with the mark), change points across a series, the level and
 * alpha named in the output, and the row figures themselves.
 */
#include "ci/pipeline.h"
#include "db/db.h"
#include "reports/report.h"
#include "tap.h"
#include "test_db_gen.h"
#include "common/json.h"
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
	is_int(r.nr_tables, 6, "per backend: modes at 256MB, sizes for 1 process, sizes for 2 (the rest)");
	ok(r.tables[0].kind == TABLE_MODES && r.tables[0].size == 256 << 20 &&
	   r.tables[1].kind == TABLE_SIZES && r.tables[1].procs == 1 &&
	   r.tables[2].kind == TABLE_SIZES && r.tables[2].procs == 2 &&
	   !strcmp(r.tables[3].backend, "zswap"),
	   "zram first: modes at the size with most process counts (the largest), then sizes");
	{
		/* No cell's figures twice: each row once without a reference, every reference earlier. */
		size_t t, j, bad = 0, refs = 0;

		for (i = 0; i < r.nr_rows; i++) {
			size_t shown = 0;

			for (t = 0; t < r.nr_tables; t++)
				for (j = 0; j < r.tables[t].nr_rows; j++)
					if (r.tables[t].rows[j] == &r.rows[i]) {
						shown += !r.tables[t].shown_in[j];
						refs += !!r.tables[t].shown_in[j];
						bad += r.tables[t].shown_in[j] > t;
					}
			bad += shown != 1;
		}
		ok(!bad && refs == 2, "every row's figures in one table; %zu references, each to an"
		   " earlier table", refs);
		ok(r.tables[1].nr_rows == 3 && r.tables[1].shown_in[2] == 1 && r.tables[2].nr_rows == 2,
		   "the sizes table refers to Test 1 for 256MB; the 2-process table has only new cells");
	}
	is_str(report_table_title(&r, &r.tables[0], title, sizeof(title)),
	       "munmap latency for 256MB swap-filled VMA (zram backend)", "modes title as the seed's");
	is_str(report_table_title(&r, &r.tables[1], title, sizeof(title)),
	       "munmap latency for different sizes (zram, single process)", "sizes title as the seed's");
	is_str(report_table_title(&r, &r.tables[2], title, sizeof(title)),
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
	ok(strstr(text, "Test 6: munmap latency for different sizes (zswap, 2 processes)") != NULL,
	   "lore: tests numbered through both backends");
	ok(strstr(text, "  256MB      see Test 1\n") && strstr(text, "  256MB      see Test 4\n"),
	   "lore: the sizes tables point to the modes tables");
	ok(strstr(text, "faster\n") && !strstr(text, "slower\n") && !strstr(text, "x *"),
	   "lore: rows marked faster, in words");
	{
		/* The header: four lines, then a blank one. */
		char *nl = text;
		int lines = 0;

		while (lines < 4 && (nl = strchr(nl, '\n')))
			nl++, lines++;
		ok(!strncmp(text, "Device:  host: Cortex-A72 x4 (aarch64)", 38) && nl && *nl == '\n' &&
		   strstr(text, "\nKernels: base 6.18.0, patched 6.18.0-p\n") &&
		   strstr(text, "\nSetup:   zram lzo-rle; zswap; THP never; fill varied 3:1\n") &&
		   strstr(text, "\nn:       4 boots x 11 runs per side\n"),
		   "lore: four header lines (device, kernels, setup, n)");
		if (!strstr(text, "\nn:       4 boots x 11 runs per side\n"))
			diag(text);
	}
	free(text);
	report_release(&r);

	o.alpha = 0.01;
	o.figure = REPORT_FIGURE_MAX;
	is_int(report_build(db, &o, &r), 0, "report at alpha 0.01, slowest process");
	text = render(&r, REPORT_LORE);
	{
		char want[128];

		snprintf(want, sizeof(want), "  mode        Base       Patched     Speedup  Change  %.3g%% CI",
			 100 * r.ci_level);
		ok(strstr(text, "alpha 0.01") && strstr(text, want), "the level and alpha are named in"
		   " the output ('%s')", want);
		if (!strstr(text, want))
			diag(text);
	}
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
	ok(strstr(text, "  64MB       720.00ms     -           -\n") &&
	   strstr(text, "  64MB       -            2.40ms      -\n") &&
	   strstr(text, "  1024MB 3p   23040.00ms  76.80ms     300.00x  -99.7%  -\n") &&
	   !strstr(text, "faster\n") && !strstr(text, "slower\n"),
	   "lore shows every row, one-sided ones too, nothing marked");
	is_int(r.nr_tables, 3, "a table for each cell no other table shows");
	if (strstr(text, "faster\n") || !strstr(text, "1024MB 3p   23040"))
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
	ok(strstr(text, "v7 6.18.0-p") != NULL, "the kernels line reaches v7");
	ok(strstr(text, "+50.0% slower\n") && strstr(text, "  zram 64MB 1p changes at v4: +50.0% (slower)"),
	   "vs prev: v4 +50%% slower, and the change point named");
	if (widest(text) > 72 || !strstr(text, "+50.0% slower\n"))
		diag(text);
	free(text);
	report_release(&r);
}


/* Lines of a text. */
static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/*
 * The lore text's length for the plans the lab runs: make run's default
 * (zram and zswap, 2 sizes, 1 and 2 processes, 3 boots x 2 runs) and
 * the reference series' (256MB at 1-3 processes and 64M-256M single, per
 * backend): at most 60 lines each, every cell once.
 */
static void test_line_budget(struct db *db)
{
	static const struct gen_cell plan_default[] = {
		/* 64M and 128M: the generator's figures scale with size in 64MB steps. */
		{ "zram", 64 << 20, 1 },   { "zram", 64 << 20, 2 },   { "zram", 128 << 20, 1 },
		{ "zram", 128 << 20, 2 },  { "zswap", 64 << 20, 1 },  { "zswap", 64 << 20, 2 },
		{ "zswap", 128 << 20, 1 }, { "zswap", 128 << 20, 2 },
	};
	static const struct gen_cell plan_ref[] = {
		{ "zram", 64 << 20, 1 },   { "zram", 128 << 20, 1 },  { "zram", 256 << 20, 1 },
		{ "zram", 256 << 20, 2 },  { "zram", 256 << 20, 3 },  { "zswap", 64 << 20, 1 },
		{ "zswap", 128 << 20, 1 }, { "zswap", 256 << 20, 1 }, { "zswap", 256 << 20, 2 },
		{ "zswap", 256 << 20, 3 },
	};
	struct scale b = { 14.11, 0.02, 1, 0 }, p = { 2.18, 0.02, 1, 0 };
	struct report_opts o = { .alpha = 0.05 };
	struct report r;
	char *text;

	import_inv(db, "600000000000000000000000000001", "6.1.0", 3, 2, plan_default,
		   ARRAY_SIZE(plan_default), &b, "plan-base", NULL, 0, 2);
	import_inv(db, "600000000000000000000000000002", "6.1.0+", 3, 2, plan_default,
		   ARRAY_SIZE(plan_default), &p, "plan-patched", NULL, 1, 2);
	import_inv(db, "600000000000000000000000000003", "6.1.0", 3, 5, plan_ref,
		   ARRAY_SIZE(plan_ref), &b, "ref-base", NULL, 0, 2);
	import_inv(db, "600000000000000000000000000004", "6.1.0+", 3, 5, plan_ref,
		   ARRAY_SIZE(plan_ref), &p, "ref-patched", NULL, 1, 2);
	o.base = "plan-base";
	o.patched = "plan-patched";
	is_int(report_build(db, &o, &r), 0, "report of make run's default plan");
	text = render(&r, REPORT_LORE);
	ok(count_lines(text) <= 60 && widest(text) <= 72, "default plan: %zu lines <= 60, %zu columns",
	   count_lines(text), widest(text));
	ok(r.nr_tables == 4 && r.tables[0].kind == TABLE_MODES && r.tables[1].kind == TABLE_MODES,
	   "default plan: a modes table per size and backend (fewer tables than modes+sizes+rest)");
	if (count_lines(text) > 60 || getenv("TEST_REPORT_SHOW"))
		diag(text);
	free(text);
	{
		/* reply.eml's body: quoted subject, then the summary, all within 72 columns. */
		char *buf = NULL, *para;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		const char *want = "v3 makes single-process munmap of 64MB zram 6.5x faster (4 of 4 zram\n"
				   "rows faster, each 6.47x); single-process munmap of 64MB zswap 6.5x\n";

		ok(pipeline_reply_body(f, &r, "Wenchao Hao <haowenchao22@gmail.com>",
				       "[RFC PATCH v3 0/4] mm/zsmalloc: per-cpu deferred free to accelerate"
				       " swap entry release", 3, 4, 5) == 0, "the reply body is written");
		fclose(f);
		para = strstr(buf, "\n\n");
		ok(widest(buf) <= 72 && !strncmp(buf, "Wenchao Hao <haowenchao22@gmail.com> wrote:\n> [RFC", 50) &&
		   para && !strncmp(para + 2, want, strlen(want)) &&
		   strstr(buf, "(4 patches)") && strstr(buf, "\nDevice:  host:"),
		   "reply: the quoted subject wrapped, the summary first, then how, then the lore text");
		if (widest(buf) > 72 || !para || strncmp(para + 2, "v3 makes", 8) || getenv("TEST_REPORT_SHOW"))
			diag(buf);
		free(buf);
	}
	report_release(&r);
	o.base = "ref-base";
	o.patched = "ref-patched";
	is_int(report_build(db, &o, &r), 0, "report of the reference plan");
	text = render(&r, REPORT_LORE);
	ok(count_lines(text) <= 60 && widest(text) <= 72, "reference plan: %zu lines <= 60, %zu columns",
	   count_lines(text), widest(text));
	ok(r.nr_tables == 4 && r.tables[0].kind == TABLE_MODES && r.tables[1].kind == TABLE_SIZES &&
	   r.tables[1].nr_rows == 3 && r.tables[1].shown_in[2] == 1,
	   "reference plan: per backend modes at 256MB, sizes with a reference to it");
	if (count_lines(text) > 60 || getenv("TEST_REPORT_SHOW"))
		diag(text);
	free(text);
	report_release(&r);
}

/*
 * The formatters on a hand-made model: verdicts as the statistics would
 * fill them (faster, slower, unmarked with a reason, not compared, a
 * non-finite estimate), a label with UTF-8 and markup in it.  Every
 * format must print the marks it is given, tell slower from faster,
 * never print inf or nan, and stay parseable.
 */
static void side(struct report_side *s, double ms, size_t n)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->comp = "lzo-rle";
	if (!n)
		return;
	s->n = n;
	s->v = xcalloc(n, sizeof(double));
	for (i = 0; i < n; i++)
		s->v[i] = ms * 1e6 * (1 + 0.01 * (double)i);
	s->median = s->q1 = s->q3 = s->min = s->max = s->median_slowest = ms * 1e6;
	s->n_drain = s->n_cpu = s->n_peak = n;
	s->drain_median = 2.5 * ms * 1e6;
	s->cpu_median = 3 * ms * 1e6;
	s->peak_median = 64 << 20;
}

static void verdict(struct report_row *row, enum report_dir dir, double est, const char *why)
{
	struct report_verdict *v = &row->v;

	row->compared = row->base.n && row->patched.n;
	row->speedup = est;
	v->inv_base = v->inv_patched = 3;
	v->estimate = est;
	v->change_pct = (1 / est - 1) * 100;
	v->lo = est * 0.98;
	v->hi = est * 1.02;
	v->ci_ok = isfinite(est);
	v->p = v->p_adj = dir ? 0.001 : 0.4;
	v->significant = dir != DIR_NONE;
	v->dir = dir;
	v->why_unmarked = why;
}

static void test_formats(void)
{
	struct report r;
	struct report_who who[2];
	char *labels[2] = { xstrdup("base-\xc3\xa9t\xc3\xa9 <b>&"), xstrdup("v2 \"patched\"") };
	struct report_mde mde[2] = { { "zram", 6.0, 3 }, { "zswap", 9.5, 3 } };
	static const struct { const char *backend; uint64_t mb; unsigned procs; double b, p; int dir; } cells[] = {
		{ "zram", 64, 1, 14.11, 2.18, DIR_FASTER }, { "zram", 256, 1, 61.82, 8.62, DIR_FASTER },
		{ "zram", 256, 2, 94.75, 54.11, DIR_FASTER }, { "zram", 256, 3, 154.85, 158.75, DIR_SLOWER },
		{ "zswap", 64, 1, 37.83, 37.9, DIR_NONE }, { "zswap", 256, 1, 150.78, 0, DIR_NONE },
	};
	size_t i, f;
	enum report_format fmts[] = { REPORT_LORE, REPORT_LKP, REPORT_MARKDOWN, REPORT_HTML,
				      REPORT_CSV, REPORT_JSON };

	memset(&r, 0, sizeof(r));
	memset(who, 0, sizeof(who));
	r.opts.base = labels[0];
	r.opts.patched = labels[1];
	r.opts.alpha = 0.05;
	r.opts.min_effect_pct = 2;
	r.method = "t test on log per-invocation medians";
	r.correction = "Benjamini-Hochberg";
	r.ci_level = 0.95;
	r.mde = mde;
	r.nr_mde = 2;
	for (i = 0; i < 2; i++) {
		who[i].label = labels[i];
		who[i].is_label = 1;
		who[i].runs = 3;
		who[i].kernels = i ? "6.18.0-rc4+" : "6.18.0-rc4";
		who[i].commits = i ? "0123456789abcdef0123" : "fedcba9876543210fedc";
		who[i].devices = "rpi4b";
		who[i].cpus = "Cortex-A72, 4 CPUs, aarch64";
		who[i].facts[FACT_CPU_MODEL] = "Cortex-A72";
		who[i].facts[FACT_CPUS] = "4";
		who[i].facts[FACT_ARCH] = "aarch64";
		who[i].facts[FACT_MEM] = "7.6";
		who[i].facts[FACT_RUNS] = "10";
		who[i].facts[FACT_FILL] = "varied";
		who[i].facts[FACT_RATIO] = "3.0";
		who[i].facts[FACT_THP] = "never";
		who[i].facts[FACT_ZRAM_COMP] = "lzo-rle";
		who[i].facts[FACT_ZSWAP_COMP] = "lzo";
		who[i].facts[FACT_ZSWAP_POOL] = "20";
		who[i].facts[FACT_LOAD] = "none";
	}
	r.base = who[0];
	r.patched = &who[1];
	r.nr_patched = 1;
	r.nr_rows = ARRAY_SIZE(cells);
	r.rows = xcalloc(r.nr_rows, sizeof(*r.rows));
	for (i = 0; i < r.nr_rows; i++) {
		struct report_row *row = &r.rows[i];

		row->backend = cells[i].backend;
		row->load = "none";
		row->size = (uint64_t)cells[i].mb << 20;
		row->procs = cells[i].procs;
		side(&row->base, cells[i].b, 30);
		side(&row->patched, cells[i].p, cells[i].p > 0 ? 30 : 0);
		verdict(row, (enum report_dir)cells[i].dir, cells[i].p > 0 ? cells[i].b / cells[i].p : 0,
			cells[i].dir ? NULL : "not significant");
	}
	r.rows[4].v.estimate = INFINITY; /* what a broken statistic could hand over */
	r.rows[4].v.change_pct = NAN;
	r.rows[4].v.ci_ok = 0;
	report_layout(&r);
	ok(r.nr_tables == 3 && r.tables[0].kind == TABLE_MODES && r.tables[1].kind == TABLE_SIZES &&
	   r.tables[1].nr_rows == 2 && r.tables[1].shown_in[1] == 1,
	   "layout: zram modes at 256MB, sizes with a reference to Test 1; zswap sizes");
	for (f = 0; f < ARRAY_SIZE(fmts); f++) {
		char *text = render(&r, fmts[f]);
		const char *name[] = { "lore", "lkp", "markdown", "html", "csv", "json" };
		const unsigned char *u;
		int utf8 = 1;

		ok(text && !strstr(text, "inf") && !strstr(text, "nan") && !strstr(text, "NaN"),
		   "%s: no inf or nan", name[f]);
		/* Valid UTF-8: every lead byte followed by its continuation bytes. */
		for (u = (const unsigned char *)text; u && *u && utf8; u++) {
			int k = *u < 0x80 ? 0 : (*u & 0xe0) == 0xc0 ? 1 : (*u & 0xf0) == 0xe0 ? 2
						  : (*u & 0xf8) == 0xf0 ? 3 : -1;

			if (k < 0)
				utf8 = 0;
			while (k-- > 0 && utf8)
				utf8 = (*++u & 0xc0) == 0x80;
		}
		ok(utf8, "%s: valid UTF-8", name[f]);
		if (getenv("TEST_REPORT_SHOW"))
			diag(text);
		switch (fmts[f]) {
		case REPORT_LORE:
			ok(widest(text) <= 72, "lore: %zu <= 72 columns", widest(text));
			ok(strstr(text, "  single      61.82ms    8.62ms      7.17x    -86.1%  7.03-7.32  faster\n") &&
			   strstr(text, "  multi 3p    154.85ms   158.75ms    0.98x    +2.5%   0.96-0.99  slower\n"),
			   "lore: the seed's row with change, interval and 'faster'; a slowdown says 'slower'");
			if (!strstr(text, "slower\n"))
				diag(text);
			ok(strstr(text, "  256MB      see Test 1\n") != NULL, "lore: a reference, not the figures again");
			ok(strstr(text, "Kernels: base 6.18.0-rc4 (fedcba9), patched 6.18.0-rc4+ (0123456)\n") &&
			   strstr(text, "zram 6%, zswap 10%"),
			   "lore: kernels with commits; the detectable effect per backend");
			break;
		case REPORT_LKP:
			if (!strstr(text, "  swaplab.zram.256M.1p.munmap_ms\n"))
				diag(text);
			ok(strstr(text, "     61.82 \xc2\xb1  8%     -86.1%       8.62 \xc2\xb1  8%  swaplab.zram.256M.1p.munmap_ms\n") &&
			   strstr(text, "noticed a +2.5% regression of swaplab.zram.256M.3p.munmap_ms") &&
			   strstr(text, "noticed a -86.1% improvement of swaplab.zram.256M.1p.munmap_ms"),
			   "lkp: the robot's columns and dotted names; regressions and improvements named");
			break;
		case REPORT_MARKDOWN:
			ok(strstr(text, "| **slower** |") && strstr(text, "| **faster** |") &&
			   strstr(text, "(not significant)"), "markdown: marks by direction, and why not");
			break;
		case REPORT_HTML:
			ok(strstr(text, "<tr class=\"row slower\"") && strstr(text, "<g class=\"cell faster\"") &&
			   strstr(text, "base-\xc3\xa9t\xc3\xa9 &lt;b&gt;&amp;") && !strstr(text, "<b>&"),
			   "html: classes by direction, the label escaped");
			break;
		case REPORT_CSV: {
			size_t lines = 0;
			char *c;

			for (c = text; *c; c++)
				lines += *c == '\n';
			ok(lines == 1 + r.nr_rows && strstr(text, ",slower,") && strstr(text, ",faster,"),
			   "csv: a line per row with the direction");
			break;
		}
		case REPORT_JSON: {
			struct json *root;
			char err[128];
			struct json_doc *doc = json_parse(text, strlen(text), &root, err, sizeof(err));

			ok(doc != NULL, "json: parses (%s)", doc ? "ok" : err);
			if (doc) {
				const struct json *rows = json_get(root, "rows");

				ok(rows && rows->type == JSON_ARRAY && strstr(text, "\"estimate\":null") &&
				   strstr(text, "\"direction\":\"slower\""),
				   "json: rows with verdicts; a non-finite estimate is null");
				json_doc_free(doc);
			}
			break;
		}
		}
		free(text);
	}
	for (i = 0; i < r.nr_rows; i++) {
		free(r.rows[i].base.v);
		free(r.rows[i].patched.v);
	}
	for (i = 0; i < r.nr_tables; i++) {
		free(r.tables[i].rows);
		free(r.tables[i].shown_in);
	}
	free(r.tables);
	free(r.rows);
	free(labels[0]);
	free(labels[1]);
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
	test_formats();
	test_line_budget(db);
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
