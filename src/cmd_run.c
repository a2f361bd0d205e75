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
 * 1 failed (not worth retrying), 2 infrastructure error (may be retried),
 * 3 canceled, 128/129 bad use.  With --db a complete run is also imported
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

static const char run_usage[] =
	"usage: swaplab run --device host|qemu|lava [--name LABEL] [--kernel IMAGE] [--dtb FILE]\n"
	"                   [--modules DIR|TARBALL] [--artifact KEY] [--arch x86_64|arm64]\n"
	"                   [--initrd FILE] [--option KEY=VALUE]... [--workdir DIR] [--keep]\n"
	"                   --out FILE.jsonl [--db FILE --label NAME [--kind base|patched]\n"
	"                   [--series NAME --revision N]] -- PLAN (swapbench arguments)...\n";

static void usage_die(const char *msg)
{
	if (msg)
		error("%s", msg);
	fputs(run_usage, stderr);
	exit(129);
}

int cmd_run(int argc, char **argv)
{
	const char *kind = NULL, *name = NULL, *out = NULL, *workdir = NULL, *artifact = NULL;
	const char *arch = NULL, *initrd = NULL, *dbfile = NULL, *label = NULL, *revision = NULL;
	struct db_import_opts imp;
	const char **options = xcalloc((size_t)argc + 3, sizeof(*options));
	char *tmpdir = NULL, *arch_opt = NULL, *initrd_opt = NULL;
	struct lab_kernel kernel;
	struct kbuild_artifact a;
	struct lab_device dev;
	struct lab_result res;
	struct lab_plan plan;
	size_t nopt = 0;
	int i, keep = 0, code;

	memset(&kernel, 0, sizeof(kernel));
	memset(&a, 0, sizeof(a));
	memset(&imp, 0, sizeof(imp));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **dst = NULL;

		if (!strcmp(arg, "--")) {
			i++;
			break;
		} else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			fputs(run_usage, stdout);
			return 0;
		} else if (!strcmp(arg, "--keep")) {
			keep = 1;
			continue;
		} else if (!strcmp(arg, "--device"))
			dst = &kind;
		else if (!strcmp(arg, "--name"))
			dst = &name;
		else if (!strcmp(arg, "--kernel"))
			dst = &kernel.image;
		else if (!strcmp(arg, "--dtb"))
			dst = &kernel.dtb;
		else if (!strcmp(arg, "--modules"))
			dst = &kernel.modules;
		else if (!strcmp(arg, "--artifact"))
			dst = &artifact;
		else if (!strcmp(arg, "--arch"))
			dst = &arch;
		else if (!strcmp(arg, "--initrd"))
			dst = &initrd;
		else if (!strcmp(arg, "--out") || !strcmp(arg, "-o"))
			dst = &out;
		else if (!strcmp(arg, "--workdir"))
			dst = &workdir;
		else if (!strcmp(arg, "--db"))
			dst = &dbfile;
		else if (!strcmp(arg, "--label"))
			dst = &label;
		else if (!strcmp(arg, "--kind"))
			dst = &imp.kind;
		else if (!strcmp(arg, "--series"))
			dst = &imp.series;
		else if (!strcmp(arg, "--revision"))
			dst = &revision;
		else if (!strcmp(arg, "--option")) {
			if (i + 1 >= argc)
				usage_die("--option needs KEY=VALUE");
			options[nopt++] = argv[++i];
			continue;
		} else
			usage_die(xstrfmt("unknown option '%s' (the plan goes after '--')", arg));
		if (i + 1 >= argc)
			usage_die(xstrfmt("%s needs a value", arg));
		*dst = argv[++i];
	}
	if (!kind)
		usage_die("--device is required");
	if (!out)
		usage_die("--out FILE.jsonl is required");
	if (i >= argc)
		usage_die("no plan: give swapbench's arguments after '--'");
	plan.argv = argv + i;
	plan.argc = (size_t)(argc - i);
	if ((label || imp.kind || imp.series || revision) && !dbfile)
		usage_die("--label, --kind, --series and --revision go with --db FILE");
	if (dbfile && !label)
		usage_die("--db needs --label NAME (it names the runs in reports)");
	if (imp.kind && strcmp(imp.kind, "base") && strcmp(imp.kind, "patched"))
		usage_die(xstrfmt("--kind is base or patched, not '%s'", imp.kind));
	if (revision && parse_uint(revision[0] == 'v' ? revision + 1 : revision, 1, 1000, &imp.revision) < 0)
		usage_die(NULL);
	if (!imp.series != !imp.revision)
		usage_die("--series and --revision go together");

	if (artifact) {
		if (kbuild_artifact_load(NULL, artifact, &a) < 0)
			return 128;
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
			usage_die(xstrfmt("unsupported --arch '%s'", arch));
		options[nopt++] = arch_opt = xstrfmt("arch=%s", kbuild_arch(arch));
	}
	if (initrd)
		options[nopt++] = initrd_opt = xstrfmt("initrd=%s", initrd);
	options[nopt] = NULL;

	if (lab_device_init(&dev, kind, name, options) < 0)
		return 128;
	if (!workdir) {
		tmpdir = xstrdup("/tmp/swaplab-run.XXXXXX");
		if (!mkdtemp(tmpdir))
			die("cannot create a work directory in /tmp");
		workdir = tmpdir;
	}
	/* A temporary work directory goes unless it holds a failed run's files. */
	if (lab_device_run(&dev, &plan, &kernel, workdir, &res) < 0) {
		if (tmpdir && !keep)
			rm_rf(tmpdir);
		lab_device_release(&dev);
		return 128;
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
			return 128;
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
	if (keep || !tmpdir)
		info("device files (console, logs) kept in %s", workdir);
	else
		rm_rf(tmpdir);
	code = res.status == LAB_COMPLETE ? 0 : res.status == LAB_FAILED ? 1
	       : res.status == LAB_INFRA_ERROR ? 2 : 3;
	lab_result_release(&res);
	lab_device_release(&dev);
	kbuild_artifact_release(&a);
	free(tmpdir);
	free(arch_opt);
	free(initrd_opt);
	free(options);
	return code;
}
