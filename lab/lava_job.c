/*
 * lab/lava_job.c - LAVA job definitions for the swap-release benchmark:
 * device type bcm2711-rpi-4-b (TFTP deploy of Image, dtb, modules and a
 * ramdisk or an NFS root file system; u-boot boot) and device type qemu
 * (tmpfs deploy of a kernel and the lab's initramfs, with LAVA's overlay
 * and optionally swapbench appended to the cpio).  Both run the plan
 * through one inline test definition (see lava.h for what it reports).
 *
 * YAML is written by hand: every string is a double-quoted scalar with
 * escapes, so no input can change the document's structure.  Shell text
 * that carries user input (the plan) is single-quoted by sh_quote().
 */
#include "lab/lava.h"
#include "lab/device.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lava_device_type_parse(const char *s, enum lava_device_type *out)
{
	if (!strcmp(s, "qemu"))
		*out = LAVA_DT_QEMU;
	else if (!strcmp(s, "bcm2711-rpi-4-b") || !strcmp(s, "rpi4"))
		*out = LAVA_DT_RPI4;
	else
		return error("unknown LAVA device type '%s' (expected bcm2711-rpi-4-b or qemu)", s);
	return 0;
}

const char *lava_device_type_name(enum lava_device_type t)
{
	return t == LAVA_DT_RPI4 ? "bcm2711-rpi-4-b" : "qemu";
}

char *sh_quote(const char *s)
{
	size_t n = 2;
	const char *p;
	char *out, *o;

	for (p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	out = o = xmalloc(n + 1);
	*o++ = '\'';
	for (p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

void yaml_put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static int is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8) ||
	       !strncmp(s, "file://", 7);
}

/*
 * The URL under which the dispatcher finds an artifact.  Local files must
 * exist (a typo should fail here, not 10 minutes into a job).
 */
static char *artifact_url(const char *what, const char *v, const char *base)
{
	const char *slash;
	char *abs;

	if (is_url(v)) {
		if (strpbrk(v, " \t\r\n\"'")) {
			error("%s URL '%s' contains blanks or quotes", what, v);
			return NULL;
		}
		return xstrdup(v);
	}
	if (strstr(v, "://")) {
		error("%s '%s': only http://, https:// and file:// URLs can be fetched by LAVA", what, v);
		return NULL;
	}
	if (access(v, R_OK) < 0) {
		error_errno("%s '%s' cannot be read", what, v);
		return NULL;
	}
	slash = strrchr(v, '/');
	if (base) {
		size_t n = strlen(base);

		return xstrfmt("%.*s/%s", (int)(n && base[n - 1] == '/' ? n - 1 : n), base,
			       slash ? slash + 1 : v);
	}
	abs = realpath(v, NULL);
	if (!abs) {
		error_errno("cannot resolve '%s'", v);
		return NULL;
	}
	{
		char *u = xstrfmt("file://%s", abs);

		free(abs);
		if (strpbrk(u, " \t\r\n\"'")) {
			error("%s path '%s' contains blanks or quotes", what, u + 7);
			free(u);
			return NULL;
		}
		return u;
	}
}

/* LAVA's "compression" for a file name, NULL when not compressed. */
static const char *compression_of(const char *name)
{
	size_t n = strlen(name);

	if (n > 3 && !strcmp(name + n - 3, ".gz"))
		return "gz";
	if (n > 3 && !strcmp(name + n - 3, ".xz"))
		return "xz";
	if (n > 4 && !strcmp(name + n - 4, ".zst"))
		return "zstd";
	if (n > 4 && !strcmp(name + n - 4, ".bz2"))
		return "bz2";
	return NULL;
}

static int has_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	const char *p = s;

	while ((p = strstr(p, w))) {
		if ((p == s || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * awk program (busybox awk compatible) that turns swapbench's sample lines
 * into "name value units" lines, one per LAVA test case.  Names have no
 * blanks: <backend>-<size>-<N>p-run<R>[-p<P>]-<figure>.
 * It contains no single quote, so it can be single-quoted in sh.
 */
static const char awk_cases[] =
	"function num(k){ if (match($0, \"\\\"\" k \"\\\": *-?[0-9][0-9.eE+-]*\"))"
	" { s = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, \"\", s); return s + 0 } return -1 }"
	" function str(k){ if (match($0, \"\\\"\" k \"\\\": *\\\"[^\\\"]*\\\"\"))"
	" { s = substr($0, RSTART, RLENGTH); sub(/^[^:]*: *\"/, \"\", s); sub(/\"$/, \"\", s); return s } return \"x\" }"
	" function hs(b){ if (b >= 1073741824 && b % 1073741824 == 0) return (b / 1073741824) \"G\";"
	" if (b >= 1048576 && b % 1048576 == 0) return (b / 1048576) \"M\";"
	" if (b >= 1024 && b % 1024 == 0) return (b / 1024) \"K\"; return b \"B\" }"
	" /\"type\": *\"sample\"/ { c = str(\"backend\") \"-\" hs(num(\"size_bytes\")) \"-\" num(\"procs\") \"p-run\" num(\"run\");"
	" printf \"%s-p%d-munmap_ms %.6f ms\\n\", c, num(\"proc\"), num(\"munmap_ns\") / 1e6;"
	" if (num(\"proc\") == 0) { printf \"%s-wall_ms %.6f ms\\n\", c, num(\"wall_ns\") / 1e6;"
	" printf \"%s-drain_ms %.6f ms\\n\", c, num(\"drain_ns\") / 1e6;"
	" printf \"%s-cpu_ms %.6f ms\\n\", c, num(\"cpu_ns\") / 1e6 } }"
	" /\"type\": *\"fio\"/ { printf \"fio-%s-%s-bw_MiBps %.3f MiB/s\\n\", str(\"job\"), str(\"comp\"), num(\"bw_bytes\") / 1048576 }";

static void put_step(FILE *f, const char *step)
{
	fputs("          - ", f);
	yaml_put_string(f, step);
	fputc('\n', f);
}

/*
 * The inline test definition's run steps.  LAVA runs them as one script
 * under `sh -e -x`: every step must succeed, tracing is turned off first
 * (it would interleave with the stream on the console).
 */
static void put_steps(FILE *f, const struct lava_job_opts *o, const char *swapbench_url)
{
	char **argv, *buf = NULL;
	size_t argc, len = 0, i;
	FILE *m;

	put_step(f, "set +x");
	/* What the lab's /init does before it hands over a shell (its
	   swaplab.shell=1), so a full root file system is set up alike. */
	put_step(f, "grep -q ' /proc ' /proc/mounts 2>/dev/null || mount -t proc proc /proc");
	put_step(f, "grep -q ' /sys ' /proc/mounts || mount -t sysfs sysfs /sys");
	put_step(f, "grep -q ' /dev ' /proc/mounts || mount -t devtmpfs devtmpfs /dev || true");
	put_step(f, "grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true");
	put_step(f, "grep -q ' /sys/fs/cgroup ' /proc/mounts || mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || true");
	put_step(f, "mkdir -p /tmp /var/tmp && cd /tmp");
	put_step(f, "if [ -d /lib/modules/$(uname -r) ]; then for m in zsmalloc zram lzo lzo-rle lz4 zstd loop; do modprobe -q $m 2>/dev/null || true; done; fi");
	/* Only emergencies on the console: kernel messages must not split
	   the stream. */
	put_step(f, "echo '1 4 1 7' > /proc/sys/kernel/printk || true");
	/* Where swapbench is: downloaded, appended to the ramdisk, or inside. */
	if (swapbench_url && o->type == LAVA_DT_RPI4) {
		char *q = sh_quote(swapbench_url), *st;

		st = xstrfmt("(wget -q -O /tmp/swapbench %s || curl -fsS -o /tmp/swapbench %s) && chmod 755 /tmp/swapbench && SB=/tmp/swapbench",
			     q, q);
		put_step(f, st);
		free(st);
		free(q);
	} else if (swapbench_url) {
		put_step(f, "SB=/usr/bin/swapbench");
	} else {
		put_step(f, "SB=$(command -v swapbench || echo /bin/swapbench)");
	}
	/* The plan, every argument quoted, with --json and --device added. */
	argv = lab_plan_argv(o->plan, o->device_label, &argc);
	m = open_memstream(&buf, &len);
	fputs("rc=0; \"$SB\"", m);
	for (i = 0; i < argc; i++) {
		char *q = sh_quote(argv[i]);

		fprintf(m, " %s", q);
		free(q);
	}
	fputs(" >/tmp/swaplab.jsonl || rc=$?", m);
	fclose(m);
	lab_argv_free(argv);
	put_step(f, buf);
	free(buf);
	put_step(f, "if [ $rc = 0 ]; then R=pass; else R=fail; fi; lava-test-case swapbench --result $R --measurement $rc --units exit_status");
	{
		char *st = xstrfmt("awk '%s' /tmp/swaplab.jsonl | while read -r n v u; do lava-test-case \"$n\" --result pass --measurement \"$v\" --units \"$u\"; done",
				   awk_cases);

		put_step(f, st);
		free(st);
	}
	/* The whole stream in the guest console protocol (lab/initramfs.h). */
	put_step(f, "echo \"SWAPLAB-RC $rc\"; n=$(awk 'END { print NR }' /tmp/swaplab.jsonl); "
		    "sum=$(awk '{ print }' /tmp/swaplab.jsonl | sha256sum | cut -d' ' -f1); "
		    "echo SWAPLAB-JSONL-BEGIN; awk '{ print \"SWAPLAB-JSONL \" NR \" \" $0 }' /tmp/swaplab.jsonl; "
		    "echo \"SWAPLAB-JSONL-END $n $sum\"");
}

static void put_timeout(FILE *f, const char *indent, const char *key, unsigned minutes)
{
	fprintf(f, "%s%s:\n%s  minutes: %u\n", indent, key, indent, minutes);
}

char *lava_job_definition(const struct lava_job_opts *o)
{
	static const struct lab_plan empty_plan;
	const struct lab_plan *plan = o->plan ? o->plan : &empty_plan;
	struct lava_job_opts opt = *o;
	char *urls[6] = { 0 };
	const struct lava_artifacts *a = &o->art;
	const char *prompt = o->prompt ? o->prompt : "/ # ";
	const char *arch = o->arch ? o->arch : "amd64";
	const char *guest = o->guest_args ? o->guest_args : "swaplab.shell=1";
	unsigned job_min = o->job_timeout_min ? o->job_timeout_min : 60;
	unsigned boot_min = o->boot_timeout_min ? o->boot_timeout_min : 10;
	unsigned test_min, deploy_min = 10;
	char *buf = NULL, *name = NULL, *cmdline = NULL;
	size_t len = 0, i;
	FILE *f;
	int ok = 0;

	opt.plan = plan;
	if (job_min < boot_min + deploy_min + 5)
		job_min = boot_min + deploy_min + 5;
	test_min = o->test_timeout_min ? o->test_timeout_min : job_min - boot_min - deploy_min;
	if (test_min > job_min) {
		error("test timeout (%u min) is longer than the job timeout (%u min)", test_min, job_min);
		return NULL;
	}
	if (o->kernel_args && has_word(o->kernel_args, "quiet")) {
		error("kernel arguments must not contain 'quiet': LAVA waits for the kernel's boot banner");
		return NULL;
	}
	if (o->kernel_args && strpbrk(o->kernel_args, "'\"\\\n\r")) {
		error("kernel arguments must not contain quotes, backslashes or newlines");
		return NULL;
	}
	if (!*prompt) {
		error("the shell prompt to wait for is empty");
		return NULL;
	}
	if (strpbrk(guest, "'\"\\\n\r;")) {
		error("guest arguments '%s' must not contain quotes, backslashes, ';' or newlines", guest);
		return NULL;
	}
	if (!a->kernel) {
		error("a kernel is required (--kernel)");
		return NULL;
	}
	if (o->type == LAVA_DT_QEMU) {
		if (!a->ramdisk) {
			error("device type qemu needs a ramdisk (--ramdisk, the lab initramfs)");
			return NULL;
		}
		if (a->rootfs || a->modules || a->dtb) {
			error("device type qemu takes a kernel, a ramdisk and swapbench only (no --rootfs, --modules or --dtb)");
			return NULL;
		}
		if (strcmp(arch, "amd64") && strcmp(arch, "x86_64") && strcmp(arch, "arm64") &&
		    strcmp(arch, "aarch64")) {
			error("qemu architecture '%s' is not supported (amd64 or arm64)", arch);
			return NULL;
		}
	} else {
		if (!a->dtb) {
			error("device type bcm2711-rpi-4-b needs the device tree (--dtb bcm2711-rpi-4-b.dtb)");
			return NULL;
		}
		if (!a->ramdisk && !a->rootfs) {
			error("device type bcm2711-rpi-4-b needs a ramdisk (--ramdisk) or a root file system for NFS (--rootfs)");
			return NULL;
		}
	}
	{
		const char *what[6] = { "kernel", "dtb", "modules", "ramdisk", "rootfs", "swapbench" };
		const char *val[6] = { a->kernel, a->dtb, a->modules, a->ramdisk, a->rootfs, a->swapbench };

		for (i = 0; i < 6; i++)
			if (val[i] && !(urls[i] = artifact_url(what[i], val[i], o->artifact_base)))
				goto out;
	}
	if (o->type == LAVA_DT_RPI4 && urls[5] && !strncmp(urls[5], "file://", 7)) {
		error("swapbench for a board must be downloadable over HTTP: give --artifact-url or an http(s) URL");
		goto out;
	}

	if (o->job_name) {
		name = xstrdup(o->job_name);
	} else {
		FILE *m = open_memstream(&name, &len);

		fprintf(m, "swaplab %s", lava_device_type_name(o->type));
		for (i = 0; i < plan->argc; i++)
			fprintf(m, " %s", plan->argv[i]);
		fclose(m);
		if (strlen(name) > 200)
			name[200] = '\0';
	}

	f = open_memstream(&buf, &len);
	fprintf(f, "# Generated by swaplab %s: the swap-release benchmark on %s.\n",
		SWAPLAB_VERSION, lava_device_type_name(o->type));
	fprintf(f, "device_type: %s\n", lava_device_type_name(o->type));
	fputs("job_name: ", f); yaml_put_string(f, name); fputc('\n', f);
	fputs("timeouts:\n", f);
	put_timeout(f, "  ", "job", job_min);
	put_timeout(f, "  ", "action", boot_min > deploy_min ? boot_min : deploy_min);
	put_timeout(f, "  ", "connection", 2);
	fprintf(f, "priority: %s\n", o->priority ? o->priority : "medium");
	fprintf(f, "visibility: %s\n", o->visibility ? o->visibility : "public");

	if (o->type == LAVA_DT_QEMU) {
		int arm = !strcmp(arch, "arm64") || !strcmp(arch, "aarch64");

		fputs("context:\n", f);
		fprintf(f, "  arch: %s\n", arm ? "arm64" : "amd64");
		fprintf(f, "  memory: %u\n", o->memory_mb ? o->memory_mb : 2048);
		fprintf(f, "  extra_options:\n  - \"-smp %u\"\n", o->cpus ? o->cpus : 2);
		if (arm)
			fputs("  machine: virt\n  cpu: cortex-a57\n", f);
		if (o->no_kvm)
			fputs("  no_kvm: true\n", f);
		cmdline = xstrfmt("console=%s%s%s%s%s", arm ? "ttyAMA0" : "ttyS0,115200",
				  *guest ? " " : "", guest,
				  o->kernel_args ? " " : "", o->kernel_args ? o->kernel_args : "");
	} else if (o->kernel_args || (!urls[4] && *guest)) {
		/* Keep the template's earlycon when adding arguments. */
		fputs("context:\n  extra_kernel_args: ", f);
		{
			char *s = xstrfmt("earlycon=uart,mmio32,0xfe215040%s%s%s%s",
					  urls[4] || !*guest ? "" : " ", urls[4] ? "" : guest,
					  o->kernel_args ? " " : "", o->kernel_args ? o->kernel_args : "");

			yaml_put_string(f, s);
			free(s);
		}
		fputc('\n', f);
	}

	fputs("metadata:\n", f);
	fputs("  swaplab.version: ", f); yaml_put_string(f, SWAPLAB_VERSION); fputc('\n', f);
	if (o->device_label) {
		fputs("  swaplab.device: ", f); yaml_put_string(f, o->device_label); fputc('\n', f);
	}
	if (o->kernel && o->kernel->label) {
		fputs("  swaplab.kernel.label: ", f); yaml_put_string(f, o->kernel->label); fputc('\n', f);
	}
	if (o->kernel && o->kernel->commit) {
		fputs("  swaplab.kernel.commit: ", f); yaml_put_string(f, o->kernel->commit); fputc('\n', f);
	}
	{
		char *pl = NULL;
		size_t pl_len = 0;
		FILE *m = open_memstream(&pl, &pl_len);

		for (i = 0; i < plan->argc; i++) {
			char *q = sh_quote(plan->argv[i]);

			fprintf(m, "%s%s", i ? " " : "", q);
			free(q);
		}
		fclose(m);
		fputs("  swaplab.plan: ", f); yaml_put_string(f, pl); fputc('\n', f);
		free(pl);
	}

	fputs("actions:\n", f);
	if (o->type == LAVA_DT_QEMU) {
		const char *comp = compression_of(urls[3]);
		char *karg = xstrfmt("-kernel {kernel} -append '%s'", cmdline);

		fputs("- deploy:\n    to: tmpfs\n", f);
		put_timeout(f, "    ", "timeout", deploy_min);
		fputs("    os: oe\n    images:\n      kernel:\n        image_arg: ", f);
		yaml_put_string(f, karg);
		fputs("\n        url: ", f); yaml_put_string(f, urls[0]);
		fputs("\n      ramdisk:\n        image_arg: \"-initrd {ramdisk}\"\n        url: ", f);
		yaml_put_string(f, urls[3]);
		fputc('\n', f);
		if (comp)
			fprintf(f, "        compression: %s\n", comp);
		/* LAVA unpacks the cpio, adds its overlay (and swapbench), repacks. */
		fputs("        format: cpio.newc\n        overlays:\n          lava: true\n", f);
		if (urls[5]) {
			fputs("          swapbench:\n            url: ", f); yaml_put_string(f, urls[5]);
			fputs("\n            format: file\n            path: /usr/bin/swapbench\n", f);
		}
		free(karg);
		fputs("- boot:\n    method: qemu\n    media: tmpfs\n", f);
	} else {
		fputs("- deploy:\n    to: tftp\n", f);
		put_timeout(f, "    ", "timeout", deploy_min);
		fprintf(f, "    os: %s\n", urls[4] ? "debian" : "oe");
		fputs("    kernel:\n      url: ", f); yaml_put_string(f, urls[0]);
		fputs("\n      type: image\n    dtb:\n      url: ", f); yaml_put_string(f, urls[1]);
		fputc('\n', f);
		if (urls[2]) {
			const char *comp = compression_of(urls[2]);

			fputs("    modules:\n      url: ", f); yaml_put_string(f, urls[2]);
			fputc('\n', f);
			if (comp)
				fprintf(f, "      compression: %s\n", comp);
		}
		if (urls[3]) {
			const char *comp = compression_of(urls[3]);

			fputs("    ramdisk:\n      url: ", f); yaml_put_string(f, urls[3]);
			fputc('\n', f);
			if (comp)
				fprintf(f, "      compression: %s\n", comp);
			fputs("      install_overlay: true\n", f);
			fprintf(f, "      install_modules: %s\n", urls[2] && !urls[4] ? "true" : "false");
		}
		if (urls[4]) {
			const char *comp = compression_of(urls[4]);

			fputs("    nfsrootfs:\n      url: ", f); yaml_put_string(f, urls[4]);
			fputc('\n', f);
			if (comp)
				fprintf(f, "      compression: %s\n", comp);
		}
		fprintf(f, "- boot:\n    method: u-boot\n    commands: %s\n", urls[4] ? "nfs" : "ramdisk");
	}
	put_timeout(f, "    ", "timeout", boot_min);
	fputs("    prompts:\n    - ", f); yaml_put_string(f, prompt); fputc('\n', f);
	if (o->login_user) {
		fputs("    auto_login:\n      login_prompt: \"login:\"\n      username: ", f);
		yaml_put_string(f, o->login_user);
		fputc('\n', f);
	}

	fputs("- test:\n", f);
	put_timeout(f, "    ", "timeout", test_min);
	fputs("    definitions:\n"
	      "    - from: inline\n"
	      "      name: swaplab\n"
	      "      path: inline/swaplab.yaml\n"
	      "      repository:\n"
	      "        metadata:\n"
	      "          format: Lava-Test Test Definition 1.0\n"
	      "          name: swaplab\n"
	      "          description: \"munmap() latency of swapped-out anonymous memory (swapbench); "
	      "each figure is a test case with a measurement, the full JSON Lines stream is printed "
	      "base64-encoded between begin and end markers\"\n"
	      "        run:\n"
	      "          steps:\n", f);
	put_steps(f, &opt, urls[5]);
	if (fclose(f) != 0) {
		error("cannot build the job definition");
		free(buf);
		buf = NULL;
		goto out;
	}
	ok = 1;
out:
	for (i = 0; i < 6; i++)
		free(urls[i]);
	free(name);
	free(cmdline);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}
