/*
 * bench/sysfs.h - parsers for the /proc and /sys files the benchmark
 * reads.  The parse_* functions work on text and touch no file, so the
 * unit tests feed them captured kernel output; the read_* functions read
 * the live file and parse it.
 */
#ifndef SWAPLAB_BENCH_SYSFS_H
#define SWAPLAB_BENCH_SYSFS_H

#include <stddef.h>
#include <stdint.h>

/* /sys/block/zramN/mm_stat (Documentation/admin-guide/blockdev/zram.rst). */
struct zram_mm_stat {
	uint64_t orig_data_size, compr_data_size, mem_used_total, mem_limit;
	uint64_t mem_used_max, same_pages, pages_compacted, huge_pages;
};
int parse_zram_mm_stat(const char *text, struct zram_mm_stat *st);
/* io_stat: failed_reads failed_writes invalid_io notify_free. */
int parse_zram_io_stat(const char *text, uint64_t *notify_free);
/* debug_stat: "version: 1\n writestall miss_free" (miss_free absent on old kernels). */
int parse_zram_debug_stat(const char *text, uint64_t *miss_free);

/* "key:   123 kB" in /proc/meminfo or /proc/<pid>/status; value in bytes. */
int parse_kb_field(const char *text, const char *key, uint64_t *bytes);
/* "key 123" in /proc/vmstat. */
int parse_vmstat_field(const char *text, const char *key, uint64_t *val);
/*
 * Rss and Swap in bytes summed over the smaps entries of the VMAs inside
 * [start, end): a region that was partly unmapped and mapped again may be
 * several VMAs.  -1 if none is there, or one reaches outside the range.
 */
int parse_smaps_range(const char *text, uintptr_t start, uintptr_t end, uint64_t *rss,
		      uint64_t *swap);
/* The word in brackets of "always [madvise] never" into out. */
int parse_bracketed(const char *text, char *out, size_t len);
/* Whether word is one of the space-separated words (brackets ignored). */
int word_in_list(const char *list, const char *word);
/* First "cpu " line of /proc/stat: busy ticks (all but idle and iowait). */
int parse_proc_stat_busy(const char *text, uint64_t *ticks);
/* "usage_usec N" in a cgroup v2 cpu.stat. */
int parse_cpu_stat_usage(const char *text, uint64_t *usec);
/* The devices (first column) of /proc/swaps; returns count, fills up to max. */
int parse_proc_swaps(const char *text, char (*paths)[256], int max);
/* Mount point of the first mount of fstype in /proc/mounts (and options). */
int parse_mount_point(const char *text, const char *fstype, const char *opt,
		      char *out, size_t len);

/* Live readers. */
int read_zram_mm_stat(int id, struct zram_mm_stat *st);
uint64_t read_vmstat(const char *key);   /* 0 when absent */
uint64_t read_meminfo(const char *key);  /* bytes, 0 when absent */
int swap_is_active(const char *path);

#endif
