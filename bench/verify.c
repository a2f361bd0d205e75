/*
 * bench/verify.c - `--verify`: the integrity workload.  A deferred free
 * in zram or zswap must never free a swap slot's compressed copy after
 * that slot was freed, reused and written again: the new page would come
 * back as zeros or as someone else's data, and only its swap-in shows it.
 *
 * So each process of a cell writes every page of its region with data
 * derived from (run, process, page, generation) - a header naming them,
 * then a unique random head and a zero tail, so that it compresses like
 * the bench's varied fill and no two pages are alike - and pages it out
 * the bench's way.  Then, in VERIFY_CYCLES cycles and without waiting for
 * any free or drain: it unmaps about half of the region's chunks (their
 * slots are freed), maps them again and writes the next generation,
 * rewrites every fourth page of the other chunks (the swap-in on write
 * frees their slots too), and pages everything out again (the new pages
 * take freed slots: the swap device is only 10% + 16M larger than the
 * cell).  At the end it swaps every page back in and compares every byte
 * with what it last wrote.  A mismatch fails the run and names the
 * process, page, offset, expected and found bytes, and what the found
 * data is (another generation, another page, zeros).  Nothing is timed.
 *
 * SWAPLAB_VERIFY_CORRUPT=[PROC:]PAGE, for tests only, flips one byte of
 * that page in memory after its swap-in: the proof that the check fails.
 */
#include "bench/internal.h"
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

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define VERIFY_CYCLES 3
#define CHUNK_PAGES 64            /* unmapped and mapped again as a unit */
#define MAX_REPORTS 8             /* mismatching pages reported per process */
#define VERIFY_MAGIC 0x5357564552494659ULL  /* "SWVERIFY" */
#define HEADER_WORDS 4
#define CORRUPT_OFFSET 48         /* in the random head of any --ratio */

enum { VMSG_MISMATCH = 1, VMSG_DONE, VMSG_ERROR };

/* Fits in PIPE_BUF, so each write() is atomic among the processes. */
struct verify_msg {
	int type;
	struct verify_result r;   /* VMSG_DONE */
	struct verify_mismatch m; /* VMSG_MISMATCH */
	char text[512];           /* VMSG_ERROR */
};
_Static_assert(sizeof(struct verify_msg) <= 4096, "message must fit in PIPE_BUF");

static struct {
	unsigned long runs;
	uint64_t pages, bytes;
} totals;

/* The injected fault: -1 when SWAPLAB_VERIFY_CORRUPT is unset. */
static long long corrupt_proc = -1, corrupt_page = -1;

static int corrupt_parse(void)
{
	const char *v = getenv("SWAPLAB_VERIFY_CORRUPT");
	unsigned long long a, b;
	char tail;

	corrupt_proc = corrupt_page = -1;
	if (!v || !*v)
		return 0;
	if (sscanf(v, "%llu:%llu%c", &a, &b, &tail) == 2) {
		corrupt_proc = (long long)a;
		corrupt_page = (long long)b;
	} else if (sscanf(v, "%llu%c", &b, &tail) == 1) {
		corrupt_proc = 0;
		corrupt_page = (long long)b;
	} else {
		return error("SWAPLAB_VERIFY_CORRUPT: '%s' is not [PROC:]PAGE", v);
	}
	if (corrupt_proc > 63 || corrupt_page > (1LL << 40))
		return error("SWAPLAB_VERIFY_CORRUPT: '%s' is out of range", v);
	return 0;
}

int verify_preflight(const struct bench_opts *o)
{
	uint64_t psz = (uint64_t)sysconf(_SC_PAGESIZE);
	size_t i;

	if (o->suite != SUITE_MUNMAP)
		return error("--verify runs its own workload: it does not go with --suite fio");
	if (o->fill != FILL_VARIED && o->fill != FILL_RANDOM)
		return error("--verify needs data that differs in every page: --fill varied or random");
	if (corrupt_parse() < 0)
		return -1;
	if (corrupt_page < 0)
		return 0;
	for (i = 0; i < o->nr_sizes; i++)
		if ((uint64_t)corrupt_page >= o->sizes[i] / psz)
			return error("SWAPLAB_VERIFY_CORRUPT: page %lld is beyond the %llu pages of "
				     "a %llu kB region", corrupt_page,
				     (unsigned long long)(o->sizes[i] / psz),
				     (unsigned long long)(o->sizes[i] >> 10));
	warning("SWAPLAB_VERIFY_CORRUPT is set: process %lld flips a byte of page %lld after "
		"its swap-in (a test of the check; the run must fail)", corrupt_proc, corrupt_page);
	return 0;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/* A process's region and what it last wrote to each page. */
struct region {
	const struct cell *c;
	unsigned proc;
	int up;
	char *p;
	size_t psz, head;         /* page size; bytes of header + random data */
	uint64_t pages, chunk;    /* chunk: pages per unmapped unit */
	unsigned char *gen;       /* generation last written, per page */
	unsigned char *gone;      /* per chunk: unmapped in this cycle */
	uint64_t *expect;         /* one page */
	struct verify_result r;
};

/* The content of a page of one generation: header, random head, zeros. */
static void page_data(const struct region *g, uint64_t page, unsigned gen, uint64_t *w)
{
	uint64_t s = mix64(((uint64_t)g->c->run << 48) ^ ((uint64_t)g->proc << 40) ^
			   ((uint64_t)gen << 32) ^ page) | 1;
	size_t i;

	w[0] = VERIFY_MAGIC;
	w[1] = ((uint64_t)g->proc << 32) | g->c->run;
	w[2] = page;
	w[3] = gen;
	for (i = HEADER_WORDS; i < g->head / 8; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		w[i] = s;
	}
	memset((char *)w + g->head, 0, g->psz - g->head);
}

static void write_page(struct region *g, uint64_t page, unsigned gen)
{
	page_data(g, page, gen, (uint64_t *)(g->p + page * g->psz));
	g->gen[page] = (unsigned char)gen;
	g->r.written++;
}

static void region_fail(struct region *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
static void region_fail(struct region *g, const char *fmt, ...)
{
	struct verify_msg m;
	va_list ap;

	memset(&m, 0, sizeof(m));
	m.type = VMSG_ERROR;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	msg_send(g->up, &m, sizeof(m));
	_exit(1);
}

static void region_pageout(struct region *g)
{
	struct pageout po = { 0 };
	char err[512];

	if (pageout_range(g->c, g->proc, g->p, g->c->size, &po, err, sizeof(err)) < 0)
		region_fail(g, "%s", err);
	g->r.pageouts++;
	g->r.passes += po.passes;
}

static uint64_t chunk_pages(const struct region *g, uint64_t i)
{
	uint64_t first = i * g->chunk;

	return g->pages - first < g->chunk ? g->pages - first : g->chunk;
}

/*
 * One cycle: unmap about half of the chunks (all of them first, so their
 * frees pile up), map them again and write the next generation, rewrite
 * every fourth page of the rest, page everything out.
 */
static void region_cycle(struct region *g, unsigned cycle)
{
	uint64_t nchunks = (g->pages + g->chunk - 1) / g->chunk, i, k;
	uint64_t salt = ((uint64_t)g->c->run << 40) ^ ((uint64_t)g->proc << 32) ^
			((uint64_t)cycle << 24);

	for (i = 0; i < nchunks; i++) {
		g->gone[i] = mix64(salt ^ i) & 1;
		if (g->gone[i] && munmap(g->p + i * g->chunk * g->psz, chunk_pages(g, i) * g->psz) < 0)
			region_fail(g, "munmap of chunk %llu failed: %s", (unsigned long long)i,
				    strerror(errno));
	}
	for (i = 0; i < nchunks; i++) {
		char *at = g->p + i * g->chunk * g->psz, *q;
		uint64_t n = chunk_pages(g, i);

		if (!g->gone[i]) {
			for (k = 0; k < n; k++)
				if (mix64(salt ^ (i * g->chunk + k) ^ 0x5A5A5A5AULL) % 4 == 0) {
					write_page(g, i * g->chunk + k, cycle);
					g->r.rewritten++;
				}
			continue;
		}
		/* NOREPLACE: nothing else may have been placed in the hole. */
		q = mmap(at, n * g->psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (q == MAP_FAILED || q != at)
			region_fail(g, "mapping chunk %llu again at %p failed: %s",
				    (unsigned long long)i, (void *)at,
				    q == MAP_FAILED ? strerror(errno) : "placed elsewhere");
		if (madvise(q, n * g->psz, cell_thp_advice(g->c)) < 0)
			region_fail(g, "madvise of chunk %llu failed: %s", (unsigned long long)i,
				    strerror(errno));
		for (k = 0; k < n; k++)
			write_page(g, i * g->chunk + k, cycle);
		g->r.unmapped += n;
	}
	region_pageout(g);
}

/* What a page that came back different holds instead, in words. */
static void describe(const struct region *g, const uint64_t *w, char *out, size_t len)
{
	size_t i;

	if (w[0] == VERIFY_MAGIC) {
		unsigned proc = (unsigned)(w[1] >> 32), run = (unsigned)w[1];

		snprintf(out, len, "%s page %llu generation %llu%s",
			 proc == g->proc ? "this process's" : "another process's",
			 (unsigned long long)w[2], (unsigned long long)w[3],
			 run == g->c->run ? "" : " of an earlier run");
		return;
	}
	for (i = 0; i < g->psz / 8 && !w[i]; i++)
		;
	snprintf(out, len, i == g->psz / 8 ? "zeros" : "data this workload did not write");
}

static void report(struct region *g, uint64_t page, const unsigned char *found)
{
	const unsigned char *want = (const unsigned char *)g->expect;
	struct verify_msg m;
	struct verify_mismatch *x = &m.m;
	size_t off, first = g->psz;
	uint64_t differ = 0;

	for (off = 0; off < g->psz; off++)
		if (found[off] != want[off]) {
			if (first == g->psz)
				first = off;
			differ++;
		}
	memset(&m, 0, sizeof(m));
	m.type = VMSG_MISMATCH;
	x->proc = g->proc;
	x->gen = g->gen[page];
	x->page = page;
	x->offset = first;
	x->differ = differ;
	x->len = (unsigned)(g->psz - first < sizeof(x->expected) ? g->psz - first
								 : sizeof(x->expected));
	memcpy(x->expected, want + first, x->len);
	memcpy(x->found, found + first, x->len);
	describe(g, (const uint64_t *)found, x->found_as, sizeof(x->found_as));
	msg_send(g->up, &m, sizeof(m));
}

/* Swaps every page in (by reading it) and compares every byte. */
static void region_check(struct region *g)
{
	uint64_t page;

	for (page = 0; page < g->pages; page++) {
		unsigned char *pg = (unsigned char *)g->p + page * g->psz;

		if ((long long)g->proc == corrupt_proc && (long long)page == corrupt_page) {
			/* The swap-in (a read), then the fault. */
			*(volatile unsigned char *)pg;
			pg[CORRUPT_OFFSET] ^= 0xFF;
		}
		page_data(g, page, g->gen[page], g->expect);
		if (memcmp(pg, g->expect, g->psz)) {
			if (g->r.mismatched < MAX_REPORTS)
				report(g, page, pg);
			g->r.mismatched++;
		}
	}
}

static void verify_child(const struct cell *c, unsigned proc, int up)
{
	struct region g = { .c = c, .proc = proc, .up = up };
	struct verify_msg m;
	char err[512];
	uint64_t page;
	unsigned cycle;

	if (cell_child_enter(c, err, sizeof(err)) < 0)
		region_fail(&g, "%s", err);
	g.psz = (size_t)sysconf(_SC_PAGESIZE);
	g.pages = c->size / g.psz;
	g.chunk = g.pages >= 4 * CHUNK_PAGES ? CHUNK_PAGES : (g.pages + 3) / 4;
	/* As the bench's varied fill: page/ratio bytes of random data. */
	g.head = c->o->fill == FILL_RANDOM ? g.psz : (size_t)((double)g.psz / c->o->ratio);
	g.head &= ~(size_t)7;
	if (g.head < 64)
		g.head = 64;
	g.gen = xcalloc(g.pages, 1);
	g.gone = xcalloc((g.pages + g.chunk - 1) / g.chunk, 1);
	g.expect = xmalloc(g.psz);
	g.r.proc = proc;
	g.r.pages = g.pages;
	g.p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.p == MAP_FAILED)
		region_fail(&g, "mmap of %llu bytes failed: %s", (unsigned long long)c->size,
			    strerror(errno));
	if (madvise(g.p, c->size, cell_thp_advice(c)) < 0)
		region_fail(&g, "madvise failed: %s", strerror(errno));
	for (page = 0; page < g.pages; page++)
		write_page(&g, page, 0);
	region_pageout(&g);
	for (cycle = 1; cycle <= VERIFY_CYCLES; cycle++)
		region_cycle(&g, cycle);
	region_check(&g);
	munmap(g.p, c->size);
	memset(&m, 0, sizeof(m));
	m.type = VMSG_DONE;
	m.r = g.r;
	msg_send(up, &m, sizeof(m));
	_exit(0);
}

static void hex(const unsigned char *b, unsigned n, char *out)
{
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02x ", b[i]);
	if (n)
		out[3 * n - 1] = '\0';
}

static void say_mismatch(const struct cell *c, const struct verify_mismatch *x)
{
	char want[64], got[64], sz[32];

	hex(x->expected, x->len, want);
	hex(x->found, x->len, got);
	error("verify: %s %s x%u run %u: process %u page %llu offset %llu: expected %s, "
	      "found %s (%llu of the page's bytes differ; expected generation %u, found %s)",
	      backend_name(c->b->kind), fmt_size(c->size, sz, sizeof(sz)), c->procs, c->run,
	      x->proc, (unsigned long long)x->page, (unsigned long long)x->offset, want, got,
	      (unsigned long long)x->differ, x->gen, x->found_as);
}

/* Collects every process's messages; fills res; -1 on a failure. */
static int collect(const struct cell *c, int fd, FILE *jsonl, struct verify_result *res)
{
	unsigned done = 0;

	while (done < c->procs) {
		struct verify_msg m;
		int rd = msg_read(fd, &m, sizeof(m));

		if (rd == -2)
			return -1;
		if (rd < 0)
			return error("a verify process died (%s %lluM x%u run %u)",
				     backend_name(c->b->kind), (unsigned long long)(c->size >> 20),
				     c->procs, c->run);
		if (m.type == VMSG_ERROR)
			return error("%s", m.text);
		if (m.type == VMSG_MISMATCH) {
			say_mismatch(c, &m.m);
			if (jsonl)
				out_mismatch(jsonl, c, &m.m);
		} else if (m.type == VMSG_DONE && m.r.proc < c->procs) {
			res[m.r.proc] = m.r;
			done++;
		}
	}
	return 0;
}

/*
 * The pages must have gone to the backend under test: zram counts its
 * writes in pswpout, zswap in zswpout (and none may fall through to its
 * backing file).  Some of the counted writes may have stayed resident
 * (pageout_range() accepts 99%), hence the 5% margin.
 */
static int check_backend(const struct cell *c, const struct backend_counters *b0,
			 const struct backend_counters *b1, struct verify_result *res)
{
	uint64_t written = 0, stored, fell = b1->pswpout - b0->pswpout;
	unsigned i;

	for (i = 0; i < c->procs; i++)
		written += res[i].written;
	stored = c->b->kind == BACKEND_ZRAM ? fell : b1->zswpout - b0->zswpout;
	for (i = 0; i < c->procs; i++) {
		res[i].backend_pages = stored;
		res[i].swap_slots = c->b->swap_size / (uint64_t)sysconf(_SC_PAGESIZE) - 1;
	}
	if (c->b->kind == BACKEND_ZSWAP && fell)
		return error("zswap: %llu pages fell through to the backing device: raise "
			     "--zswap-max-pool or lower the sizes", (unsigned long long)fell);
	if (stored < written - written / 20)
		return error("%s took only %llu of the %llu pages the verify processes wrote "
			     "and paged out: another swap device took them?",
			     backend_name(c->b->kind), (unsigned long long)stored,
			     (unsigned long long)written);
	return 0;
}

int verify_run(const struct cell *c, FILE *jsonl)
{
	struct backend_counters b0, b1;
	struct verify_result *res = xcalloc(c->procs, sizeof(*res));
	pid_t *pids = xcalloc(c->procs, sizeof(pid_t));
	uint64_t bad = 0;
	int up[2] = { -1, -1 }, ret = -1;
	pid_t load = -1;
	unsigned i;

	if (corrupt_parse() < 0 || backend_read(c->b, &b0) < 0)
		goto out;
	/* --load: the frees' workers compete with it, so more of them are pending. */
	if (c->o->load != LOAD_NONE && (load = load_start(c->o->load)) < 0)
		goto out;
	if (pipe2(up, O_CLOEXEC) < 0) {
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
			verify_child(c, i, up[1]);
		}
	}
	close(up[1]);
	up[1] = -1;
	if (collect(c, up[0], jsonl, res) < 0)
		goto out;
	for (i = 0; i < c->procs; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		pids[i] = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			error("a verify process exited abnormally");
			goto out;
		}
	}
	if (backend_read(c->b, &b1) < 0 || check_backend(c, &b0, &b1, res) < 0)
		goto out;
	for (i = 0; i < c->procs; i++) {
		if (jsonl)
			out_verify(jsonl, c, &res[i]);
		bad += res[i].mismatched;
		totals.pages += res[i].pages;
		totals.bytes += res[i].pages * (uint64_t)sysconf(_SC_PAGESIZE);
	}
	totals.runs++;
	ret = bad ? 1 : 0;
	if (bad)
		error("verify: %llu pages came back different (%s %lluM x%u run %u)",
		      (unsigned long long)bad, backend_name(c->b->kind),
		      (unsigned long long)(c->size >> 20), c->procs, c->run);
out:
	load_stop(load);
	for (i = 0; i < c->procs; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
	if (up[0] >= 0)
		close(up[0]);
	if (up[1] >= 0)
		close(up[1]);
	free(pids);
	free(res);
	return ret;
}

void verify_summary(FILE *f, int failed)
{
	if (failed)
		fprintf(f, "\nverify: FAILED: a page came back different (see the errors above)\n");
	else if (totals.runs)
		fprintf(f, "\nverify: every byte matched: %lu runs, %llu pages (%llu MiB) checked "
			"after %d free-and-reuse cycles each\n", totals.runs,
			(unsigned long long)totals.pages, (unsigned long long)(totals.bytes >> 20),
			VERIFY_CYCLES);
	memset(&totals, 0, sizeof(totals));
}
