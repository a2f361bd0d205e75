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

/* The option callbacks: opt->value is the struct bench_opts. */
#define BO(opt) ((struct bench_opts *)(opt)->value)

static int cb_backend(const struct po_option *opt, const char *v)
{
	return parse_backends(BO(opt), v);
}

static int cb_sizes(const struct po_option *opt, const char *v)
{
	free(BO(opt)->sizes);
	BO(opt)->sizes = NULL;
	return parse_size_list(v, &BO(opt)->sizes, &BO(opt)->nr_sizes);
}

static int cb_procs(const struct po_option *opt, const char *v)
{
	free(BO(opt)->procs);
	BO(opt)->procs = NULL;
	return parse_uint_list(v, 1, 64, &BO(opt)->procs, &BO(opt)->nr_procs);
}

static int cb_runs(const struct po_option *opt, const char *v)
{
	return parse_uint(v, 1, 100000, &BO(opt)->runs);
}

static int cb_fill(const struct po_option *opt, const char *v)
{
	static const char *const fills[] = { "varied", "random", "zero", "same" };
	int k;

	if (pick("--fill", v, fills, 4, &k) < 0)
		return -1;
	BO(opt)->fill = (enum bench_fill)k;
	return 0;
}

static int cb_ratio(const struct po_option *opt, const char *v)
{
	char *end;
	double r = strtod(v, &end);

	if (*end || end == v || !(r >= 1.0 && r <= 64.0))
		return error("--ratio: '%s' is not a ratio from 1 to 64", v);
	BO(opt)->ratio = r;
	return 0;
}

static int cb_thp(const struct po_option *opt, const char *v)
{
	uint64_t sz;

	if (strcmp(v, "never") && strcmp(v, "pmd") && parse_size(v, &sz) < 0)
		return error("--thp: expected never, pmd or a size such as 64K");
	if (strlen(v) >= sizeof(BO(opt)->thp))
		return error("--thp: '%s' is too long", v);
	snprintf(BO(opt)->thp, sizeof(BO(opt)->thp), "%s", v);
	return 0;
}

static int cb_load(const struct po_option *opt, const char *v)
{
	static const char *const loads[] = { "none", "cpu", "mem" };
	int k;

	if (pick("--load", v, loads, 3, &k) < 0)
		return -1;
	BO(opt)->load = (enum bench_load)k;
	return 0;
}

static int cb_pageout(const struct po_option *opt, const char *v)
{
	static const char *const pageouts[] = { "auto", "madvise", "memcg" };
	int k;

	if (pick("--pageout", v, pageouts, 3, &k) < 0)
		return -1;
	BO(opt)->pageout = (enum bench_pageout)k;
	return 0;
}

static int cb_suite(const struct po_option *opt, const char *v)
{
	static const char *const suites[] = { "munmap", "fio" };
	int k;

	if (pick("--suite", v, suites, 2, &k) < 0)
		return -1;
	BO(opt)->suite = (enum bench_suite)k;
	return 0;
}

static int cb_comp(const struct po_option *opt, const char *v)
{
	if (check_name("--comp", v) < 0)
		return -1;
	BO(opt)->zram_comp = BO(opt)->zswap_comp = v;
	return 0;
}

static int cb_zram_comp(const struct po_option *opt, const char *v)
{
	if (check_name("--zram-comp", v) < 0)
		return -1;
	BO(opt)->zram_comp = v;
	return 0;
}

static int cb_zswap_comp(const struct po_option *opt, const char *v)
{
	if (check_name("--zswap-comp", v) < 0)
		return -1;
	BO(opt)->zswap_comp = v;
	return 0;
}

static int cb_swap_size(const struct po_option *opt, const char *v)
{
	return parse_size(v, &BO(opt)->swap_size);
}

static int cb_fio_size(const struct po_option *opt, const char *v)
{
	return parse_size(v, &BO(opt)->fio_size);
}

static int cb_prio(const struct po_option *opt, const char *v)
{
	unsigned p;

	if (parse_uint(v, 0, 32767, &p) < 0)
		return -1;
	BO(opt)->swap_prio = (int)p;
	return 0;
}

static int cb_drain_timeout(const struct po_option *opt, const char *v)
{
	if (parse_duration_ms(v, &BO(opt)->drain_timeout_ms) < 0)
		return -1;
	if (!BO(opt)->drain_timeout_ms)
		return error("--drain-timeout must be positive");
	return 0;
}

static int cb_device(const struct po_option *opt, const char *v)
{
	if (check_name("--device", v) < 0)
		return -1;
	BO(opt)->device = v;
	return 0;
}

/* swapbench's answer to the database options of `swaplab bench`. */
static int cb_no_db(const struct po_option *opt, const char *v)
{
	(void)v;
	return error("--%s: swapbench keeps no database: use --json > FILE and "
		     "'swaplab db import FILE'", opt->long_name);
}

int bench_parse_args(struct bench_opts *o, int argc, char **argv, unsigned flags)
{
	int swaplab = !!(flags & BENCH_CLI_SWAPLAB), ret;
	/* The usage names the program it is: "swaplab bench" or "swapbench". */
	const char *prog = swaplab ? "swaplab bench" : "swapbench";
	char *syn1 = xstrfmt("%s [--backend LIST] [--sizes LIST] [--procs LIST] [--runs N] "
			     "[--json] [<options>]", prog);
	char *syn2 = xstrfmt("%s --cleanup", prog);
	const char *usage[] = {
		syn1,
		syn2,
		"",
		"Measures munmap() of anonymous VMAs whose pages were swapped out to zram or",
		"zswap, in 1..N processes unmapping at once, and the drain that follows.",
		"Needs root; sets up and restores its own swap devices.",
		NULL,
	};
	const struct po_option opts[] = {
		OPT_CALLBACK(0, "backend", o, "LIST", "zram, zswap or both (default zram)", cb_backend),
		OPT_CALLBACK(0, "sizes", o, "LIST", "VMA sizes, K/M/G suffixes (default 64M,128M,256M)",
			     cb_sizes),
		OPT_CALLBACK(0, "procs", o, "LIST", "concurrent processes per cell (default 1)", cb_procs),
		OPT_CALLBACK(0, "runs", o, "N", "runs per cell (default 5)", cb_runs),
		OPT_CALLBACK(0, "fill", o, "KIND", "varied (default), random, zero or same", cb_fill),
		OPT_CALLBACK(0, "ratio", o, "R", "compression ratio of varied fill (default 3.0)", cb_ratio),
		OPT_CALLBACK(0, "thp", o, "MODE", "never (4K pages, default), pmd, or an mTHP size (64K)",
			     cb_thp),
		OPT_CALLBACK(0, "load", o, "KIND",
			     "none (default), cpu or mem: stress-ng during the timed phase", cb_load),
		OPT_CALLBACK(0, "pageout", o, "HOW", "auto (default), madvise or memcg (memory.reclaim)",
			     cb_pageout),
		OPT_CALLBACK(0, "comp", o, "ALG", "compressor for both backends", cb_comp),
		OPT_CALLBACK(0, "zram-comp", o, "ALG", "zram compressor (default: the kernel's)",
			     cb_zram_comp),
		OPT_CALLBACK(0, "zswap-comp", o, "ALG", "zswap compressor (default: the current one)",
			     cb_zswap_comp),
		OPT_UINT(0, "zswap-max-pool", &o->zswap_max_pool, "PCT",
			 "zswap max_pool_percent during the run", 1, 100),
		OPT_CALLBACK(0, "swap-size", o, "SIZE",
			     "zram disksize / zswap backing size (default: from the sizes)", cb_swap_size),
		OPT_STRING(0, "backing-dir", &o->backing_dir, "DIR",
			   "where zswap's backing swap file goes (default /var/tmp, else /tmp)"),
		OPT_CALLBACK(0, "prio", o, "N", "swap priority of the device under test (default 32767)",
			     cb_prio),
		OPT_CALLBACK(0, "drain-timeout", o, "DUR",
			     "bound on waiting for the memory to come back (default 10s)", cb_drain_timeout),
		OPT_CALLBACK(0, "suite", o, "munmap|fio", "fio: zram throughput with bench/fio/*.fio instead",
			     cb_suite),
		OPT_CALLBACK(0, "fio-size", o, "SIZE", "zram device size for the fio suite (default 256M)",
			     cb_fio_size),
		OPT_STRING(0, "fio-dir", &o->fio_dir, "DIR",
			   "fio job files (default: bench/fio of the source tree)"),
		OPT_CALLBACK(0, "device", o, "NAME",
			     "device label recorded in the environment (default host)", cb_device),
		OPT_FLAG(0, "json", &o->json, "JSON Lines on standard output (docs/bench-output.md)"),
		OPT_FLAG(0, "dry-run", &o->dry_run, "check the plan and the system, change nothing"),
		OPT_FLAG(0, "verify", &o->verify,
			 "check every byte through swap-out, free, reuse and swap-in (bench/verify.c)"),
		OPT_FLAG(0, "cleanup", &o->cleanup_only, "restore what a killed run left behind, then exit"),
		OPT_FLAG(0, "quiet", &o->quiet, "no progress on standard error"),
		OPT_GROUP(swaplab ? "storing the stream"
			  : "swaplab bench only (swapbench keeps no database)"),
		swaplab ? (struct po_option)OPT_STRING(0, "out", &o->out, "FILE",
						       "also write the JSON Lines to FILE")
			: (struct po_option)OPT_CALLBACK(0, "out", o, "FILE", "refused: use --json > FILE",
							 cb_no_db),
		swaplab ? (struct po_option)OPT_STRING(0, "db", &o->db, "FILE",
						       "store the run in this database (with --label)")
			: (struct po_option)OPT_CALLBACK(0, "db", o, "FILE",
							 "refused: 'swaplab db import FILE' stores a stream",
							 cb_no_db),
		swaplab ? (struct po_option)OPT_STRING(0, "label", &o->label, "NAME",
						       "the label the run is stored under (with --db)")
			: (struct po_option)OPT_CALLBACK(0, "label", o, "NAME", "refused, as --db",
							 cb_no_db),
		OPT_END(),
	};

	ret = parse_options(argc, argv, opts, usage, 0);
	free(syn1);
	free(syn2);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		error("unexpected argument '%s' (see --help)", argv[0]);
		return PO_ERROR;
	}
	if (!o->sizes && parse_size_list("64M,128M,256M", &o->sizes, &o->nr_sizes) < 0)
		return PO_ERROR;
	if (!o->procs && parse_uint_list("1", 1, 64, &o->procs, &o->nr_procs) < 0)
		return PO_ERROR;
	return 0;
}
