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

static const char initramfs_usage[] =
	"usage: swaplab initramfs -o FILE [--arch x86_64|arm64] [--busybox FILE] [--swapbench FILE]\n"
	"                         [--modules DIR|TARBALL] [--artifact KEY] [--no-gzip] [-- PLAN...]\n";

static void usage_die(const char *msg)
{
	if (msg)
		error("%s", msg);
	fputs(initramfs_usage, stderr);
	exit(129);
}

int cmd_initramfs(int argc, char **argv)
{
	struct initramfs_opts o;
	struct kbuild_artifact a;
	struct lab_plan plan;
	const char *out = NULL, *artifact = NULL;
	int i, have_artifact = 0, ret;

	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **dst = NULL;

		if (!strcmp(arg, "--")) {
			i++;
			break;
		} else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			fputs(initramfs_usage, stdout);
			return 0;
		} else if (!strcmp(arg, "--no-gzip")) {
			o.no_gzip = 1;
			continue;
		} else if (!strcmp(arg, "-o") || !strcmp(arg, "--output"))
			dst = &out;
		else if (!strcmp(arg, "--arch"))
			dst = &o.arch;
		else if (!strcmp(arg, "--busybox"))
			dst = &o.busybox;
		else if (!strcmp(arg, "--swapbench"))
			dst = &o.swapbench;
		else if (!strcmp(arg, "--modules"))
			dst = &o.modules;
		else if (!strcmp(arg, "--artifact"))
			dst = &artifact;
		else
			usage_die(xstrfmt("unknown option '%s'", arg));
		if (i + 1 >= argc)
			usage_die(xstrfmt("%s needs a value", arg));
		*dst = argv[++i];
	}
	if (!out)
		usage_die("-o FILE is required");
	if (o.arch && !kbuild_arch(o.arch))
		usage_die(xstrfmt("unsupported --arch '%s' (x86_64 or arm64)", o.arch));
	if (o.arch)
		o.arch = kbuild_arch(o.arch);
	if (artifact) {
		if (kbuild_artifact_load(NULL, artifact, &a) < 0)
			return 1;
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
	if (i < argc) {
		plan.argv = argv + i;
		plan.argc = (size_t)(argc - i);
		o.plan = &plan;
	}
	ret = initramfs_build(&o, out);
	if (!ret)
		info("wrote %s (%s%s)", out, o.arch ? o.arch : "x86_64",
		     o.modules ? ", with modules" : "");
	if (have_artifact)
		kbuild_artifact_release(&a);
	return ret ? 1 : 0;
}
