/*
 * bench/internal.h - what the benchmark's files share among themselves:
 * one measured sample, the cell being run, output and the CPU clock.
 */
#ifndef SWAPLAB_BENCH_INTERNAL_H
#define SWAPLAB_BENCH_INTERNAL_H

#include "bench/backend.h"
#include "bench/bench.h"

/* One process's munmap in one run of one cell (docs/bench-output.md). */
struct sample {
	/* per process */
	unsigned proc;
	uint64_t munmap_ns, start_ns, swap_bytes, rss_bytes, vmswap_bytes;
	uint64_t fill_ns, pageout_ns;
	unsigned pageout_passes;
	/* per run of the cell */
	uint64_t wall_ns, drain_ns, cpu_ns;
	int drained;
	uint64_t pool_base, pool_before, pool_peak, pool_after, orig_bytes;
	uint64_t notify_free, miss_free, zswpout, pswpout;
	uint64_t thp_swpout, thp_fallback;  /* large folios swapped whole / split */
};

struct cell {
	const struct bench_opts *o;
	const struct backend *b;
	uint64_t size;
	unsigned procs, run;
	uint64_t idle_pool;       /* backend memory when it held nothing of ours */
	char memcg[256];          /* cgroup to join for memory.reclaim, or "" */
};

/* Large-folio swap-outs (whole, split) of the --thp size so far. */
void thp_swpout_read(const struct bench_opts *o, uint64_t *whole, uint64_t *split);

/*
 * In a forked process of a cell: drop the journal's lock, default the
 * signals, join the cell's cgroup.  -1 with a message in err.
 */
int cell_child_enter(const struct cell *c, char *err, size_t len);
/* MADV_HUGEPAGE or MADV_NOHUGEPAGE, as --thp asks. */
int cell_thp_advice(const struct cell *c);

/* What paging a range out took. */
struct pageout {
	uint64_t rss, swap;       /* bytes of the range after the last pass */
	uint64_t ns;              /* added up over the passes */
	unsigned passes;
};
/*
 * Pages [p, p + size) out the cell's way (MADV_PAGEOUT, or memory.reclaim
 * of its cgroup) until /proc/self/smaps shows at least 99% of it swapped,
 * in at most 8 passes.  -1 with a message in err.
 */
int pageout_range(const struct cell *c, unsigned proc, char *p, uint64_t size,
		  struct pageout *po, char *err, size_t len);

/* Runs one run of a cell; fills samples[0..procs).  -1 on error. */
int cell_run(const struct cell *c, struct sample *samples);
/* Whether MADV_PAGEOUT works on this kernel. */
int pageout_supported(void);
/* The worker -> bench pipe's fixed-size messages: a write retried on
 * EINTR (a short write of a message this small does not happen on a
 * pipe); a read of exactly len bytes, -2 when a signal asked the bench
 * to stop, -1 at EOF or on error. */
void msg_send(int fd, const void *m, size_t len);
int msg_read(int fd, void *m, size_t len);

/*
 * Mounts cgroup v1 cpuacct (journaled) when the kernel has it and nothing
 * mounted it, so that cpu_ns is scheduler-precise; 0 also when it cannot.
 * cpu_clock_forget() after the journal was restored (the mount is gone).
 */
int cpu_clock_prepare(struct bench_state *st);
void cpu_clock_forget(void);
/* CPU time of all CPUs in ns, from the best clock this system has. */
uint64_t cpu_clock_ns(void);
const char *cpu_clock_name(void);

/* Output. */
void out_env(FILE *f, const struct bench_opts *o, const struct backend *zram,
	     const struct backend *zswap);
void out_sample(FILE *f, const struct cell *c, const struct sample *s);
void out_end(FILE *f, const char *status, unsigned long samples, const char *msg);
/* Keeps per-run figures for the summary table. */
void summary_add(const struct cell *c, const struct sample *s, unsigned nr);
void summary_print(FILE *f, const struct bench_opts *o);
void summary_free(void);

/*
 * Background load (stress-ng; for cpu without stress-ng, the bench's own
 * spinners); pid or -1.  stop is safe with -1.  load_tool() names what
 * load_start() would run, or NULL when nothing can supply it.
 */
const char *load_tool(enum bench_load load);
pid_t load_start(enum bench_load load);
void load_stop(pid_t pid);

/* --verify (bench/verify.c). */
struct verify_result {         /* one process in one run of a cell */
	unsigned proc;
	uint64_t pages, unmapped, rewritten, written, mismatched;
	unsigned pageouts, passes;
	/* per run of the cell */
	uint64_t backend_pages;   /* zram: pswpout delta; zswap: zswpout delta */
	uint64_t swap_slots;      /* slots of the swap device */
};
struct verify_mismatch {       /* one page that came back different */
	unsigned proc, gen;
	uint64_t page, offset, differ;
	unsigned len;             /* bytes in expected/found */
	unsigned char expected[16], found[16];
	char found_as[160];       /* what the found data is, decoded */
};
int verify_preflight(const struct bench_opts *o);
/* One run of a cell: 0 all matched, 1 a mismatch (reported), -1 error. */
int verify_run(const struct cell *c, FILE *jsonl);
void verify_summary(FILE *f, int failed);
void out_verify(FILE *f, const struct cell *c, const struct verify_result *r);
void out_mismatch(FILE *f, const struct cell *c, const struct verify_mismatch *m);

int fio_suite_run(const struct bench_opts *o, FILE *jsonl, FILE *table,
		  struct bench_state *st);

#endif
