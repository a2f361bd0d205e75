/*
 * bench/bench.c - the benchmark's driver: checks everything that can be
 * checked before touching the system, takes the lock, restores what a
 * killed run left, then for each backend sets it up, runs every cell of
 * the matrix and restores the system, writing JSON Lines as it goes.
 */
#include "bench/internal.h"
#include "bench/state.h"
#include "bench/swapdev.h"
#include "bench/sysfs.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define ZSWAP_PARAM "/sys/module/zswap/parameters/"

volatile sig_atomic_t bench_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	bench_interrupted = 1;
}

static void install_signals(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: blocking waits must return so the run can unwind. */
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
	sigaction(SIGHUP, &sa, &old[2]);
	signal(SIGPIPE, SIG_IGN);
}

static void restore_signals(const struct sigaction *old)
{
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	sigaction(SIGHUP, &old[2], NULL);
}

static uint64_t max_cell_bytes(const struct bench_opts *o)
{
	uint64_t m = 0;
	size_t i, j;

	for (i = 0; i < o->nr_sizes; i++)
		for (j = 0; j < o->nr_procs; j++)
			if (o->sizes[i] * o->procs[j] > m)
				m = o->sizes[i] * o->procs[j];
	return m;
}

/* How small the compressed pool can be expected to get, conservatively. */
static double pool_ratio(const struct bench_opts *o)
{
	switch (o->fill) {
	case FILL_RANDOM: return 1.0;
	case FILL_ZERO:
	case FILL_SAME: return 64.0;
	default: return o->ratio > 1.5 ? o->ratio / 1.5 : 1.0;
	}
}

static uint64_t bench_swap_size(const struct bench_opts *o)
{
	uint64_t need = max_cell_bytes(o);

	return (need + need / 10 + (16ULL << 20) + 0xFFFFF) & ~0xFFFFFULL;
}

/* THP: the VMA gets MADV_HUGEPAGE and exactly the asked-for folio size. */
static int thp_size_kb(const struct bench_opts *o, unsigned *kb)
{
	uint64_t bytes;

	if (!strcmp(o->thp, "pmd")) {
		if (read_u64_file(THP_DIR "/hpage_pmd_size", &bytes) < 0)
			return error("--thp pmd: this kernel has no transparent huge pages");
		*kb = (unsigned)(bytes >> 10);
		return 0;
	}
	if (parse_size(o->thp, &bytes) < 0)
		return -1;
	*kb = (unsigned)(bytes >> 10);
	return 0;
}

static int thp_preflight(const struct bench_opts *o)
{
	char path[128];
	struct stat sb;
	unsigned kb;
	size_t i;

	if (!strcmp(o->thp, "never"))
		return 0;
	if (thp_size_kb(o, &kb) < 0)
		return -1;
	snprintf(path, sizeof(path), THP_DIR "/hugepages-%ukB/enabled", kb);
	if (stat(path, &sb) < 0 && strcmp(o->thp, "pmd"))
		return error("--thp %s: this kernel has no %ukB mTHP size (%s is missing)",
			     o->thp, kb, path);
	for (i = 0; i < o->nr_sizes; i++)
		if (o->sizes[i] % ((uint64_t)kb << 10))
			return error("--thp %s: size %lluK is not a multiple of the folio size",
				     o->thp, (unsigned long long)(o->sizes[i] >> 10));
	return 0;
}

static int thp_setup(const struct bench_opts *o, struct bench_state *st)
{
	char path[300], buf[128];
	DIR *d;
	struct dirent *de;
	unsigned kb;
	int ret = 0;

	if (!strcmp(o->thp, "never"))
		return 0;
	if (thp_size_kb(o, &kb) < 0)
		return -1;
	d = opendir(THP_DIR);
	if (!d)
		return error_errno("cannot open " THP_DIR);
	while ((de = readdir(d)) && !ret) {
		unsigned k;

		if (sscanf(de->d_name, "hugepages-%ukB", &k) != 1)
			continue;
		snprintf(path, sizeof(path), THP_DIR "/%s/enabled", de->d_name);
		/* Some sizes exist for shmem only (no anonymous "enabled"). */
		if (access(path, F_OK) < 0)
			continue;
		ret = state_set_param(st, path, k == kb ? "madvise" : "never");
	}
	closedir(d);
	/* Kernels before per-size controls: only the global switch exists. */
	if (!ret && read_file_trim(THP_DIR "/enabled", buf, sizeof(buf)) == 0 &&
	    strstr(buf, "[never]"))
		ret = state_set_param(st, THP_DIR "/enabled", "madvise");
	return ret;
}

static int use_memcg(const struct bench_opts *o)
{
	return o->pageout == PAGEOUT_MEMCG || (o->pageout == PAGEOUT_AUTO && !pageout_supported());
}

/* The cgroup v2 root where memory.reclaim can be used, or -1 and why. */
static int memcg_root(char *mnt, size_t len)
{
	char *mounts = slurp_file("/proc/mounts", NULL), buf[256], *path;

	if (!mounts || parse_mount_point(mounts, "cgroup2", NULL, mnt, len) < 0) {
		free(mounts);
		return error("memory.reclaim needs cgroup v2, which is not mounted");
	}
	free(mounts);
	path = xstrfmt("%s/cgroup.subtree_control", mnt);
	if (read_file_trim(path, buf, sizeof(buf)) < 0 || !word_in_list(buf, "memory")) {
		error("the cgroup v2 memory controller is not enabled in '%s' (it may be "
		      "bound to cgroup v1): memory.reclaim is not available", path);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* cgroup v2 memory.reclaim, for kernels without MADV_PAGEOUT. */
static int memcg_setup(struct bench_state *st, char *out, size_t len)
{
	char mnt[200];

	if (memcg_root(mnt, sizeof(mnt)) < 0)
		return -1;
	snprintf(st->cgroup, sizeof(st->cgroup), "%s/swaplab-%d", mnt, (int)getpid());
	if (state_save(st) < 0)
		return -1;
	if (mkdir(st->cgroup, 0755) < 0)
		return error_errno("cannot create cgroup '%s'", st->cgroup);
	snprintf(out, len, "%s", st->cgroup);
	return 0;
}

static int preflight(const struct bench_opts *o)
{
	uint64_t need = max_cell_bytes(o), avail, psz = (uint64_t)sysconf(_SC_PAGESIZE);
	size_t i;

	if (geteuid() != 0)
		return error("must run as root: the benchmark creates swap devices and "
			     "changes zram and zswap parameters");
	for (i = 0; i < o->nr_sizes; i++)
		if (o->sizes[i] % psz || o->sizes[i] < 16 * psz)
			return error("size %llu is not a multiple of the page size (%llu) of at "
				     "least 16 pages", (unsigned long long)o->sizes[i],
				     (unsigned long long)psz);
	for (i = 0; i < o->nr_backends; i++)
		if (backend_preflight(o->backends[i], o) < 0)
			return -1;
	if (o->verify && verify_preflight(o) < 0)
		return -1;
	if (o->suite == SUITE_FIO)
		return have_program("fio") ? 0 : error("--suite fio needs fio (apt-get install fio)");
	avail = read_meminfo("MemAvailable");
	if (avail && need + (uint64_t)((double)need / pool_ratio(o)) + (128ULL << 20) > avail)
		return error("the sizes do not fit in memory: the largest cell maps %llu MiB "
			     "(and its compressed copy needs more), but MemAvailable is %llu MiB",
			     (unsigned long long)(need >> 20), (unsigned long long)(avail >> 20));
	if (o->swap_size && o->swap_size < need + need / 100)
		return error("the sizes do not fit in the swap device: the largest cell swaps "
			     "out %llu MiB but --swap-size is %llu MiB",
			     (unsigned long long)(need >> 20), (unsigned long long)(o->swap_size >> 20));
	for (i = 0; i < o->nr_backends; i++) {
		char buf[32];
		uint64_t pct = o->zswap_max_pool, total = read_meminfo("MemTotal");

		if (o->backends[i] != BACKEND_ZSWAP)
			continue;
		if (!pct && read_file_trim(ZSWAP_PARAM "max_pool_percent", buf, sizeof(buf)) == 0)
			pct = strtoull(buf, NULL, 10);
		if (pct && total && (double)need / pool_ratio(o) > (double)total * pct / 100 * 0.9)
			return error("the sizes do not fit in zswap's pool: about %llu MiB compressed "
				     "against max_pool_percent %llu of %llu MiB; use --zswap-max-pool",
				     (unsigned long long)((uint64_t)((double)need / pool_ratio(o)) >> 20),
				     (unsigned long long)pct, (unsigned long long)(total >> 20));
	}
	if (thp_preflight(o) < 0)
		return -1;
	if (o->pageout == PAGEOUT_MADVISE && !pageout_supported())
		return error("this kernel has no MADV_PAGEOUT (CONFIG_ADVISE_SYSCALLS, Linux 5.4+)");
	if (use_memcg(o)) {
		char mnt[200];

		if (memcg_root(mnt, sizeof(mnt)) < 0)
			return o->pageout == PAGEOUT_AUTO
				? error("this kernel has no MADV_PAGEOUT either: cannot page out")
				: -1;
	}
	if (!load_tool(o->load))
		return error("--load mem needs stress-ng (apt-get install stress-ng); only --load cpu"
			     " has a fallback of the bench's own");
	return 0;
}

/* A tick-based clocksource times munmap to the jiffy, not the ns. */
static void warn_coarse_clock(void)
{
	char cs[64];

	if (read_file_trim("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			   cs, sizeof(cs)) == 0 && strstr(cs, "jiffies"))
		warning("the clocksource is '%s': CLOCK_MONOTONIC advances a timer tick at a "
			"time, so latencies are coarse; give the kernel HPET, the ACPI PM timer "
			"or a stable TSC", cs);
}

int bench_cleanup(void)
{
	struct bench_state st;
	int r;

	if (state_lock() < 0)
		return -1;
	r = state_load(&st);
	if (r == 1) {
		warning("restoring what an interrupted benchmark changed");
		r = state_restore(&st) < 0 ? -1 : 1;
	}
	state_unlock();
	return r;
}

static void env_backends(const struct bench_opts *o, struct backend *zr, struct backend *zs,
			 int *has_zr, int *has_zs)
{
	char buf[64];
	struct statfs sfs;
	size_t i;

	*has_zr = *has_zs = 0;
	for (i = 0; i < o->nr_backends; i++) {
		if (o->backends[i] == BACKEND_ZRAM)
			*has_zr = 1;
		else
			*has_zs = 1;
	}
	memset(zr, 0, sizeof(*zr));
	memset(zs, 0, sizeof(*zs));
	zr->swap_size = zs->swap_size = o->swap_size ? o->swap_size : bench_swap_size(o);
	snprintf(zr->comp, sizeof(zr->comp), "%s", o->zram_comp ? o->zram_comp : "default");
	if (o->zswap_comp)
		snprintf(zs->comp, sizeof(zs->comp), "%s", o->zswap_comp);
	else if (read_file_trim(ZSWAP_PARAM "compressor", zs->comp, sizeof(zs->comp)) < 0)
		snprintf(zs->comp, sizeof(zs->comp), "unknown");
	zs->max_pool_percent = o->zswap_max_pool;
	if (!zs->max_pool_percent && read_file_trim(ZSWAP_PARAM "max_pool_percent", buf, sizeof(buf)) == 0)
		zs->max_pool_percent = (unsigned)atoi(buf);
	/* tmpfs cannot hold a swap file: the bench will use a loop device. */
	snprintf(zs->backing, sizeof(zs->backing), "%s",
		 statfs(o->backing_dir, &sfs) == 0 && sfs.f_type == 0x01021994 ? "loop" : "file");
}

static int run_backend(const struct bench_opts *o, enum bench_backend kind, struct bench_state *st,
		       FILE *jsonl, unsigned long *nr_samples, unsigned *step, unsigned steps)
{
	struct backend b;
	struct cell c;
	struct sample *s = NULL;
	size_t i, j;
	unsigned r, maxp = 0;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	if (cpu_clock_prepare(st) < 0 || thp_setup(o, st) < 0)
		return -1;
	if (use_memcg(o)) {
		if (memcg_setup(st, c.memcg, sizeof(c.memcg)) < 0)
			return -1;
	}
	if (backend_setup(&b, kind, o, st, o->swap_size ? o->swap_size : bench_swap_size(o)) < 0)
		return -1;
	if (backend_pool_bytes(&b, &c.idle_pool) < 0)
		return -1;
	for (j = 0; j < o->nr_procs; j++)
		if (o->procs[j] > maxp)
			maxp = o->procs[j];
	s = xcalloc(maxp, sizeof(*s));
	c.o = o;
	c.b = &b;
	for (i = 0; i < o->nr_sizes; i++) {
		for (j = 0; j < o->nr_procs; j++) {
			for (r = 1; r <= o->runs; r++) {
				char sz[32];
				double mean = 0;
				unsigned p;

				if (bench_interrupted)
					goto out;
				c.size = o->sizes[i];
				c.procs = o->procs[j];
				c.run = r;
				if (o->verify) {
					int v = verify_run(&c, jsonl);

					if (v) {
						/* -3: the run failed the check (not an error). */
						ret = v < 0 ? -1 : -3;
						goto out;
					}
					info("[%u/%u] %s %s x%u run %u: every byte matched", ++*step,
					     steps, backend_name(kind), fmt_size(c.size, sz, sizeof(sz)),
					     c.procs, r);
					continue;
				}
				if (cell_run(&c, s) < 0)
					goto out;
				for (p = 0; p < c.procs; p++) {
					if (jsonl)
						out_sample(jsonl, &c, &s[p]);
					mean += (double)s[p].munmap_ns / 1e6 / c.procs;
				}
				*nr_samples += c.procs;
				summary_add(&c, s, c.procs);
				info("[%u/%u] %s %s x%u run %u: munmap %.2f ms, drain %.2f ms%s",
				     ++*step, steps, backend_name(kind), fmt_size(c.size, sz, sizeof(sz)),
				     c.procs, r, mean, (double)s[0].drain_ns / 1e6,
				     s[0].drained ? "" : " (timed out)");
			}
		}
	}
	ret = 0;
out:
	free(s);
	return ret;
}

int bench_run(const struct bench_opts *o, FILE *jsonl, FILE *table)
{
	struct bench_state st;
	struct sigaction old[3];
	struct backend zr, zs;
	unsigned long nr_samples = 0;
	unsigned step = 0, steps = (unsigned)(o->nr_sizes * o->nr_procs * o->runs * o->nr_backends);
	int has_zr, has_zs, ret = -1, r, failed = 0;
	size_t i;

	if (preflight(o) < 0)
		return -1;
	if (o->dry_run) {
		env_backends(o, &zr, &zs, &has_zr, &has_zs);
		if (jsonl)
			out_env(jsonl, o, has_zr ? &zr : NULL, has_zs ? &zs : NULL);
		info("plan: %u runs; zram/zswap swap size %llu MiB; nothing was changed", steps,
		     (unsigned long long)(zr.swap_size >> 20));
		return 0;
	}
	warn_coarse_clock();
	if (state_lock() < 0)
		return -1;
	r = state_load(&st);
	if (r < 0)
		goto unlock;
	if (r == 1) {
		warning("restoring what an interrupted benchmark left behind");
		if (state_restore(&st) < 0)
			goto unlock;
	}
	state_init(&st);
	bench_interrupted = 0;
	install_signals(old);

	env_backends(o, &zr, &zs, &has_zr, &has_zs);
	if (jsonl && o->suite == SUITE_MUNMAP)
		out_env(jsonl, o, has_zr ? &zr : NULL, has_zs ? &zs : NULL);
	else if (jsonl)
		out_env(jsonl, o, NULL, NULL);

	if (o->suite == SUITE_FIO) {
		ret = fio_suite_run(o, jsonl, table, &st);
	} else {
		ret = 0;
		for (i = 0; i < o->nr_backends && ret == 0; i++) {
			ret = run_backend(o, o->backends[i], &st, jsonl, &nr_samples, &step, steps);
			if (ret == -3) {
				failed = 1;
				ret = -1;
			}
			if (state_restore(&st) < 0)
				ret = -1;
			cpu_clock_forget();
		}
	}
	if (state_restore(&st) < 0)
		ret = -1;
	if (bench_interrupted) {
		error(ret == -1 && st.nr_swapon ? "interrupted; restoring failed (see above)"
						: "interrupted; the system was restored");
		if (jsonl)
			out_end(jsonl, "interrupted", nr_samples, "interrupted by a signal");
		ret = -2;
	} else if (jsonl && failed) {
		out_end(jsonl, "failed", nr_samples,
			"the integrity check failed: a page came back different (see the mismatch lines)");
	} else if (jsonl) {
		out_end(jsonl, ret == 0 ? "ok" : "error", nr_samples,
			ret == 0 ? NULL : "the benchmark failed; see its standard error");
	}
	if (table && o->verify && !bench_interrupted)
		verify_summary(table, failed);
	else if (table && o->suite == SUITE_MUNMAP)
		summary_print(table, o);
	summary_free();
	restore_signals(old);
unlock:
	state_unlock();
	return ret;
}
