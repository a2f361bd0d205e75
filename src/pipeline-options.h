/*
 * pipeline-options.h - the options `swaplab pipeline` and `swaplab watch`
 * share (how a revision's A/B runs are made), declared once for both
 * option tables, and what fills their defaults afterwards.
 */
#ifndef SWAPLAB_PIPELINE_OPTIONS_H
#define SWAPLAB_PIPELINE_OPTIONS_H

#include "common/parse-options.h"

struct pipeline_opts;

/* Entries of a struct po_option table: o is a struct pipeline_opts *,
 * options a struct strlist * collecting --option KEY=VALUE. */
#define OPT_PIPELINE_RUNS(o, options) \
	OPT_GROUP("the A/B runs (a plan for swapbench goes after '--')"), \
	OPT_STRING(0, "device", &(o)->device, "KIND", "qemu (default) or lava"), \
	OPT_LIST(0, "option", (options), "KEY=VALUE", "a device option (repeatable)"), \
	OPT_STRING(0, "arch", &(o)->arch, "ARCH", "x86_64 (default) or arm64"), \
	OPT_UINT(0, "rounds", &(o)->rounds, "N", "boots of base and of patched each (default 5)", \
		 1, 1000), \
	OPT_STRING(0, "out", &(o)->out_dir, "DIR", "reports go to DIR/<series>/v<N>/ (default\n" \
		   "reports/out)"), \
	OPT_STRING(0, "tree", &(o)->tree, "DIR", "the base kernel tree (default: the series' pinned base-commit, else the lab's 6.12 base)"), \
	OPT_STRING(0, "from", &(o)->from, "ADDR", "From: of reply.eml"), \
	OPT_STRING(0, "workdir", &(o)->workdir, "DIR", "keep the devices' files there")

/*
 * After parse_options(..., PO_KEEP_DASHDASH): takes the plan from what
 * follows "--" among argv[0..argc) (the default plan without one), fills
 * the defaults and points o->device_options at options (NULL-terminated
 * here; release it after the run).  Returns how many arguments came
 * before "--".
 */
int pipeline_cli_finish(struct pipeline_opts *o, struct strlist *options, int argc, char **argv);

#endif
