/*
 * swaplab.c - entry point: one command table, git style.  Adding a
 * command is one line here, one declaration in builtin.h and its
 * src/cmd_<name>.c (docs/architecture.md).
 */
#include "src/builtin.h"
#include "common/util.h"
#include "lab/config.h"

#include <stdio.h>
#include <string.h>

static const struct cmd_struct commands[] = {
	{ "bench", cmd_bench, CMD_NEED_ROOT | CMD_DB_WRITE,
	  "measure munmap() of swap-filled VMAs on this kernel" },
	{ "db", cmd_db, 0, "store runs in the results database, list and export them" },
	{ "kernel", cmd_kernel, 0, "kernel trees, revision worktrees and builds for the lab" },
	{ "initramfs", cmd_initramfs, 0, "write the lab's guest initramfs (busybox + swapbench)" },
	{ "run", cmd_run, CMD_DB_WRITE, "run a benchmark plan on a device: host, qemu or lava" },
	{ "lava", cmd_lava, 0,
	  "run the benchmark through LAVA: job definitions, submit, status, results" },
	{ "report", cmd_report, 0,
	  "base-versus-patched speedup tables (lore, markdown, html, csv, json)" },
	{ "submit", cmd_submit, CMD_DB_WRITE,
	  "take a posted patch series revision into kernel-patches/" },
	{ "pipeline", cmd_pipeline, CMD_DB_WRITE,
	  "a submitted revision to a speedup report: apply, build, A/B runs, report" },
	{ "watch", cmd_watch, CMD_DB_WRITE,
	  "follow inboxes and a git ref; run every new revision through the pipeline" },
	{ "status", cmd_status, 0,
	  "the pipeline queue: queued, running, done and failed revisions" },
	{ "compare", cmd_compare, 0,
	  "one cell, one decision, exit status for git bisect run (0 old, 1 new, 125 skip)" },
	{ "bisect", cmd_bisect, CMD_DB_WRITE,
	  "find the commit that changed a cell: build, boot, classify, git bisect" },
	{ "calibrate", cmd_calibrate, CMD_DB_WRITE,
	  "measure a device's noise: one kernel as two labels, false marks, smallest change seen" },
};

/* Like git: output that could not be written is a failure (a report
 * piped into a full disk must not exit 0). */
static int check_stdout(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		error_errno("write failure on standard output");
		return EXIT_FATAL;
	}
	if (fclose(stdout)) {
		error_errno("close failed on standard output");
		return EXIT_FATAL;
	}
	return ret;
}

int main(int argc, char **argv)
{
	set_progname("swaplab");
	lava_config_take_env();
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("swaplab %s\n", SWAPLAB_VERSION);
		return check_stdout(EXIT_OK);
	}
	return check_stdout(run_subcommand("swaplab", commands, ARRAY_SIZE(commands), argc, argv));
}
