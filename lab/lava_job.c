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

/* The artifacts by index, in the order of lava_artifacts. */
enum { ART_KERNEL, ART_DTB, ART_MODULES, ART_RAMDISK, ART_ROOTFS, ART_SWAPBENCH, ART_NR };

/*
 * A job definition being written.  The phases, in order: job_settings()
 * (defaults, timeouts), job_check() (what the device type needs, what must
 * not reach a shell or YAML), job_resolve() (artifact URLs, the job name),
 * then the YAML sections: put_header(), put_context(), put_metadata(),
 * put_deploy_boot() and put_test().
 */
struct job {
	struct lava_job_opts opt;      /* the caller's, with the plan filled in */
	const struct lab_plan *plan;
	const char *prompt, *arch, *guest;
	unsigned job_min, boot_min, deploy_min, test_min;
	int arm;                       /* qemu: arm64 */
	char *urls[ART_NR];
	char *name, *cmdline;          /* cmdline: qemu's -append */
};

static int job_settings(struct job *j, const struct lava_job_opts *o)
{
	static const struct lab_plan empty_plan;

	j->opt = *o;
	j->plan = j->opt.plan = o->plan ? o->plan : &empty_plan;
	j->prompt = o->prompt ? o->prompt : "/ # ";
	j->arch = o->arch ? o->arch : "amd64";
	j->guest = o->guest_args ? o->guest_args : "swaplab.shell=1";
	j->arm = !strcmp(j->arch, "arm64") || !strcmp(j->arch, "aarch64");
	j->job_min = o->job_timeout_min ? o->job_timeout_min : 60;
	j->boot_min = o->boot_timeout_min ? o->boot_timeout_min : 10;
	j->deploy_min = 10;
	if (j->job_min < j->boot_min + j->deploy_min + 5)
		j->job_min = j->boot_min + j->deploy_min + 5;
	j->test_min = o->test_timeout_min ? o->test_timeout_min
					  : j->job_min - j->boot_min - j->deploy_min;
	if (j->test_min > j->job_min)
		return error("test timeout (%u min) is longer than the job timeout (%u min)",
			     j->test_min, j->job_min);
	return 0;
}

static int job_check(const struct job *j)
{
	const struct lava_job_opts *o = &j->opt;
	const struct lava_artifacts *a = &o->art;

	if (o->kernel_args && has_word(o->kernel_args, "quiet"))
		return error("kernel arguments must not contain 'quiet': LAVA waits for the kernel's boot banner");
	if (o->kernel_args && strpbrk(o->kernel_args, "'\"\\\n\r"))
		return error("kernel arguments must not contain quotes, backslashes or newlines");
	if (!*j->prompt)
		return error("the shell prompt to wait for is empty");
	if (strpbrk(j->guest, "'\"\\\n\r;"))
		return error("guest arguments '%s' must not contain quotes, backslashes, ';' or newlines",
			     j->guest);
	if (!a->kernel)
		return error("a kernel is required (--kernel)");
	if (o->type == LAVA_DT_QEMU) {
		if (!a->ramdisk)
			return error("device type qemu needs a ramdisk (--ramdisk, the lab initramfs)");
		if (a->rootfs || a->modules || a->dtb)
			return error("device type qemu takes a kernel, a ramdisk and swapbench only (no --rootfs, --modules or --dtb)");
		if (strcmp(j->arch, "amd64") && strcmp(j->arch, "x86_64") && !j->arm)
			return error("qemu architecture '%s' is not supported (amd64 or arm64)", j->arch);
	} else {
		if (!a->dtb)
			return error("device type bcm2711-rpi-4-b needs the device tree (--dtb bcm2711-rpi-4-b.dtb)");
		if (!a->ramdisk && !a->rootfs)
			return error("device type bcm2711-rpi-4-b needs a ramdisk (--ramdisk) or a root file system for NFS (--rootfs)");
	}
	return 0;
}

/* The artifacts' URLs and the job name. */
static int job_resolve(struct job *j)
{
	const struct lava_job_opts *o = &j->opt;
	const struct lava_artifacts *a = &o->art;
	const char *what[ART_NR] = { "kernel", "dtb", "modules", "ramdisk", "rootfs", "swapbench" };
	const char *val[ART_NR] = { a->kernel, a->dtb, a->modules, a->ramdisk, a->rootfs,
				    a->swapbench };
	size_t i, len = 0;

	for (i = 0; i < ART_NR; i++)
		if (val[i] && !(j->urls[i] = artifact_url(what[i], val[i], o->artifact_base)))
			return -1;
	if (o->type == LAVA_DT_RPI4 && j->urls[ART_SWAPBENCH] &&
	    !strncmp(j->urls[ART_SWAPBENCH], "file://", 7))
		return error("swapbench for a board must be downloadable over HTTP: give --artifact-url or an http(s) URL");

	if (o->job_name) {
		j->name = xstrdup(o->job_name);
	} else {
		FILE *m = open_memstream(&j->name, &len);

		fprintf(m, "swaplab %s", lava_device_type_name(o->type));
		for (i = 0; i < j->plan->argc; i++)
			fprintf(m, " %s", j->plan->argv[i]);
		fclose(m);
		if (strlen(j->name) > 200)
			j->name[200] = '\0';
	}
	return 0;
}

static void put_header(FILE *f, const struct job *j)
{
	const struct lava_job_opts *o = &j->opt;

	fprintf(f, "# Generated by swaplab %s: the swap-release benchmark on %s.\n",
		SWAPLAB_VERSION, lava_device_type_name(o->type));
	fprintf(f, "device_type: %s\n", lava_device_type_name(o->type));
	fputs("job_name: ", f); yaml_put_string(f, j->name); fputc('\n', f);
	fputs("timeouts:\n", f);
	put_timeout(f, "  ", "job", j->job_min);
	put_timeout(f, "  ", "action", j->boot_min > j->deploy_min ? j->boot_min : j->deploy_min);
	put_timeout(f, "  ", "connection", 2);
	fprintf(f, "priority: %s\n", o->priority ? o->priority : "medium");
	fprintf(f, "visibility: %s\n", o->visibility ? o->visibility : "public");
}

/* qemu: the machine and the kernel command line; the board: extra
 * kernel arguments (keeping the template's earlycon). */
static void put_context(FILE *f, struct job *j)
{
	const struct lava_job_opts *o = &j->opt;
	const char *ka = o->kernel_args ? o->kernel_args : "";
	const char *ka_sep = o->kernel_args ? " " : "";
	char *s;

	if (o->type == LAVA_DT_QEMU) {
		fputs("context:\n", f);
		fprintf(f, "  arch: %s\n", j->arm ? "arm64" : "amd64");
		fprintf(f, "  memory: %u\n", o->memory_mb ? o->memory_mb : 2048);
		fprintf(f, "  extra_options:\n  - \"-smp %u\"\n", o->cpus ? o->cpus : 2);
		if (j->arm)
			fputs("  machine: virt\n  cpu: cortex-a57\n", f);
		if (o->no_kvm)
			fputs("  no_kvm: true\n", f);
		j->cmdline = xstrfmt("console=%s%s%s%s%s", j->arm ? "ttyAMA0" : "ttyS0,115200",
				     *j->guest ? " " : "", j->guest, ka_sep, ka);
		return;
	}
	if (!o->kernel_args && (j->urls[ART_ROOTFS] || !*j->guest))
		return;
	fputs("context:\n  extra_kernel_args: ", f);
	/* The guest arguments are for the lab initramfs, not a rootfs. */
	if (j->urls[ART_ROOTFS])
		s = xstrfmt("earlycon=uart,mmio32,0xfe215040%s%s", ka_sep, ka);
	else
		s = xstrfmt("earlycon=uart,mmio32,0xfe215040%s%s%s%s", *j->guest ? " " : "",
			    j->guest, ka_sep, ka);
	yaml_put_string(f, s);
	free(s);
	fputc('\n', f);
}

static void put_meta(FILE *f, const char *key, const char *value)
{
	fprintf(f, "  %s: ", key);
	yaml_put_string(f, value);
	fputc('\n', f);
}

static void put_metadata(FILE *f, const struct job *j)
{
	const struct lava_job_opts *o = &j->opt;
	char *pl = NULL;
	size_t pl_len = 0, i;
	FILE *m;

	fputs("metadata:\n", f);
	put_meta(f, "swaplab.version", SWAPLAB_VERSION);
	if (o->device_label)
		put_meta(f, "swaplab.device", o->device_label);
	if (o->kernel && o->kernel->label)
		put_meta(f, "swaplab.kernel.label", o->kernel->label);
	if (o->kernel && o->kernel->commit)
		put_meta(f, "swaplab.kernel.commit", o->kernel->commit);
	m = open_memstream(&pl, &pl_len);
	for (i = 0; i < j->plan->argc; i++) {
		char *q = sh_quote(j->plan->argv[i]);

		fprintf(m, "%s%s", i ? " " : "", q);
		free(q);
	}
	fclose(m);
	put_meta(f, "swaplab.plan", pl);
	free(pl);
}

/* A downloadable image of the board's deploy: url and compression. */
static void put_image(FILE *f, const char *key, const char *url)
{
	const char *comp = compression_of(url);

	fprintf(f, "    %s:\n      url: ", key);
	yaml_put_string(f, url);
	fputc('\n', f);
	if (comp)
		fprintf(f, "      compression: %s\n", comp);
}

static void put_deploy_qemu(FILE *f, const struct job *j)
{
	const char *comp = compression_of(j->urls[ART_RAMDISK]);
	char *karg = xstrfmt("-kernel {kernel} -append '%s'", j->cmdline);

	fputs("- deploy:\n    to: tmpfs\n", f);
	put_timeout(f, "    ", "timeout", j->deploy_min);
	fputs("    os: oe\n    images:\n      kernel:\n        image_arg: ", f);
	yaml_put_string(f, karg);
	fputs("\n        url: ", f); yaml_put_string(f, j->urls[ART_KERNEL]);
	fputs("\n      ramdisk:\n        image_arg: \"-initrd {ramdisk}\"\n        url: ", f);
	yaml_put_string(f, j->urls[ART_RAMDISK]);
	fputc('\n', f);
	if (comp)
		fprintf(f, "        compression: %s\n", comp);
	/* LAVA unpacks the cpio, adds its overlay (and swapbench), repacks. */
	fputs("        format: cpio.newc\n        overlays:\n          lava: true\n", f);
	if (j->urls[ART_SWAPBENCH]) {
		fputs("          swapbench:\n            url: ", f);
		yaml_put_string(f, j->urls[ART_SWAPBENCH]);
		fputs("\n            format: file\n            path: /usr/bin/swapbench\n", f);
	}
	free(karg);
	fputs("- boot:\n    method: qemu\n    media: tmpfs\n", f);
}

static void put_deploy_board(FILE *f, const struct job *j)
{
	char *const *u = j->urls;

	fputs("- deploy:\n    to: tftp\n", f);
	put_timeout(f, "    ", "timeout", j->deploy_min);
	fprintf(f, "    os: %s\n", u[ART_ROOTFS] ? "debian" : "oe");
	fputs("    kernel:\n      url: ", f); yaml_put_string(f, u[ART_KERNEL]);
	fputs("\n      type: image\n    dtb:\n      url: ", f); yaml_put_string(f, u[ART_DTB]);
	fputc('\n', f);
	if (u[ART_MODULES])
		put_image(f, "modules", u[ART_MODULES]);
	if (u[ART_RAMDISK]) {
		put_image(f, "ramdisk", u[ART_RAMDISK]);
		fputs("      install_overlay: true\n", f);
		fprintf(f, "      install_modules: %s\n",
			u[ART_MODULES] && !u[ART_ROOTFS] ? "true" : "false");
	}
	if (u[ART_ROOTFS])
		put_image(f, "nfsrootfs", u[ART_ROOTFS]);
	fprintf(f, "- boot:\n    method: u-boot\n    commands: %s\n", u[ART_ROOTFS] ? "nfs" : "ramdisk");
}

/* The deploy action and the boot action, up to the shell prompt. */
static void put_deploy_boot(FILE *f, const struct job *j)
{
	if (j->opt.type == LAVA_DT_QEMU)
		put_deploy_qemu(f, j);
	else
		put_deploy_board(f, j);
	put_timeout(f, "    ", "timeout", j->boot_min);
	fputs("    prompts:\n    - ", f); yaml_put_string(f, j->prompt); fputc('\n', f);
	if (j->opt.login_user) {
		fputs("    auto_login:\n      login_prompt: \"login:\"\n      username: ", f);
		yaml_put_string(f, j->opt.login_user);
		fputc('\n', f);
	}
}

static void put_test(FILE *f, const struct job *j)
{
	fputs("- test:\n", f);
	put_timeout(f, "    ", "timeout", j->test_min);
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
	put_steps(f, &j->opt, j->urls[ART_SWAPBENCH]);
}

char *lava_job_definition(const struct lava_job_opts *o)
{
	struct job j = { .name = NULL };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if (job_settings(&j, o) < 0 || job_check(&j) < 0 || job_resolve(&j) < 0)
		goto out;
	f = open_memstream(&buf, &len);
	put_header(f, &j);
	put_context(f, &j);
	put_metadata(f, &j);
	fputs("actions:\n", f);
	put_deploy_boot(f, &j);
	put_test(f, &j);
	if (fclose(f) != 0) {
		error("cannot build the job definition");
		free(buf);
		buf = NULL;
	}
out:
	for (i = 0; i < ART_NR; i++)
		free(j.urls[i]);
	free(j.name);
	free(j.cmdline);
	return buf;
}
