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
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
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
 *
 * The VMA is fresh anonymous memory, so every page reads as zeros until
 * written: the tails need no writing.  MADV_POPULATE_WRITE (Linux 5.14)
 * allocates all pages in one call instead of one fault per page; measured
 * on a 2-vCPU VM, 256M: 0.9 s of faulting writes became 0.05 s of
 * populate plus the head writes.  Without it (EINVAL on older kernels)
 * the writes fault the pages in, as before.  The bytes written are the
 * same either way.
 */
static void fill_vma(char *p, uint64_t size, const struct bench_opts *o, uint64_t seed)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	size_t head = o->fill == FILL_RANDOM ? psz : (size_t)((double)psz / o->ratio);
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1, off;
	int populated = madvise(p, size, MADV_POPULATE_WRITE) == 0;

	head &= ~(size_t)7;
	if (head < 8)
		head = 8;
	for (off = 0; off < size; off += psz) {
		uint64_t *w = (uint64_t *)(p + off);
		size_t i;

		switch (o->fill) {
		case FILL_ZERO:
			/* An untouched page would not be swapped at all: fault it in. */
			if (!populated)
				w[0] = 0;
			break;
		case FILL_SAME:
			for (i = 0; i < psz / 8; i++)
				w[i] = 0x5A5A5A5A00000000ULL | (off / psz);
			break;
		default:
			for (i = 0; i < head / 8; i++)
				w[i] = xorshift64(&s);
			break;
		}
	}
}

/* Rss and Swap of [p, p + size), which may be several VMAs (--verify). */
static int range_swap(char *p, uint64_t size, uint64_t *rss, uint64_t *swap)
{
	char *smaps = slurp_file("/proc/self/smaps", NULL);
	int ret;

	if (!smaps)
		return -1;
	ret = parse_smaps_range(smaps, (uintptr_t)p, (uintptr_t)p + size, rss, swap);
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

void msg_send(int fd, const void *m, size_t len)
{
	ssize_t n;

	do {
		n = write(fd, m, len);
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
	msg_send(up, m, sizeof(*m));
	_exit(1);
}

/*
 * A benchmark process, in the phases of one run (each ends the process
 * through child_fail() when it cannot be done):
 *   set-up       join the cgroup, map the VMA with the THP advice;
 *   fill         write the data (fill_vma);
 *   page-out     MADV_PAGEOUT (or memory.reclaim) until >= 99% is swapped,
 *                which /proc/self/smaps proves, then report ready;
 *   timed munmap wait at the barrier, time munmap() alone, report.
 * The parent's side of each phase is in cell_run().
 */
struct child {
	const struct cell *c;
	unsigned proc;
	int up, go;         /* to the parent; the barrier */
	char *p;            /* the VMA */
	struct proc_msg m;  /* what is reported, filled phase by phase */
};

int cell_child_enter(const struct cell *c, char *err, size_t len)
{
	/*
	 * A worker dies with the bench: after a kill -9 of the bench an
	 * orphan would go on holding its swapped-out VMA while the next run
	 * (or --cleanup) swaps off and removes the devices under it.  The
	 * bench is never pid 1, so a parent that died before prctl shows as
	 * a reparenting.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1) {
		snprintf(err, len, "the benchmark died before its worker started");
		return -1;
	}
	state_lock_close_in_child();
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (c->memcg[0]) {
		char *procs = xstrfmt("%s/cgroup.procs", c->memcg);
		int ret = write_file(procs, "0");

		free(procs);
		if (ret < 0) {
			snprintf(err, len, "cannot join cgroup '%s'", c->memcg);
			return -1;
		}
	}
	return 0;
}

static void child_setup(struct child *ch)
{
	const struct cell *c = ch->c;
	const char *advice = strcmp(c->o->thp, "never") ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE";
	char err[sizeof(ch->m.text)];

	memset(&ch->m, 0, sizeof(ch->m));
	ch->m.proc = ch->proc;
	if (cell_child_enter(c, err, sizeof(err)) < 0)
		child_fail(ch->up, &ch->m, "%s", err);
	ch->p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ch->p == MAP_FAILED)
		child_fail(ch->up, &ch->m, "mmap of %llu bytes failed: %s",
			   (unsigned long long)c->size, strerror(errno));
	if (madvise(ch->p, c->size, cell_thp_advice(c)) < 0)
		child_fail(ch->up, &ch->m, "madvise(%s) failed: %s", advice, strerror(errno));
}

static void child_fill(struct child *ch)
{
	const struct cell *c = ch->c;
	uint64_t t = now_ns();

	fill_vma(ch->p, c->size, c->o,
		 ((uint64_t)c->run << 32) ^ ((uint64_t)ch->proc << 16) ^ c->size);
	ch->m.fill_ns = now_ns() - t;
}

int cell_thp_advice(const struct cell *c)
{
	return strcmp(c->o->thp, "never") ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
}

int pageout_range(const struct cell *c, unsigned proc, char *p, uint64_t size,
		  struct pageout *po, char *err, size_t len)
{
	uint64_t t, need = size - size / 100;

	for (po->passes = 1; po->passes <= PAGEOUT_MAX_PASSES; po->passes++) {
		t = now_ns();
		if (c->memcg[0]) {
			if (memcg_reclaim(c->memcg, size) < 0 && errno != EAGAIN) {
				snprintf(err, len, "memory.reclaim failed: %s", strerror(errno));
				return -1;
			}
		} else if (madvise(p, size, MADV_PAGEOUT) < 0) {
			snprintf(err, len, "madvise(MADV_PAGEOUT) failed: %s", strerror(errno));
			return -1;
		}
		po->ns += now_ns() - t;
		if (range_swap(p, size, &po->rss, &po->swap) < 0) {
			snprintf(err, len, "cannot find the VMA at %p in /proc/self/smaps", (void *)p);
			return -1;
		}
		if (po->swap >= need)
			break;
	}
	if (po->swap < need) {
		snprintf(err, len,
			 "process %u: only %.1f%% of its %lluM VMA is swapped out (Swap %llu kB, "
			 "Rss %llu kB) after %d MADV_PAGEOUT passes; the %s device may be full",
			 proc, 100.0 * (double)po->swap / (double)size,
			 (unsigned long long)(size >> 20), (unsigned long long)(po->swap >> 10),
			 (unsigned long long)(po->rss >> 10), PAGEOUT_MAX_PASSES,
			 backend_name(c->b->kind));
		return -1;
	}
	return 0;
}

/* Pages the VMA out and proves from smaps that at least 99% is swapped. */
static void child_pageout(struct child *ch)
{
	const struct cell *c = ch->c;
	struct proc_msg *m = &ch->m;
	struct pageout po = { 0 };
	char buf[8192], err[sizeof(m->text)];

	if (pageout_range(c, ch->proc, ch->p, c->size, &po, err, sizeof(err)) < 0)
		child_fail(ch->up, m, "%s", err);
	m->passes = po.passes;
	m->pageout_ns = po.ns;
	m->rss_bytes = po.rss;
	m->swap_bytes = po.swap;
	if (read_file("/proc/self/status", buf, sizeof(buf)) >= 0)
		parse_kb_field(buf, "VmSwap", &m->vmswap_bytes);
	m->type = MSG_READY;
	msg_send(ch->up, m, sizeof(*m));
}

/* The barrier, then munmap() alone between the two clock reads. */
static void child_timed_munmap(struct child *ch)
{
	char dummy;
	ssize_t n;

	/* The barrier: returns 0 (EOF) when the parent closes its end. */
	do {
		n = read(ch->go, &dummy, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 0)
		_exit(2);
	ch->m.t0 = now_ns();
	munmap(ch->p, ch->c->size);
	ch->m.t1 = now_ns();
	ch->m.type = MSG_RESULT;
	msg_send(ch->up, &ch->m, sizeof(ch->m));
}

static void child_main(const struct cell *c, unsigned proc, int up, int go)
{
	struct child ch = { .c = c, .proc = proc, .up = up, .go = go };

	child_setup(&ch);
	child_fill(&ch);
	child_pageout(&ch);
	child_timed_munmap(&ch);
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

int msg_read(int fd, void *m, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = read(fd, (char *)m + off, len - off);

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

/*
 * One run of a cell, as the parent sees it.  The phases, in order (each
 * returns 0 or -1 after a message; run_teardown() always runs):
 *   run_setup          wait for the previous run's memory, read the
 *                      counters, start the processes (set-up, fill and
 *                      page-out happen in them: child_main());
 *   run_wait_ready     every process proved its VMA swapped out;
 *   run_check_swapped  the backend's own counters agree (proof of swap-out);
 *   run_timed_munmap   optional load, the barrier opens, the munmap()
 *                      times come back;
 *   run_drain          until the backend is back at its pre-fill level;
 *   run_account        reap, CPU time, the counters' deltas into samples.
 */
struct run {
	const struct cell *c;
	struct sample *s;
	int up[2], go[2];      /* processes -> parent; the barrier */
	pid_t *pids;
	pid_t load;
	struct backend_counters before_fill, at_go;
	uint64_t thp0, split0, thp1, split1;
	uint64_t timeout;      /* --drain-timeout in ns */
	uint64_t cpu0, go_t, last_t1;
};

static int run_setup(struct run *r)
{
	const struct cell *c = r->c;
	uint64_t last = 0;
	unsigned i;

	memset(r->s, 0, sizeof(*r->s) * c->procs);
	/* Let the previous run's memory come back before measuring a new base. */
	if (!wait_pool(c->b, c->idle_pool + drain_tolerance(0), now_ns() + r->timeout, NULL, &last))
		warning("%s still holds %llu kB from the previous run",
			backend_name(c->b->kind), (unsigned long long)(last >> 10));
	if (backend_read(c->b, &r->before_fill) < 0)
		return -1;
	thp_swpout_read(c->o, &r->thp0, &r->split0);
	if (pipe2(r->up, O_CLOEXEC) < 0 || pipe2(r->go, O_CLOEXEC) < 0)
		return error_errno("pipe");
	for (i = 0; i < c->procs; i++) {
		r->pids[i] = fork();
		if (r->pids[i] < 0)
			return error_errno("fork");
		if (r->pids[i] == 0) {
			close(r->up[0]);
			close(r->go[1]);
			child_main(c, i, r->up[1], r->go[0]);
		}
	}
	close(r->up[1]);
	close(r->go[0]);
	r->up[1] = r->go[0] = -1;
	return 0;
}

static int run_wait_ready(struct run *r)
{
	const struct cell *c = r->c;
	struct proc_msg m;
	unsigned got;

	for (got = 0; got < c->procs; got++) {
		int rd = msg_read(r->up[0], &m, sizeof(m));
		struct sample *s;

		if (rd == -2)
			return -1;
		if (rd < 0)
			return error("a benchmark process died before it was ready (%s %lluM x%u run %u)",
				     backend_name(c->b->kind), (unsigned long long)(c->size >> 20),
				     c->procs, c->run);
		if (m.type == MSG_ERROR)
			return error("%s", m.text);
		s = &r->s[m.proc];
		s->proc = m.proc;
		s->swap_bytes = m.swap_bytes;
		s->rss_bytes = m.rss_bytes;
		s->vmswap_bytes = m.vmswap_bytes;
		s->fill_ns = m.fill_ns;
		s->pageout_ns = m.pageout_ns;
		s->pageout_passes = m.passes;
	}
	return 0;
}

/* Refuse a sample whose pages did not all land in the backend. */
static int run_check_swapped(struct run *r)
{
	const struct cell *c = r->c;
	const struct backend_counters *b0 = &r->before_fill, *b1 = &r->at_go;
	uint64_t psz = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t pages, zero, stored, fell;

	if (backend_read(c->b, &r->at_go) < 0)
		return -1;
	thp_swpout_read(c->o, &r->thp1, &r->split1);
	pages = c->size * c->procs / psz;
	zero = b1->swpout_zero - b0->swpout_zero;
	stored = c->b->kind == BACKEND_ZRAM ? (b1->orig_bytes - b0->orig_bytes) / psz + zero
					    : (b1->zswpout - b0->zswpout) + zero;
	fell = b1->pswpout - b0->pswpout;
	if (c->b->kind == BACKEND_ZSWAP && fell)
		return error("zswap: %llu of %llu pages fell through to the backing device "
			     "(pool_limit_hit +%llu, rejects +%llu, max_pool_percent %u): "
			     "sample refused; raise --zswap-max-pool or lower the sizes",
			     (unsigned long long)fell, (unsigned long long)pages,
			     (unsigned long long)(b1->pool_limit_hit - b0->pool_limit_hit),
			     (unsigned long long)(b1->rejects - b0->rejects), c->b->max_pool_percent);
	if (stored < pages - pages / 100)
		return error("%s holds only %llu of the %llu pages the processes swapped out "
			     "(zswpout +%llu, pswpout +%llu, zero pages +%llu): another swap "
			     "device took them? sample refused",
			     backend_name(c->b->kind), (unsigned long long)stored,
			     (unsigned long long)pages, (unsigned long long)(b1->zswpout - b0->zswpout),
			     (unsigned long long)fell, (unsigned long long)zero);
	return 0;
}

/* The timed region is in the processes: munmap() alone (child_timed_munmap). */
static int run_timed_munmap(struct run *r)
{
	const struct cell *c = r->c;
	struct proc_msg m;
	unsigned got;

	if (c->o->load != LOAD_NONE) {
		r->load = load_start(c->o->load);
		if (r->load < 0)
			return -1;
		sleep_ns(300000000ULL); /* let the load reach steady state */
	}
	if (bench_interrupted)
		return -1;
	r->cpu0 = cpu_clock_ns();
	r->go_t = now_ns();
	close(r->go[1]); /* the barrier opens */
	r->go[1] = -1;
	for (got = 0; got < c->procs; got++) {
		int rd = msg_read(r->up[0], &m, sizeof(m));

		if (rd == -2)
			return -1;
		if (rd < 0 || m.type != MSG_RESULT)
			return error("a benchmark process died during munmap");
		r->s[m.proc].munmap_ns = m.t1 - m.t0;
		r->s[m.proc].start_ns = m.t0 > r->go_t ? m.t0 - r->go_t : 0;
		if (m.t1 > r->last_t1)
			r->last_t1 = m.t1;
	}
	return 0;
}

/* The drain: until the backend is back at its pre-fill level. */
static void run_drain(struct run *r)
{
	const struct cell *c = r->c;
	uint64_t tol = drain_tolerance(r->at_go.pool_bytes - r->before_fill.pool_bytes);
	uint64_t limit = r->before_fill.pool_bytes + tol, done;
	uint64_t peak = r->at_go.pool_bytes, last = r->at_go.pool_bytes;
	unsigned i;

	done = wait_pool(c->b, limit, r->go_t + r->timeout, &peak, &last);
	for (i = 0; i < c->procs; i++) {
		r->s[i].drained = done != 0;
		r->s[i].drain_ns = done ? done - r->go_t : r->timeout;
		r->s[i].pool_peak = peak;
		r->s[i].pool_after = last;
	}
}

static int run_account(struct run *r)
{
	const struct cell *c = r->c;
	struct backend_counters after;
	uint64_t cpu;
	unsigned i;

	/*
	 * A task's CPU time is charged when it leaves the CPU: reap the
	 * processes (their exit charges them) and sleep once (charging us)
	 * before reading the clock.
	 */
	if (reap_all(r->pids, c->procs) < 0)
		return error("a benchmark process exited abnormally");
	sleep_ns(DRAIN_POLL_NS);
	cpu = cpu_clock_ns() - r->cpu0;
	for (i = 0; i < c->procs; i++)
		r->s[i].cpu_ns = cpu;
	load_stop(r->load);
	r->load = -1;
	if (bench_interrupted)
		return -1;
	if (backend_read(c->b, &after) < 0)
		return -1;
	for (i = 0; i < c->procs; i++) {
		struct sample *s = &r->s[i];

		s->wall_ns = r->last_t1 - r->go_t;
		s->pool_base = r->before_fill.pool_bytes;
		s->pool_before = r->at_go.pool_bytes;
		s->orig_bytes = r->at_go.orig_bytes - r->before_fill.orig_bytes;
		s->notify_free = after.notify_free - r->at_go.notify_free;
		s->miss_free = after.miss_free - r->at_go.miss_free;
		s->zswpout = r->at_go.zswpout - r->before_fill.zswpout;
		s->pswpout = r->at_go.pswpout - r->before_fill.pswpout;
		s->thp_swpout = r->thp1 - r->thp0;
		s->thp_fallback = r->split1 - r->split0;
	}
	return 0;
}

/* Whatever phase failed: no process, load or descriptor outlives the run. */
static void run_teardown(struct run *r)
{
	unsigned i;

	load_stop(r->load);
	kill_all(r->pids, r->c->procs);
	reap_all(r->pids, r->c->procs);
	for (i = 0; i < 2; i++) {
		if (r->up[i] >= 0)
			close(r->up[i]);
		if (r->go[i] >= 0)
			close(r->go[i]);
	}
	free(r->pids);
}

int cell_run(const struct cell *c, struct sample *s)
{
	struct run r = {
		.c = c, .s = s, .up = { -1, -1 }, .go = { -1, -1 }, .load = -1,
		.pids = xcalloc(c->procs, sizeof(pid_t)),
		.timeout = c->o->drain_timeout_ms * 1000000ULL,
	};
	int ret = -1;

	if (run_setup(&r) == 0 && run_wait_ready(&r) == 0 && run_check_swapped(&r) == 0 &&
	    run_timed_munmap(&r) == 0) {
		run_drain(&r);
		ret = run_account(&r);
	}
	run_teardown(&r);
	return ret;
}
