/*
 * cmd_initramfs.c - `swaplab initramfs`: writes the lab's guest initramfs
 * (lab/initramfs.h) for a virtual board or a LAVA job.
 *
 *   swaplab initramfs -o FILE [--arch x86_64|arm64] [--busybox FILE]
 *                     [--swapbench FILE] [--modules DIR|TARBALL]
 *                     [--artifact KEY] [--no-gzip] [-- PLAN...]
 *
 * A plan after "--" is baked into the cpio (/etc/swaplab/plan); without
 * one the guest takes it from the kernel command line (swaplab.plan=).
 */
#include "src/builtin.h"
#include "ci/kbuild.h"
#include "lab/initramfs.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const initramfs_usage[] = {
	"swaplab initramfs -o FILE [--arch x86_64|arm64] [<options>] [-- PLAN...]",
	"",
	"A plan after \"--\" is baked into the cpio (/etc/swaplab/plan); without one",
	"the guest takes it from the kernel command line (swaplab.plan=).",
	NULL,
};

int cmd_initramfs(int argc, char **argv)
{
	struct initramfs_opts o;
	struct kbuild_artifact a;
	struct lab_plan plan;
	const char *out = NULL, *artifact = NULL;
	int dd, have_artifact = 0, ret;
	const struct po_option opts[] = {
		OPT_STRING('o', "output", &out, "FILE", "the initramfs to write (required)"),
		OPT_STRING(0, "arch", &o.arch, "x86_64|arm64", "the guest's architecture (default x86_64)"),
		OPT_STRING(0, "busybox", &o.busybox, "FILE", "a static busybox for that architecture"),
		OPT_STRING(0, "swapbench", &o.swapbench, "FILE", "a static swapbench for it"),
		OPT_STRING(0, "modules", &o.modules, "DIR|TARBALL", "the kernel's modules to add"),
		OPT_STRING(0, "artifact", &artifact, "KEY", "a kernel build: its arch and modules"),
		OPT_FLAG(0, "no-gzip", &o.no_gzip, "write a plain cpio"),
		OPT_END(),
	};

	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	argc = parse_options(argc, argv, opts, initramfs_usage, PO_KEEP_DASHDASH);
	if (argc < 0)
		return po_exit_code(argc);
	dd = po_dashdash(argc, argv);
	if (dd > 0 || (dd < 0 && argc > 0)) {
		error("unexpected argument '%s' (the plan goes after '--')", argv[0]);
		return EXIT_USAGE;
	}
	if (!out) {
		error("-o FILE is required");
		return EXIT_USAGE;
	}
	if (o.arch && !kbuild_arch(o.arch)) {
		error("unsupported --arch '%s' (x86_64 or arm64)", o.arch);
		return EXIT_USAGE;
	}
	if (o.arch)
		o.arch = kbuild_arch(o.arch);
	if (artifact) {
		if (kbuild_artifact_load(NULL, artifact, &a) < 0)
			return EXIT_FAIL;
		have_artifact = 1;
		if (strcmp(a.status, "ok"))
			die("artifact %s is a failed build", artifact);
		if (!o.arch)
			o.arch = a.arch;
		else if (strcmp(o.arch, a.arch))
			die("--arch %s does not match artifact %s (%s)", o.arch, artifact, a.arch);
		if (!o.modules)
			o.modules = a.modules;
	}
	if (dd == 0 && argc > 1) {
		plan.argv = argv + 1;
		plan.argc = (size_t)(argc - 1);
		o.plan = &plan;
	}
	ret = initramfs_build(&o, out);
	if (!ret)
		info("wrote %s (%s%s)", out, o.arch ? o.arch : "x86_64",
		     o.modules ? ", with modules" : "");
	if (have_artifact)
		kbuild_artifact_release(&a);
	return ret ? EXIT_FAIL : EXIT_OK;
}
