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
#include "boot_gen.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The board: 6 interleaved boots x 2 runs a side, boots 10% apart, runs 4%. */
static struct scenario board(const char *name, unsigned inv)
{
	struct scenario s = { name, inv, 2, 0.10, 0.04, 0.002, 0, 0, { 0 }, 0 };

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

	for (r = 0; r < ROWS_MAX; r += 2)
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

			for (r = 0; r < ROWS_MAX; r++)
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
