/*
 * test_decide.c - the reports' decision rule (report_decide(), reports/
 * verdict.c) on generated data with the structure a virtual board has:
 * every boot (invocation) runs slower or faster as a whole, shared by all
 * the cells it runs; runs inside a boot vary less; the device drifts over
 * time; times are quantised (ties) and some runs are outliers.  Own
 * generator, fixed seed (the same trials everywhere).
 *
 * Asserted: in A/A comparisons (both sides the same kernel) the rate of
 * marked rows and the rate of 20-row reports with any mark stay at most
 * alpha + 1 point (Benjamini-Hochberg: the chance of any false mark when
 * nothing changed), the unadjusted test itself rejects about alpha of
 * A/A rows, the false discovery rate stays at most alpha + 1 point when
 * half the rows really changed, and every verdict keeps report.h's
 * invariants (the estimate inside its interval, mark and interval
 * agreeing), bimodal boots included.  Reported, not asserted: power for
 * 5%, 10% and 50% changes, and what happens when the sides were not
 * interleaved on a drifting device.
 */
#include "reports/report.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x5eedfacecafe1234ULL;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_normal(void)
{
	return sqrt(-2 * log(rng_unit())) * cos(2 * M_PI * rng_unit());
}

#define ROWS 20
#define MAX_INV 12
#define MAX_RUNS 5

struct scenario {
	const char *name;
	unsigned inv, runs;         /* invocations a side, runs per invocation */
	double between, within;     /* log-sd of boots and of runs inside a boot */
	double drift;               /* log change per boot slot */
	int sequential;             /* all base boots first, then all patched */
	int bimodal;                /* boots land in a fast or a slow mode (+-between) */
	double shift[ROWS];         /* true patched/base - 1 of each row */
};

struct tally {
	unsigned reports, rows, marked_rows, reports_marked, raw_rejects, null_rows;
	unsigned false_marks, true_marks, changed_rows;
	double fdp_sum;             /* sum over reports of false marks / max(marks, 1) */
	unsigned broken;            /* verdicts breaking an invariant */
};

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One report: ROWS cells measured on the same boots. */
static void one_report(const struct scenario *s, double alpha, struct tally *t)
{
	static double inv[ROWS][2][MAX_INV];
	double boot[2][MAX_INV];
	struct report_cmp c[ROWS];
	struct report_verdict v[ROWS];
	struct report_family f;
	unsigned row, side, i, j, marks = 0, false_marks = 0;

	for (side = 0; side < 2; side++)
		for (i = 0; i < s->inv; i++)
			boot[side][i] = s->bimodal ? (rng_next() & 1 ? 1 : -1) : rng_normal();
	for (row = 0; row < ROWS; row++) {
		double level = log(10.0 + 5.0 * row); /* ms */

		for (side = 0; side < 2; side++)
			for (i = 0; i < s->inv; i++) {
				double runs[MAX_RUNS];
				double slot = s->sequential ? side * s->inv + i : 2.0 * i + side;
				/* Half of a boot's deviation is shared by all its cells. */
				double dev = s->between * (s->bimodal ? boot[side][i]
						: M_SQRT1_2 * boot[side][i] + M_SQRT1_2 * rng_normal());
				double mu = level + dev + s->drift * slot + (side ? log1p(s->shift[row]) : 0);

				for (j = 0; j < s->runs; j++) {
					double x = mu + s->within * rng_normal();

					if (rng_unit() < 0.05)
						x += 0.3; /* a run hit by background work */
					/* Quantised to 0.05 ms: ties. */
					runs[j] = fmax(0.05, round(exp(x) / 0.05) * 0.05);
				}
				qsort(runs, s->runs, sizeof(double), cmp_d);
				inv[row][side][i] = s->runs % 2 ? runs[s->runs / 2]
						  : (runs[s->runs / 2 - 1] + runs[s->runs / 2]) / 2;
			}
		memset(&c[row], 0, sizeof(c[row]));
		c[row].x = inv[row][0];
		c[row].y = inv[row][1];
		c[row].nx = c[row].ny = s->inv;
		c[row].v = &v[row];
	}
	report_decide(c, ROWS, alpha, REPORT_MIN_EFFECT_DEFAULT, &f);
	for (row = 0; row < ROWS; row++) {
		const struct report_verdict *w = &v[row];
		int changed = s->shift[row] != 0, marked = w->dir != DIR_NONE;

		t->rows++;
		marks += marked;
		t->changed_rows += changed;
		t->null_rows += !changed;
		if (!changed) {
			t->raw_rejects += w->p <= alpha;
			false_marks += marked;
		} else {
			/* A mark in the wrong direction is false too. */
			int right = (s->shift[row] > 0) == (w->dir == DIR_SLOWER);

			t->true_marks += marked && right;
			false_marks += marked && !right;
		}
		if (w->ci_ok && (!(w->lo <= w->estimate && w->estimate <= w->hi) ||
				 (w->significant != (w->lo > 1 || w->hi < 1))))
			t->broken++;
		if (marked && (!w->ci_ok || (w->dir == DIR_FASTER ? !(w->lo > 1) : !(w->hi < 1))))
			t->broken++;
	}
	t->reports++;
	t->marked_rows += marks;
	t->reports_marked += marks > 0;
	t->false_marks += false_marks;
	t->fdp_sum += (double)false_marks / (marks ? marks : 1);
}

static struct tally run(const struct scenario *s, unsigned reports)
{
	struct tally t;
	unsigned k;

	memset(&t, 0, sizeof(t));
	for (k = 0; k < reports; k++)
		one_report(s, 0.05, &t);
	return t;
}

static double pct(unsigned a, unsigned b)
{
	return b ? 100.0 * a / b : 0;
}

/* The board: 6 interleaved boots x 2 runs a side, boots 10% apart, runs 4%. */
static struct scenario board(const char *name, unsigned inv)
{
	struct scenario s = { name, inv, 2, 0.10, 0.04, 0.002, 0, 0, { 0 } };

	return s;
}

static void test_aa(void)
{
	static const unsigned invs[] = { 3, 6, 10 };
	size_t k;

	for (k = 0; k < sizeof(invs) / sizeof(invs[0]); k++) {
		struct scenario s = board("A/A", invs[k]);
		struct tally t = run(&s, 2000);

		ok(pct(t.raw_rejects, t.null_rows) <= 6.0,
		   "A/A, %u boots a side: the unadjusted test rejects %.2f%% of rows (alpha 5%%)",
		   invs[k], pct(t.raw_rejects, t.null_rows));
		ok(pct(t.marked_rows, t.rows) <= 6.0,
		   "A/A, %u boots a side: %.2f%% of rows marked (at most 5%% + 1)", invs[k],
		   pct(t.marked_rows, t.rows));
		ok(pct(t.reports_marked, t.reports) <= 6.0,
		   "A/A, %u boots a side: %.2f%% of 20-row reports carry a mark (BH: at most 5%% + 1)",
		   invs[k], pct(t.reports_marked, t.reports));
		is_int(t.broken, 0, "A/A, %u boots: estimate inside its interval, mark and interval agree",
		       invs[k]);
	}
	{
		struct scenario s = board("bimodal A/A", 6);
		struct tally t;

		s.bimodal = 1;
		s.between = 0.15;
		t = run(&s, 2000);
		ok(pct(t.reports_marked, t.reports) <= 6.0 && pct(t.marked_rows, t.rows) <= 6.0,
		   "bimodal boots (+-15%%), A/A: %.2f%% of reports, %.2f%% of rows marked",
		   pct(t.reports_marked, t.reports), pct(t.marked_rows, t.rows));
		is_int(t.broken, 0, "bimodal: every estimate inside its own interval");
	}
}

static void test_fdr(void)
{
	struct scenario s = board("half changed", 6);
	struct tally t;
	unsigned r;

	for (r = 0; r < ROWS; r += 2)
		s.shift[r] = r % 4 ? 0.5 : -0.3;
	t = run(&s, 2000);
	ok(t.fdp_sum / t.reports <= 0.06,
	   "10 of 20 rows changed (+50%%/-30%%): false discovery rate %.2f%% (BH: at most 5%% + 1)",
	   100 * t.fdp_sum / t.reports);
	printf("# power, +50%%/-30%% changes among 20 rows, 6 boots a side: %.1f%%\n",
	       pct(t.true_marks, t.changed_rows));
	is_int(t.broken, 0, "half changed: invariants hold");
}

static void test_power(void)
{
	static const double shifts[] = { 0.05, 0.10, 0.50 };
	static const unsigned invs[] = { 3, 6, 10 };
	size_t i, k;

	for (k = 0; k < sizeof(invs) / sizeof(invs[0]); k++)
		for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
			struct scenario all = board("all", invs[k]), one = board("one", invs[k]);
			struct tally ta, to;
			unsigned r;

			for (r = 0; r < ROWS; r++)
				all.shift[r] = shifts[i];
			one.shift[7] = shifts[i];
			ta = run(&all, 200);
			to = run(&one, 400);
			printf("# power, %u boots x 2 runs a side, +%.0f%%: %.1f%% of rows marked when"
			       " all 20 changed, %.1f%% when 1 of 20 did\n", invs[k], 100 * shifts[i],
			       pct(ta.true_marks, ta.changed_rows), pct(to.true_marks, to.changed_rows));
			if (ta.broken || to.broken)
				ok(0, "invariants under a %.0f%% change", 100 * shifts[i]);
		}
	ok(1, "power reported above (not asserted)");
}

static void test_sequential(void)
{
	struct scenario s = board("sequential", 6);
	struct tally t;

	/* Not interleaved on a device drifting 1% a boot slot: the rule cannot help. */
	s.sequential = 1;
	s.drift = 0.01;
	t = run(&s, 500);
	printf("# A/A, all base boots before all patched ones, drift 1%%/boot: %.1f%% of rows and"
	       " %.1f%% of reports marked (reports flag such rows: ROW_NOT_INTERLEAVED)\n",
	       pct(t.marked_rows, t.rows), pct(t.reports_marked, t.reports));
	s.sequential = 0;
	t = run(&s, 500);
	printf("# the same drift, interleaved: %.1f%% of rows, %.1f%% of reports marked\n",
	       pct(t.marked_rows, t.rows), pct(t.reports_marked, t.reports));
	ok(pct(t.reports_marked, t.reports) <= 7.0,
	   "interleaving keeps a 1%%/boot drift from marking A/A reports (%.1f%%)",
	   pct(t.reports_marked, t.reports));
}

static void test_small(void)
{
	double a[] = { 60e6, 60e6, 60e6 }, b[] = { 56e6, 56e6, 56e6 }, x[] = { 10, 11, 12 };
	double y[] = { 10, 11 };
	struct report_verdict v[3];
	struct report_cmp c[3];
	struct report_family f;

	memset(c, 0, sizeof(c));
	c[0] = (struct report_cmp){ .x = a, .nx = 3, .y = b, .ny = 3, .v = &v[0] };
	c[1] = (struct report_cmp){ .x = x, .nx = 3, .y = y, .ny = 2, .v = &v[1] };
	c[2] = (struct report_cmp){ .x = x, .nx = 3, .y = x, .ny = 0, .v = &v[2] };
	report_decide(c, 3, 0.05, 2, &f);
	ok(!v[0].dir && !v[0].ci_ok && v[0].why_unmarked && strstr(v[0].why_unmarked, "no spread"),
	   "identical invocations: no test, no mark, and why (%s)", v[0].why_unmarked);
	ok(fabs(v[0].estimate - 60.0 / 56) < 1e-12, "but the estimate is shown (%.4f)", v[0].estimate);
	ok(!v[1].dir && !v[1].ci_ok && v[1].why_unmarked && strstr(v[1].why_unmarked, "fewer than 3"),
	   "2 invocations on a side: no interval, no mark (%s)", v[1].why_unmarked);
	ok(!v[2].why_unmarked && !v[2].dir && v[2].estimate == 0, "an empty side: no verdict at all");
	is_int(f.tests, 0, "none of them is in the family");
}

int main(void)
{
	test_small();
	test_aa();
	test_fdr();
	test_power();
	test_sequential();
	return done_testing();
}
