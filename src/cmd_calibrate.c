/*
 * cmd_calibrate.c - `swaplab calibrate`: measures a device's own noise
 * (ci/calibrate.h) - the same kernel booted as two labels, interleaved -
 * and stores per cell the spread between and inside boots, the A/A
 * false marks and the minimum detectable effect; `--show` lists what is
 * stored.
 *
 *   swaplab calibrate --device KIND [--name LABEL] [--artifact KEY]
 *                     [--option KEY=VALUE]... [--boots N] [--alpha A]
 *                     [--workdir DIR] [--db FILE] [-q] [-- PLAN...]
 *   swaplab calibrate --show [--name LABEL] [--db FILE] [--json]
 */
#include "src/builtin.h"
#include "ci/calibrate.h"
#include "ci/pipeline.h"
#include "db/db.h"
#include "reports/report.h"
#include "common/json.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const calibrate_usage[] = {
	"swaplab calibrate --device KIND [--artifact KEY] [<options>] [-- PLAN...]",
	"swaplab calibrate --show [--name LABEL] [--db FILE] [--json]",
	"",
	"Boots one kernel as two labels on a device, interleaved (A, B, A, B ...),",
	"runs PLAN (swapbench's arguments; default: the pipeline's plan) in every",
	"boot, and stores per device what the reports will see there: per cell the",
	"spread between boots and inside them, the cells the A/A comparison",
	"marked (every such mark is false), and the smallest change that plan and",
	"number of boots detect with 80% power.",
	NULL,
};

static void print_one(const struct db_calibration *c, int json)
{
	size_t i;

	if (json) {
		printf("{\"id\":%lld,\"boots\":%u,\"runs\":%u,\"alpha\":%g,\"rows\":%u,\"false_marks\":%u",
		       (long long)c->id, c->boots, c->runs, c->alpha, c->rows, c->false_marks);
		json_put_member(stdout, "device", c->device);
		json_put_member(stdout, "kernel", c->kernel);
		json_put_member(stdout, "artifact", c->artifact);
		json_put_member(stdout, "plan", c->plan);
		json_put_member(stdout, "label_a", c->label_a);
		json_put_member(stdout, "label_b", c->label_b);
		json_put_member(stdout, "created", c->created);
		printf(",\"cells\":[");
		for (i = 0; i < c->nr_cells; i++) {
			const struct db_calibration_cell *x = &c->cells[i];

			printf("%s{\"size_bytes\":%llu,\"procs\":%u,\"between_pct\":%.3f,", i ? "," : "",
			       (unsigned long long)x->size_bytes, x->procs, x->between_pct);
			if (x->within_pct >= 0)
				printf("\"within_pct\":%.3f,", x->within_pct);
			else
				printf("\"within_pct\":null,");
			printf("\"mde_pct\":%.3f,\"marked\":%s", x->mde_pct, x->marked ? "true" : "false");
			json_put_member(stdout, "backend", x->backend);
			printf("}");
		}
		printf("]}\n");
		return;
	}
	printf("calibration %lld of %s (%s%s%.12s)%s%s\n", (long long)c->id, c->device, c->kernel,
	       c->artifact ? ", artifact " : "", c->artifact ? c->artifact : "",
	       c->created ? ", " : "", c->created ? c->created : "");
	printf("  %u boots of %u run%s a label (%s, %s); plan: %s\n\n", c->boots, c->runs,
	       c->runs == 1 ? "" : "s", c->label_a, c->label_b, c->plan);
	printf("  %-24s %9s %9s %10s  %s\n", "cell", "between", "within", "MDE (80%)", "A/A");
	for (i = 0; i < c->nr_cells; i++) {
		const struct db_calibration_cell *x = &c->cells[i];
		char sz[32], mode[32], name[64], within[16];

		snprintf(name, sizeof(name), "%s %s %s", x->backend,
			 report_size(x->size_bytes, sz, sizeof(sz)), report_mode(x->procs, mode, sizeof(mode)));
		if (x->within_pct >= 0)
			snprintf(within, sizeof(within), "%.1f%%", x->within_pct);
		else
			snprintf(within, sizeof(within), "-");
		printf("  %-24s %8.1f%% %9s %9.1f%%  %s\n", name, x->between_pct, within, x->mde_pct,
		       x->marked ? "marked (false)" : "-");
	}
	printf("\n  A/A false marks: %u of %u rows (alpha = %g after Benjamini-Hochberg, |change| >= %g%%)\n",
	       c->false_marks, c->rows, c->alpha, REPORT_MIN_EFFECT_DEFAULT);
	printf("  between: sd of the boots' log figures; within: of the runs inside a boot\n"
	       "  (x 100, ~ percent); MDE: smallest change detected with %u boots a side.\n",
	       c->boots);
}

static int show(const char *dbpath, const char *name, int json)
{
	struct db *db = cmd_open_db(dbpath);
	struct db_calibration *c;
	size_t n, i;
	int ret = EXIT_OK;

	if (!db)
		return EXIT_FAIL;
	if (db_calibration_list(db, name, &c, &n) < 0) {
		db_close(db);
		return EXIT_FAIL;
	}
	if (!n) {
		error("no calibration%s%s in '%s' (make one with 'swaplab calibrate --device KIND')",
		      name ? " of " : "", name ? name : "", db_path(db));
		ret = EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (i && !json)
			printf("\n");
		print_one(&c[i], json);
	}
	db_calibration_free(c, n);
	db_close(db);
	return ret;
}

int cmd_calibrate(int argc, char **argv)
{
	const char *dbpath = NULL, *kind = NULL, *name = NULL, *artifact = NULL, *workdir = NULL;
	struct strlist options = { 0 };
	struct calibrate_opts o;
	struct db_calibration cal;
	unsigned boots = CALIBRATE_BOOTS;
	double alpha = 0.05;
	int show_only = 0, json = 0, quiet = 0, dd, ret;
	struct db *db;
	const struct po_option opts[] = {
		OPT_STRING(0, "device", &kind, "KIND", "qemu, lava or host"),
		OPT_STRING(0, "name", &name, "LABEL", "the device's label (default: the kind)"),
		OPT_STRING(0, "artifact", &artifact, "KEY", "the kernel artifact to boot"),
		OPT_LIST(0, "option", &options, "KEY=VALUE", "a device option (repeatable)"),
		OPT_UINT(0, "boots", &boots, "N", "boots a label (default 6)", REPORT_MIN_INV, 100),
		OPT_ALPHA(&alpha, "the reports' level (default 0.05)"),
		OPT_STRING(0, "workdir", &workdir, "DIR", "keep the devices' files there"),
		OPT_DB(&dbpath),
		OPT_QUIET(&quiet),
		OPT_GROUP("listing"),
		OPT_FLAG(0, "show", &show_only, "list the stored calibrations, newest first"),
		OPT_JSON(&json),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, calibrate_usage, PO_KEEP_DASHDASH);
	if (argc < 0)
		return po_exit_code(argc);
	if (show_only) {
		strlist_release(&options);
		if (argc > 0) {
			error("--show takes no plan");
			return EXIT_USAGE;
		}
		return show(dbpath, name, json);
	}
	dd = po_dashdash(argc, argv);
	if (!kind) {
		error("--device is required (qemu, lava or host)");
		strlist_release(&options);
		return EXIT_USAGE;
	}
	if ((dd < 0 && argc > 0) || dd > 0) {
		error("unexpected argument '%s' (the plan goes after '--')", argv[0]);
		strlist_release(&options);
		return EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.name = name;
	strlist_append(&options, NULL);
	o.options = options.items;
	o.artifact = artifact;
	o.boots = boots;
	o.alpha = alpha;
	o.workdir = workdir;
	o.progress = !quiet;
	if (dd >= 0 && argc - dd - 1 > 0) {
		o.plan.argv = argv + dd + 1;
		o.plan.argc = (size_t)(argc - dd - 1);
	} else {
		o.plan.argv = (char **)pipeline_default_plan;
		for (o.plan.argc = 0; pipeline_default_plan[o.plan.argc]; o.plan.argc++)
			;
	}
	if (!(db = cmd_open_db(dbpath))) {
		strlist_release(&options);
		return EXIT_FAIL;
	}
	ret = calibrate_run(db, &o, &cal);
	if (!ret) {
		print_one(&cal, json);
		calibrate_release(&cal);
	}
	db_close(db);
	strlist_release(&options);
	return ret ? EXIT_FAIL : EXIT_OK;
}
