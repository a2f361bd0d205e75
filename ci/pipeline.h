/*
 * ci/pipeline.h - one stored patch revision to a speedup report: apply it
 * to the base tree, build the base and patched kernels, measure both on
 * one device with one plan, interleaved (base, patched, base, patched,
 * ...) so that drift of the device cannot pass for a speedup, store every
 * run, and write the report (lore text, markdown, HTML) and a reply mail
 * under <out>/<series>/v<N>/.
 *
 * The stages are named so that a failure says where it happened:
 * "apply", "build-base", "build-patched", "run", "report".
 */
#ifndef SWAPLAB_CI_PIPELINE_H
#define SWAPLAB_CI_PIPELINE_H

#include "lab/device.h"

#include <stdio.h>

struct db;

struct pipeline_opts {
	const char *tree;                    /* base kernel tree; default: the pinned base (KBUILD_DEFAULT_BASE) */
	const char *device;                  /* "qemu" (default) or "lava" */
	const char *const *device_options;   /* "key=value", NULL-terminated, may be NULL */
	const char *arch;                    /* "x86_64" (default) or "arm64" */
	struct lab_plan plan;                /* swapbench arguments for one boot */
	unsigned rounds;                     /* base/patched boots each; default 5 */
	const char *out_dir;                 /* default reports/out */
	const char *from;                    /* From: of the reply; default "swaplab <root@hostname>" */
	const char *workdir;                 /* device files; default a temporary dir, removed on success */
	int progress;                        /* say what happens on stderr */
};

struct pipeline_result {
	const char *stage;      /* where it stopped (static), NULL when done */
	char *message;          /* why (malloc'd), NULL when done */
	char *report_dir;       /* <out>/<series>/v<N> (malloc'd) */
	unsigned runs_base, runs_patched;
};

/*
 * Runs the pipeline for the revision stored in revision_dir (what
 * `swaplab submit` wrote: series.json and the patch files).  Returns 0
 * when the report was written; -1 with res->stage and res->message set.
 * Runs already stored for the revision stay: a re-run adds rounds.
 */
int pipeline_run(struct db *db, const struct pipeline_opts *o, const char *revision_dir,
		 struct pipeline_result *res);
void pipeline_result_release(struct pipeline_result *res);

struct report;
/*
 * The body of reply.eml (after its headers): the quoted subject, the
 * summary paragraph, how the lab measured, the lore text; every line at
 * most 72 columns.  -1 + error() when it cannot be written.
 */
int pipeline_reply_body(FILE *f, const struct report *r, const char *author, const char *subject,
			unsigned version, unsigned nr_patches, unsigned rounds);

/*
 * The plan the pipeline, `swaplab watch` and `make run` use unless told
 * otherwise: both backends, two sizes, one and two processes, two runs a
 * boot (NULL-terminated).
 */
extern char *const pipeline_default_plan[];

/* The labels the pipeline stores a revision's runs under (malloc'd). */
char *pipeline_label(const char *series, unsigned version, const char *kind);

#endif
