/*
 * bench/backend.c - set-up and counters of the zram and zswap backends
 * (see backend.h).  Every change goes through the state journal.
 */
#include "bench/backend.h"
#include "bench/swapdev.h"
#include "bench/sysfs.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <unistd.h>

#define ZSWAP_PARAM "/sys/module/zswap/parameters/"

const char *backend_name(enum bench_backend b)
{
	return b == BACKEND_ZRAM ? "zram" : "zswap";
}

static int exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Any zram device's comp_algorithm shows what zram offers. */
static int zram_any_comp_list(char *out, size_t len)
{
	int i;

	for (i = 0; i < 64; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/block/zram%d/comp_algorithm", i);
		if (read_file_trim(path, out, len) == 0)
			return 0;
	}
	return -1;
}

static int crypto_has(const char *name)
{
	char *text = slurp_file("/proc/crypto", NULL), *line, *save = NULL;
	int found = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char n[128];

		if (sscanf(line, "name : %127s", n) == 1 && !strcmp(n, name))
			found = 1;
	}
	free(text);
	return found;
}

int backend_preflight(enum bench_backend kind, const struct bench_opts *o)
{
	char list[256];

	if (kind == BACKEND_ZRAM) {
		if (!exists("/sys/class/zram-control/hot_add"))
			return error("zram is not available: /sys/class/zram-control/hot_add is "
				     "missing (CONFIG_ZRAM not set, or the zram module is not loaded)");
		if (o->zram_comp && zram_any_comp_list(list, sizeof(list)) == 0 &&
		    !word_in_list(list, o->zram_comp))
			return error("unknown zram compressor '%s' (this kernel offers: %s)",
				     o->zram_comp, list);
		return 0;
	}
	if (!exists(ZSWAP_PARAM "enabled"))
		return error("zswap is not available: " ZSWAP_PARAM "enabled is missing "
			     "(CONFIG_ZSWAP not set)");
	if (o->zswap_comp && crypto_has(o->zswap_comp) == 0)
		return error("unknown zswap compressor '%s': not in /proc/crypto", o->zswap_comp);
	if (!o->backing_dir || !*o->backing_dir)
		return error("no directory for zswap's backing swap file");
	if (access(o->backing_dir, W_OK) < 0)
		return error_errno("cannot use '%s' for zswap's backing swap file", o->backing_dir);
	return 0;
}

static int setup_zram(struct backend *b, const struct bench_opts *o, struct bench_state *st)
{
	char list[256];
	int fd;

	/* zswap would intercept the pages before they reach zram. */
	if (read_file_trim(ZSWAP_PARAM "enabled", list, sizeof(list)) == 0 && list[0] == 'Y' &&
	    state_set_param(st, ZSWAP_PARAM "enabled", "N") < 0)
		return -1;
	b->zram_id = state_zram_hot_add(st);
	if (b->zram_id < 0)
		return -1;
	if (o->zram_comp) {
		if (zram_comp_list(b->zram_id, list, sizeof(list)) < 0)
			return -1;
		if (!word_in_list(list, o->zram_comp))
			return error("unknown zram compressor '%s' (this kernel offers: %s)",
				     o->zram_comp, list);
	}
	if (zram_configure(b->zram_id, o->zram_comp, b->swap_size) < 0)
		return -1;
	if (zram_comp_list(b->zram_id, list, sizeof(list)) < 0 ||
	    parse_bracketed(list, b->comp, sizeof(b->comp)) < 0)
		return error("cannot tell zram%d's compressor from '%s'", b->zram_id, list);
	snprintf(b->swapdev, sizeof(b->swapdev), "/dev/zram%d", b->zram_id);
	fd = open(b->swapdev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return error_errno("cannot open '%s'", b->swapdev);
	if (swap_write_header(fd, b->swap_size, b->swapdev) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (state_add_swapon(st, b->swapdev) < 0)
		return -1;
	return swapdev_on(b->swapdev, o->swap_prio);
}

static void find_zswap_debugfs(struct backend *b, struct bench_state *st)
{
	char *mounts = slurp_file("/proc/mounts", NULL);
	char mnt[128];

	b->zswap_debug[0] = '\0';
	if (!mounts)
		return;
	if (parse_mount_point(mounts, "debugfs", NULL, mnt, sizeof(mnt)) < 0) {
		/* The reject and pool-limit counters only exist in debugfs. */
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) == 0) {
			snprintf(st->debugfs, sizeof(st->debugfs), "/sys/kernel/debug");
			state_save(st);
			snprintf(mnt, sizeof(mnt), "/sys/kernel/debug");
		} else {
			mnt[0] = '\0';
		}
	}
	if (mnt[0]) {
		snprintf(b->zswap_debug, sizeof(b->zswap_debug), "%s/zswap", mnt);
		if (!exists(b->zswap_debug))
			b->zswap_debug[0] = '\0';
	}
	free(mounts);
}

static int setup_zswap(struct backend *b, const struct bench_opts *o, struct bench_state *st)
{
	char val[64];
	struct statvfs vfs;
	int lfd, ret;

	if (statvfs(o->backing_dir, &vfs) < 0)
		return error_errno("cannot use '%s' for zswap's backing swap file", o->backing_dir);
	if ((uint64_t)vfs.f_bavail * vfs.f_frsize < b->swap_size + (64ULL << 20))
		return error("'%s' has %llu MiB free; zswap's backing swap file needs %llu MiB",
			     o->backing_dir,
			     (unsigned long long)((uint64_t)vfs.f_bavail * vfs.f_frsize >> 20),
			     (unsigned long long)(b->swap_size >> 20) + 64);
	if (o->zswap_comp && state_set_param(st, ZSWAP_PARAM "compressor", o->zswap_comp) < 0)
		return -1;
	if (o->zswap_max_pool) {
		snprintf(val, sizeof(val), "%u", o->zswap_max_pool);
		if (state_set_param(st, ZSWAP_PARAM "max_pool_percent", val) < 0)
			return -1;
	}
	/* The shrinker would write pages back to the backing device. */
	if (exists(ZSWAP_PARAM "shrinker_enabled") &&
	    state_set_param(st, ZSWAP_PARAM "shrinker_enabled", "N") < 0)
		return -1;
	if (state_set_param(st, ZSWAP_PARAM "enabled", "Y") < 0)
		return -1;
	if (read_file_trim(ZSWAP_PARAM "compressor", b->comp, sizeof(b->comp)) < 0 ||
	    read_file_trim(ZSWAP_PARAM "max_pool_percent", val, sizeof(val)) < 0)
		return error_errno("cannot read zswap parameters");
	b->max_pool_percent = (unsigned)atoi(val);
	find_zswap_debugfs(b, st);

	snprintf(st->swap_file, sizeof(st->swap_file), "%s/swaplab-%d.swap", o->backing_dir,
		 (int)getpid());
	if (state_save(st) < 0 || swapfile_create(st->swap_file, b->swap_size) < 0)
		return -1;
	snprintf(b->swapdev, sizeof(b->swapdev), "%s", st->swap_file);
	snprintf(b->backing, sizeof(b->backing), "file");
	if (state_add_swapon(st, b->swapdev) < 0)
		return -1;
	if (swapon(b->swapdev, SWAP_FLAG_PREFER |
		   ((o->swap_prio << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK)) == 0)
		return 0;
	/* tmpfs and some filesystems cannot hold swap files: use a loop device. */
	if (errno != EINVAL)
		return error_errno("swapon '%s'", b->swapdev);
	info("swap file on '%s' refused; using a loop device instead", o->backing_dir);
	st->nr_swapon--;
	lfd = loopdev_attach(st->swap_file, st->loop_dev, sizeof(st->loop_dev));
	if (lfd < 0)
		return -1;
	snprintf(b->swapdev, sizeof(b->swapdev), "%s", st->loop_dev);
	snprintf(b->backing, sizeof(b->backing), "loop");
	ret = state_add_swapon(st, b->swapdev) < 0 ? -1 : swapdev_on(b->swapdev, o->swap_prio);
	close(lfd);
	return ret;
}

int backend_setup(struct backend *b, enum bench_backend kind, const struct bench_opts *o,
		  struct bench_state *st, uint64_t swap_size)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->zram_id = -1;
	b->swap_size = swap_size;
	return kind == BACKEND_ZRAM ? setup_zram(b, o, st) : setup_zswap(b, o, st);
}

static uint64_t debug_u64(const struct backend *b, const char *name)
{
	char path[256];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/%s", b->zswap_debug, name);
	if (read_u64_file(path, &v) < 0)
		return 0;
	return v;
}

int backend_pool_bytes(const struct backend *b, uint64_t *bytes)
{
	if (b->kind == BACKEND_ZRAM) {
		struct zram_mm_stat mm;

		if (read_zram_mm_stat(b->zram_id, &mm) < 0)
			return -1;
		*bytes = mm.mem_used_total;
		return 0;
	}
	if (b->zswap_debug[0]) {
		char path[256];

		snprintf(path, sizeof(path), "%s/pool_total_size", b->zswap_debug);
		if (read_u64_file(path, bytes) == 0)
			return 0;
	}
	*bytes = read_meminfo("Zswap");
	return 0;
}

int backend_read(const struct backend *b, struct backend_counters *c)
{
	static char vm[32768];

	memset(c, 0, sizeof(*c));
	if (read_file("/proc/vmstat", vm, sizeof(vm)) < 0)
		return error_errno("cannot read /proc/vmstat");
	parse_vmstat_field(vm, "zswpout", &c->zswpout);
	parse_vmstat_field(vm, "pswpout", &c->pswpout);
	parse_vmstat_field(vm, "swpout_zero", &c->swpout_zero);
	if (backend_pool_bytes(b, &c->pool_bytes) < 0)
		return -1;
	if (b->kind == BACKEND_ZRAM) {
		struct zram_mm_stat mm;
		char path[64], buf[256];

		if (read_zram_mm_stat(b->zram_id, &mm) < 0)
			return -1;
		c->orig_bytes = mm.orig_data_size;
		snprintf(path, sizeof(path), "/sys/block/zram%d/io_stat", b->zram_id);
		if (read_file(path, buf, sizeof(buf)) >= 0)
			parse_zram_io_stat(buf, &c->notify_free);
		snprintf(path, sizeof(path), "/sys/block/zram%d/debug_stat", b->zram_id);
		if (read_file(path, buf, sizeof(buf)) >= 0)
			parse_zram_debug_stat(buf, &c->miss_free);
		return 0;
	}
	c->orig_bytes = read_meminfo("Zswapped");
	if (b->zswap_debug[0]) {
		static const char *const rejects[] = {
			"reject_reclaim_fail", "reject_alloc_fail", "reject_kmemcache_fail",
			"reject_compress_fail", "reject_compress_poor",
		};
		size_t i;

		c->pool_limit_hit = debug_u64(b, "pool_limit_hit");
		for (i = 0; i < ARRAY_SIZE(rejects); i++)
			c->rejects += debug_u64(b, rejects[i]);
	}
	return 0;
}
