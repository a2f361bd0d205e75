/*
 * ci/bisect.h - `swaplab bisect`: find the commit that made one cell
 * slower (or faster) with the lab as the oracle (issue 13 items 2-3).
 *
 * 1. Confirm: build the good and bad ends (ci/kbuild.c, cached), boot
 *    each confirm_boots times on the device, interleaved, with the plan
 *    the metric names (that backend, size and process count, a few runs
 *    a boot), and decide with `swaplab compare`'s rule (reports/compare.h):
 *    only a change beyond the threshold in the watched direction is worth
 *    bisecting; no change, the other way, or undecided after max_boots
 *    stops with a message.
 * 2. Bisect: `git bisect` (terms old/new) in a worktree of the tree made
 *    with --no-checkout (git moves BISECT_HEAD, nothing is checked out);
 *    each step builds BISECT_HEAD, boots it and classifies it against the
 *    confirmed ends with bisect_classify() below.  A step that cannot be
 *    told measures more boots, up to max_boots, then is skipped; one that
 *    does not build or boot is skipped.  Each extra boot of a step is
 *    followed by one of each end that has fewer boots than the step (up
 *    to max_boots), so the ends' intervals narrow for every later step
 *    and a drift of the device shows as ends that no longer differ.
 * 3. Every step is a row of the database (db/bisect.c) with its boots,
 *    its runs' label ("bisect/<id>/<commit>"), its build and decision and
 *    why; a resumed session rebuilds git's state from those rows and
 *    reuses the stored boots, so nothing finished is repeated.
 *
 * Library code: returns error() (-1), never exits.
 */
#ifndef SWAPLAB_CI_BISECT_H
#define SWAPLAB_CI_BISECT_H

#include "reports/compare.h"

#include <stdint.h>
#include <stdio.h>

struct db;

/* ---- the step rule (pure: unit-tested on generated boots) ---- */

enum bisect_verdict {
	BISECT_GOOD,   /* consistent with the good end: git bisect old */
	BISECT_BAD,    /* changed like the bad end: git bisect new */
	BISECT_MORE,   /* cannot tell yet: measure the step again */
	BISECT_SKIP,   /* cannot tell with max_boots, or the ends no longer differ */
};

struct bisect_class {
	enum bisect_verdict verdict;
	struct compare_result ends;     /* good end -> bad end, every boot */
	struct compare_result vs_good;  /* good end -> step */
	struct compare_result vs_bad;   /* step -> bad end */
	char why[320];
};

/*
 * The rule, on boot figures (ns; one per boot) of the good end, the bad
 * end and the step, with compare_decide() at alpha and the threshold in
 * the watched direction:
 *
 *   the ends no longer differ (good -> bad not "changed" with all their
 *   boots: the device drifted, or the confirmation was luck)    SKIP
 *   step changed against the good end (good -> step "changed")     BAD
 *   the bad end changed against the step (step -> bad "changed"),
 *   and the step did not change against the good end: compare says
 *   "unchanged", or its estimate is under half the threshold       GOOD
 *   anything else: MORE while n_step < max_boots, else              SKIP
 *
 * So a step is bad exactly when `swaplab compare --base good --patched
 * step` exits 1 (a commit that made part of the change beyond the
 * threshold counts as bad), and good only when `compare --base step
 * --patched bad` exits 1 - a positive finding that the change is still
 * ahead - and the step is nearer the good end than the threshold's half.
 * Neither is a guess: without one of the two findings the step gets
 * more boots and is skipped at max_boots.
 */
void bisect_classify(const double *good, size_t ng, const double *bad, size_t nb,
		     const double *step, size_t ns, unsigned max_boots, double alpha,
		     double threshold_pct, enum compare_dir dir, struct bisect_class *c);
const char *bisect_verdict_name(enum bisect_verdict v);

/* ---- the session ---- */

struct bisect_opts {
	const char *tree;            /* kernel git tree (required) */
	const char *good, *bad;      /* revisions (required for a new session) */
	const char *metric;          /* BACKEND/SIZE/PROCS */
	double threshold_pct;        /* default 5 */
	enum compare_dir dir;
	const char *device;          /* "qemu" (default), "host", "lava" */
	const char *const *device_options;
	const char *arch;            /* default x86_64 */
	unsigned confirm_boots;      /* boots of each end, and a step's first (default 3) */
	unsigned max_boots;          /* most boots of one commit (default 8) */
	unsigned runs;               /* swapbench --runs per boot (default 3) */
	double alpha;                /* default 0.05 */
	int progress;
};

/* What bisect_run() ended with. */
enum bisect_end {
	BISECT_FOUND,       /* state done: result names the first new commit */
	BISECT_NOTHING,     /* stopped: the ends do not differ that way (or cannot be told) */
	BISECT_AMBIGUOUS,   /* stopped: only skipped commits left between good and bad */
	BISECT_FAILED,      /* an error (infrastructure, git, database): resume later */
};

/*
 * A new session for o (recorded, state "confirming"); *id set.  -1 on
 * bad revisions or a database error.
 */
int bisect_new(struct db *db, const struct bisect_opts *o, int64_t *id);
/*
 * Runs (or resumes) session id to its end: confirms the ends, drives git
 * bisect, records every step.  Returns the end; errors print messages.
 * o gives the device, arch, progress and alpha (the rest is the session's).
 */
enum bisect_end bisect_run(struct db *db, int64_t id, const struct bisect_opts *o);
/*
 * The verdict of one commit for `git bisect run` (swaplab bisect --step):
 * the session's ends confirmed first when they are not yet, then the
 * commit built, booted and classified with the same rule.  Returns the
 * verdict (GOOD, BAD or SKIP), or -1 after an error.
 */
int bisect_step_commit(struct db *db, int64_t id, const struct bisect_opts *o, const char *rev);
/* The session of these ends (tree, good, bad, metric, direction, device) that is not
 * stopped: 0 with *id, 1 when there is none, -1 on error. */
int bisect_find(struct db *db, const struct bisect_opts *o, int64_t *id);

/* Where the session is: its settings, state, every step, builds and boots spent. */
int bisect_status(struct db *db, int64_t id, FILE *out);
/* The result: first new commit and subject, the evidence table, what was spent;
 * markdown when md, else plain text for a mail. */
int bisect_report(struct db *db, int64_t id, int md, FILE *out);

#endif
