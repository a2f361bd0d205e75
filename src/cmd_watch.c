/*
 * cmd_watch.c - `swaplab watch`: continuous mode (ci/watch.h).
 */
#include "src/builtin.h"
#include "src/pipeline-options.h"
#include "ci/watch.h"
#include "db/db.h"
#include "common/util.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *const watch_usage[] = {
	"swaplab watch (--maildir DIR | --mbox-dir DIR)... [--once] [<options>] [-- PLAN...]",
	"swaplab watch --git TREE --ref REF --series NAME [--once] [<options>] [-- PLAN...]",
	"",
	"Follows inboxes (maildir folders, directories of mbox files) and a git ref,",
	"takes every new patch revision in as 'swaplab submit' does, queues it in the",
	"database and runs the queue through 'swaplab pipeline'.  --once: one scan and",
	"one pass over the queue, then exit (for a timer).  The queue survives",
	"restarts; 'swaplab status' shows it.",
	NULL,
};

static int parse_interval(const struct po_option *opt, const char *arg)
{
	uint64_t ms;

	if (parse_duration_ms(arg, &ms) < 0 || !ms)
		return error("option '--interval' expects a duration such as 30s, 5m or 1h, not '%s'",
			     arg);
	*(uint64_t *)opt->value = ms;
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_opts o;
	const char *dbpath = NULL;
	struct strlist maildirs = { 0 }, mboxdirs = { 0 }, options = { 0 };
	uint64_t interval_ms = 60000;
	int once = 0, ret = EXIT_USAGE, r;
	struct db *db = NULL;
	struct sigaction sa;
	const struct po_option opts[] = {
		OPT_GROUP("what to follow"),
		OPT_LIST(0, "maildir", &maildirs, "DIR", "a maildir folder (repeatable)"),
		OPT_LIST(0, "mbox-dir", &mboxdirs, "DIR", "a directory of mbox files (repeatable)"),
		OPT_STRING(0, "git", &o.git_tree, "TREE", "a kernel tree whose --ref moves"),
		OPT_STRING(0, "ref", &o.git_ref, "REF", "the ref followed in --git's tree"),
		OPT_STRING(0, "base", &o.git_base, "REV", "its revisions' base (default v6.1-debian)"),
		OPT_STRING(0, "series", &o.git_series, "NAME", "the series name of --git's revisions"),
		OPT_GROUP("the queue"),
		OPT_DB(&dbpath),
		OPT_FLAG(0, "once", &once, "one scan and one pass over the queue, then exit"),
		OPT_CALLBACK(0, "interval", &interval_ms, "DUR",
			     "between scans (default 1m)", parse_interval),
		OPT_STRING(0, "patches-dir", &o.patches_dir, "DIR",
			   "where revisions are stored (default: intake's)"),
		OPT_UINT(0, "attempts", &o.max_attempts, "N",
			 "a revision is given up after N failures (default 2)", 1, 100),
		OPT_PIPELINE_RUNS(&o.pipeline, &options),
		OPT_END(),
	};

	memset(&o, 0, sizeof(o));
	argc = parse_options(argc, argv, opts, watch_usage, PO_KEEP_DASHDASH);
	if (argc < 0) {
		ret = po_exit_code(argc);
		goto out;
	}
	if (pipeline_cli_finish(&o.pipeline, &options, argc, argv) > 0) {
		error("unexpected argument '%s' (the plan goes after '--')", argv[0]);
		goto out;
	}
	if (!maildirs.nr && !mboxdirs.nr && !o.git_tree) {
		error("nothing to watch: give --maildir, --mbox-dir or --git TREE --ref REF");
		goto out;
	}
	if (o.git_tree && (!o.git_ref || !o.git_series)) {
		error("--git needs --ref REF and --series NAME");
		goto out;
	}
	strlist_append(&maildirs, NULL);
	strlist_append(&mboxdirs, NULL);
	o.maildirs = maildirs.items;
	o.mbox_dirs = mboxdirs.items;
	ret = EXIT_FAIL;
	db = cmd_open_db(dbpath);
	if (!db)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = db_queue_recover(db);
	if (r > 0)
		warning("watch: %d revision%s left running by an earlier watcher queued again",
			r, r == 1 ? "" : "s");
	do {
		if (watch_scan(db, &o) < 0 || watch_drain(db, &o, &stop) < 0) {
			/* Full or read-only: every later write would fail too. */
			error("watch: stopped: the database '%s' cannot be written (see above); "
			      "nothing was lost: the next watch takes the inputs and the queue "
			      "from where they are", db_path(db));
			ret = EXIT_INFRA;
			goto out;
		}
		for (uint64_t t = 0; !once && !stop && t < interval_ms; t += 200)
			sleep_ns(200000000ULL);
	} while (!once && !stop);
	ret = EXIT_OK;
out:
	if (db)
		db_close(db);
	strlist_release(&maildirs);
	strlist_release(&mboxdirs);
	strlist_release(&options);
	return ret;
}
