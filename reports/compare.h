/*
 * reports/compare.h - one decision on one cell, made for `git bisect run`
 * (`swaplab compare`): did the cell change beyond a threshold in the
 * watched direction, did it not, or can the data not tell?
 *
 * The rule (docs/reports.md, "compare"): the same test as the reports
 * (reports/verdict.c: t test on the log per-invocation figures, one
 * comparison, so its interval is at 1 - alpha), then the interval of the
 * change in percent (+ = slower) against the threshold T in the watched
 * direction:
 *
 *   slower:  changed    when the whole interval is above +T
 *            unchanged  when the whole interval is below +T
 *   faster:  changed    when the whole interval is below -T
 *            unchanged  when the whole interval is above -T
 *   otherwise, or with fewer than REPORT_MIN_INV invocations a side, or
 *   with no spread to test against: undecided.
 *
 * "Unchanged" is a claim too (git bisect marks the commit good), so it
 * needs the interval as much as "changed" does: a bisect step that
 * cannot tell measures more or is skipped, it never guesses.
 */
#ifndef SWAPLAB_REPORTS_COMPARE_H
#define SWAPLAB_REPORTS_COMPARE_H

#include "reports/report.h"

#include <stddef.h>
#include <stdint.h>

/* A cell: "zram/256M/1" (backend, size with K/M/G, processes). */
struct compare_cell {
	char backend[16];
	uint64_t size;
	unsigned procs;
};

/* 0, or -1 after an error naming the spec and what is wrong with it. */
int compare_parse_cell(const char *spec, struct compare_cell *out);

enum compare_dir { COMPARE_SLOWER, COMPARE_FASTER };

enum compare_outcome {
	COMPARE_UNCHANGED,  /* no change beyond the threshold that way: bisect "old"/good */
	COMPARE_CHANGED,    /* changed beyond it: bisect "new"/bad */
	COMPARE_UNDECIDED,  /* the data cannot tell: skip, or measure more */
};

struct compare_result {
	enum compare_outcome outcome;
	struct report_verdict v;    /* the test: estimate (speedup), interval at 1 - alpha */
	double change_pct;          /* + = slower */
	double lo_pct, hi_pct;      /* the change's interval (valid with v.ci_ok) */
	size_t runs_base, runs_patched;
	char why[160];              /* one phrase: what decided it */
};

/*
 * The rule on invocation figures (positive ns): x the base's, y the
 * patched's.  threshold_pct >= 0, 0 < alpha < 1.
 */
void compare_decide(const double *x, size_t nx, const double *y, size_t ny, double alpha,
		    double threshold_pct, enum compare_dir dir, struct compare_result *res);

/*
 * The rule on the database: the runs labelled opts->base and
 * opts->patched (figure and alpha from opts), the cell's idle rows (or
 * its only row when every run was made under one load).  Returns 0 with
 * res filled, or 1 after a message when the data is not there: a label
 * with no runs, or a side with no runs of the cell.
 */
int compare_labels(struct db *db, const struct report_opts *opts, const struct compare_cell *cell,
		   double threshold_pct, enum compare_dir dir, struct compare_result *res);

/*
 * The cell's invocation figures (one per boot: the median of its runs,
 * ns) of two labels, opts->base as x and opts->patched as y, copied out
 * of the report so a caller can pool or re-test them (`swaplab bisect`
 * reads each commit's boots this way).  Returns 0 with d filled (a side
 * may be empty), or 1 after a message when a label has no runs or the
 * cell is in neither.  Release with compare_data_release().
 */
struct compare_data {
	double *x, *y;
	size_t nx, ny;
	size_t runs_x, runs_y;     /* runs (inside the boots) of the cell */
};
int compare_cell_data(struct db *db, const struct report_opts *opts,
		      const struct compare_cell *cell, struct compare_data *d);
void compare_data_release(struct compare_data *d);

/* Median of v[0..n) (not sorted in place); 0 for n == 0. */
double compare_median(const double *v, size_t n);

/* "zram/256M/1" into buf. */
const char *compare_cell_name(const struct compare_cell *c, char *buf, size_t len);

#endif
