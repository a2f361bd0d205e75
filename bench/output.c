/*
 * bench/output.c - the JSON Lines records of docs/bench-output.md, the
 * environment record, the CPU clock and the terminal summary table.
 */
#include "bench/internal.h"
#include "bench/state.h"
#include "bench/sysfs.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ---- CPU clock: the most precise whole-system busy time available ---- */

static enum { CLK_UNSET, CLK_CPUACCT, CLK_CGROUP2, CLK_PROCSTAT } clk;
static char clk_path[256];

static void cpu_clock_pick(void)
{
	char *mounts = slurp_file("/proc/mounts", NULL);
	char mnt[200];
	uint64_t v;

	clk = CLK_PROCSTAT;
	if (!mounts)
		return;
	/* cpuacct.usage of the root: scheduler-precise ns of every task. */
	if (parse_mount_point(mounts, "cgroup", "cpuacct", mnt, sizeof(mnt)) == 0) {
		snprintf(clk_path, sizeof(clk_path), "%s/cpuacct.usage", mnt);
		if (read_u64_file(clk_path, &v) == 0) {
			clk = CLK_CPUACCT;
			goto out;
		}
	}
	if (parse_mount_point(mounts, "cgroup2", NULL, mnt, sizeof(mnt)) == 0) {
		char buf[512];

		snprintf(clk_path, sizeof(clk_path), "%s/cpu.stat", mnt);
		if (read_file(clk_path, buf, sizeof(buf)) >= 0 && parse_cpu_stat_usage(buf, &v) == 0)
			clk = CLK_CGROUP2;
	}
out:
	free(mounts);
}

/*
 * cgroup2's root cpu.stat and /proc/stat are tick-sampled on most
 * kernels; cgroup v1 cpuacct is charged by the scheduler in ns.  It is not
 * a cgroup2 controller, so it can be mounted beside cgroup2 when the
 * kernel has it (called only when no mount of it was found).
 */
static int cpuacct_mountable(void)
{
	char cg[4096], *line, *save = NULL;

	if (read_file("/proc/cgroups", cg, sizeof(cg)) < 0)
		return 0;
	for (line = strtok_r(cg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned hier, num, enabled;
		char name[32];

		/*
		 * hier != 0 with no mount is the hierarchy an earlier backend's
		 * unmount left for the kernel to tear down; mounting re-attaches.
		 */
		if (sscanf(line, "%31s %u %u %u", name, &hier, &num, &enabled) == 4 &&
		    !strcmp(name, "cpuacct") && enabled)
			return 1;
	}
	return 0;
}

int cpu_clock_prepare(struct bench_state *st)
{
	char *path;

	if (clk == CLK_UNSET)
		cpu_clock_pick();
	if (clk == CLK_CPUACCT || !cpuacct_mountable())
		return 0;
	path = xstrfmt("%s/cpuacct", state_dir_path());
	snprintf(st->cpuacct, sizeof(st->cpuacct), "%s", path);
	if (state_save(st) < 0 || (mkdir(path, 0700) < 0 && errno != EEXIST)) {
		free(path);
		return -1;
	}
	if (mount("swaplab-cpuacct", path, "cgroup", 0, "cpuacct") < 0) {
		warning("cannot mount cgroup v1 cpuacct on '%s' (%s): CPU time will be "
			"tick-sampled", path, strerror(errno));
		rmdir(path);
		st->cpuacct[0] = '\0';
		state_save(st);
		free(path);
		return 0;
	}
	snprintf(clk_path, sizeof(clk_path), "%s/cpuacct.usage", path);
	clk = CLK_CPUACCT;
	free(path);
	return 0;
}

void cpu_clock_forget(void)
{
	clk = CLK_UNSET;
}

uint64_t cpu_clock_ns(void)
{
	char buf[1024];
	uint64_t v = 0;

	if (clk == CLK_UNSET)
		cpu_clock_pick();
	switch (clk) {
	case CLK_CPUACCT:
		read_u64_file(clk_path, &v);
		return v;
	case CLK_CGROUP2:
		if (read_file(clk_path, buf, sizeof(buf)) >= 0)
			parse_cpu_stat_usage(buf, &v);
		return v * 1000;
	default:
		if (read_file("/proc/stat", buf, sizeof(buf)) >= 0)
			parse_proc_stat_busy(buf, &v);
		return v * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
	}
}

const char *cpu_clock_name(void)
{
	if (clk == CLK_UNSET)
		cpu_clock_pick();
	/* What the runs will use: cpu_clock_prepare() mounts cpuacct if it can. */
	if (clk == CLK_CPUACCT || cpuacct_mountable())
		return "cpuacct";
	return clk == CLK_CGROUP2 ? "cgroup2" : "procstat";
}

/* ---- records ---- */

static void kv_str(FILE *f, const char *k, const char *v)
{
	fprintf(f, ",\"%s\":", k);
	json_put_string(f, v);
}

static void kv_u64(FILE *f, const char *k, uint64_t v)
{
	fprintf(f, ",\"%s\":%llu", k, (unsigned long long)v);
}

static void cpu_model(char *out, size_t len)
{
	char *text = slurp_file("/proc/cpuinfo", NULL), *line, *save = NULL;
	static const char *const keys[] = { "model name", "Model", "cpu model", "CPU part" };
	size_t k;

	snprintf(out, len, "unknown");
	if (!text)
		return;
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		char *copy = xstrdup(text);

		save = NULL;
		for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *colon = strchr(line, ':');

			if (colon && !strncmp(line, keys[k], strlen(keys[k])) &&
			    (line[strlen(keys[k])] == ' ' || line[strlen(keys[k])] == '\t')) {
				colon++;
				while (*colon == ' ')
					colon++;
				snprintf(out, len, "%s", colon);
				free(copy);
				free(text);
				return;
			}
		}
		free(copy);
	}
	free(text);
}

void out_env(FILE *f, const struct bench_opts *o, const struct backend *zram,
	     const struct backend *zswap)
{
	struct utsname u;
	unsigned char rnd[16];
	char uuid[33], buf[4096], when[32], thp[32] = "unsupported", gov[64] = "none";
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		uint64_t t = now_ns() ^ (uint64_t)getpid() << 32;

		memcpy(rnd, &t, 8);
		memcpy(rnd + 8, &t, 8);
	}
	for (i = 0; i < 16; i++)
		snprintf(uuid + 2 * i, 3, "%02x", rnd[i]);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	uname(&u);

	fprintf(f, "{\"type\":\"env\",\"schema\":1");
	kv_str(f, "run_uuid", uuid);
	snprintf(buf, sizeof(buf), "%s %s", get_progname(), SWAPLAB_VERSION);
	kv_str(f, "tool", buf);
	kv_str(f, "started", when);
	kv_str(f, "hostname", u.nodename);
	kv_str(f, "device", o->device ? o->device : "host");
	kv_str(f, "kernel_release", u.release);
	kv_str(f, "kernel_version", u.version);
	if (read_file_trim("/proc/cmdline", buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	kv_str(f, "kernel_cmdline", buf);
	kv_str(f, "arch", u.machine);
	cpu_model(buf, sizeof(buf));
	kv_str(f, "cpu_model", buf);
	kv_u64(f, "cpus", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	kv_u64(f, "mem_total_bytes", read_meminfo("MemTotal"));
	kv_u64(f, "page_size", (uint64_t)sysconf(_SC_PAGESIZE));
	if (read_file_trim("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) == 0)
		parse_bracketed(buf, thp, sizeof(thp));
	kv_str(f, "thp_enabled", thp);
	if (read_file_trim("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof(gov)) < 0)
		snprintf(gov, sizeof(gov), "none");
	kv_str(f, "cpufreq_governor", gov);
	kv_str(f, "cpu_clock", cpu_clock_name());
	if (read_file_trim("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			   buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "unknown");
	kv_str(f, "clocksource", buf);
	fprintf(f, ",\"backends\":[");
	for (i = 0; i < o->nr_backends; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", backend_name(o->backends[i]));
	fprintf(f, "],\"sizes_bytes\":[");
	for (i = 0; i < o->nr_sizes; i++)
		fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)o->sizes[i]);
	fprintf(f, "],\"procs\":[");
	for (i = 0; i < o->nr_procs; i++)
		fprintf(f, "%s%u", i ? "," : "", o->procs[i]);
	fprintf(f, "]");
	kv_u64(f, "runs", o->runs);
	kv_str(f, "fill", o->fill == FILL_VARIED ? "varied" : o->fill == FILL_RANDOM ? "random"
			  : o->fill == FILL_ZERO ? "zero" : "same");
	fprintf(f, ",\"ratio\":%.2f", o->ratio);
	kv_str(f, "thp", o->thp);
	kv_str(f, "load", o->load == LOAD_NONE ? "none" : o->load == LOAD_CPU ? "cpu" : "mem");
	if (o->load != LOAD_NONE && load_tool(o->load))
		kv_str(f, "load_tool", load_tool(o->load));
	if (zram) {
		fprintf(f, ",\"zram\":{\"comp\":");
		json_put_string(f, zram->comp);
		fprintf(f, ",\"disksize_bytes\":%llu,\"swap_priority\":%d}",
			(unsigned long long)zram->swap_size, o->swap_prio);
	}
	if (zswap) {
		fprintf(f, ",\"zswap\":{\"compressor\":");
		json_put_string(f, zswap->comp);
		fprintf(f, ",\"max_pool_percent\":%u,\"backing\":\"%s\",\"backing_bytes\":%llu,"
			"\"swap_priority\":%d}", zswap->max_pool_percent, zswap->backing,
			(unsigned long long)zswap->swap_size, o->swap_prio);
	}
	kv_u64(f, "drain_timeout_ns", o->drain_timeout_ms * 1000000ULL);
	if (o->verify) {
		const char *inj = getenv("SWAPLAB_VERIFY_CORRUPT");

		fprintf(f, ",\"verify\":true");
		if (inj && *inj)
			kv_str(f, "verify_corrupt", inj);
	}
	fprintf(f, "}\n");
	fflush(f);
}

void out_sample(FILE *f, const struct cell *c, const struct sample *s)
{
	fprintf(f, "{\"type\":\"sample\",\"backend\":\"%s\"", backend_name(c->b->kind));
	kv_str(f, "comp", c->b->comp);
	kv_u64(f, "size_bytes", c->size);
	kv_u64(f, "procs", c->procs);
	kv_u64(f, "run", c->run);
	kv_u64(f, "proc", s->proc);
	kv_u64(f, "munmap_ns", s->munmap_ns);
	kv_u64(f, "start_ns", s->start_ns);
	kv_u64(f, "swap_bytes", s->swap_bytes);
	kv_u64(f, "rss_bytes", s->rss_bytes);
	kv_u64(f, "vmswap_bytes", s->vmswap_bytes);
	kv_u64(f, "fill_ns", s->fill_ns);
	kv_u64(f, "pageout_ns", s->pageout_ns);
	kv_u64(f, "pageout_passes", s->pageout_passes);
	kv_u64(f, "wall_ns", s->wall_ns);
	kv_u64(f, "drain_ns", s->drain_ns);
	fprintf(f, ",\"drained\":%s", s->drained ? "true" : "false");
	kv_u64(f, "cpu_ns", s->cpu_ns);
	kv_u64(f, "pool_base_bytes", s->pool_base);
	kv_u64(f, "pool_before_bytes", s->pool_before);
	kv_u64(f, "pool_peak_bytes", s->pool_peak);
	kv_u64(f, "pool_after_bytes", s->pool_after);
	kv_u64(f, "orig_bytes", s->orig_bytes);
	kv_u64(f, "notify_free", s->notify_free);
	kv_u64(f, "miss_free", s->miss_free);
	kv_u64(f, "zswpout", s->zswpout);
	kv_u64(f, "pswpout", s->pswpout);
	kv_u64(f, "thp_swpout", s->thp_swpout);
	kv_u64(f, "thp_swpout_fallback", s->thp_fallback);
	fprintf(f, "}\n");
	fflush(f);
}

static void kv_hex(FILE *f, const char *k, const unsigned char *b, unsigned n)
{
	unsigned i;

	fprintf(f, ",\"%s\":\"", k);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('"', f);
}

/* The cell and run a --verify record belongs to. */
static void verify_head(FILE *f, const char *type, const struct cell *c, unsigned proc)
{
	fprintf(f, "{\"type\":\"%s\",\"backend\":\"%s\"", type, backend_name(c->b->kind));
	kv_str(f, "comp", c->b->comp);
	kv_u64(f, "size_bytes", c->size);
	kv_u64(f, "procs", c->procs);
	kv_u64(f, "run", c->run);
	kv_u64(f, "proc", proc);
}

void out_verify(FILE *f, const struct cell *c, const struct verify_result *r)
{
	verify_head(f, "verify", c, r->proc);
	fprintf(f, ",\"ok\":%s", r->mismatched ? "false" : "true");
	kv_u64(f, "pages", r->pages);
	kv_u64(f, "mismatched_pages", r->mismatched);
	kv_u64(f, "written_pages", r->written);
	kv_u64(f, "unmapped_pages", r->unmapped);
	kv_u64(f, "rewritten_pages", r->rewritten);
	kv_u64(f, "pageouts", r->pageouts);
	kv_u64(f, "pageout_passes", r->passes);
	kv_u64(f, "backend_pages", r->backend_pages);
	kv_u64(f, "swap_slots", r->swap_slots);
	fprintf(f, "}\n");
	fflush(f);
}

void out_mismatch(FILE *f, const struct cell *c, const struct verify_mismatch *m)
{
	verify_head(f, "mismatch", c, m->proc);
	kv_u64(f, "page", m->page);
	kv_u64(f, "offset", m->offset);
	kv_u64(f, "differing_bytes", m->differ);
	kv_hex(f, "expected", m->expected, m->len);
	kv_hex(f, "found", m->found, m->len);
	kv_u64(f, "expected_generation", m->gen);
	kv_str(f, "found_data", m->found_as);
	fprintf(f, "}\n");
	fflush(f);
}

void out_end(FILE *f, const char *status, unsigned long samples, const char *msg)
{
	fprintf(f, "{\"type\":\"end\",\"status\":\"%s\",\"samples\":%lu", status, samples);
	if (msg)
		kv_str(f, "message", msg);
	fprintf(f, "}\n");
	fflush(f);
}

/* ---- summary table ---- */

struct row {
	enum bench_backend backend;
	char comp[64];
	uint64_t size;
	unsigned procs;
	double *munmap_ms, *drain_ms, *cpu_ms; /* per run; a run = mean over procs */
	unsigned n, alloc, undrained;
};

static struct row *rows;
static size_t nr_rows, alloc_rows;

void summary_add(const struct cell *c, const struct sample *s, unsigned nr)
{
	struct row *r = NULL;
	double sum = 0;
	size_t i;

	for (i = 0; i < nr_rows; i++)
		if (rows[i].backend == c->b->kind && rows[i].size == c->size &&
		    rows[i].procs == c->procs)
			r = &rows[i];
	if (!r) {
		ALLOC_GROW(rows, nr_rows + 1, alloc_rows);
		r = &rows[nr_rows++];
		memset(r, 0, sizeof(*r));
		r->backend = c->b->kind;
		snprintf(r->comp, sizeof(r->comp), "%s", c->b->comp);
		r->size = c->size;
		r->procs = c->procs;
	}
	if (r->n == r->alloc) {
		r->alloc = r->alloc * 2 + 8;
		r->munmap_ms = xrealloc(r->munmap_ms, r->alloc * sizeof(double));
		r->drain_ms = xrealloc(r->drain_ms, r->alloc * sizeof(double));
		r->cpu_ms = xrealloc(r->cpu_ms, r->alloc * sizeof(double));
	}
	for (i = 0; i < nr; i++)
		sum += (double)s[i].munmap_ns / 1e6;
	r->munmap_ms[r->n] = sum / nr;
	r->drain_ms[r->n] = (double)s[0].drain_ns / 1e6;
	r->cpu_ms[r->n] = (double)s[0].cpu_ns / 1e6;
	if (!s[0].drained)
		r->undrained++;
	r->n++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	double *c = xmalloc(n * sizeof(*c)), m;

	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

void summary_print(FILE *f, const struct bench_opts *o)
{
	size_t i, j;
	enum bench_backend last = (enum bench_backend)-1;

	(void)o;
	for (i = 0; i < nr_rows; i++) {
		struct row *r = &rows[i];
		double mean = 0, var = 0, lo = r->munmap_ms[0], hi = r->munmap_ms[0];
		char sz[32];

		if (r->backend != last) {
			fprintf(f, "\n%s (%s): munmap latency, median of runs (a run of N "
				"processes counts their mean)\n", backend_name(r->backend), r->comp);
			fprintf(f, "  %-7s %-5s %3s %11s %10s %10s %6s %11s %10s\n", "size", "procs",
				"n", "munmap", "min", "max", "cv", "drain", "cpu");
			last = r->backend;
		}
		for (j = 0; j < r->n; j++) {
			mean += r->munmap_ms[j];
			if (r->munmap_ms[j] < lo)
				lo = r->munmap_ms[j];
			if (r->munmap_ms[j] > hi)
				hi = r->munmap_ms[j];
		}
		mean /= r->n;
		for (j = 0; j < r->n; j++)
			var += (r->munmap_ms[j] - mean) * (r->munmap_ms[j] - mean);
		var = r->n > 1 ? var / (r->n - 1) : 0;
		fprintf(f, "  %-7s %-5u %3u %9.2fms %8.2fms %8.2fms %5.1f%% %9.2fms%s %8.2fms\n",
			fmt_size(r->size, sz, sizeof(sz)), r->procs, r->n, median(r->munmap_ms, r->n),
			lo, hi, mean > 0 ? 100.0 * sqrt(var) / mean : 0.0, median(r->drain_ms, r->n),
			r->undrained ? "!" : " ", median(r->cpu_ms, r->n));
	}
	if (nr_rows)
		fprintf(f, "\ndrain: until the backend's memory was back at its pre-fill level"
			" ('!' = timed out);\ncpu: all CPUs, all tasks, munmap through drain.\n");
}

void summary_free(void)
{
	size_t i;

	for (i = 0; i < nr_rows; i++) {
		free(rows[i].munmap_ms);
		free(rows[i].drain_ms);
		free(rows[i].cpu_ms);
	}
	free(rows);
	rows = NULL;
	nr_rows = alloc_rows = 0;
}
