/*
 * cmd_report.c - `swaplab report`: base-versus-patched speedup tables from
 * the results database, in the seed cover letter's layout (lore) or as
 * Markdown, HTML, CSV or JSON (reports/report.h).
 *
 *   swaplab report --base LABEL --patched LABEL [--backend zram|zswap]
 *                  [--format lore|markdown|html|csv|json] [--figure mean|max]
 *                  [--alpha A] [--min-effect PCT] [--db FILE] [-o FILE]
 *   swaplab report --series NAME [--base LABEL] ...   every revision side by side
 */
#include "src/builtin.h"
#include "db/db.h"
#include "reports/report.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const report_usage[] = {
	"swaplab report --base LABEL --patched LABEL [<options>]",
	"swaplab report --series NAME [--base LABEL] [<options>]",
	"",
	"Base-versus-patched speedup tables from the results database; with",
	"--series, every revision of the series side by side.",
	NULL,
};

static int parse_format(const struct po_option *opt, const char *arg)
{
	int f = report_parse_format(arg);

	if (f < 0)
		return error("option '--format' must be lore, lkp, markdown, html, csv or json, not '%s'",
			     arg);
	*(int *)opt->value = f;
	return 0;
}

static int parse_figure(const struct po_option *opt, const char *arg)
{
	if (!strcmp(arg, "mean"))
		*(enum report_figure *)opt->value = REPORT_FIGURE_MEAN;
	else if (!strcmp(arg, "max"))
		*(enum report_figure *)opt->value = REPORT_FIGURE_MAX;
	else
		return error("option '--figure' must be mean or max, not '%s'", arg);
	return 0;
}

static int parse_backend(const struct po_option *opt, const char *arg)
{
	if (strcmp(arg, "zram") && strcmp(arg, "zswap"))
		return error("option '--backend' must be zram or zswap, not '%s'", arg);
	*(const char **)opt->value = arg;
	return 0;
}

static int parse_min_effect(const struct po_option *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= 0 && v <= 100))
		return error("option '--min-effect' must be a percentage in [0, 100], not '%s'", arg);
	/* 0 in report_opts means the default: "none" is negative. */
	*(double *)opt->value = v == 0 ? -1 : v;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts opts = { .alpha = 0.05 };
	const char *dbpath = NULL, *output = NULL;
	int format = REPORT_LORE, rc;
	struct report r;
	struct db *db;
	FILE *out = stdout;
	char *buf = NULL;
	size_t len = 0;
	char min_effect_help[96];
	const struct po_option options[] = {
		OPT_STRING(0, "base", &opts.base, "LABEL", "the base runs"),
		OPT_STRING(0, "patched", &opts.patched, "LABEL", "the patched runs"),
		OPT_STRING(0, "series", &opts.series, "NAME",
			   "instead of --patched: every revision of the series"),
		OPT_CALLBACK(0, "backend", &opts.backend, "NAME", "only zram or only zswap",
			     parse_backend),
		OPT_CALLBACK(0, "format", &format, "FORMAT",
			     "lore (default: plain text for a cover letter), lkp (the\n"
			     "kernel test robot's layout), markdown, html (a\n"
			     "self-contained page with plots), csv, json",
			     parse_format),
		OPT_CALLBACK(0, "figure", &opts.figure, "mean|max",
			     "a multi-process run's figure: the mean of its processes'\n"
			     "munmap() latencies (default) or the slowest process's",
			     parse_figure),
		OPT_ALPHA(&opts.alpha, "significance level after Benjamini-Hochberg (default 0.05)"),
		OPT_CALLBACK(0, "min-effect", &opts.min_effect_pct, "PCT", min_effect_help,
			     parse_min_effect),
		OPT_STRING('o', "output", &output, "FILE",
			   "write there (atomically) instead of standard output"),
		OPT_DB(&dbpath),
		OPT_END(),
	};

	snprintf(min_effect_help, sizeof(min_effect_help),
		 "mark no change smaller than PCT percent (default %g; 0: any)",
		 REPORT_MIN_EFFECT_DEFAULT);
	argc = parse_options(argc, argv, options, report_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc > 0) {
		error("report: unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	if (!opts.series && (!opts.base || !opts.patched)) {
		error("report: give --base LABEL --patched LABEL, or --series NAME");
		return EXIT_USAGE;
	}
	if (!(db = cmd_open_db(dbpath)))
		return EXIT_FAIL;
	rc = report_build(db, &opts, &r);
	db_close(db);
	if (rc)
		return EXIT_FAIL;
	/* To a file: all or nothing (written to memory, then renamed into place). */
	if (output && !(out = open_memstream(&buf, &len)))
		die("out of memory");
	rc = report_write(&r, (enum report_format)format, out);
	report_release(&r);
	if (output) {
		fclose(out);
		if (!rc)
			rc = write_file_atomic(output, buf, len);
		free(buf);
	} else if (fflush(stdout)) {
		rc = error_errno("cannot write the report");
	}
	return rc ? EXIT_FAIL : EXIT_OK;
}
