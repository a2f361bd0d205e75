/* Unit tests: the benchmark's option parsing (bench/cli.c). */
#include "bench/bench.h"
#include "tap.h"
#include "common/util.h"

static int parse(struct bench_opts *o, int argc, char **argv)
{
	bench_opts_release(o);
	bench_opts_init(o);
	return bench_parse_args(o, argc, argv, BENCH_CLI_SWAPLAB);
}

int main(void)
{
	struct bench_opts o;

	bench_opts_init(&o);
	{
		char *a[] = { "bench", NULL };
		ok(parse(&o, 1, a) == 0 && o.nr_backends == 1 && o.backends[0] == BACKEND_ZRAM &&
		   o.nr_sizes == 3 && o.sizes[0] == 64ULL << 20 && o.nr_procs == 1 && o.runs == 5,
		   "defaults: zram, 64M-256M, 1 process, 5 runs");
	}
	{
		char *a[] = { "bench", "--backend", "zram,zswap", "--sizes=64M,1G", "--procs", "1,2,3",
			      "--runs", "7", "--json", "--fill", "random", "--thp", "64K",
			      "--zswap-max-pool", "40", "--drain-timeout", "500ms", NULL };
		ok(parse(&o, 17, a) == 0, "full option set parses");
		ok(o.nr_backends == 2 && o.backends[1] == BACKEND_ZSWAP, "two backends");
		ok(o.nr_sizes == 2 && o.sizes[1] == 1ULL << 30, "--sizes= form");
		ok(o.nr_procs == 3 && o.procs[2] == 3 && o.runs == 7 && o.json, "procs, runs, json");
		ok(o.fill == FILL_RANDOM && !strcmp(o.thp, "64K") && o.zswap_max_pool == 40 &&
		   o.drain_timeout_ms == 500, "fill, thp, pool, timeout");
	}
	{
		char *a[] = { "bench", "--verify", "--procs", "2", NULL };
		char *b[] = { "bench", NULL };
		ok(parse(&o, 4, a) == 0 && o.verify && o.nr_procs == 1 && o.procs[0] == 2 &&
		   parse(&o, 1, b) == 0 && !o.verify, "--verify is a flag, off by default");
	}
	{
		char *a[] = { "bench", "--backend", "zram,zram", NULL };
		ok(parse(&o, 3, a) == 0 && o.nr_backends == 1, "duplicate backend folded");
	}
	{
		char *a[] = { "bench", "--backend", "zfs", NULL };
		ok(parse(&o, 3, a) < 0, "unknown backend rejected");
	}
	{
		char *a[] = { "bench", "--sizes", "64Q", NULL };
		ok(parse(&o, 3, a) < 0, "malformed size rejected");
	}
	{
		char *a[] = { "bench", "--procs", "0", NULL };
		ok(parse(&o, 3, a) < 0, "zero processes rejected");
	}
	{
		char *a[] = { "bench", "--runs", NULL };
		ok(parse(&o, 2, a) < 0, "missing value rejected");
	}
	{
		char *a[] = { "bench", "--ratio", "0.5", NULL };
		ok(parse(&o, 3, a) < 0, "ratio below 1 rejected");
	}
	{
		char *a[] = { "bench", "--fill", "sparse", NULL };
		ok(parse(&o, 3, a) < 0, "unknown fill rejected");
	}
	{
		char *a[] = { "bench", "--comp", "lz4; rm -rf /", NULL };
		ok(parse(&o, 3, a) < 0, "compressor name with shell characters rejected");
	}
	{
		char *a[] = { "bench", "--thp", "huge", NULL };
		ok(parse(&o, 3, a) < 0, "unknown THP mode rejected");
	}
	{
		char *a[] = { "bench", "--frobnicate", NULL };
		ok(parse(&o, 2, a) < 0, "unknown option rejected");
	}
	{
		char *a[] = { "bench", "stray", NULL };
		ok(parse(&o, 2, a) < 0, "stray argument rejected");
	}
	{
		char *a[] = { "bench", "--prio", "40000", NULL };
		ok(parse(&o, 3, a) < 0, "priority out of range rejected");
	}
	{
		char *a[] = { "bench", "--size", "64M", NULL };
		ok(parse(&o, 3, a) == PO_ERROR, "an abbreviation (--size) is an unknown option");
	}
	{
		char *a[] = { "bench", "--runs=3", "--prio", "7", NULL };
		ok(parse(&o, 4, a) == 0 && o.runs == 3 && o.swap_prio == 7, "--opt=value and --opt value");
	}
	{
		char *a[] = { "bench", "--db", "x.db", "--label", "l", NULL };
		ok(parse(&o, 5, a) == 0 && !strcmp(o.db, "x.db") && !strcmp(o.label, "l"),
		   "swaplab bench takes --db and --label");
	}
	{
		char *a[] = { "swapbench", "--db", "x.db", NULL };

		bench_opts_release(&o);
		bench_opts_init(&o);
		ok(bench_parse_args(&o, 3, a, 0) == PO_ERROR, "swapbench refuses --db");
	}
	bench_opts_release(&o);
	return done_testing();
}
