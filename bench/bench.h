/*
 * bench/bench.h - the swap-release benchmark: munmap() latency of
 * anonymous VMAs whose pages were swapped out to zram or to zswap, in one
 * process or in N processes unmapping at once, plus what happens after
 * munmap returns (memory really given back, CPU spent by background
 * workers).  libc only, so the same code runs as `swaplab bench` and as
 * the static `swapbench` on a board.
 *
 * Output is the JSON Lines stream of docs/bench-output.md.
 */
#ifndef SWAPLAB_BENCH_H
#define SWAPLAB_BENCH_H

#include "common/parse-options.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum bench_backend { BACKEND_ZRAM, BACKEND_ZSWAP };
enum bench_fill { FILL_VARIED, FILL_RANDOM, FILL_ZERO, FILL_SAME };
enum bench_load { LOAD_NONE, LOAD_CPU, LOAD_MEM };
enum bench_pageout { PAGEOUT_AUTO, PAGEOUT_MADVISE, PAGEOUT_MEMCG };
enum bench_suite { SUITE_MUNMAP, SUITE_FIO };

struct bench_opts {
	enum bench_suite suite;
	enum bench_backend backends[2];
	size_t nr_backends;
	uint64_t *sizes;          /* bytes, each a multiple of the page size */
	size_t nr_sizes;
	unsigned *procs;
	size_t nr_procs;
	unsigned runs;
	enum bench_fill fill;
	double ratio;             /* target compression ratio of FILL_VARIED */
	char thp[16];             /* "never", "pmd" or an mTHP size like "64K" */
	enum bench_load load;
	enum bench_pageout pageout;
	const char *zram_comp;    /* NULL: the device's default */
	const char *zswap_comp;   /* NULL: keep the current compressor */
	unsigned zswap_max_pool;  /* 0: keep the current max_pool_percent */
	uint64_t swap_size;       /* 0: derived from the matrix */
	int swap_prio;
	uint64_t drain_timeout_ms;
	uint64_t fio_size;
	const char *fio_dir;
	const char *backing_dir;  /* where zswap's backing swap file lives */
	const char *device;       /* device label for the env record */
	int json;
	int quiet;
	int cleanup_only;
	int dry_run;              /* validate and print the plan, touch nothing */
	int verify;               /* integrity workload instead (bench/verify.c) */
	/* swaplab only (ignored by the bench itself). */
	const char *db;
	const char *label;
	const char *out;          /* also write the JSONL stream here */
};

void bench_opts_init(struct bench_opts *o);
void bench_opts_release(struct bench_opts *o);
/*
 * Parses the benchmark's options (argv[0] is the command name) with the
 * option layer (common/parse-options.h), for `swaplab bench` with
 * BENCH_CLI_SWAPLAB (its --db, --label, --out), else for swapbench.
 * Returns 0, PO_HELP after printing the help on stdout, or PO_ERROR after
 * one error line; po_exit_code() turns either into the exit status.
 */
enum { BENCH_CLI_SWAPLAB = 1 << 0 };
int bench_parse_args(struct bench_opts *o, int argc, char **argv, unsigned flags);

/*
 * Runs the whole matrix, writing JSON Lines to jsonl (may be NULL) and a
 * summary table to table (may be NULL).  Everything it changes in the
 * system is journaled and restored before it returns, also on error and
 * on SIGINT/SIGTERM/SIGHUP.  Returns 0, or -1 after printing why.
 */
int bench_run(const struct bench_opts *o, FILE *jsonl, FILE *table);

/* Restores what a killed run left behind (the journal); 0 if nothing. */
int bench_cleanup(void);

/* Set by the signal handler; every wait in the bench checks it. */
extern volatile sig_atomic_t bench_interrupted;

const char *backend_name(enum bench_backend b);

#endif
