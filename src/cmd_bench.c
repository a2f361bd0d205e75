/*
 * cmd_bench.c - `swaplab bench`: the benchmark on this machine's kernel.
 * Its results go to standard output (table, or JSON Lines with --json),
 * to --out FILE, and with --db FILE --label NAME into the database through
 * the same import path as `swaplab db import`.
 */
#include "bench/bench.h"
#include "builtin.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o;
	FILE *jsonl = NULL, *table;
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
		jsonl = fopen(o.out, "wx");
		if (!jsonl) {
			error_errno("cannot create '%s'", o.out);
			bench_opts_release(&o);
			return 1;
		}
	} else if (o.json) {
		jsonl = stdout;
	}
	table = o.json && !o.out ? stderr : stdout;
	ret = bench_run(&o, jsonl, table);
	if (jsonl && jsonl != stdout && fclose(jsonl) != 0)
		ret = error_errno("cannot write '%s'", o.out);
	if (ret < 0 && o.out && ret != -2)
		warning("'%s' holds an incomplete run (no ok end line)", o.out);
	bench_opts_release(&o);
	if (ret == -2)
		return 130;
	return ret < 0 ? 1 : 0;
}
