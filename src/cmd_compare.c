/*
 * cmd_compare.c - `swaplab compare`: one decision on one cell, with the
 * exit status `git bisect run` reads (reports/compare.h has the rule):
 *
 *   0    no change beyond the threshold in the watched direction (good/old)
 *   1    changed beyond it (bad/new)
 *   125  cannot decide: too few invocations, the interval straddles the
 *        threshold, a label or the cell missing (bisect skips)
 *   129  bad usage (a malformed cell spec among them)
 *
 *   swaplab compare --base LABEL --patched LABEL --metric BACKEND/SIZE/PROCS
 *                   [--threshold PCT] [--direction slower|faster]
 *                   [--figure mean|max] [--alpha A] [--db FILE] [--json]
 */
#include "src/builtin.h"
#include "db/db.h"
#include "reports/compare.h"
#include "common/json.h"
#include "common/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const compare_usage[] = {
	"swaplab compare --base LABEL --patched LABEL --metric BACKEND/SIZE/PROCS [<options>]",
	"",
	"Decides whether one cell (e.g. zram/256M/1) changed between the runs of",
	"two labels by more than a threshold in one direction, on the reports'",
	"test (t test on log per-invocation medians, interval at 1 - alpha), and",
	"exits for `git bisect run`: 0 unchanged (old), 1 changed (new), 125",
	"undecided (skip), 129 usage.  Changed: the whole interval of the change",
	"is beyond the threshold; unchanged: the whole interval is short of it;",
	"anything else, or fewer than 3 invocations a side: undecided.",
	NULL,
};

int cmd_opt_pct(const struct po_option *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= 0 && v <= 1000))
		return error("--%s must be a percentage in [0, 1000], not '%s'", opt->long_name, arg);
	*(double *)opt->value = v;
	return 0;
}

int cmd_opt_direction(const struct po_option *opt, const char *arg)
{
	if (!strcmp(arg, "slower"))
		*(enum compare_dir *)opt->value = COMPARE_SLOWER;
	else if (!strcmp(arg, "faster"))
		*(enum compare_dir *)opt->value = COMPARE_FASTER;
	else
		return error("--%s must be slower or faster, not '%s'", opt->long_name, arg);
	return 0;
}

static int parse_figure(const struct po_option *opt, const char *arg)
{
	if (!strcmp(arg, "mean"))
		*(enum report_figure *)opt->value = REPORT_FIGURE_MEAN;
	else if (!strcmp(arg, "max"))
		*(enum report_figure *)opt->value = REPORT_FIGURE_MAX;
	else
		return error("--%s must be mean or max, not '%s'", opt->long_name, arg);
	return 0;
}

static const char *const outcome_word[] = {
	[COMPARE_UNCHANGED] = "unchanged",
	[COMPARE_CHANGED] = "changed",
	[COMPARE_UNDECIDED] = "undecided",
};

static void print_result(const struct compare_result *res, const char *cell, double t,
			 enum compare_dir dir, double alpha, int json)
{
	const struct report_verdict *v = &res->v;
	const char *dirw = dir == COMPARE_SLOWER ? "slower" : "faster";

	if (json) {
		printf("{\"outcome\":\"%s\",\"cell\":\"%s\",\"direction\":\"%s\",\"threshold_pct\":%g,"
		       "\"alpha\":%g,\"inv_base\":%zu,\"inv_patched\":%zu,\"runs_base\":%zu,"
		       "\"runs_patched\":%zu",
		       outcome_word[res->outcome], cell, dirw, t, alpha, v->inv_base, v->inv_patched,
		       res->runs_base, res->runs_patched);
		if (v->estimate > 0 && isfinite(res->change_pct))
			printf(",\"speedup\":%.6g,\"change_pct\":%.4f", v->estimate, res->change_pct);
		if (v->ci_ok)
			printf(",\"ci_level\":%g,\"change_lo_pct\":%.4f,\"change_hi_pct\":%.4f,\"p\":%.6g",
			       1 - alpha, res->lo_pct, res->hi_pct, v->p);
		json_put_member(stdout, "why", res->why);
		printf(",\"method\":\"t test on log per-invocation medians\"}\n");
		return;
	}
	printf("%s: %s", outcome_word[res->outcome], cell);
	if (v->estimate > 0 && isfinite(res->change_pct))
		printf(" %+.1f%%", res->change_pct);
	if (v->ci_ok)
		printf(" [%+.1f%%, %+.1f%%] (%g%% CI)", res->lo_pct, res->hi_pct, 100 * (1 - alpha));
	printf(", n = %zu/%zu invocations (%zu/%zu runs) base/patched; %s (watching %s, threshold %g%%;"
	       " t test on log per-invocation medians)\n",
	       v->inv_base, v->inv_patched, res->runs_base, res->runs_patched, res->why, dirw, t);
}

int cmd_compare(int argc, char **argv)
{
	const char *dbpath = "lab.db", *metric = NULL;
	struct report_opts opts = { .alpha = 0.05, .min_effect_pct = -1 };
	double threshold = 5.0;
	enum compare_dir dir = COMPARE_SLOWER;
	int json = 0, ret;
	struct compare_cell cell;
	struct compare_result res;
	char name[64];
	struct db *db;
	const struct po_option options[] = {
		OPT_STRING(0, "base", &opts.base, "LABEL", "the runs taken as the old side (required)"),
		OPT_STRING(0, "patched", &opts.patched, "LABEL",
			   "the runs taken as the new side (required)"),
		OPT_STRING(0, "metric", &metric, "CELL",
			   "the cell: BACKEND/SIZE/PROCS, e.g. zram/256M/1 (required)"),
		OPT_CALLBACK(0, "threshold", &threshold, "PCT",
			     "the smallest change that counts, in percent (default 5)", cmd_opt_pct),
		OPT_CALLBACK(0, "direction", &dir, "DIR",
			     "slower (default: find a regression) or faster (an improvement)",
			     cmd_opt_direction),
		OPT_CALLBACK(0, "figure", &opts.figure, "FIG",
			     "mean (default) or max: a run's figure over its processes", parse_figure),
		OPT_ALPHA(&opts.alpha, "1 - the interval's level (default 0.05)"),
		OPT_DB(&dbpath),
		OPT_JSON(&json),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, compare_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc) {
		error("compare: unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	if (!opts.base || !opts.patched || !metric) {
		error("compare: --base, --patched and --metric are required");
		return EXIT_USAGE;
	}
	if (compare_parse_cell(metric, &cell) < 0)
		return EXIT_USAGE;
	compare_cell_name(&cell, name, sizeof(name));
	db = cmd_open_db(dbpath);
	if (!db)
		return EXIT_UNDECIDED;
	ret = compare_labels(db, &opts, &cell, threshold, dir, &res);
	db_close(db);
	if (ret) {
		if (json)
			printf("{\"outcome\":\"undecided\",\"cell\":\"%s\",\"why\":\"no data\"}\n", name);
		else
			printf("undecided: %s, no data (see the message above)\n", name);
		return EXIT_UNDECIDED;
	}
	print_result(&res, name, threshold, dir, opts.alpha, json);
	return res.outcome == COMPARE_CHANGED ? EXIT_FAIL
	       : res.outcome == COMPARE_UNCHANGED ? EXIT_OK : EXIT_UNDECIDED;
}
