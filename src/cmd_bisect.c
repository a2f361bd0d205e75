/*
 * cmd_bisect.c - `swaplab bisect`: find the commit that made a cell
 * slower (or faster), with the lab as the oracle (ci/bisect.h has the
 * method and the step rule).
 *
 *   swaplab bisect --good REV --bad REV --metric BACKEND/SIZE/PROCS [--tree DIR]
 *                  [--threshold PCT] [--direction slower|faster] [--device qemu|host|lava]
 *                  [--max-boots N] [--boots N] [--runs N] [--db FILE] [--markdown]
 *   swaplab bisect --resume [--session ID]     continue the newest (or that) session
 *   swaplab bisect --status [--session ID]     where it is
 *   swaplab bisect --report [--session ID] [--markdown]
 *   swaplab bisect --step [REV] --good REV --bad REV --metric ...   one verdict for
 *                                              `git bisect run` (0 old, 1 new, 125 skip)
 *
 * Exit status: 0 found (or --step: good), 1 nothing to bisect (or --step:
 * bad), 125 ambiguous: only skipped commits left (or --step: skip), 2 an
 * infrastructure or git failure (--resume continues), 128 fatal (--step:
 * any failure, so `git bisect run` stops instead of counting it bad),
 * 129 usage.
 */
#include "src/builtin.h"
#include "ci/bisect.h"
#include "ci/kbuild.h"
#include "db/db.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const bisect_usage[] = {
	"swaplab bisect --good REV --bad REV --metric BACKEND/SIZE/PROCS [<options>]",
	"swaplab bisect --resume | --status | --report [--session ID]",
	"swaplab bisect --step [REV] --good REV --bad REV --metric CELL [<options>]",
	"",
	"Confirms that the cell changed between the good and the bad commit by",
	"more than the threshold in the watched direction (builds both, boots",
	"each a few times), then drives git bisect in a worktree of the tree:",
	"every commit is built (cached), booted and classified against the ends",
	"with `swaplab compare`'s rule; an undecided one gets more boots, up to",
	"--max-boots, then is skipped, as is one that does not build or boot.",
	"Every step is stored in the database; --resume continues.  --step gives",
	"one commit's verdict for `git bisect run` (docs/bisect.md).",
	NULL,
};

int cmd_bisect(int argc, char **argv)
{
	const char *dbpath = "lab.db";
	struct bisect_opts o;
	int resume = 0, status = 0, report = 0, step = 0, md = 0, quiet = 0, ret;
	unsigned session = 0;
	char *deftree = NULL;
	int64_t id = 0;
	struct db *db;
	const struct po_option options[] = {
		OPT_STRING(0, "tree", &o.tree, "DIR",
			   "the kernel git tree (default: the lab's " KBUILD_DEFAULT_BASE " base)"),
		OPT_STRING(0, "good", &o.good, "REV", "a commit without the change (old)"),
		OPT_STRING(0, "bad", &o.bad, "REV", "a commit with the change (new)"),
		OPT_STRING(0, "metric", &o.metric, "CELL",
			   "the cell: BACKEND/SIZE/PROCS, e.g. zram/16M/1 (sets the plan)"),
		OPT_CALLBACK(0, "threshold", &o.threshold_pct, "PCT",
			     "the smallest change that counts, in percent (default 5)", cmd_opt_pct),
		OPT_CALLBACK(0, "direction", &o.dir, "DIR",
			     "slower (default: a regression) or faster (an improvement)",
			     cmd_opt_direction),
		OPT_STRING(0, "device", &o.device, "KIND", "qemu (default), host or lava"),
		OPT_STRING(0, "arch", &o.arch, "ARCH", "x86_64 (default) or arm64"),
		OPT_UINT(0, "boots", &o.confirm_boots, "N",
			 "boots of each end and of a step at first (default 3)", 3, 100),
		OPT_UINT(0, "max-boots", &o.max_boots, "N",
			 "most boots of one commit before it is skipped (default 8)", 3, 1000),
		OPT_UINT(0, "runs", &o.runs, "N", "swapbench runs per boot (default 3)", 1, 100),
		OPT_FLAG(0, "resume", &resume, "continue a session (the newest, or --session)"),
		OPT_FLAG(0, "status", &status, "print where a session is"),
		OPT_FLAG(0, "report", &report, "print a session's result"),
		OPT_FLAG(0, "step", &step, "one verdict for git bisect run: 0 old, 1 new, 125 skip"),
		OPT_UINT(0, "session", &session, "ID", "the session (default: the newest)", 1,
			 1u << 30),
		OPT_FLAG(0, "markdown", &md, "the result in markdown (default: plain text)"),
		OPT_DB(&dbpath),
		OPT_QUIET(&quiet),
		OPT_END(),
	};

	memset(&o, 0, sizeof(o));
	o.threshold_pct = 5.0;
	o.alpha = 0.05;
	argc = parse_options(argc, argv, options, bisect_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (resume + status + report + step > 1) {
		error("bisect: --resume, --status, --report and --step go alone");
		return EXIT_USAGE;
	}
	if (argc > (step ? 1 : 0)) {
		error("bisect: unexpected argument '%s'", argv[step ? 1 : 0]);
		return EXIT_USAGE;
	}
	if (!resume && !status && !report) {
		struct compare_cell cell;

		if (!o.good || !o.bad || !o.metric) {
			error("bisect: --good, --bad and --metric are required");
			return EXIT_USAGE;
		}
		if (compare_parse_cell(o.metric, &cell) < 0)
			return EXIT_USAGE;
	}
	if (o.device && strcmp(o.device, "qemu") && strcmp(o.device, "host") &&
	    strcmp(o.device, "lava")) {
		error("bisect: --device is qemu, host or lava, not '%s'", o.device);
		return EXIT_USAGE;
	}
	if (o.device && !strcmp(o.device, "host") && !step) {
		error("bisect: the host device runs only its own kernel; bisecting needs a device"
		      " that boots each commit (qemu, lava); --step --device host measures the"
		      " running kernel");
		return EXIT_USAGE;
	}
	if (!o.tree && kbuild_base_tree(kbuild_base_find(KBUILD_DEFAULT_BASE), NULL, &deftree) < 0)
		return step ? EXIT_FATAL : EXIT_INFRA;
	if (!o.tree)
		o.tree = deftree;
	o.progress = !quiet;
	if (!(db = cmd_open_db(dbpath))) {
		free(deftree);
		return step ? EXIT_FATAL : EXIT_INFRA;
	}
	id = session;
	if (status || report) {
		ret = status ? bisect_status(db, id, stdout) : bisect_report(db, id, md, stdout);
		ret = ret ? EXIT_FAIL : EXIT_OK;
		goto out;
	}
	if (step) {
		const char *rev = argc ? argv[0] : NULL;
		char *head = NULL;
		int v, r = session ? 0 : bisect_find(db, &o, &id);

		if (r < 0 || (r > 0 && bisect_new(db, &o, &id) < 0)) {
			ret = EXIT_FATAL;
			goto out;
		}
		if (!rev) {
			/* What git bisect run tests: BISECT_HEAD with --no-checkout, else HEAD. */
			const char *a[] = { "git", "rev-parse", "-q", "--verify", "BISECT_HEAD", NULL };

			if (run_argv_capture(a, &head) != 0) {
				const char *b[] = { "git", "rev-parse", "HEAD", NULL };

				free(head);
				head = NULL;
				if (run_argv_capture(b, &head) != 0) {
					error("bisect --step: no REV given and no git HEAD here");
					free(head);
					ret = EXIT_FATAL;
					goto out;
				}
			}
			head[strcspn(head, "\n")] = '\0';
			rev = head;
		}
		v = bisect_step_commit(db, id, &o, rev);
		if (v >= 0)
			printf("%s: %s (session %lld)\n", rev, bisect_verdict_name((enum bisect_verdict)v),
			       (long long)id);
		free(head);
		ret = v == BISECT_GOOD ? EXIT_OK : v == BISECT_BAD ? EXIT_FAIL
		      : v == BISECT_SKIP ? EXIT_UNDECIDED : EXIT_FATAL;
		goto out;
	}
	if (!resume && bisect_new(db, &o, &id) < 0) {
		ret = EXIT_FAIL;
		goto out;
	}
	if (resume && !id) {
		struct db_bisect b;

		if (db_bisect_get(db, 0, &b) != 0) {
			error("bisect --resume: no session in '%s'", dbpath);
			ret = EXIT_FAIL;
			goto out;
		}
		id = b.id;
		db_bisect_release(&b);
	}
	if (o.progress)
		info("bisect: session %lld in %s", (long long)id, dbpath);
	switch (bisect_run(db, id, &o)) {
	case BISECT_FOUND:
		ret = bisect_report(db, id, md, stdout) ? EXIT_INFRA : EXIT_OK;
		break;
	case BISECT_NOTHING:
		bisect_status(db, id, stdout);
		ret = EXIT_FAIL;
		break;
	case BISECT_AMBIGUOUS:
		bisect_status(db, id, stdout);
		ret = EXIT_UNDECIDED;
		break;
	default:
		error("bisect: session %lld interrupted; `swaplab bisect --resume --session %lld"
		      " --db %s` continues", (long long)id, (long long)id, dbpath);
		ret = EXIT_INFRA;
	}
out:
	db_close(db);
	free(deftree);
	return ret;
}
