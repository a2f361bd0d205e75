/*
 * bench/backend.h - the two compressed-swap backends under test.
 *
 *   zram   a private zram device (hot_add), used as the only preferred
 *          swap device; zswap is switched off meanwhile because it would
 *          sit in front of it.
 *   zswap  zswap switched on over a backing swap device of our own (a
 *          swap file, or a loop device over one where the filesystem
 *          cannot hold swap files).  Pages that fall through to the
 *          backing device invalidate the sample.
 */
#ifndef SWAPLAB_BENCH_BACKEND_H
#define SWAPLAB_BENCH_BACKEND_H

#include "bench/bench.h"
#include "bench/state.h"

struct backend {
	enum bench_backend kind;
	int zram_id;
	char swapdev[256];        /* what was swapon'ed */
	char comp[64];
	char backing[8];          /* zswap: "file" or "loop" */
	uint64_t swap_size;
	unsigned max_pool_percent;
	char zswap_debug[160];    /* debugfs zswap directory, "" if none */
};

/* What the backend holds; all cumulative counters except the sizes. */
struct backend_counters {
	uint64_t pool_bytes;      /* zram mem_used_total, zswap pool size */
	uint64_t orig_bytes;      /* zram orig_data_size, zswap Zswapped */
	uint64_t notify_free, miss_free;
	uint64_t zswpout, pswpout, swpout_zero;
	uint64_t pool_limit_hit, rejects;  /* zswap debugfs, 0 if absent */
};

/* Checks what can be checked without touching the system. */
int backend_preflight(enum bench_backend kind, const struct bench_opts *o);
int backend_setup(struct backend *b, enum bench_backend kind, const struct bench_opts *o,
		  struct bench_state *st, uint64_t swap_size);
int backend_read(const struct backend *b, struct backend_counters *c);
/* The cheap read used while polling the drain. */
int backend_pool_bytes(const struct backend *b, uint64_t *bytes);

#endif
