/*
 * cmd_watch.c - `swaplab watch`: continuous mode (ci/watch.h).
 */
#include "src/builtin.h"
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

static void watch_usage(FILE *f)
{
	fprintf(f,
"usage: swaplab watch [--maildir DIR]... [--mbox-dir DIR]... [--git TREE --ref REF\n"
"                     --series NAME [--base REV]] [--db FILE] [--once] [--interval DUR]\n"
"                     [--patches-dir DIR] [--device qemu|lava] [--option KEY=VALUE]...\n"
"                     [--rounds N] [--out DIR] [--attempts N] [-- PLAN]\n"
"\n"
"Follows inboxes (maildir folders, directories of mbox files) and a git ref,\n"
"takes every new patch revision in as 'swaplab submit' does, queues it in the\n"
"database and runs the queue through 'swaplab pipeline'.  --once: one scan and\n"
"one pass over the queue, then exit (for a timer).  The queue survives restarts;\n"
"'swaplab status' shows it.\n");
}

int cmd_watch(int argc, char **argv)
{
	struct watch_opts o;
	const char *dbpath = DB_DEFAULT_PATH;
	const char **maildirs = xcalloc((size_t)argc + 1, sizeof(char *));
	const char **mboxdirs = xcalloc((size_t)argc + 1, sizeof(char *));
	const char **options = xcalloc((size_t)argc + 1, sizeof(char *));
	size_t nm = 0, nb = 0, no = 0;
	uint64_t interval_ms = 60000;
	int once = 0, i, ret = 1, r, missing = 0;
	struct db *db = NULL;
	struct sigaction sa;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = pipeline_cli_option(&o.pipeline, options, &no, argc, argv, &i);

		if (r < 0)
			goto usage;
		if (r > 0)
			continue;
/* A known option without its value: that error only, not "unknown argument" too. */
#define TAKE(name) (!strcmp(a, name) && (v || (error("%s needs a value", name), missing = 1, 0)) && ++i)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			watch_usage(stdout);
			ret = 0;
			goto out;
		} else if (!strcmp(a, "--once")) {
			once = 1;
		} else if (TAKE("--maildir")) {
			maildirs[nm++] = v;
		} else if (TAKE("--mbox-dir")) {
			mboxdirs[nb++] = v;
		} else if (TAKE("--git")) {
			o.git_tree = v;
		} else if (TAKE("--ref")) {
			o.git_ref = v;
		} else if (TAKE("--base")) {
			o.git_base = v;
		} else if (TAKE("--series")) {
			o.git_series = v;
		} else if (TAKE("--db")) {
			dbpath = v;
		} else if (TAKE("--interval")) {
			if (parse_duration_ms(v, &interval_ms) < 0 || !interval_ms)
				goto usage;
		} else if (TAKE("--patches-dir")) {
			o.patches_dir = v;
		} else if (TAKE("--attempts")) {
			if (parse_uint(v, 1, 100, &o.max_attempts) < 0)
				goto usage;
		} else {
			if (!missing)
				error("unknown argument '%s'", a);
			goto usage;
		}
#undef TAKE
	}
	if (!nm && !nb && !o.git_tree) {
		error("nothing to watch: give --maildir, --mbox-dir or --git TREE --ref REF");
		goto usage;
	}
	if (o.git_tree && (!o.git_ref || !o.git_series)) {
		error("--git needs --ref REF and --series NAME");
		goto usage;
	}
	pipeline_cli_finish(&o.pipeline, options, no);
	o.maildirs = maildirs;
	o.mbox_dirs = mboxdirs;
	db = db_open(dbpath, DB_CREATE);
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
		watch_scan(db, &o);
		watch_drain(db, &o, &stop);
		for (uint64_t t = 0; !once && !stop && t < interval_ms; t += 200)
			sleep_ns(200000000ULL);
	} while (!once && !stop);
	ret = 0;
out:
	if (db)
		db_close(db);
	free(maildirs);
	free(mboxdirs);
	free(options);
	return ret;
usage:
	watch_usage(stderr);
	ret = 129;
	goto out;
}
