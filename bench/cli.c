/*
 * bench/cli.c - the benchmark's options, shared by `swaplab bench` and
 * the static `swapbench`.  Every value is checked here, before anything
 * in the system is touched.
 */
#include "bench/bench.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void bench_opts_init(struct bench_opts *o)
{
	const char *backing = getenv("SWAPLAB_BACKING_DIR");

	memset(o, 0, sizeof(*o));
	o->backends[0] = BACKEND_ZRAM;
	o->nr_backends = 1;
	o->runs = 5;
	o->fill = FILL_VARIED;
	o->ratio = 3.0;
	snprintf(o->thp, sizeof(o->thp), "never");
	o->swap_prio = 32767;
	o->drain_timeout_ms = 10000;
	o->fio_size = 256ULL << 20;
	/* An initramfs may have no /var/tmp; /tmp then (a loop device on tmpfs). */
	o->backing_dir = backing && *backing ? backing : access("/var/tmp", W_OK) == 0 ? "/var/tmp" : "/tmp";
	o->device = "host";
}

void bench_opts_release(struct bench_opts *o)
{
	free(o->sizes);
	free(o->procs);
	o->sizes = NULL;
	o->procs = NULL;
}

void bench_usage(FILE *f, const char *prog)
{
	fprintf(f,
"usage: %s [--backend zram|zswap[,...]] [--sizes 64M,128M,...] [--procs 1,2,3]\n"
"       [--runs N] [--json] [options]\n"
"       %s --cleanup\n"
"\n"
"Measures munmap() of anonymous VMAs whose pages were swapped out to zram or\n"
"zswap, in 1..N processes unmapping at once, and the drain that follows.\n"
"Needs root; sets up and restores its own swap devices.\n"
"\n"
"  --backend LIST        zram, zswap or both (default zram)\n"
"  --sizes LIST          VMA sizes, K/M/G suffixes (default 64M,128M,256M)\n"
"  --procs LIST          concurrent processes per cell (default 1)\n"
"  --runs N              runs per cell (default 5)\n"
"  --fill KIND           varied (default), random, zero or same\n"
"  --ratio R             compression ratio of varied fill (default 3.0)\n"
"  --thp MODE            never (4K pages, default), pmd, or an mTHP size (64K)\n"
"  --load KIND           none (default), cpu or mem: stress-ng during the timed phase\n"
"  --pageout HOW         auto (default), madvise or memcg (memory.reclaim)\n"
"  --comp ALG            compressor for both backends\n"
"  --zram-comp ALG       zram compressor (default: the kernel's)\n"
"  --zswap-comp ALG      zswap compressor (default: the current one)\n"
"  --zswap-max-pool PCT  zswap max_pool_percent during the run\n"
"  --swap-size SIZE      zram disksize / zswap backing size (default: from the sizes)\n"
"  --backing-dir DIR     where zswap's backing swap file goes (default /var/tmp, else /tmp)\n"
"  --prio N              swap priority of the device under test (default 32767)\n"
"  --drain-timeout DUR   bound on waiting for the memory to come back (default 10s)\n"
"  --suite munmap|fio    fio: zram throughput with bench/fio/*.fio instead\n"
"  --fio-size SIZE       zram device size for the fio suite (default 256M)\n"
"  --fio-dir DIR         fio job files (default: bench/fio of the source tree)\n"
"  --device NAME         device label recorded in the environment (default host)\n"
"  --json                JSON Lines on standard output (docs/bench-output.md)\n"
"  --out FILE            also write the JSON Lines to FILE\n"
"  --dry-run             check the plan and the system, change nothing\n"
"  --verify              check every byte through swap-out, free, reuse, swap-in\n"
"  --cleanup             restore what a killed run left behind, then exit\n"
"  --quiet               no progress on standard error\n",
		prog, prog);
}

static int parse_backends(struct bench_opts *o, const char *v)
{
	char *copy = xstrdup(v), *save = NULL, *tok;
	int ret = 0;

	o->nr_backends = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum bench_backend b;
		size_t i;

		if (!strcmp(tok, "zram"))
			b = BACKEND_ZRAM;
		else if (!strcmp(tok, "zswap"))
			b = BACKEND_ZSWAP;
		else {
			ret = error("unknown backend '%s' (zram or zswap)", tok);
			break;
		}
		for (i = 0; i < o->nr_backends; i++)
			if (o->backends[i] == b)
				break;
		if (i < o->nr_backends)
			continue;
		if (o->nr_backends == ARRAY_SIZE(o->backends)) {
			ret = error("too many backends in '%s'", v);
			break;
		}
		o->backends[o->nr_backends++] = b;
	}
	free(copy);
	if (!ret && !o->nr_backends)
		ret = error("empty backend list");
	return ret;
}

static int pick(const char *opt, const char *v, const char *const *names, int n, int *out)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	{
		char list[256] = "";

		for (i = 0; i < n; i++) {
			strcat(list, i ? ", " : "");
			strcat(list, names[i]);
		}
		return error("%s: unknown value '%s' (expected %s)", opt, v, list);
	}
}

static int check_name(const char *opt, const char *v)
{
	const char *p;

	if (!*v || strlen(v) > 60)
		return error("%s: '%s' is not a valid name", opt, v);
	for (p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return error("%s: '%s' is not a valid name", opt, v);
	return 0;
}

int bench_parse_args(struct bench_opts *o, int argc, char **argv)
{
	static const char *const fills[] = { "varied", "random", "zero", "same" };
	static const char *const loads[] = { "none", "cpu", "mem" };
	static const char *const pageouts[] = { "auto", "madvise", "memcg" };
	static const char *const suites[] = { "munmap", "fio" };
	int i, have_sizes = 0, have_procs = 0;

	for (i = 1; i < argc; i++) {
		char *arg = argv[i], *v = NULL, *eq;
		char name[64];
		int k;

		if (strncmp(arg, "--", 2) && strcmp(arg, "-h"))
			return error("unexpected argument '%s' (see --help)", arg);
		snprintf(name, sizeof(name), "%s", arg);
		eq = strchr(name, '=');
		if (eq) {
			*eq = '\0';
			v = strchr(arg, '=') + 1;
		}
#define FLAG(s) (!strcmp(name, s))
#define VALUE()                                                                    \
	do {                                                                       \
		if (!v) {                                                          \
			if (i + 1 >= argc)                                         \
				return error("option '%s' needs a value", name);   \
			v = argv[++i];                                             \
		}                                                                  \
	} while (0)
		if (FLAG("--help") || FLAG("-h")) {
			bench_usage(stdout, get_progname());
			return 1;
		} else if (FLAG("--json")) {
			o->json = 1;
		} else if (FLAG("--quiet")) {
			o->quiet = 1;
		} else if (FLAG("--cleanup")) {
			o->cleanup_only = 1;
		} else if (FLAG("--dry-run")) {
			o->dry_run = 1;
		} else if (FLAG("--verify")) {
			o->verify = 1;
		} else if (FLAG("--backend") || FLAG("--backends")) {
			VALUE();
			if (parse_backends(o, v) < 0)
				return -1;
		} else if (FLAG("--sizes") || FLAG("--size")) {
			VALUE();
			free(o->sizes);
			o->sizes = NULL;
			if (parse_size_list(v, &o->sizes, &o->nr_sizes) < 0)
				return -1;
			have_sizes = 1;
		} else if (FLAG("--procs")) {
			VALUE();
			free(o->procs);
			o->procs = NULL;
			if (parse_uint_list(v, 1, 64, &o->procs, &o->nr_procs) < 0)
				return -1;
			have_procs = 1;
		} else if (FLAG("--runs")) {
			VALUE();
			if (parse_uint(v, 1, 100000, &o->runs) < 0)
				return -1;
		} else if (FLAG("--fill")) {
			VALUE();
			if (pick(name, v, fills, 4, &k) < 0)
				return -1;
			o->fill = (enum bench_fill)k;
		} else if (FLAG("--ratio")) {
			char *end;

			VALUE();
			o->ratio = strtod(v, &end);
			if (*end || end == v || !(o->ratio >= 1.0 && o->ratio <= 64.0))
				return error("--ratio: '%s' is not a ratio from 1 to 64", v);
		} else if (FLAG("--thp")) {
			uint64_t sz;

			VALUE();
			if (strcmp(v, "never") && strcmp(v, "pmd") && parse_size(v, &sz) < 0)
				return error("--thp: expected never, pmd or a size such as 64K");
			if (strlen(v) >= sizeof(o->thp))
				return error("--thp: '%s' is too long", v);
			snprintf(o->thp, sizeof(o->thp), "%s", v);
		} else if (FLAG("--load")) {
			VALUE();
			if (pick(name, v, loads, 3, &k) < 0)
				return -1;
			o->load = (enum bench_load)k;
		} else if (FLAG("--pageout")) {
			VALUE();
			if (pick(name, v, pageouts, 3, &k) < 0)
				return -1;
			o->pageout = (enum bench_pageout)k;
		} else if (FLAG("--suite")) {
			VALUE();
			if (pick(name, v, suites, 2, &k) < 0)
				return -1;
			o->suite = (enum bench_suite)k;
		} else if (FLAG("--comp")) {
			VALUE();
			if (check_name(name, v) < 0)
				return -1;
			o->zram_comp = o->zswap_comp = v;
		} else if (FLAG("--zram-comp")) {
			VALUE();
			if (check_name(name, v) < 0)
				return -1;
			o->zram_comp = v;
		} else if (FLAG("--zswap-comp")) {
			VALUE();
			if (check_name(name, v) < 0)
				return -1;
			o->zswap_comp = v;
		} else if (FLAG("--zswap-max-pool")) {
			VALUE();
			if (parse_uint(v, 1, 100, &o->zswap_max_pool) < 0)
				return -1;
		} else if (FLAG("--swap-size")) {
			VALUE();
			if (parse_size(v, &o->swap_size) < 0)
				return -1;
		} else if (FLAG("--fio-size")) {
			VALUE();
			if (parse_size(v, &o->fio_size) < 0)
				return -1;
		} else if (FLAG("--prio")) {
			unsigned p;

			VALUE();
			if (parse_uint(v, 0, 32767, &p) < 0)
				return -1;
			o->swap_prio = (int)p;
		} else if (FLAG("--drain-timeout")) {
			VALUE();
			if (parse_duration_ms(v, &o->drain_timeout_ms) < 0)
				return -1;
			if (!o->drain_timeout_ms)
				return error("--drain-timeout must be positive");
		} else if (FLAG("--fio-dir")) {
			VALUE();
			o->fio_dir = v;
		} else if (FLAG("--backing-dir")) {
			VALUE();
			o->backing_dir = v;
		} else if (FLAG("--device")) {
			VALUE();
			if (check_name(name, v) < 0)
				return -1;
			o->device = v;
		} else if (FLAG("--db")) {
			VALUE();
			o->db = v;
		} else if (FLAG("--label")) {
			VALUE();
			o->label = v;
		} else if (FLAG("--out")) {
			VALUE();
			o->out = v;
		} else {
			return error("unknown option '%s' (see --help)", name);
		}
#undef FLAG
#undef VALUE
	}
	if (!have_sizes && parse_size_list("64M,128M,256M", &o->sizes, &o->nr_sizes) < 0)
		return -1;
	if (!have_procs && parse_uint_list("1", 1, 64, &o->procs, &o->nr_procs) < 0)
		return -1;
	return 0;
}
