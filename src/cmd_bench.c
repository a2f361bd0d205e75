/*
 * cmd_bench.c - `swaplab bench`: the benchmark on this machine's kernel.
 * The JSON Lines stream goes to standard output (--json), to --out FILE,
 * or both at once; the summary table goes to standard output, or to
 * standard error when standard output carries JSON.
 */
#include "bench/bench.h"
#include "builtin.h"
#include "util.h"

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
	int ret;

	bench_opts_init(&o);
	ret = bench_parse_args(&o, argc, argv);
	if (ret) {
		bench_opts_release(&o);
		return ret > 0 ? 0 : 129;
	}
	util_quiet = o.quiet;
	if (o.cleanup_only) {
		ret = bench_cleanup();
		bench_opts_release(&o);
		return ret < 0 ? 1 : 0;
	}
	if (o.db || o.label) {
		error("--db and --label need the database module, which this build does not have yet");
		bench_opts_release(&o);
		return 129;
	}
	if (o.out) {
		out = fopen(o.out, "wx");
		if (!out) {
			error_errno("cannot create '%s'", o.out);
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
	bench_opts_release(&o);
	if (ret == -2)
		return 130;
	return ret < 0 ? 1 : 0;
}
