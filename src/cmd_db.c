/*
 * cmd_db.c - `swaplab db`: the results database from the command line.
 *
 *   swaplab db import FILE.jsonl... --label NAME   store saved runs
 *   swaplab db labels                             labels and their runs
 *   swaplab db runs [--label NAME]                one line per run
 *   swaplab db export --label NAME [--format jsonl|csv] [-o FILE]
 *   swaplab db info                               schema version, row counts
 *
 * Every verb takes --db FILE (default lab.db) and --help.  Only import
 * writes (CMD_DB_WRITE); info may upgrade the schema.
 */
#include "src/builtin.h"
#include "db/db.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* Says which argument was not expected; EXIT_USAGE. */
static int unexpected(const char *verb, int argc, char **argv)
{
	(void)argc;
	error("%s: unexpected argument '%s'", verb, argv[0]);
	return EXIT_USAGE;
}

static const char *const import_usage[] = {
	"swaplab db import FILE.jsonl... --label NAME [<options>]",
	"swaplab db import FILE.jsonl... --series NAME -v N --kind base|patched [<options>]",
	"",
	"Stores the runs saved by 'swaplab bench --json' or 'swapbench --json' (FILE '-':",
	"standard input).  Each file is one transaction: all of it is stored, or none.",
	"Without --label, the label is <series>-v<N>-<kind>.",
	NULL,
};

static int cmd_db__import(int argc, char **argv)
{
	struct db_import_opts imp;
	const char *dbpath = NULL, *label_opt = NULL;
	struct db *db;
	char *label = NULL;
	int i, ret = 0;
	const struct po_option opts[] = {
		OPT_STRING(0, "label", &label_opt, "NAME", "the label to store the runs under"),
		OPT_STRING(0, "series", &imp.series, "NAME", "the patch series the kernel was built with"),
		OPT_REVISION(&imp.revision),
		OPT_STRING(0, "kind", &imp.kind, "KIND", "the kernel build: base or patched"),
		OPT_STRING(0, "commit", &imp.commit, "SHA", "the commit the kernel was built from"),
		OPT_STRING(0, "config-fingerprint", &imp.config_fingerprint, "HASH",
			   "the hash of the kernel's .config"),
		OPT_STRING(0, "device-kind", &imp.device_kind, "KIND", "host (default), qemu or lava"),
		OPT_STRING(0, "job", &imp.job, "ID", "the device's job id (LAVA's)"),
		OPT_FLAG(0, "replace", &imp.replace, "replace runs whose run_uuid is already stored"),
		OPT_DB(&dbpath),
		OPT_END(),
	};

	memset(&imp, 0, sizeof(imp));
	argc = parse_options(argc, argv, opts, import_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc == 0) {
		error("db import: which file? usage: swaplab db import FILE.jsonl --label NAME");
		return EXIT_USAGE;
	}
	if (!label_opt && imp.series && imp.kind) {
		label = xstrfmt("%s-v%u-%s", imp.series, imp.revision, imp.kind);
	} else if (!label_opt) {
		error("db import: --label NAME is required (it names the runs in reports)");
		return EXIT_USAGE;
	}
	db = cmd_open_db(dbpath);
	if (!db) {
		free(label);
		return EXIT_FAIL;
	}
	/* Each file is one transaction: all of it is stored, or none. */
	for (i = 0; i < argc; i++) {
		struct db_import_stats st;

		if (db_import_jsonl(db, argv[i], label_opt ? label_opt : label, &imp, &st)) {
			error("nothing of '%s' was stored in '%s'", argv[i], db_path(db));
			ret = EXIT_FAIL;
			break;
		}
		printf("%s: %u run%s, %llu samples%s -> '%s' in %s\n", argv[i], st.runs,
		       st.runs == 1 ? "" : "s", (unsigned long long)st.samples,
		       st.replaced ? " (replaced)" : "", label_opt ? label_opt : label, db_path(db));
	}
	db_close(db);
	free(label);
	return ret;
}

static const char *const labels_usage[] = {
	"swaplab db labels [--json] [--db FILE]",
	"",
	"The labels with their runs, samples, first and last run, kernels and devices.",
	NULL,
};

static int cmd_db__labels(int argc, char **argv)
{
	struct db_label_info *l;
	const char *dbpath = NULL;
	struct db *db;
	size_t n, i;
	int json = 0;
	const struct po_option opts[] = {
		OPT_JSON(&json),
		OPT_DB(&dbpath),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, labels_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc > 0)
		return unexpected("db labels", argc, argv);
	if (!(db = cmd_open_db(dbpath)))
		return EXIT_FAIL;
	if (db_list_labels(db, &l, &n)) {
		db_close(db);
		return 1;
	}
	if (!json)
		printf("%-24s %5s %9s  %-20s %-20s %s\n", "label", "runs", "samples", "first run",
		       "last run", "kernels / devices");
	for (i = 0; i < n; i++) {
		if (json) {
			printf("{\"runs\":%u,\"samples\":%llu", l[i].runs,
			       (unsigned long long)l[i].samples);
			json_put_member(stdout, "label", l[i].name);
			json_put_member(stdout, "first_started", l[i].first_started);
			json_put_member(stdout, "last_started", l[i].last_started);
			json_put_member(stdout, "kernels", l[i].kernels);
			json_put_member(stdout, "devices", l[i].devices);
			printf("}\n");
		} else {
			printf("%-24s %5u %9llu  %-20s %-20s %s / %s\n", l[i].name, l[i].runs,
			       (unsigned long long)l[i].samples, l[i].first_started,
			       l[i].last_started, l[i].kernels, l[i].devices);
		}
	}
	db_label_info_free(l, n);
	db_close(db);
	return 0;
}

static const char *const runs_usage[] = {
	"swaplab db runs [--label NAME] [--json] [--db FILE]",
	"",
	"One line per stored run (of one label).",
	NULL,
};

static int cmd_db__runs(int argc, char **argv)
{
	struct db_run_info *r;
	const char *dbpath = NULL, *label = NULL;
	struct db *db;
	size_t n, i;
	int ret = 0, json = 0;
	const struct po_option opts[] = {
		OPT_STRING(0, "label", &label, "NAME", "only the runs of this label"),
		OPT_JSON(&json),
		OPT_DB(&dbpath),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, runs_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc > 0)
		return unexpected("db runs", argc, argv);
	if (!(db = cmd_open_db(dbpath)))
		return EXIT_FAIL;
	if (label && db_label_exists(db, label) != 1) {
		error("no runs labelled '%s' in '%s' (see 'swaplab db labels')", label, db_path(db));
		db_close(db);
		return 1;
	}
	if (db_list_runs(db, label, &r, &n)) {
		db_close(db);
		return 1;
	}
	if (!json)
		printf("%-5s %-20s %-32s %-20s %-12s %-20s %-18s %8s\n", "id", "label", "run_uuid",
		       "started", "device", "kernel", "build", "samples");
	for (i = 0; i < n; i++) {
		char build[64];

		if (r[i].series)
			snprintf(build, sizeof(build), "%s v%u %s", r[i].series, r[i].revision,
				 r[i].kind);
		else
			snprintf(build, sizeof(build), "%s", r[i].kind);
		if (json) {
			printf("{\"id\":%lld,\"samples\":%llu", (long long)r[i].id,
			       (unsigned long long)r[i].samples);
			json_put_member(stdout, "label", r[i].label);
			json_put_member(stdout, "run_uuid", r[i].uuid);
			json_put_member(stdout, "started", r[i].started);
			json_put_member(stdout, "device", r[i].device);
			json_put_member(stdout, "kernel_release", r[i].kernel_release);
			json_put_member(stdout, "build", build);
			json_put_member(stdout, "tool", r[i].tool);
			json_put_member(stdout, "source", r[i].source);
			printf("}\n");
		} else {
			printf("%-5lld %-20s %-32s %-20s %-12s %-20s %-18s %8llu\n",
			       (long long)r[i].id, r[i].label, r[i].uuid, r[i].started, r[i].device,
			       r[i].kernel_release, build, (unsigned long long)r[i].samples);
		}
	}
	db_run_info_free(r, n);
	db_close(db);
	return ret;
}

static const char *const export_usage[] = {
	"swaplab db export --label NAME [--format jsonl|csv] [-o FILE] [--db FILE]",
	"",
	"Writes a label's runs (jsonl can be imported again).",
	NULL,
};

static int parse_export_format(const struct po_option *opt, const char *arg)
{
	if (strcmp(arg, "jsonl") && strcmp(arg, "csv"))
		return error("option '--format' must be jsonl or csv, not '%s'", arg);
	*(int *)opt->value = !strcmp(arg, "csv");
	return 0;
}

static int cmd_db__export(int argc, char **argv)
{
	const char *dbpath = NULL, *label = NULL, *output = NULL;
	struct db *db;
	FILE *out = stdout;
	char *buf = NULL;
	size_t len = 0;
	int rc, csv = 0;
	const struct po_option opts[] = {
		OPT_STRING(0, "label", &label, "NAME", "the label to export (required)"),
		OPT_CALLBACK(0, "format", &csv, "FORMAT", "jsonl (default) or csv",
			     parse_export_format),
		OPT_STRING('o', "output", &output, "FILE",
			   "write there (atomically) instead of standard output"),
		OPT_DB(&dbpath),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, export_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc > 0)
		return unexpected("db export", argc, argv);
	if (!label) {
		error("db export: --label NAME is required");
		return EXIT_USAGE;
	}
	if (!(db = cmd_open_db(dbpath)))
		return EXIT_FAIL;
	if (db_label_exists(db, label) != 1) {
		error("no runs labelled '%s' in '%s' (see 'swaplab db labels')", label, db_path(db));
		db_close(db);
		return EXIT_FAIL;
	}
	/* To a file: all or nothing (written to memory, then renamed into place). */
	if (output && !(out = open_memstream(&buf, &len)))
		die("out of memory");
	rc = csv ? db_export_csv(db, label, out) : db_export_jsonl(db, label, out);
	db_close(db);
	if (output) {
		fclose(out);
		if (!rc)
			rc = write_file_atomic(output, buf, len);
		free(buf);
	}
	return rc ? EXIT_FAIL : EXIT_OK;
}

static const char *const info_usage[] = {
	"swaplab db info [--db FILE]",
	"",
	"The schema version and the row counts; upgrades an older schema.",
	NULL,
};

static int cmd_db__info(int argc, char **argv)
{
	const char *dbpath = NULL;
	struct db_counts c;
	struct db *db;
	const struct po_option opts[] = {
		OPT_DB(&dbpath),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, info_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc > 0)
		return unexpected("db info", argc, argv);
	/* Writable open: upgrades an older schema, which is what `info` is for. */
	if (!(db = db_open(dbpath ? dbpath : DB_DEFAULT_PATH, 0)))
		return EXIT_FAIL;
	if (db_count(db, &c)) {
		db_close(db);
		return 1;
	}
	printf("database       %s\nschema         %d\n", db_path(db), db_schema_version());
	printf("series         %llu\nrevisions      %llu\nkernel builds  %llu\n"
	       "devices        %llu\njobs           %llu\nlabels         %llu\n"
	       "runs           %llu\ncells          %llu\nsamples        %llu\n"
	       "fio results    %llu\n",
	       (unsigned long long)c.series, (unsigned long long)c.revisions,
	       (unsigned long long)c.kernel_builds, (unsigned long long)c.devices,
	       (unsigned long long)c.jobs, (unsigned long long)c.labels,
	       (unsigned long long)c.runs, (unsigned long long)c.cells,
	       (unsigned long long)c.samples, (unsigned long long)c.fio);
	db_close(db);
	return 0;
}

int cmd_db(int argc, char **argv)
{
	static const struct cmd_struct verbs[] = {
		{ "import", cmd_db__import, CMD_DB_WRITE, "store runs saved by 'bench --json'" },
		{ "labels", cmd_db__labels, 0, "the labels with their runs, samples, kernels, devices" },
		{ "runs", cmd_db__runs, 0, "one line per run" },
		{ "export", cmd_db__export, 0, "write a label's runs (jsonl or csv)" },
		{ "info", cmd_db__info, 0, "schema version and row counts" },
	};

	return run_subcommand("swaplab db", verbs, ARRAY_SIZE(verbs), argc, argv);
}
