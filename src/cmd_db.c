/*
 * cmd_db.c - `swaplab db`: the results database from the command line.
 *
 *   swaplab db import FILE.jsonl... --label NAME   store saved runs
 *   swaplab db labels                             labels and their runs
 *   swaplab db runs [--label NAME]                one line per run
 *   swaplab db export --label NAME [--format jsonl|csv] [-o FILE]
 *   swaplab db info                               schema version, row counts
 *
 * Every verb takes --db FILE (default lab.db).  Only import writes.
 */
#include "src/builtin.h"
#include "db/db.h"
#include "common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *db_file = DB_DEFAULT_PATH;

static void usage_db(FILE *f)
{
	fprintf(f,
		"usage: swaplab db <verb> [--db FILE] [<args>]\n"
		"\n"
		"   import FILE.jsonl... --label NAME [--series NAME --revision N --kind base|patched]\n"
		"          [--commit SHA] [--config-fingerprint HASH] [--device-kind host|qemu|lava]\n"
		"          [--job ID] [--replace]\n"
		"                  store runs saved from 'swaplab bench --json' or 'swapbench --json'\n"
		"   labels [--json] list labels with their runs, samples, kernels and devices\n"
		"   runs [--label NAME] [--json]\n"
		"                  list runs\n"
		"   export --label NAME [--format jsonl|csv] [-o FILE]\n"
		"                  write a label's runs (jsonl can be imported again)\n"
		"   info           schema version and row counts\n"
		"\n"
		"--db FILE selects the database (default %s).\n",
		DB_DEFAULT_PATH);
}

/* Parses the options every verb shares plus the verb's own; 0 or exit. */
enum { OPT_DB = 256, OPT_SERIES, OPT_REVISION, OPT_KIND, OPT_COMMIT, OPT_CONFIG,
       OPT_DEVICE_KIND, OPT_JOB, OPT_REPLACE, OPT_LABEL, OPT_FORMAT, OPT_JSON, OPT_HELP };

static const struct option db_options[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "series", required_argument, NULL, OPT_SERIES },
	{ "revision", required_argument, NULL, OPT_REVISION },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ "commit", required_argument, NULL, OPT_COMMIT },
	{ "config-fingerprint", required_argument, NULL, OPT_CONFIG },
	{ "device-kind", required_argument, NULL, OPT_DEVICE_KIND },
	{ "job", required_argument, NULL, OPT_JOB },
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct db_args {
	const char *label, *format, *output;
	int json;
	struct db_import_opts imp;
};

/* allowed: the long options (OPT_*) and 'o' this verb accepts. */
static void parse_args(const char *verb, int argc, char **argv, const int *allowed,
		       struct db_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", db_options, NULL)) != -1) {
		const int *p;

		if (c == 'h' || c == OPT_HELP) {
			usage_db(stdout);
			exit(0);
		}
		if (c == '?' || c == ':')
			die("db %s: unknown option or missing argument '%s'; see 'swaplab db --help'",
			    verb, argv[optind - 1]);
		for (p = allowed; *p && *p != c; p++)
			;
		if (c != OPT_DB && !*p)
			die("db %s: option '%s' does not apply here", verb, argv[optind - 1]);
		switch (c) {
		case OPT_DB: db_file = optarg; break;
		case OPT_LABEL: a->label = optarg; break;
		case OPT_SERIES: a->imp.series = optarg; break;
		case OPT_REVISION:
			if (parse_uint(optarg[0] == 'v' ? optarg + 1 : optarg, 1, 1000,
				       &a->imp.revision))
				exit(129);
			break;
		case OPT_KIND: a->imp.kind = optarg; break;
		case OPT_COMMIT: a->imp.commit = optarg; break;
		case OPT_CONFIG: a->imp.config_fingerprint = optarg; break;
		case OPT_DEVICE_KIND: a->imp.device_kind = optarg; break;
		case OPT_JOB: a->imp.job = optarg; break;
		case OPT_REPLACE: a->imp.replace = 1; break;
		case OPT_FORMAT: a->format = optarg; break;
		case OPT_JSON: a->json = 1; break;
		case 'o': a->output = optarg; break;
		}
	}
}

static int cmd_db__import(int argc, char **argv)
{
	static const int allowed[] = { OPT_LABEL, OPT_SERIES, OPT_REVISION, OPT_KIND, OPT_COMMIT,
				       OPT_CONFIG, OPT_DEVICE_KIND, OPT_JOB, OPT_REPLACE, 0 };
	struct db_args a;
	struct db *db;
	char *label = NULL;
	int i, ret = 0;

	parse_args("import", argc, argv, allowed, &a);
	if (optind >= argc)
		die("db import: which file? usage: swaplab db import FILE.jsonl --label NAME");
	if (!a.label && a.imp.series && a.imp.kind)
		label = xstrfmt("%s-v%u-%s", a.imp.series, a.imp.revision, a.imp.kind);
	else if (!a.label)
		die("db import: --label NAME is required (it names the runs in reports)");
	db = db_open(db_file, DB_CREATE);
	if (!db)
		return 1;
	/* Each file is one transaction: all of it is stored, or none. */
	for (i = optind; i < argc; i++) {
		struct db_import_stats st;

		if (db_import_jsonl(db, argv[i], a.label ? a.label : label, &a.imp, &st)) {
			error("nothing of '%s' was stored in '%s'", argv[i], db_file);
			ret = 1;
			break;
		}
		printf("%s: %u run%s, %llu samples%s -> '%s' in %s\n", argv[i], st.runs,
		       st.runs == 1 ? "" : "s", (unsigned long long)st.samples,
		       st.replaced ? " (replaced)" : "", a.label ? a.label : label, db_file);
	}
	db_close(db);
	free(label);
	return ret;
}

static int cmd_db__labels(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, 0 };
	struct db_label_info *l;
	struct db_args a;
	struct db *db;
	size_t n, i;

	parse_args("labels", argc, argv, allowed, &a);
	if (optind < argc)
		die("db labels: unexpected argument '%s'", argv[optind]);
	if (!(db = db_open(db_file, DB_READONLY)))
		return 1;
	if (db_list_labels(db, &l, &n)) {
		db_close(db);
		return 1;
	}
	if (!a.json)
		printf("%-24s %5s %9s  %-20s %-20s %s\n", "label", "runs", "samples", "first run",
		       "last run", "kernels / devices");
	for (i = 0; i < n; i++) {
		if (a.json) {
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

static int cmd_db__runs(int argc, char **argv)
{
	static const int allowed[] = { OPT_LABEL, OPT_JSON, 0 };
	struct db_run_info *r;
	struct db_args a;
	struct db *db;
	size_t n, i;
	int ret = 0;

	parse_args("runs", argc, argv, allowed, &a);
	if (optind < argc)
		die("db runs: unexpected argument '%s'", argv[optind]);
	if (!(db = db_open(db_file, DB_READONLY)))
		return 1;
	if (a.label && db_label_exists(db, a.label) != 1) {
		error("no runs labelled '%s' in '%s' (see 'swaplab db labels')", a.label, db_file);
		db_close(db);
		return 1;
	}
	if (db_list_runs(db, a.label, &r, &n)) {
		db_close(db);
		return 1;
	}
	if (!a.json)
		printf("%-5s %-20s %-32s %-20s %-12s %-20s %-18s %8s\n", "id", "label", "run_uuid",
		       "started", "device", "kernel", "build", "samples");
	for (i = 0; i < n; i++) {
		char build[64];

		if (r[i].series)
			snprintf(build, sizeof(build), "%s v%u %s", r[i].series, r[i].revision,
				 r[i].kind);
		else
			snprintf(build, sizeof(build), "%s", r[i].kind);
		if (a.json) {
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

static int cmd_db__export(int argc, char **argv)
{
	static const int allowed[] = { OPT_LABEL, OPT_FORMAT, 'o', 0 };
	struct db_args a;
	struct db *db;
	FILE *out = stdout;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	parse_args("export", argc, argv, allowed, &a);
	if (optind < argc)
		die("db export: unexpected argument '%s'", argv[optind]);
	if (!a.label)
		die("db export: --label NAME is required");
	if (a.format && strcmp(a.format, "jsonl") && strcmp(a.format, "csv"))
		die("db export: --format must be jsonl or csv, not '%s'", a.format);
	if (!(db = db_open(db_file, DB_READONLY)))
		return 1;
	if (db_label_exists(db, a.label) != 1) {
		error("no runs labelled '%s' in '%s' (see 'swaplab db labels')", a.label, db_file);
		db_close(db);
		return 1;
	}
	/* To a file: all or nothing (written to memory, then renamed into place). */
	if (a.output && !(out = open_memstream(&buf, &len)))
		die("out of memory");
	rc = a.format && !strcmp(a.format, "csv") ? db_export_csv(db, a.label, out)
						  : db_export_jsonl(db, a.label, out);
	db_close(db);
	if (a.output) {
		fclose(out);
		if (!rc)
			rc = write_file_atomic(a.output, buf, len);
		free(buf);
	}
	return rc ? 1 : 0;
}

static int cmd_db__info(int argc, char **argv)
{
	struct db_counts c;
	struct db_args a;
	struct db *db;
	static const int allowed[] = { 0 };

	parse_args("info", argc, argv, allowed, &a);
	if (optind < argc)
		die("db info: unexpected argument '%s'", argv[optind]);
	/* Writable open: upgrades an older schema, which is what `info` is for. */
	if (!(db = db_open(db_file, 0)))
		return 1;
	if (db_count(db, &c)) {
		db_close(db);
		return 1;
	}
	printf("database       %s\nschema         %d\n", db_file, db_schema_version());
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
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} verbs[] = {
		{ "import", cmd_db__import }, { "labels", cmd_db__labels },
		{ "runs", cmd_db__runs },     { "export", cmd_db__export },
		{ "info", cmd_db__info },
	};
	size_t i;

	if (argc < 2) {
		usage_db(stderr);
		return 129;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_db(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	error("db: '%s' is not a verb (import, labels, runs, export, info)", argv[1]);
	return 129;
}
