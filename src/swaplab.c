/*
 * swaplab.c - entry point: one command table, git style.  Adding a
 * subcommand is one line here and one declaration in builtin.h.
 */
#include "builtin.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

struct cmd_struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd_struct commands[] = {
	{ "bench", cmd_bench, "measure munmap() of swap-filled VMAs on this kernel" },
	{ "db", cmd_db, "store runs in the results database, list and export them" },
	{ "kernel", cmd_kernel, "kernel trees, revision worktrees and builds for the lab" },
	{ "initramfs", cmd_initramfs, "write the lab's guest initramfs (busybox + swapbench)" },
	{ "run", cmd_run, "run a benchmark plan on a device: host, qemu or lava" },
	{ "lava", cmd_lava, "run the benchmark through LAVA: job definitions, submit, status, results" },
	{ "report", cmd_report, "base-versus-patched speedup tables (lore, markdown, html, csv, json)" },
	{ "submit", cmd_submit, "take a posted patch series revision into kernel-patches/" },
	{ "pipeline", cmd_pipeline, "a submitted revision to a speedup report: apply, build, A/B runs, report" },
	{ "watch", cmd_watch, "follow inboxes and a git ref; run every new revision through the pipeline" },
	{ "status", cmd_status, "the pipeline queue: queued, running, done and failed revisions" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: swaplab <command> [<args>]\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "   %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'swaplab <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	set_progname("swaplab");
	if (argc < 2) {
		usage(stderr);
		return 129;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("swaplab %s\n", SWAPLAB_VERSION);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	error("'%s' is not a swaplab command; see 'swaplab --help'", argv[1]);
	return 129;
}
