/*
 * cmd_bench.c - `swaplab bench`: the benchmark on this machine's kernel.
 * The JSON Lines stream goes to standard output (--json), to --out FILE,
 * or both at once; the summary table goes to standard output, or to
 * standard error when standard output carries JSON.  With --db FILE
 * --label NAME the stream is also stored, through the same import as
 * `swaplab db import` (a temporary file, imported in one transaction once
 * the run is complete, so an interrupted run stores nothing).
 */
#include "bench/bench.h"
#include "src/builtin.h"
#include "db/db.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A write-only stream that copies everything to two streams. */
struct tee {
	FILE *a, *b;
};

static ssize_t tee_write(void *cookie, const char *buf, size_t len)
{
	struct tee *t = cookie;

	if (fwrite(buf, 1, len, t->a) != len || fwrite(buf, 1, len, t->b) != len)
		return -1;
	/* Keep both as current as the benchmark's own line flushes. */
	fflush(t->a);
	fflush(t->b);
	return (ssize_t)len;
}

static FILE *tee_open(struct tee *t)
{
	cookie_io_functions_t io = { .write = tee_write };

	return fopencookie(t, "w", io);
}

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o;
	struct tee t = { NULL, NULL };
	FILE *out = NULL, *jsonl = NULL, *table;
	struct db *db = NULL;
	char tmp[64] = "";
	int ret;

	bench_opts_init(&o);
	ret = bench_parse_args(&o, argc, argv, BENCH_CLI_SWAPLAB);
	if (ret) {
		bench_opts_release(&o);
		return po_exit_code(ret);
	}
	util_quiet = o.quiet;
	if (o.cleanup_only) {
		ret = bench_cleanup();
		bench_opts_release(&o);
		return ret < 0 ? EXIT_FAIL : EXIT_OK;
	}
	if (o.verify && o.db) {
		error("--verify checks integrity and measures nothing: it stores nothing in --db");
		bench_opts_release(&o);
		return 129;
	}
	if (!o.db != !o.label) {
		error("--db and --label go together: the database and the label to store the run under");
		bench_opts_release(&o);
		return EXIT_USAGE;
	}
	if (o.db) {
		/* Fail on a bad database before the benchmark runs, not after. */
		db = db_open(o.db, DB_CREATE);
		if (!db) {
			bench_opts_release(&o);
			return 1;
		}
		if (!o.out) {
			int fd;

			snprintf(tmp, sizeof(tmp), "/tmp/swaplab-bench-XXXXXX.jsonl");
			fd = mkstemps(tmp, 6);
			if (fd < 0 || !(out = fdopen(fd, "w"))) {
				error_errno("cannot create a temporary file");
				db_close(db);
				bench_opts_release(&o);
				return 1;
			}
		}
	}
	if (o.out) {
		out = fopen(o.out, "wx");
		if (!out) {
			error_errno("cannot create '%s'", o.out);
			db_close(db);
			bench_opts_release(&o);
			return 1;
		}
	}
	if (out && o.json) {
		t.a = out;
		t.b = stdout;
		jsonl = tee_open(&t);
	} else {
		jsonl = out ? out : o.json ? stdout : NULL;
	}
	table = o.json ? stderr : stdout;
	ret = bench_run(&o, jsonl, table);
	if (jsonl && jsonl != out && jsonl != stdout)
		fclose(jsonl);
	if (out && fclose(out) != 0)
		ret = error_errno("cannot write '%s'", o.out);
	if (ret < 0 && o.out)
		warning("'%s' holds an incomplete run (its end line is not \"ok\")", o.out);
	if (db) {
		if (ret == 0) {
			struct db_import_opts io = { .device_kind = "host" };
			struct db_import_stats st;

			if (db_import_jsonl(db, o.out ? o.out : tmp, o.label, &io, &st) < 0)
				ret = -1;
			else
				info("stored %llu samples in '%s' under label '%s'",
				     (unsigned long long)st.samples, o.db, o.label);
		} else {
			warning("nothing was stored in '%s'", o.db);
		}
		db_close(db);
	}
	if (tmp[0])
		unlink(tmp);
	bench_opts_release(&o);
	if (ret == -2)
		return 130;
	return ret < 0 ? 1 : 0;
}
