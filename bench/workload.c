/*
 * bench/workload.c - one run of one cell: N processes each map and fill
 * their own anonymous VMA, page it out, prove it is swapped, wait at one
 * barrier and munmap() it at the same moment; then the parent follows the
 * backend until the freed memory is really back.
 *
 * Only the munmap() syscall is inside the timed region of a process.  The
 * barrier is a pipe whose write end the parent closes: every process
 * blocked in read() on it wakes at that instant (EOF).
 */
#include "bench/internal.h"
#include "bench/state.h"
#include "bench/sysfs.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGEOUT_MAX_PASSES 8
#define DRAIN_POLL_NS 1000000ULL  /* 1 ms: fine enough, cheap enough */

enum { MSG_READY = 1, MSG_RESULT, MSG_ERROR };

/* Fits in PIPE_BUF, so each write() is atomic among the processes. */
struct proc_msg {
	int type;
	unsigned proc;
	uint64_t swap_bytes, rss_bytes, vmswap_bytes, fill_ns, pageout_ns;
	unsigned passes;
	uint64_t t0, t1;
	char text[512];
};
_Static_assert(sizeof(struct proc_msg) <= 4096, "message must fit in PIPE_BUF");

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/*
 * Each page gets a unique random head of page_size/ratio bytes and a zero
 * tail: never same-filled (so it reaches zsmalloc), compressing to about
 * the requested ratio with any LZ-family compressor.
 */
static void fill_vma(char *p, uint64_t size, const struct bench_opts *o, uint64_t seed)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	size_t head = o->fill == FILL_RANDOM ? psz : (size_t)((double)psz / o->ratio);
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1, off;

	head &= ~(size_t)7;
	if (head < 8)
		head = 8;
	for (off = 0; off < size; off += psz) {
		uint64_t *w = (uint64_t *)(p + off);
		size_t i;

		switch (o->fill) {
		case FILL_ZERO:
			/* Fault it in: an untouched page would not be swapped at all. */
			memset(w, 0, psz);
			break;
		case FILL_SAME:
			for (i = 0; i < psz / 8; i++)
				w[i] = 0x5A5A5A5A00000000ULL | (off / psz);
			break;
		default:
			for (i = 0; i < head / 8; i++)
				w[i] = xorshift64(&s);
			memset((char *)w + head, 0, psz - head);
			break;
		}
	}
}

static int vma_swap(char *p, uint64_t *rss, uint64_t *swap)
{
	char *smaps = slurp_file("/proc/self/smaps", NULL);
	uint64_t huge;
	int ret;

	if (!smaps)
		return -1;
	ret = parse_smaps_vma(smaps, (uintptr_t)p, rss, swap, &huge);
	free(smaps);
	return ret;
}

static int memcg_reclaim(const char *memcg, uint64_t bytes)
{
	char *path = xstrfmt("%s/memory.reclaim", memcg), val[32];
	int ret;

	snprintf(val, sizeof(val), "%llu", (unsigned long long)bytes);
	ret = write_file(path, val);
	free(path);
	return ret;
}

static void send_msg(int fd, struct proc_msg *m)
{
	ssize_t n;

	do {
		n = write(fd, m, sizeof(*m));
	} while (n < 0 && errno == EINTR);
}

static void child_fail(int up, struct proc_msg *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
static void child_fail(int up, struct proc_msg *m, const char *fmt, ...)
{
	va_list ap;

	m->type = MSG_ERROR;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	send_msg(up, m);
	_exit(1);
}

static void child_main(const struct cell *c, unsigned proc, int up, int go)
{
	const struct bench_opts *o = c->o;
	struct proc_msg m;
	char *p, buf[8192], dummy;
	uint64_t t, need = c->size - c->size / 100; /* at least 99% swapped */
	ssize_t n;

	state_lock_close_in_child();
	memset(&m, 0, sizeof(m));
	m.proc = proc;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (c->memcg[0]) {
		char *procs = xstrfmt("%s/cgroup.procs", c->memcg);

		if (write_file(procs, "0") < 0)
			child_fail(up, &m, "cannot join cgroup '%s'", c->memcg);
		free(procs);
	}
	p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		child_fail(up, &m, "mmap of %llu bytes failed: %s", (unsigned long long)c->size,
			   strerror(errno));
	if (madvise(p, c->size, strcmp(o->thp, "never") ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) < 0)
		child_fail(up, &m, "madvise(%s) failed: %s",
			   strcmp(o->thp, "never") ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", strerror(errno));
	t = now_ns();
	fill_vma(p, c->size, o, ((uint64_t)c->run << 32) ^ ((uint64_t)proc << 16) ^ c->size);
	m.fill_ns = now_ns() - t;

	for (m.passes = 1; m.passes <= PAGEOUT_MAX_PASSES; m.passes++) {
		t = now_ns();
		if (c->memcg[0]) {
			if (memcg_reclaim(c->memcg, c->size) < 0 && errno != EAGAIN)
				child_fail(up, &m, "memory.reclaim failed: %s", strerror(errno));
		} else if (madvise(p, c->size, MADV_PAGEOUT) < 0) {
			child_fail(up, &m, "madvise(MADV_PAGEOUT) failed: %s", strerror(errno));
		}
		m.pageout_ns += now_ns() - t;
		if (vma_swap(p, &m.rss_bytes, &m.swap_bytes) < 0)
			child_fail(up, &m, "cannot find the VMA at %p in /proc/self/smaps", (void *)p);
		if (m.swap_bytes >= need)
			break;
	}
	if (m.swap_bytes < need)
		child_fail(up, &m,
			   "process %u: only %.1f%% of its %lluM VMA is swapped out (Swap %llu kB, "
			   "Rss %llu kB) after %d MADV_PAGEOUT passes; the %s device may be full",
			   proc, 100.0 * (double)m.swap_bytes / (double)c->size,
			   (unsigned long long)(c->size >> 20), (unsigned long long)(m.swap_bytes >> 10),
			   (unsigned long long)(m.rss_bytes >> 10), PAGEOUT_MAX_PASSES,
			   backend_name(c->b->kind));
	if (m.passes > PAGEOUT_MAX_PASSES)
		m.passes = PAGEOUT_MAX_PASSES;
	if (read_file("/proc/self/status", buf, sizeof(buf)) >= 0)
		parse_kb_field(buf, "VmSwap", &m.vmswap_bytes);
	m.type = MSG_READY;
	send_msg(up, &m);

	/* The barrier: returns 0 (EOF) when the parent closes its end. */
	do {
		n = read(go, &dummy, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 0)
		_exit(2);
	m.t0 = now_ns();
	munmap(p, c->size);
	m.t1 = now_ns();
	m.type = MSG_RESULT;
	send_msg(up, &m);
	_exit(0);
}

void thp_swpout_read(const struct bench_opts *o, uint64_t *whole, uint64_t *split)
{
	char path[128];
	uint64_t kb;

	*whole = *split = 0;
	if (!strcmp(o->thp, "never"))
		return;
	if (!strcmp(o->thp, "pmd") || parse_size(o->thp, &kb) < 0) {
		*whole = read_vmstat("thp_swpout");
		*split = read_vmstat("thp_swpout_fallback");
		return;
	}
	/* Per-size counters of mTHP (Linux 6.10+). */
	snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/hugepages-%llukB/stats/swpout",
		 (unsigned long long)(kb >> 10));
	read_u64_file(path, whole);
	snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/hugepages-%llukB/stats/swpout_fallback",
		 (unsigned long long)(kb >> 10));
	read_u64_file(path, split);
}

int pageout_supported(void)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ret;

	if (p == MAP_FAILED)
		return 0;
	ret = madvise(p, psz, MADV_PAGEOUT) == 0;
	munmap(p, psz);
	return ret;
}

static int read_msg(int fd, struct proc_msg *m)
{
	size_t off = 0;

	while (off < sizeof(*m)) {
		ssize_t n = read(fd, (char *)m + off, sizeof(*m) - off);

		if (n < 0 && errno == EINTR) {
			if (bench_interrupted)
				return -2;
			continue;
		}
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

static void kill_all(pid_t *pids, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
}

static int reap_all(pid_t *pids, unsigned n)
{
	unsigned i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		int status;

		if (pids[i] <= 0)
			continue;
		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ret = -1;
		pids[i] = 0;
	}
	return ret;
}

/* Waits until the backend holds no more than limit; returns when, or 0. */
static uint64_t wait_pool(const struct backend *b, uint64_t limit, uint64_t deadline,
			  uint64_t *peak, uint64_t *last)
{
	for (;;) {
		uint64_t v, t;

		if (backend_pool_bytes(b, &v) < 0)
			return 0;
		t = now_ns();
		if (peak && v > *peak)
			*peak = v;
		*last = v;
		if (v <= limit)
			return t;
		if (t >= deadline || bench_interrupted)
			return 0;
		sleep_ns(DRAIN_POLL_NS);
	}
}

/*
 * How close to its pre-fill level the backend must come to count as
 * drained.  Kernels before 6.15 keep up to 64 freed swap entries per CPU
 * in the swap-slot cache and release them to the device only when that
 * cache fills, so their compressed copies stay until later frees push
 * them out: that much, or 1% of what the run stored, whichever is more.
 */
static uint64_t drain_tolerance(uint64_t stored)
{
	uint64_t slots = 64ULL * (uint64_t)sysconf(_SC_PAGESIZE) *
			 (uint64_t)sysconf(_SC_NPROCESSORS_ONLN);

	return stored / 100 > slots ? stored / 100 : slots;
}

int cell_run(const struct cell *c, struct sample *s)
{
	int up[2] = { -1, -1 }, go[2] = { -1, -1 };
	pid_t *pids = xcalloc(c->procs, sizeof(*pids));
	struct backend_counters before_fill, at_go, after;
	uint64_t go_t, last_t1 = 0, tol, limit, done, cpu0, timeout = c->o->drain_timeout_ms * 1000000ULL;
	uint64_t expect = c->size * c->procs, psz = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t thp0 = 0, split0 = 0, thp1 = 0, split1 = 0;
	struct proc_msg m;
	pid_t load = -1;
	unsigned i, got;
	int ret = -1;

	memset(s, 0, sizeof(*s) * c->procs);
	/* Let the previous run's memory come back before measuring a new base. */
	{
		uint64_t last = 0;

		if (!wait_pool(c->b, c->idle_pool + drain_tolerance(0), now_ns() + timeout, NULL, &last))
			warning("%s still holds %llu kB from the previous run",
				backend_name(c->b->kind), (unsigned long long)(last >> 10));
	}
	if (backend_read(c->b, &before_fill) < 0)
		goto out;
	thp_swpout_read(c->o, &thp0, &split0);
	if (pipe2(up, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		error_errno("pipe");
		goto out;
	}
	for (i = 0; i < c->procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			error_errno("fork");
			goto out;
		}
		if (pids[i] == 0) {
			close(up[0]);
			close(go[1]);
			child_main(c, i, up[1], go[0]);
		}
	}
	close(up[1]);
	close(go[0]);
	up[1] = go[0] = -1;

	for (got = 0; got < c->procs; got++) {
		int r = read_msg(up[0], &m);

		if (r == -2)
			goto out;
		if (r < 0) {
			error("a benchmark process died before it was ready (%s %lluM x%u run %u)",
			      backend_name(c->b->kind), (unsigned long long)(c->size >> 20), c->procs, c->run);
			goto out;
		}
		if (m.type == MSG_ERROR) {
			error("%s", m.text);
			goto out;
		}
		s[m.proc].proc = m.proc;
		s[m.proc].swap_bytes = m.swap_bytes;
		s[m.proc].rss_bytes = m.rss_bytes;
		s[m.proc].vmswap_bytes = m.vmswap_bytes;
		s[m.proc].fill_ns = m.fill_ns;
		s[m.proc].pageout_ns = m.pageout_ns;
		s[m.proc].pageout_passes = m.passes;
	}
	if (backend_read(c->b, &at_go) < 0)
		goto out;
	thp_swpout_read(c->o, &thp1, &split1);

	/* Refuse a sample whose pages did not all land in the backend. */
	{
		uint64_t pages = expect / psz;
		uint64_t zero = at_go.swpout_zero - before_fill.swpout_zero;
		uint64_t stored = c->b->kind == BACKEND_ZRAM
			? (at_go.orig_bytes - before_fill.orig_bytes) / psz + zero
			: (at_go.zswpout - before_fill.zswpout) + zero;
		uint64_t fell = at_go.pswpout - before_fill.pswpout;

		if (c->b->kind == BACKEND_ZSWAP && fell) {
			error("zswap: %llu of %llu pages fell through to the backing device "
			      "(pool_limit_hit +%llu, rejects +%llu, max_pool_percent %u): "
			      "sample refused; raise --zswap-max-pool or lower the sizes",
			      (unsigned long long)fell, (unsigned long long)pages,
			      (unsigned long long)(at_go.pool_limit_hit - before_fill.pool_limit_hit),
			      (unsigned long long)(at_go.rejects - before_fill.rejects),
			      c->b->max_pool_percent);
			goto out;
		}
		if (stored < pages - pages / 100) {
			error("%s holds only %llu of the %llu pages the processes swapped out "
			      "(zswpout +%llu, pswpout +%llu, zero pages +%llu): another swap "
			      "device took them? sample refused",
			      backend_name(c->b->kind), (unsigned long long)stored,
			      (unsigned long long)pages,
			      (unsigned long long)(at_go.zswpout - before_fill.zswpout),
			      (unsigned long long)fell, (unsigned long long)zero);
			goto out;
		}
	}

	if (c->o->load != LOAD_NONE) {
		load = load_start(c->o->load);
		if (load < 0)
			goto out;
		sleep_ns(300000000ULL); /* let the load reach steady state */
	}
	if (bench_interrupted)
		goto out;

	cpu0 = cpu_clock_ns();
	go_t = now_ns();
	close(go[1]); /* the barrier opens */
	go[1] = -1;
	for (got = 0; got < c->procs; got++) {
		int r = read_msg(up[0], &m);

		if (r == -2)
			goto out;
		if (r < 0 || m.type != MSG_RESULT) {
			error("a benchmark process died during munmap");
			goto out;
		}
		s[m.proc].munmap_ns = m.t1 - m.t0;
		s[m.proc].start_ns = m.t0 > go_t ? m.t0 - go_t : 0;
		if (m.t1 > last_t1)
			last_t1 = m.t1;
	}

	/* The drain: until the backend is back at its pre-fill level. */
	tol = drain_tolerance(at_go.pool_bytes - before_fill.pool_bytes);
	limit = before_fill.pool_bytes + tol;
	{
		uint64_t peak = at_go.pool_bytes, last = at_go.pool_bytes;

		done = wait_pool(c->b, limit, go_t + timeout, &peak, &last);
		for (i = 0; i < c->procs; i++) {
			s[i].drained = done != 0;
			s[i].drain_ns = done ? done - go_t : timeout;
			s[i].pool_peak = peak;
			s[i].pool_after = last;
		}
	}
	/*
	 * A task's CPU time is charged when it leaves the CPU: reap the
	 * processes (their exit charges them) and sleep once (charging us)
	 * before reading the clock.
	 */
	if (reap_all(pids, c->procs) < 0) {
		error("a benchmark process exited abnormally");
		goto out;
	}
	sleep_ns(DRAIN_POLL_NS);
	cpu0 = cpu_clock_ns() - cpu0;
	for (i = 0; i < c->procs; i++)
		s[i].cpu_ns = cpu0;
	load_stop(load);
	load = -1;
	if (bench_interrupted)
		goto out;
	if (backend_read(c->b, &after) < 0)
		goto out;
	for (i = 0; i < c->procs; i++) {
		s[i].wall_ns = last_t1 - go_t;
		s[i].pool_base = before_fill.pool_bytes;
		s[i].pool_before = at_go.pool_bytes;
		s[i].orig_bytes = at_go.orig_bytes - before_fill.orig_bytes;
		s[i].notify_free = after.notify_free - at_go.notify_free;
		s[i].miss_free = after.miss_free - at_go.miss_free;
		s[i].zswpout = at_go.zswpout - before_fill.zswpout;
		s[i].pswpout = at_go.pswpout - before_fill.pswpout;
		s[i].thp_swpout = thp1 - thp0;
		s[i].thp_fallback = split1 - split0;
	}
	ret = 0;
out:
	load_stop(load);
	kill_all(pids, c->procs);
	reap_all(pids, c->procs);
	for (i = 0; i < 2; i++) {
		if (up[i] >= 0)
			close(up[i]);
		if (go[i] >= 0)
			close(go[i]);
	}
	free(pids);
	return ret;
}
