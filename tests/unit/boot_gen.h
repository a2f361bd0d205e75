/*
 * boot_gen.h - generated benchmark data with the structure a board has,
 * for the decision rule's checks (tests/unit/test_decide.c) and its
 * figures in `make bench` (tests/bench/stats_bench.c): every boot
 * (invocation) runs slower or faster as a whole, half of that shared by
 * all the cells it runs; runs inside a boot vary less; the device drifts
 * over time; times are quantised (ties) and 5% of runs are outliers.
 * Each report is `rows` cells (20 by default) decided as one family by report_decide().
 * Fixed seed: the same trials everywhere.
 */
#ifndef SWAPLAB_TEST_BOOT_GEN_H
#define SWAPLAB_TEST_BOOT_GEN_H

#include "reports/report.h"

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

#define ROWS_MAX 20
#define MAX_INV 12
#define MAX_RUNS 5

struct scenario {
	const char *name;
	unsigned inv, runs;         /* invocations a side, runs per invocation */
	double between, within;     /* log-sd of boots and of runs inside a boot */
	double drift;               /* log change per boot slot */
	int sequential;             /* all base boots first, then all patched */
	int bimodal;                /* boots land in a fast or a slow mode (+-between) */
	double shift[ROWS_MAX];     /* true patched/base - 1 of each row */
	unsigned rows;              /* cells in a report (<= ROWS_MAX; 0: ROWS_MAX) */
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

/* One report: its cells measured on the same boots. */
static void one_report(const struct scenario *s, double alpha, struct tally *t)
{
	static double inv[ROWS_MAX][2][MAX_INV];
	double boot[2][MAX_INV];
	struct report_cmp c[ROWS_MAX];
	struct report_verdict v[ROWS_MAX];
	struct report_family f;
	unsigned row, side, i, j, marks = 0, false_marks = 0, rows = s->rows ? s->rows : ROWS_MAX;

	for (side = 0; side < 2; side++)
		for (i = 0; i < s->inv; i++)
			boot[side][i] = s->bimodal ? (rng_next() & 1 ? 1 : -1) : rng_normal();
	for (row = 0; row < rows; row++) {
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
	report_decide(c, rows, alpha, REPORT_MIN_EFFECT_DEFAULT, &f);
	for (row = 0; row < rows; row++) {
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

#endif
