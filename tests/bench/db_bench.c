/*
 * db_bench.c - throughput of the results database (a benchmark that
 * prints numbers, not a test; run by tests/bench/30-db.sh / make bench).
 *
 *   import   one JSON Lines file of 1,000,000 samples (1,667 bench
 *            invocations of 600 samples: zram and zswap, 5 sizes, 1/2/3
 *            processes, 10 runs) through db_import_jsonl, three times
 *            into a fresh database: the median wall time, its CPU time
 *            per thread, samples per second.  Target: under 2 s.
 *   report   on that database plus two typical labels (one invocation
 *            each): report_build + report_write from a fresh read-only
 *            open, as `swaplab report` does.  Target: under 100 ms.  The
 *            worst case (a label holding all 1M samples) is printed too.
 *
 * usage: db_bench DIR [SAMPLES [keep]]   (DIR receives the streams and lab.db;
 *        "keep" leaves the streams there, e.g. to profile an import)
 */
#include "db/db.h"
#include "reports/report.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static uint64_t rng = 0x243F6A8885A308D3ULL;

static double unit(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return ((double)((z ^ (z >> 31)) >> 11) + 0.5) / 9007199254740992.0;
}

static double noise(double sd) /* lognormal factor */
{
	return exp(sd * sqrt(-2 * log(unit())) * cos(2 * M_PI * unit()));
}

static const char *const backends[] = { "zram", "zswap" };
static const unsigned mbs[] = { 64, 128, 256, 512, 1024 };
static const unsigned procs[] = { 1, 2, 3 };
#define RUNS 10
#define PER_INVOCATION (2 * 5 * (1 + 2 + 3) * RUNS)

/* One invocation as `swapbench --json` writes it (same keys, same order). */
static unsigned write_invocation(FILE *f, unsigned id, const char *kernel, double speed)
{
	unsigned b, s, p, run, proc, n = 0;

	fprintf(f, "{\"type\":\"env\",\"schema\":1,\"run_uuid\":\"%08x%024x\",\"tool\":\"swapbench 0.1.0\","
		   "\"started\":\"2026-05-01T10:00:00Z\",\"hostname\":\"rpi4b-1\",\"device\":\"rpi4b-1\","
		   "\"kernel_release\":\"%s\",\"kernel_version\":\"#1 SMP PREEMPT\","
		   "\"kernel_cmdline\":\"console=ttyS0 root=/dev/mmcblk0p2\",\"arch\":\"aarch64\","
		   "\"cpu_model\":\"Cortex-A72\",\"cpus\":4,\"mem_total_bytes\":8183721984,"
		   "\"page_size\":4096,\"thp_enabled\":\"madvise\",\"cpufreq_governor\":\"performance\","
		   "\"cpu_clock\":\"cpuacct\",\"backends\":[\"zram\",\"zswap\"],\"sizes_bytes\":"
		   "[67108864,134217728,268435456,536870912,1073741824],\"procs\":[1,2,3],\"runs\":%u,"
		   "\"fill\":\"varied\",\"ratio\":3.00,\"thp\":\"never\",\"load\":\"none\","
		   "\"zram\":{\"comp\":\"lzo-rle\",\"disksize_bytes\":4294967296,\"swap_priority\":100},"
		   "\"zswap\":{\"compressor\":\"lzo\",\"max_pool_percent\":20,\"backing\":\"file\","
		   "\"backing_bytes\":4294967296,\"swap_priority\":100},\"drain_timeout_ns\":10000000000}\n",
		id, id, kernel, RUNS);
	for (b = 0; b < 2; b++)
		for (s = 0; s < 5; s++)
			for (p = 0; p < 3; p++)
				for (run = 1; run <= RUNS; run++) {
					uint64_t size = (uint64_t)mbs[s] << 20;
					double base = 0.22e6 * mbs[s] * (b ? 2.6 : 1) * (1 + 0.5 * p) * speed;
					uint64_t wall = (uint64_t)(base * 1.1), drain = (uint64_t)(base * 2.5);

					for (proc = 0; proc < procs[p]; proc++) {
						fprintf(f, "{\"type\":\"sample\",\"backend\":\"%s\",\"comp\":\"%s\","
							   "\"size_bytes\":%llu,\"procs\":%u,\"run\":%u,\"proc\":%u,"
							   "\"munmap_ns\":%llu,\"start_ns\":%u,\"swap_bytes\":%llu,"
							   "\"rss_bytes\":0,\"vmswap_bytes\":%llu,\"fill_ns\":%llu,"
							   "\"pageout_ns\":%llu,\"pageout_passes\":1,\"wall_ns\":%llu,"
							   "\"drain_ns\":%llu,\"drained\":true,\"cpu_ns\":%llu,"
							   "\"pool_base_bytes\":1048576,\"pool_before_bytes\":%llu,"
							   "\"pool_peak_bytes\":%llu,\"pool_after_bytes\":1048576,"
							   "\"orig_bytes\":%llu,\"notify_free\":%llu,\"miss_free\":0,"
							   "\"zswpout\":%llu,\"pswpout\":0,\"thp_swpout\":0,"
							   "\"thp_swpout_fallback\":0}\n",
							backends[b], b ? "lzo" : "lzo-rle",
							(unsigned long long)size, procs[p], run, proc,
							(unsigned long long)(base * noise(0.04)), 900 + proc * 350,
							(unsigned long long)size, (unsigned long long)size,
							(unsigned long long)(size / 2), (unsigned long long)size,
							(unsigned long long)wall, (unsigned long long)drain,
							(unsigned long long)(drain * 1.2),
							(unsigned long long)(size * procs[p] / 3),
							(unsigned long long)(size * procs[p] / 3),
							(unsigned long long)(size * procs[p]),
							(unsigned long long)(b ? 0 : size * procs[p] / 4096),
							(unsigned long long)(b ? size * procs[p] / 4096 : 0));
						n++;
					}
				}
	fprintf(f, "{\"type\":\"end\",\"status\":\"ok\",\"samples\":%u}\n", n);
	return n;
}

static char *write_stream(const char *dir, const char *name, unsigned first, unsigned count,
			const char *kernel, double speed, uint64_t *samples, uint64_t *bytes)
{
	char *path = xstrfmt("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	unsigned i;

	if (!f)
		die("cannot write '%s'", path);
	*samples = 0;
	for (i = 0; i < count; i++)
		*samples += write_invocation(f, first + i, kernel, speed);
	*bytes = (uint64_t)ftell(f);
	if (fclose(f))
		die("cannot write '%s'", path);
	return path;
}

#define IMPORTS 3

static void unlink_db(const char *path)
{
	const char *const sfx[] = { "", "-wal", "-shm" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sfx); i++) {
		char *p = xstrfmt("%s%s", path, sfx[i]);

		unlink(p);
		free(p);
	}
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* The 1-minute load average: the machine is shared, wall time depends on it. */
static const char *loadavg(void)
{
	static char buf[64];
	char *sp;

	if (read_file_trim("/proc/loadavg", buf, sizeof(buf)) < 0)
		return "?";
	if ((sp = strchr(buf, ' ')))
		*sp = '\0';
	return buf;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over 7 repetitions of one report, from opening the database to the text. */
static double time_report(const char *db_path, const char *base, const char *patched,
			  enum report_format fmt, size_t *out_len)
{
	double t[7];
	int i;

	for (i = 0; i < 7; i++) {
		uint64_t t0 = now_ns();
		struct report_opts o = { .base = base, .patched = patched, .alpha = 0.05 };
		struct db *db = db_open(db_path, DB_READONLY);
		struct report r;
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		if (!db || report_build(db, &o, &r))
			die("report failed");
		f = open_memstream(&buf, &len);
		report_write(&r, fmt, f);
		fclose(f);
		report_release(&r);
		db_close(db);
		t[i] = (double)(now_ns() - t0) / 1e6;
		*out_len = len;
		free(buf);
	}
	qsort(t, 7, sizeof(*t), cmp_d);
	return t[3];
}

int main(int argc, char **argv)
{
	uint64_t want = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000, samples, bytes, t0;
	unsigned count = (unsigned)((want + PER_INVOCATION - 1) / PER_INVOCATION);
	struct db_import_stats st[IMPORTS];
	double c0, wall, walls[IMPORTS], cpus[IMPORTS], sorted[IMPORTS], ms;
	char *bulk, *base, *patched, *db_path;
	struct db *db;
	size_t len;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: db_bench DIR [SAMPLES]\n");
		return 129;
	}
	set_progname("db_bench");
	db_path = xstrfmt("%s/lab.db", argv[1]);
	printf("generating %u bench invocations of %u samples...\n", count, PER_INVOCATION);
	bulk = write_stream(argv[1], "bulk.jsonl", 1, count, "6.18.0", 1.0, &samples, &bytes);

	/*
	 * Three imports into a fresh database each: the machine is shared
	 * and a single figure moves by 15%.  The median is the result; the
	 * database of the last one serves the reports below.
	 */
	for (i = 0; i < IMPORTS; i++) {
		unlink_db(db_path);
		if (!(db = db_open(db_path, DB_CREATE)))
			return 1;
		t0 = now_ns();
		c0 = cpu_s();
		if (db_import_jsonl(db, bulk, "bulk", NULL, &st[i]))
			return 1;
		walls[i] = (double)(now_ns() - t0) / 1e9;
		cpus[i] = cpu_s() - c0;
		if (i < IMPORTS - 1)
			db_close(db);
	}
	memcpy(sorted, walls, sizeof(walls));
	qsort(sorted, IMPORTS, sizeof(*sorted), cmp_d);
	for (i = 0; i < IMPORTS && walls[i] != sorted[IMPORTS / 2]; i++)
		;
	wall = walls[i];
	printf("import:  %llu samples (%u runs, %.0f MB of JSON Lines) in %.2f s wall, median of %d"
	       " (%.2f-%.2f s): %.0f samples/s  [target < 2 s: %s]\n",
	       (unsigned long long)st[i].samples, st[i].runs, (double)bytes / 1e6, wall, IMPORTS,
	       sorted[0], sorted[IMPORTS - 1], (double)st[i].samples / wall,
	       wall < 2 ? "met" : "NOT met");
	printf("         that import: CPU %.2f s: reader thread (read + parse; %.0f%% of samples"
	       " read in place) %.2f s, writer thread (SQLite, commit) %.2f s; commit %.2f s wall"
	       " (WAL checkpoint, fsync); load average %s\n",
	       cpus[i], 100.0 * (double)st[i].fast_samples / (double)st[i].samples,
	       (double)st[i].reader_cpu_ns / 1e9, (double)st[i].writer_cpu_ns / 1e9,
	       (double)st[i].commit_ns / 1e9, loadavg());

	base = write_stream(argv[1], "base.jsonl", 900001, 1, "6.18.0", 1.0, &samples, &bytes);
	patched = write_stream(argv[1], "patched.jsonl", 900002, 1, "6.18.0-zsdefer", 0.3, &samples,
			     &bytes);
	if (db_import_jsonl(db, base, "base", NULL, NULL) ||
	    db_import_jsonl(db, patched, "patched", NULL, NULL))
		return 1;
	db_close(db);

	ms = time_report(db_path, "base", "patched", REPORT_LORE, &len);
	printf("report:  lore, base vs patched (%u samples each) in a database of %llu samples:"
	       " %.1f ms  [target < 100 ms: %s]\n", PER_INVOCATION,
	       (unsigned long long)st[0].samples + 2 * PER_INVOCATION, ms, ms < 100 ? "met" : "NOT met");
	ms = time_report(db_path, "base", "patched", REPORT_HTML, &len);
	printf("report:  html, same labels: %.1f ms (%zu bytes)\n", ms, len);
	ms = time_report(db_path, "bulk", "patched", REPORT_LORE, &len);
	printf("report:  worst case, lore, bulk (%llu samples, %u runs per cell) vs patched: %.1f ms\n",
	       (unsigned long long)st[0].samples, count * RUNS, ms);
	if (argc <= 3 || strcmp(argv[3], "keep")) {
		unlink(bulk);
		unlink(base);
		unlink(patched);
	}
	free(bulk);
	free(base);
	free(patched);
	free(db_path);
	return 0;
}
