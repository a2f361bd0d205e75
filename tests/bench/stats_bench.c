/*
 * stats_bench.c - `make bench` figures of the reports' decision rule
 * (report_decide) on generated boots (tests/unit/boot_gen.h): for the
 * default plan's 8 cells and rounds, the A/A false-mark rates (rows,
 * reports), the false discovery rate with half the cells changed, the
 * power for 5%, 10% and 50% changes, the minimum detectable effect, and
 * how long a 20-row decision takes.  Prints numbers; asserts nothing.
 *
 *   stats_bench [ROUNDS [BETWEEN WITHIN [RUNS]]]
 *     ROUNDS   boots a side (make run's RUN_ROUNDS)
 *     BETWEEN  log-sd of boots, WITHIN of runs inside a boot (a
 *              calibration's between_pct / within_pct over 100)
 *     RUNS     runs a boot (the plan's --runs)
 */
#include "boot_gen.h"
#include "reports/stats.h"

#include <stdio.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	double between = argc > 2 ? atof(argv[2]) : 0.135, within = argc > 3 ? atof(argv[3]) : 0.04;
	unsigned runs = argc > 4 ? (unsigned)atoi(argv[4]) : 2, r, k;
	static const double shifts[] = { 0.05, 0.10, 0.50 };
	struct scenario s = { "default plan", rounds, runs, between, within, 0.002, 0, 0, { 0 }, 8 };
	struct tally t;
	double sd, t0, t1;

	if (rounds < 1 || rounds > MAX_INV || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "stats_bench: ROUNDS 1..%d, RUNS 1..%d\n", MAX_INV, MAX_RUNS);
		return 129;
	}
	printf("decision rule on generated boots: %u boots x %u runs a side, boots %.1f%% apart,"
	       " runs %.1f%%, 8 cells a report, alpha 0.05 after Benjamini-Hochberg, min effect %g%%\n",
	       rounds, runs, 100 * between, 100 * within, REPORT_MIN_EFFECT_DEFAULT);
	t = run(&s, 4000);
	printf("  A/A: %.2f%% of rows marked, %.2f%% of reports with a mark (target <= 5%%);"
	       " unadjusted test %.2f%% of rows\n", pct(t.marked_rows, t.rows),
	       pct(t.reports_marked, t.reports), pct(t.raw_rejects, t.null_rows));
	for (r = 0; r < 8; r += 2)
		s.shift[r] = 1.0; /* half the cells twice as slow */
	t = run(&s, 2000);
	printf("  half the cells 2x: false discovery rate %.2f%% (target <= 5%%), power %.1f%%\n",
	       100 * t.fdp_sum / t.reports, pct(t.true_marks, t.changed_rows));
	for (k = 0; k < sizeof(shifts) / sizeof(shifts[0]); k++) {
		struct tally all, one;

		for (r = 0; r < 8; r++)
			s.shift[r] = shifts[k];
		all = run(&s, 1000);
		memset(s.shift, 0, sizeof(s.shift));
		s.shift[3] = shifts[k];
		one = run(&s, 2000);
		memset(s.shift, 0, sizeof(s.shift));
		printf("  power, +%.0f%%: %5.1f%% of cells marked when all 8 changed, %5.1f%% when 1 of 8"
		       " did\n", 100 * shifts[k], pct(all.true_marks, all.changed_rows),
		       pct(one.true_marks, one.changed_rows));
	}
	/* The spread of an invocation's figure: boots, plus runs averaged over a boot. */
	sd = sqrt(between * between + within * within / runs);
	printf("  minimum detectable effect (80%% power, alpha 0.05 unadjusted), invocation sd %.1f%%:\n",
	       100 * sd);
	for (r = 3; r <= 10; r++)
		printf("    %2u boots a side: %5.1f%%%s\n", r, report_mde_pct(sd, r, 0.05, REPORT_POWER),
		       r == rounds ? "   <- this plan" : "");
	{
		unsigned n = 2000;

		s.rows = 20;
		t0 = now();
		run(&s, n);
		t1 = now();
		printf("  speed: %.1f us to generate and decide a 20-row report\n", (t1 - t0) / n * 1e6);
	}
	return 0;
}
