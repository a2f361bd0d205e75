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

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: swaplab submit (--mbox FILE | --dir DIR | --git-range TREE A..B |\n"
	"                       --msgid ID [--lore-url URL]) [options]\n"
	"\n"
	"Takes one revision of a kernel patch series and stores it under\n"
	"<patches-dir>/<series>/v<N>/ (patch files for git am, series.json).\n"
	"\n"
	"inputs (exactly one):\n"
	"  --mbox FILE          an mbox (plain or .gz), e.g. a lore t.mbox.gz thread\n"
	"  --dir DIR            the *.patch files of git format-patch\n"
	"  --git-range TREE A..B  the commits A..B of the git tree TREE (base A)\n"
	"  --msgid ID           fetch ID's thread from a public-inbox server\n"
	"options:\n"
	"  --lore-url URL       public-inbox base URL (default $SWAPLAB_LORE_URL, else\n"
	"                       " INTAKE_DEFAULT_LORE_URL "); fetches URL/<msgid>/t.mbox.gz\n"
	"  --series NAME        the series name (default: from the cover letter's subject)\n"
	"  -v, --version N      take revision vN when the input holds several; with\n"
	"                       --git-range, the version to give the patches\n"
	"  --patches-dir DIR    where revisions are stored (default $SWAPLAB_PATCHES_DIR,\n"
	"                       else the repository's kernel-patches/)\n"
	"  --db FILE            also record the series and revision in this database\n"
	"  -n, --dry-run        parse and check only; print what would be stored\n"
	"  -q, --quiet          no progress messages\n";

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
	static const struct option longopts[] = {
		{ "mbox", required_argument, NULL, 'm' },
		{ "dir", required_argument, NULL, 'd' },
		{ "git-range", required_argument, NULL, 'g' },
		{ "msgid", required_argument, NULL, 'i' },
		{ "lore-url", required_argument, NULL, 'l' },
		{ "series", required_argument, NULL, 's' },
		{ "version", required_argument, NULL, 'v' },
		{ "patches-dir", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct intake_request req;
	struct intake_result res;
	struct intake_db idb;
	struct db *db = NULL;
	const char *db_file = NULL;
	int c, inputs = 0, ret = 0;

	memset(&req, 0, sizeof(req));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v:nqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			req.kind = INTAKE_MBOX;
			req.path = optarg;
			inputs++;
			break;
		case 'd':
			req.kind = INTAKE_DIR;
			req.path = optarg;
			inputs++;
			break;
		case 'g':
			if (optind >= argc || argv[optind][0] == '-') {
				error("--git-range needs two arguments: the kernel tree and A..B");
				return 129;
			}
			req.kind = INTAKE_GIT_RANGE;
			req.path = optarg;
			req.range = argv[optind++];
			inputs++;
			break;
		case 'i':
			req.kind = INTAKE_LORE;
			req.msgid = optarg;
			inputs++;
			break;
		case 'l':
			req.lore_url = optarg;
			break;
		case 's':
			req.opts.name = optarg;
			break;
		case 'v':
			if (parse_uint(optarg, 1, 100000, &req.opts.version) < 0)
				return 129;
			break;
		case 'p':
			req.patches_dir = optarg;
			break;
		case 'D':
			db_file = optarg;
			break;
		case 'n':
			req.dry_run = 1;
			break;
		case 'q':
			util_quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			error("option '%s' needs a value", argv[optind - 1]);
			return 129;
		default:
			error("unknown option '%s'; see 'swaplab submit --help'", argv[optind - 1]);
			return 129;
		}
	}
	if (optind < argc) {
		error("unexpected argument '%s'; see 'swaplab submit --help'", argv[optind]);
		return 129;
	}
	if (inputs != 1) {
		error(inputs ? "give only one of --mbox, --dir, --git-range, --msgid"
			     : "nothing to submit: give --mbox, --dir, --git-range or --msgid");
		fputs(usage_text, stderr);
		return 129;
	}
	if (req.lore_url && req.kind != INTAKE_LORE) {
		error("--lore-url only goes with --msgid");
		return 129;
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
