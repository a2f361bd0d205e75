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

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage_report(FILE *f)
{
	fprintf(f,
		"usage: swaplab report --base LABEL --patched LABEL [<options>]\n"
		"   or: swaplab report --series NAME [--base LABEL] [<options>]\n"
		"\n"
		"   --db FILE          results database (default %s)\n"
		"   --backend NAME     only zram or only zswap\n"
		"   --format FORMAT    lore (default: plain text for a cover letter), lkp (the\n"
		"                      kernel test robot's layout), markdown,\n"
		"                      html (self-contained page with plots), csv, json\n"
		"   --figure mean|max  a multi-process run's figure: the mean of its processes'\n"
		"                      munmap() latencies (default) or the slowest process's\n"
		"   --alpha A          significance level after Benjamini-Hochberg (default 0.05)\n"
		"   --min-effect PCT   mark no change smaller than PCT percent (default %g; 0: any)\n"
		"   -o, --output FILE  write there (atomically) instead of standard output\n",
		DB_DEFAULT_PATH, REPORT_MIN_EFFECT_DEFAULT);
}

int cmd_report(int argc, char **argv)
{
	enum { OPT_BASE = 256, OPT_PATCHED, OPT_SERIES, OPT_BACKEND, OPT_FORMAT, OPT_FIGURE,
	       OPT_ALPHA, OPT_MIN_EFFECT, OPT_DB, OPT_HELP };
	static const struct option options[] = {
		{ "base", required_argument, NULL, OPT_BASE },
		{ "patched", required_argument, NULL, OPT_PATCHED },
		{ "series", required_argument, NULL, OPT_SERIES },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "figure", required_argument, NULL, OPT_FIGURE },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "min-effect", required_argument, NULL, OPT_MIN_EFFECT },
		{ "db", required_argument, NULL, OPT_DB },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts opts = { .alpha = 0.05 };
	const char *db_file = DB_DEFAULT_PATH, *output = NULL;
	int format = REPORT_LORE, c, rc;
	struct report r;
	struct db *db;
	FILE *out = stdout;
	char *buf = NULL, *end;
	size_t len = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
		switch (c) {
		case OPT_BASE: opts.base = optarg; break;
		case OPT_PATCHED: opts.patched = optarg; break;
		case OPT_SERIES: opts.series = optarg; break;
		case OPT_BACKEND: opts.backend = optarg; break;
		case OPT_DB: db_file = optarg; break;
		case 'o': output = optarg; break;
		case OPT_FORMAT:
			if ((format = report_parse_format(optarg)) < 0)
				die("report: --format must be lore, lkp, markdown, html, csv or json, not '%s'",
				    optarg);
			break;
		case OPT_FIGURE:
			if (!strcmp(optarg, "mean"))
				opts.figure = REPORT_FIGURE_MEAN;
			else if (!strcmp(optarg, "max"))
				opts.figure = REPORT_FIGURE_MAX;
			else
				die("report: --figure must be mean or max, not '%s'", optarg);
			break;
		case OPT_ALPHA:
			opts.alpha = strtod(optarg, &end);
			if (*end || !(opts.alpha >= 0.001 && opts.alpha <= 0.2))
				die("report: --alpha must be a number in [0.001, 0.2], not '%s'", optarg);
			break;
		case OPT_MIN_EFFECT:
			opts.min_effect_pct = strtod(optarg, &end);
			if (end == optarg || *end || !(opts.min_effect_pct >= 0 && opts.min_effect_pct <= 100))
				die("report: --min-effect must be a percentage in [0, 100], not '%s'", optarg);
			/* 0 in the options means the default: "none" is negative. */
			if (opts.min_effect_pct == 0)
				opts.min_effect_pct = -1;
			break;
		case 'h':
		case OPT_HELP:
			usage_report(stdout);
			return 0;
		default:
			die("report: unknown option or missing argument '%s'; see 'swaplab report --help'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		die("report: unexpected argument '%s'", argv[optind]);
	if (!opts.series && (!opts.base || !opts.patched)) {
		usage_report(stderr);
		return 129;
	}
	if (opts.backend && strcmp(opts.backend, "zram") && strcmp(opts.backend, "zswap"))
		die("report: --backend must be zram or zswap, not '%s'", opts.backend);
	if (!(db = db_open(db_file, DB_READONLY)))
		return 1;
	rc = report_build(db, &opts, &r);
	db_close(db);
	if (rc)
		return 1;
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
	return rc ? 1 : 0;
}
