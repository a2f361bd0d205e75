/*
 * cmd_run.c - `swaplab run`: runs one benchmark plan on one device of the
 * lab (host, qemu, lava; lab/device.h) and writes the samples it brought
 * back.
 *
 *   swaplab run --device KIND [--name LABEL] [--kernel IMAGE] [--dtb FILE]
 *               [--modules DIR|TARBALL] [--artifact KEY] [--arch ARCH]
 *               [--initrd FILE] [--option KEY=VALUE]... [--workdir DIR]
 *               [--keep] --out FILE.jsonl [--db FILE --label NAME [--kind base|patched]
 *               [--series NAME --revision N]] -- PLAN...
 *
 * PLAN is swapbench's arguments, passed through unchanged (the device adds
 * --json and --device LABEL when missing).  Exit status: 0 complete,
 * 1 failed or canceled (not worth retrying), 2 infrastructure error (may
 * be retried), 128 fatal, 129 bad use.  With --db a complete run is also imported
 * (db_import_jsonl) with the device kind, job id, and the kernel's commit
 * and config fingerprint when it came from an artifact.
 */
#include "src/builtin.h"
#include "ci/kbuild.h"
#include "db/db.h"
#include "lab/device.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const run_usage[] = {
	"swaplab run --device host|qemu|lava --out FILE.jsonl [<options>] -- PLAN...",
	"",
	"Runs PLAN (swapbench's arguments, passed through; the device adds --json",
	"and --device LABEL when missing) on one device and writes the samples to",
	"--out when the run is complete.  Exit status: 0 complete, 1 failed or",
	"canceled (not worth retrying), 2 an infrastructure error (may be retried),",
	"128 fatal, 129 bad usage.",
	NULL,
};

static int usage_error(const char *msg)
{
	error("%s", msg);
	return EXIT_USAGE;
}

int cmd_run(int argc, char **argv)
{
	const char *kind = NULL, *name = NULL, *out = NULL, *workdir = NULL, *artifact = NULL;
	const char *arch = NULL, *initrd = NULL, *dbfile = NULL, *label = NULL;
	struct db_import_opts imp;
	struct strlist options = { 0 };
	char *tmpdir = NULL, *arch_opt = NULL, *initrd_opt = NULL;
	struct lab_kernel kernel;
	struct kbuild_artifact a;
	struct lab_device dev;
	struct lab_result res;
	struct lab_plan plan;
	int dd, keep = 0, code;
	const struct po_option opts[] = {
		OPT_STRING(0, "device", &kind, "KIND", "host, qemu or lava"),
		OPT_STRING(0, "name", &name, "LABEL", "the device's label (default: the kind)"),
		OPT_STRING('o', "out", &out, "FILE.jsonl", "where the samples go (required)"),
		OPT_LIST(0, "option", &options, "KEY=VALUE", "a device option (repeatable)"),
		OPT_STRING(0, "workdir", &workdir, "DIR",
			   "the device's files (default: a new /tmp/swaplab-run.<pid>.*)"),
		OPT_FLAG(0, "keep", &keep, "keep the work directory of a complete run"),
		OPT_GROUP("the kernel (qemu, lava)"),
		OPT_STRING(0, "artifact", &artifact, "KEY",
			   "a kernel build: its image, dtb, modules, commit and arch"),
		OPT_STRING(0, "kernel", &kernel.image, "IMAGE", "the kernel image"),
		OPT_STRING(0, "dtb", &kernel.dtb, "FILE", "the device tree blob"),
		OPT_STRING(0, "modules", &kernel.modules, "DIR|TARBALL", "the kernel's modules"),
		OPT_STRING(0, "arch", &arch, "x86_64|arm64", "the kernel's architecture"),
		OPT_STRING(0, "initrd", &initrd, "FILE", "the initramfs (default: made by the lab)"),
		OPT_GROUP("storing the run"),
		OPT_DB(&dbfile),
		OPT_STRING(0, "label", &label, "NAME", "the label the runs are stored under (with --db)"),
		OPT_STRING(0, "kind", &imp.kind, "base|patched", "what the kernel is, for reports"),
		OPT_STRING(0, "series", &imp.series, "NAME", "the patch series (with --revision)"),
		OPT_REVISION(&imp.revision),
		OPT_END(),
	};

	memset(&kernel, 0, sizeof(kernel));
	memset(&a, 0, sizeof(a));
	memset(&imp, 0, sizeof(imp));
	argc = parse_options(argc, argv, opts, run_usage, PO_KEEP_DASHDASH);
	if (argc < 0) {
		strlist_release(&options);
		return po_exit_code(argc);
	}
	dd = po_dashdash(argc, argv);
	code = EXIT_USAGE;
	if (dd > 0 || (dd < 0 && argc > 0))
		error("unexpected argument '%s' (the plan goes after '--')", argv[0]);
	else if (!kind)
		error("--device is required");
	else if (!out)
		error("--out FILE.jsonl is required");
	else if (dd < 0 || dd + 1 >= argc)
		error("no plan: give swapbench's arguments after '--'");
	else if ((label || imp.kind || imp.series || imp.revision) && !dbfile)
		error("--label, --kind, --series and --revision go with --db FILE");
	else if (dbfile && !label)
		error("--db needs --label NAME (it names the runs in reports)");
	else if (imp.kind && strcmp(imp.kind, "base") && strcmp(imp.kind, "patched"))
		error("--kind is base or patched, not '%s'", imp.kind);
	else if (!imp.series != !imp.revision)
		error("--series and --revision go together");
	else
		code = EXIT_OK;
	if (code) {
		strlist_release(&options);
		return code;
	}
	plan.argv = argv + dd + 1;
	plan.argc = (size_t)(argc - dd - 1);

	if (artifact) {
		if (kbuild_artifact_load(NULL, artifact, &a) < 0)
			return EXIT_FATAL;
		if (strcmp(a.status, "ok"))
			die("kernel artifact %s is a failed build: %s", artifact, a.message ? a.message : "");
		if (!kernel.image)
			kernel.image = a.image;
		if (!kernel.dtb)
			kernel.dtb = a.dtb;
		if (!kernel.modules)
			kernel.modules = a.modules;
		kernel.commit = a.commit;
		if (!arch)
			arch = a.arch;
	}
	if (arch) {
		if (!kbuild_arch(arch))
			return usage_error(xstrfmt("unsupported --arch '%s'", arch));
		strlist_append(&options, arch_opt = xstrfmt("arch=%s", kbuild_arch(arch)));
	}
	if (initrd)
		strlist_append(&options, initrd_opt = xstrfmt("initrd=%s", initrd));
	strlist_append(&options, NULL);

	if (lab_device_init(&dev, kind, name, options.items) < 0)
		return EXIT_FATAL;
	if (!workdir) {
		tmpdir = make_work_dir("run");
		if (!tmpdir)
			return EXIT_FATAL;
		if (keep)
			keep_work_dir(tmpdir);
		workdir = tmpdir;
	}
	/* A temporary work directory goes unless it holds a failed run's files. */
	if (lab_device_run(&dev, &plan, &kernel, workdir, &res) < 0) {
		if (tmpdir && !keep)
			rm_rf(tmpdir);
		lab_device_release(&dev);
		return EXIT_FATAL;
	}
	if (res.status == LAB_COMPLETE && copy_file(res.jsonl_path, out) < 0)
		res.status = LAB_INFRA_ERROR;
	if (res.status == LAB_COMPLETE && dbfile) {
		struct db *db = db_open(dbfile, DB_CREATE);
		struct db_import_stats st;

		imp.commit = kernel.commit;
		imp.config_fingerprint = artifact ? a.config_sha256 : NULL;
		imp.device_kind = dev.ops->kind;
		imp.job = res.job_id;
		if (!db || db_import_jsonl(db, out, label, &imp, &st) < 0) {
			error("the samples are in %s but could not be stored in %s", out, dbfile);
			if (tmpdir && !keep)
				rm_rf(tmpdir);
			db_close(db);
			lab_result_release(&res);
			lab_device_release(&dev);
			return EXIT_FATAL;
		}
		info("stored %llu samples in %s under label '%s'", (unsigned long long)st.samples,
		     dbfile, label);
		db_close(db);
	}
	if (res.status == LAB_COMPLETE) {
		info("%s: complete; samples in %s", dev.name, out);
	} else {
		error("%s: %s: %s", dev.name, lab_status_name(res.status), res.message ? res.message : "");
		keep = 1;
	}
	if (tmpdir && keep)
		keep_work_dir(tmpdir);
	if (keep || !tmpdir)
		info("device files (console, logs) kept in %s", workdir);
	else
		rm_rf(tmpdir);
	/* A canceled job is not retried (docs/lava.md): a failure, as LAB_FAILED. */
	code = res.status == LAB_COMPLETE ? EXIT_OK : res.status == LAB_INFRA_ERROR ? EXIT_INFRA
	       : EXIT_FAIL;
	lab_result_release(&res);
	lab_device_release(&dev);
	kbuild_artifact_release(&a);
	free(tmpdir);
	free(arch_opt);
	free(initrd_opt);
	strlist_release(&options);
	return code;
}
