/*
 * builtin.h - the swaplab subcommands.  Each lives in its own
 * src/cmd_<name>.c and is the only layer that prints usage and exits;
 * it is a client of the library modules (bench/, db/, reports/, lab/,
 * kernel-patches/, ci/).  Sub-verbs are named cmd_<cmd>__<verb>.
 */
#ifndef SWAPLAB_BUILTIN_H
#define SWAPLAB_BUILTIN_H

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

#endif
