/*
 * cmd_submit.c - `swaplab submit`: take one posted revision of a kernel
 * patch series (mbox, format-patch directory, git range, or lore thread)
 * into kernel-patches/<series>/v<N>/ so the lab can build and measure it.
 * The work is kernel-patches/intake.c's; this file parses options, prints
 * the outcome and chooses the exit status.
 */
#include "src/builtin.h"
#include "db/db.h"
#include "kernel-patches/intake.h"
#include "kernel-patches/intake_db.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const submit_usage[] = {
	"swaplab submit --mbox FILE [<options>]",
	"swaplab submit --dir DIR [<options>]",
	"swaplab submit --git-range TREE A..B [<options>]",
	"swaplab submit --msgid ID [--lore-url URL] [<options>]",
	"",
	"Takes one revision of a kernel patch series (exactly one input) and stores",
	"it under <patches-dir>/<series>/v<N>/ (patch files for git am, series.json).",
	NULL,
};

/* The inputs: which one was given, and how many. */
struct submit_input {
	struct intake_request *req;
	int count;
};

static int take_input(const struct po_option *opt, const char *arg)
{
	struct submit_input *in = opt->value;
	struct intake_request *req = in->req;

	in->count++;
	if (!strcmp(opt->long_name, "mbox")) {
		req->kind = INTAKE_MBOX;
		req->path = arg;
	} else if (!strcmp(opt->long_name, "dir")) {
		req->kind = INTAKE_DIR;
		req->path = arg;
	} else if (!strcmp(opt->long_name, "git-range")) {
		/* The range A..B is the first argument after the options. */
		req->kind = INTAKE_GIT_RANGE;
		req->path = arg;
	} else {
		req->kind = INTAKE_LORE;
		req->msgid = arg;
	}
	return 0;
}

static void print_dry_run(const struct intake_request *req, const struct intake_result *res)
{
	(void)req;
	printf("series:   %s\n", res->series);
	printf("version:  v%u%s\n", res->version, res->rfc ? " (RFC)" : "");
	printf("patches:  %u%s\n", res->nr_patches, res->has_cover ? " + cover letter" : "");
	printf("base:     %s\n", res->base_commit ? res->base_commit : "(none given)");
	printf("hash:     %s\n", res->content_hash);
	if (res->already)
		printf("already submitted as %s v%u (%s)\n", res->series, res->version, res->dir);
	else
		printf("would store in %s\n", res->dir ? res->dir : "<patches-dir>/...");
}

int cmd_submit(int argc, char **argv)
{
	struct intake_request req;
	struct intake_result res;
	struct intake_db idb;
	struct submit_input in = { &req, 0 };
	struct db *db = NULL;
	const char *db_file = NULL;
	int ret = 0;
	char lore_help[160];
	const struct po_option opts[] = {
		OPT_GROUP("inputs (exactly one):"),
		OPT_CALLBACK(0, "mbox", &in, "FILE",
			     "an mbox (plain or .gz), e.g. a lore t.mbox.gz thread", take_input),
		OPT_CALLBACK(0, "dir", &in, "DIR", "the *.patch files of git format-patch",
			     take_input),
		OPT_CALLBACK(0, "git-range", &in, "TREE",
			     "with the argument A..B: the commits A..B of the git\n"
			     "tree TREE (base A)", take_input),
		OPT_CALLBACK(0, "msgid", &in, "ID", "fetch ID's thread from a public-inbox server",
			     take_input),
		OPT_GROUP("options:"),
		OPT_STRING(0, "lore-url", &req.lore_url, "URL", lore_help),
		OPT_STRING(0, "series", &req.opts.name, "NAME",
			   "the series name (default: from the cover letter's subject)"),
		OPT_REVISION(&req.opts.version),
		OPT_STRING(0, "patches-dir", &req.patches_dir, "DIR",
			   "where revisions are stored (default $SWAPLAB_PATCHES_DIR,\n"
			   "else the repository's kernel-patches/)"),
		OPT_STRING(0, "db", &db_file, "FILE",
			   "also record the series and revision in this database"),
		OPT_FLAG('n', "dry-run", &req.dry_run,
			 "parse and check only; print what would be stored"),
		OPT_QUIET(&util_quiet),
		OPT_END(),
	};

	memset(&req, 0, sizeof(req));
	snprintf(lore_help, sizeof(lore_help),
		 "public-inbox base URL (default $SWAPLAB_LORE_URL, else\n%s);\n"
		 "fetches URL/<msgid>/t.mbox.gz", INTAKE_DEFAULT_LORE_URL);
	argc = parse_options(argc, argv, opts, submit_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (in.count == 1 && req.kind == INTAKE_GIT_RANGE) {
		if (argc < 1) {
			error("--git-range needs two arguments: the kernel tree and A..B");
			return EXIT_USAGE;
		}
		req.range = argv[0];
		argv++;
		argc--;
	}
	if (argc > 0) {
		error("unexpected argument '%s'; see 'swaplab submit --help'", argv[0]);
		return EXIT_USAGE;
	}
	if (in.count != 1) {
		error(in.count ? "give only one of --mbox, --dir, --git-range, --msgid"
			       : "nothing to submit: give --mbox, --dir, --git-range or --msgid");
		return EXIT_USAGE;
	}
	if (req.lore_url && req.kind != INTAKE_LORE) {
		error("--lore-url only goes with --msgid");
		return EXIT_USAGE;
	}
	/* Open the database first: a bad --db must not leave stored files. */
	if (db_file && !req.dry_run) {
		db = db_open(db_file, DB_CREATE);
		if (!db)
			return 1;
		intake_db_init(&idb, db);
	}
	if (intake_submit(&req, &res, db ? &idb.ops : NULL) < 0) {
		db_close(db);
		return 1;
	}
	/* Known patches: make sure the database knows them too (idempotent). */
	if (db && res.already && intake_db_upsert_stored(db, res.dir) < 0)
		ret = 1;
	if (req.dry_run)
		print_dry_run(&req, &res);
	else if (res.already)
		printf("already submitted as %s v%u (%s)\n", res.series, res.version, res.dir);
	else
		printf("stored %s v%u%s: %u patch%s%s in %s\n", res.series, res.version,
		       res.rfc ? " (RFC)" : "", res.nr_patches, res.nr_patches == 1 ? "" : "es",
		       res.has_cover ? " + cover letter" : "", res.dir);
	if (db && !ret)
		printf("recorded %s v%u in %s\n", res.series, res.version, db_file);
	intake_result_release(&res);
	db_close(db);
	return ret;
}
