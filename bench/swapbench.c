/*
 * swapbench.c - the benchmark as a standalone, statically linked program
 * for a board's root filesystem or the lab's initramfs.  Same options and
 * output as `swaplab bench`, without the database.
 */
#include "bench/bench.h"
#include "common/util.h"

int main(int argc, char **argv)
{
	struct bench_opts o;
	int ret;

	set_progname("swapbench");
	bench_opts_init(&o);
	ret = bench_parse_args(&o, argc, argv, 0);
	if (ret) {
		bench_opts_release(&o);
		return po_exit_code(ret);
	}
	util_quiet = o.quiet;
	if (o.cleanup_only)
		ret = bench_cleanup();
	else
		ret = bench_run(&o, o.json ? stdout : NULL, o.json ? stderr : stdout);
	bench_opts_release(&o);
	if (ret == -2)
		return 130;
	return ret < 0 ? 1 : 0;
}
