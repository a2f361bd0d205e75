/*
 * cmd_pipeline.c - `swaplab pipeline`: a stored revision (what `swaplab
 * submit` wrote) through apply, builds, interleaved runs and reports.
 */
#include "src/builtin.h"
#include "ci/pipeline.h"
#include "db/db.h"
#include "kernel-patches/intake.h"
#include "common/util.h"

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

int pipeline_cli_option(struct pipeline_opts *o, const char **options, size_t *nopt,
			int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	static const char *const with_value[] = { "--device", "--option", "--arch", "--rounds",
						   "--out", "--tree", "--from", "--workdir" };
	size_t k;

	if (!strcmp(a, "--")) {
		o->plan.argv = argv + *i + 1;
		o->plan.argc = (size_t)(argc - *i - 1);
		*i = argc;
		return 1;
	}
	for (k = 0; k < ARRAY_SIZE(with_value) && strcmp(a, with_value[k]); k++)
		;
	if (k == ARRAY_SIZE(with_value))
		return 0;
	if (!v)
		return error("%s needs a value", a);
	++*i;
	if (!strcmp(a, "--device"))
		o->device = v;
	else if (!strcmp(a, "--option"))
		options[(*nopt)++] = v;
	else if (!strcmp(a, "--arch"))
		o->arch = v;
	else if (!strcmp(a, "--rounds"))
		return parse_uint(v, 1, 1000, &o->rounds) < 0 ? -1 : 1;
	else if (!strcmp(a, "--out"))
		o->out_dir = v;
	else if (!strcmp(a, "--tree"))
		o->tree = v;
	else if (!strcmp(a, "--from"))
		o->from = v;
	else
		o->workdir = v;
	return 1;
}

void pipeline_cli_finish(struct pipeline_opts *o, const char **options, size_t nopt)
{
	if (!o->arch)
		o->arch = "x86_64";
	o->progress = 1;
	if (!o->plan.argv || !o->plan.argc) {
		o->plan.argv = (char **)pipeline_default_plan;
		for (o->plan.argc = 0; pipeline_default_plan[o->plan.argc]; o->plan.argc++)
			;
	}
	o->device_options = nopt ? options : NULL;
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
	int i, ret, missing = 0;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = pipeline_cli_option(&o, options, &nopt, argc, argv, &i);

		if (r < 0)
			goto usage_err;
		if (r > 0)
			continue;
/* A known option without its value: that error only, not "unknown argument" too. */
#define TAKE(name) (!strcmp(a, name) && (v || (error("%s needs a value", name), missing = 1, 0)) && ++i)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(options);
			return 0;
		} else if (TAKE("--db")) {
			dbpath = v;
		} else if (TAKE("--series")) {
			series = v;
		} else if (TAKE("-v") || TAKE("--revision")) {
			if (parse_uint(v, 1, 1000, &version) < 0)
				goto usage_err;
		} else if (TAKE("--patches-dir")) {
			patches = v;
		} else if (a[0] != '-' && !dir) {
			dir = a;
		} else {
			if (!missing)
				error("unknown argument '%s'", a);
			goto usage_err;
		}
#undef TAKE
	}
	if (!dir == !series || (series && !version)) {
		error("name the revision: --series NAME -v N, or its directory");
		goto usage_err;
	}
	pipeline_cli_finish(&o, options, nopt);
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
