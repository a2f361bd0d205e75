/*
 * builtin.h - the swaplab commands.  Each lives in its own
 * src/cmd_<name>.c and is the only layer that prints usage and chooses
 * exit statuses (common/parse-options.h lists them); it is a client of
 * the library modules (ci/, lab/, reports/, kernel-patches/, db/,
 * bench/, common/).  Sub-verbs are named cmd_<cmd>__<verb> and
 * dispatched through a table of their own with run_subcommand().
 */
#ifndef SWAPLAB_BUILTIN_H
#define SWAPLAB_BUILTIN_H

#include "common/parse-options.h"

#include <stddef.h>

struct db;

/*
 * What a command (or sub-verb) needs; checked once by src/command.c.  Root
 * is checked when the command's options have parsed (po_after_parse), so
 * that --help and usage errors come first: such a command must parse its
 * options with parse_options().
 */
enum {
	CMD_NEED_ROOT = 1 << 0, /* changes system state: swap, zram, zswap */
	CMD_DB_WRITE = 1 << 1,  /* cmd_open_db() creates/opens the database for writing */
};

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	const char *help;
};

/*
 * Runs the sub-verb argv[1] of the command argv[0] ("swaplab db") from
 * cmds: checks its requirements, then calls it with argv[1..].  Without a
 * verb, with --help or an unknown verb it prints the verb list (stdout for
 * --help and exit 0, stderr and 129 otherwise).
 */
int run_subcommand(const char *name, const struct cmd_struct *cmds, size_t nr,
		   int argc, char **argv);

/*
 * Opens the results database the way the running command declared:
 * created and writable with CMD_DB_WRITE, read-only otherwise (a report
 * never creates or changes a file).  NULL after a message.
 */
struct db *cmd_open_db(const char *path);

/* The exit-status policy, printed by `swaplab --help` (src/swaplab.c). */
extern const char cmd_exit_status_help[];

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
int cmd_calibrate(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_bisect(int argc, char **argv);

/* Option callbacks `compare` and `bisect` share (src/cmd_compare.c):
 * --threshold PCT (a double in [0, 1000]), --direction slower|faster
 * (an enum compare_dir). */
struct po_option;
int cmd_opt_pct(const struct po_option *opt, const char *arg);
int cmd_opt_direction(const struct po_option *opt, const char *arg);

#endif
