/*
 * builtin.h - the swaplab subcommands.  Each lives in its own
 * src/cmd_<name>.c and is the only layer that prints usage and exits;
 * it is a client of the library modules (bench/, db/, reports/, lab/,
 * kernel-patches/, ci/).  Sub-verbs are named cmd_<cmd>__<verb>.
 */
#ifndef SWAPLAB_BUILTIN_H
#define SWAPLAB_BUILTIN_H

#include <stddef.h>

int cmd_bench(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_initramfs(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_lava(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_pipeline(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_status(int argc, char **argv);

/*
 * The options `pipeline` and `watch` share (--device, --option, --arch,
 * --rounds, --out, --tree, --from, --workdir, and "--" PLAN), in
 * src/cmd_pipeline.c: 1 when argv[*i] was one (*i advanced past its
 * value), 0 when not, -1 on a bad value.  finish() fills the defaults.
 */
struct pipeline_opts;
int pipeline_cli_option(struct pipeline_opts *o, const char **options, size_t *nopt,
			int argc, char **argv, int *i);
void pipeline_cli_finish(struct pipeline_opts *o, const char **options, size_t nopt);

#endif
