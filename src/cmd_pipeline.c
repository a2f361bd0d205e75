/*
 * cmd_pipeline.c - `swaplab pipeline`: a stored revision (what `swaplab
 * submit` wrote) through apply, builds, interleaved runs and reports.
 */
#include "builtin.h"
#include "ci/pipeline.h"
#include "db/db.h"
#include "kernel-patches/intake.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
"usage: swaplab pipeline (--series NAME -v N | DIR) [--db FILE] [--device qemu|lava]\n"
"                        [--option KEY=VALUE]... [--arch x86_64|arm64] [--rounds N]\n"
"                        [--out DIR] [--patches-dir DIR] [--tree DIR] [--from ADDR]\n"
"                        [-- PLAN (swapbench arguments)]\n"
"\n"
"Applies a submitted revision to the base tree, builds base and patched kernels,\n"
"boots each on the device N times, interleaved (base, patched, base, ...), stores\n"
"every run in the database under <series>/v<N>/base and .../patched, and writes\n"
"report.txt (lore), report.md, report.html, report.json and reply.eml into\n"
"<out>/<series>/v<N>/ (default reports/out).  Default plan: %s %s %s %s %s %s %s %s.\n",
		pipeline_default_plan[0], pipeline_default_plan[1], pipeline_default_plan[2],
		pipeline_default_plan[3], pipeline_default_plan[4], pipeline_default_plan[5],
		pipeline_default_plan[6], pipeline_default_plan[7]);
}

int cmd_pipeline(int argc, char **argv)
{
	struct pipeline_opts o;
	struct pipeline_result res;
	const char *dbpath = DB_DEFAULT_PATH, *series = NULL, *dir = NULL, *patches = NULL;
	const char **options = xcalloc((size_t)argc + 1, sizeof(*options));
	unsigned version = 0;
	size_t nopt = 0;
	struct db *db;
	char *revdir;
	int i, ret;

	memset(&o, 0, sizeof(o));
	o.arch = "x86_64";
	o.progress = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define TAKE(name) (!strcmp(a, name) && (v || (error("%s needs a value", name), 0)) && ++i)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(options);
			return 0;
		} else if (!strcmp(a, "--")) {
			o.plan.argv = argv + i + 1;
			o.plan.argc = (size_t)(argc - i - 1);
			break;
		} else if (TAKE("--db")) {
			dbpath = v;
		} else if (TAKE("--series")) {
			series = v;
		} else if (TAKE("-v") || TAKE("--revision")) {
			if (parse_uint(v, 1, 1000, &version) < 0)
				goto usage_err;
		} else if (TAKE("--device")) {
			o.device = v;
		} else if (TAKE("--option")) {
			options[nopt++] = v;
		} else if (TAKE("--arch")) {
			o.arch = v;
		} else if (TAKE("--rounds")) {
			if (parse_uint(v, 1, 1000, &o.rounds) < 0)
				goto usage_err;
		} else if (TAKE("--out")) {
			o.out_dir = v;
		} else if (TAKE("--patches-dir")) {
			patches = v;
		} else if (TAKE("--tree")) {
			o.tree = v;
		} else if (TAKE("--from")) {
			o.from = v;
		} else if (TAKE("--workdir")) {
			o.workdir = v;
		} else if (a[0] != '-' && !dir) {
			dir = a;
		} else {
			error("unknown argument '%s'", a);
			goto usage_err;
		}
#undef TAKE
	}
	if (!dir == !series || (series && !version)) {
		error("name the revision: --series NAME -v N, or its directory");
		goto usage_err;
	}
	if (!o.plan.argv || !o.plan.argc) {
		o.plan.argv = (char **)pipeline_default_plan;
		while (pipeline_default_plan[o.plan.argc])
			o.plan.argc++;
	}
	o.device_options = nopt ? options : NULL;
	if (dir) {
		revdir = xstrdup(dir);
	} else {
		char *root = intake_patches_dir(patches);

		revdir = xstrfmt("%s/%s/v%u", root, series, version);
		free(root);
	}
	db = db_open(dbpath, DB_CREATE);
	if (!db) {
		free(revdir);
		free(options);
		return 1;
	}
	ret = pipeline_run(db, &o, revdir, &res);
	if (ret == 0) {
		printf("%s/report.txt\n", res.report_dir);
		info("stored %u base and %u patched runs in '%s'; reports and reply.eml in %s",
		     res.runs_base, res.runs_patched, dbpath, res.report_dir);
	}
	pipeline_result_release(&res);
	db_close(db);
	free(revdir);
	free(options);
	return ret ? 1 : 0;
usage_err:
	usage(stderr);
	free(options);
	return 129;
}
