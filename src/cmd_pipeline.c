/*
 * cmd_pipeline.c - `swaplab pipeline`: a stored revision (what `swaplab
 * submit` wrote) through apply, builds, interleaved runs and reports.
 */
#include "src/builtin.h"
#include "src/pipeline-options.h"
#include "ci/pipeline.h"
#include "db/db.h"
#include "kernel-patches/intake.h"
#include "common/sbuf.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

int pipeline_cli_finish(struct pipeline_opts *o, struct strlist *options, int argc, char **argv)
{
	int dd = po_dashdash(argc, argv);

	if (dd >= 0 && argc - dd - 1 > 0) {
		o->plan.argv = argv + dd + 1;
		o->plan.argc = (size_t)(argc - dd - 1);
	} else {
		o->plan.argv = (char **)pipeline_default_plan;
		for (o->plan.argc = 0; pipeline_default_plan[o->plan.argc]; o->plan.argc++)
			;
	}
	if (!o->arch)
		o->arch = "x86_64";
	o->progress = 1;
	if (options->nr) {
		strlist_append(options, NULL);
		o->device_options = options->items;
	}
	return dd >= 0 ? dd : argc;
}

int cmd_pipeline(int argc, char **argv)
{
	struct pipeline_opts o;
	struct pipeline_result res;
	struct strlist options = { 0 };
	const char *dbpath = NULL, *series = NULL, *dir = NULL, *patches = NULL;
	unsigned version = 0;
	struct db *db;
	char *revdir, plan_line[256];
	int ret, nargs;
	const char *const usage[] = {
		"swaplab pipeline --series NAME -v N [<options>] [-- PLAN...]",
		"swaplab pipeline DIR [<options>] [-- PLAN...]",
		"",
		"Applies a submitted revision to the base tree, builds base and patched",
		"kernels, boots each on the device N times, interleaved (base, patched,",
		"base, ...), stores every run in the database under <series>/v<N>/base and",
		".../patched, and writes report.txt (lore), report.md, report.html,",
		"report.json and reply.eml into <out>/<series>/v<N>/.  PLAN: swapbench's",
		"arguments for one boot.",
		plan_line,
		NULL,
	};
	const struct po_option opts[] = {
		OPT_GROUP("the revision"),
		OPT_STRING(0, "series", &series, "NAME", "the series, as 'swaplab submit' stored it"),
		OPT_REVISION(&version),
		OPT_STRING(0, "patches-dir", &patches, "DIR",
			   "where revisions are stored (default: intake's)"),
		OPT_DB(&dbpath),
		OPT_PIPELINE_RUNS(&o, &options),
		OPT_END(),
	};
	struct sbuf plan = SBUF_INIT;

	memset(&o, 0, sizeof(o));
	for (size_t k = 0; pipeline_default_plan[k]; k++)
		sb_addf(&plan, " %s", pipeline_default_plan[k]);
	snprintf(plan_line, sizeof(plan_line), "Default plan:%s.", plan.buf);
	sb_release(&plan);
	argc = parse_options(argc, argv, opts, usage, PO_KEEP_DASHDASH);
	if (argc < 0) {
		strlist_release(&options);
		return po_exit_code(argc);
	}
	nargs = pipeline_cli_finish(&o, &options, argc, argv);
	if (nargs > 1) {
		error("unexpected argument '%s'", argv[1]);
		goto usage_err;
	}
	if (nargs == 1)
		dir = argv[0];
	if (!dir == !series || (series && !version)) {
		error("name the revision: --series NAME -v N, or its directory");
		goto usage_err;
	}
	if (dir) {
		revdir = xstrdup(dir);
	} else {
		char *root = intake_patches_dir(patches);

		revdir = xstrfmt("%s/%s/v%u", root, series, version);
		free(root);
	}
	db = cmd_open_db(dbpath);
	if (!db) {
		free(revdir);
		strlist_release(&options);
		return EXIT_FAIL;
	}
	ret = pipeline_run(db, &o, revdir, &res);
	if (ret == 0) {
		printf("%s/report.txt\n", res.report_dir);
		info("stored %u base and %u patched runs in '%s'; reports and reply.eml in %s",
		     res.runs_base, res.runs_patched, db_path(db), res.report_dir);
	}
	pipeline_result_release(&res);
	db_close(db);
	free(revdir);
	strlist_release(&options);
	return ret ? EXIT_FAIL : EXIT_OK;
usage_err:
	strlist_release(&options);
	return EXIT_USAGE;
}
