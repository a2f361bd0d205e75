/*
 * qemu.c - the `qemu` device: a local virtual board.  Boots a given kernel
 * with the lab's initramfs (lab/initramfs.h) under QEMU's TCG (this
 * machine has no KVM for guests), hands it the plan on the kernel command
 * line, and brings the JSON Lines back from the serial console.
 *
 *   x86_64  qemu-system-x86_64, pc machine, console ttyS0 (the default)
 *   arm64   qemu-system-aarch64 -M virt -cpu cortex-a72, console ttyAMA0:
 *           the stand-in for a Raspberry Pi 4B
 *
 * Guest memory and the deadline come from the plan (lab_plan_cost), so a
 * 1G plan gets room and time and a 16M plan boots small.  QEMU always
 * ends with the run: it exits when the guest reboots (-no-reboot), is
 * stopped once the guest said it is done, gets SIGTERM/SIGKILL at the
 * deadline, and dies with swaplab (PR_SET_PDEATHSIG).
 *
 * Options: arch=x86_64|arm64, memory=SIZE (e.g. 2G), smp=N, timeout=DUR,
 * initrd=FILE (a ready initramfs; default: built into the workdir),
 * busybox=FILE, swapbench=FILE (for that build), append=TEXT (more kernel
 * parameters), qemu=PROGRAM, accel=auto|tcg|kvm (default auto; any other
 * value is passed to -accel as it is).  Under KVM the default device label
 * "qemu" becomes "qemu-kvm": samples from the two accelerators are
 * different instruments and never pooled.
 */
#include "lab/device.h"
#include "lab/initramfs.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Measured on this kind of machine (2 cores, TCG): the small x86_64
 * kernel reaches /init 0.8s after QEMU starts; filling, compressing,
 * paging out and unmapping run at ~60 MB/s; every run of a cell may wait
 * up to swapbench's drain timeout (10s).  The deadline leaves a wide
 * margin on all three. */
#define BOOT_BUDGET_MS_X86 60000ULL
#define BOOT_BUDGET_MS_ARM 180000ULL
#define BYTES_PER_MS 10000ULL         /* 10 MB/s */
#define PER_RUN_MS 20000ULL           /* drain timeout and set-up, per run of a cell */
#define DONE_GRACE_NS 10000000000ULL  /* after "done", QEMU should have exited */

/*
 * The KVM probe.  /dev/kvm is not proof: on some hosts it exists and every
 * guest hangs (a nested, PVM-style host).  So QEMU boots a 64 KiB
 * firmware whose first instructions, at the reset vector, write 1 to the
 * isa-debug-exit port; QEMU then exits with status (1 << 1) | 1 = 3.
 * Anything else within KVM_PROBE_MS (no /dev/kvm, no permission, a hang)
 * means TCG.
 */
#define KVM_PROBE_MS 5000ULL
#define KVM_PROBE_EXIT 3

/* 0: KVM ran the test guest; -1 with *why (malloc'd) otherwise. */
static int kvm_probe(const char *qemu, char **why)
{
	static const unsigned char code[] = {
		0xB0, 0x01,       /* mov al, 1 */
		0xE6, 0xF4,       /* out 0xf4, al: isa-debug-exit */
		0xF4, 0xEB, 0xFD, /* hlt; jmp back to the hlt */
	};
	const char *tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *fw = xstrfmt("%s/swaplab-kvm-probe.XXXXXX", tmpdir);
	unsigned char *rom = xcalloc(1, 65536);
	struct run_opts ro = RUN_OPTS_INIT;
	int fd, st, devnull;

	*why = NULL;
	memcpy(rom + 65536 - 16, code, sizeof(code));
	fd = mkstemp(fw);
	if (fd < 0 || write(fd, rom, 65536) != 65536 || close(fd) < 0) {
		*why = xstrfmt("cannot write the probe firmware '%s': %s", fw, strerror(errno));
		if (fd >= 0)
			unlink(fw);
		free(rom);
		free(fw);
		return -1;
	}
	free(rom);
	{
		const char *argv[] = { qemu, "-accel", "kvm", "-machine", "pc", "-m", "16",
				       "-nodefaults", "-no-user-config", "-display", "none",
				       "-serial", "none", "-monitor", "none", "-bios", fw,
				       "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", NULL };

		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		ro.out_fd = ro.err_fd = devnull;
		ro.flags = RUN_DIE_WITH_PARENT;
		ro.timeout_ms = KVM_PROBE_MS;
		st = run_argv_opts(argv, &ro);
		if (devnull >= 0)
			close(devnull);
	}
	unlink(fw);
	free(fw);
	if (st == KVM_PROBE_EXIT && !ro.timed_out)
		return 0;
	if (ro.timed_out)
		*why = xstrfmt("KVM did not run a test guest within %llu s (/dev/kvm %s)",
			       KVM_PROBE_MS / 1000, access("/dev/kvm", F_OK) ? "is missing" : "exists, guests hang");
	else if (access("/dev/kvm", F_OK))
		*why = xstrdup("no /dev/kvm");
	else
		*why = xstrfmt("KVM did not run a test guest (%s exit %d)", qemu, st);
	return -1;
}

static int host_is_x86_64(void)
{
	struct utsname u;

	return uname(&u) == 0 && !strcmp(u.machine, "x86_64");
}

struct qemu_priv {
	char *arch;
	char *qemu;
	char *accel;
	int kvm;       /* accel is KVM: the host's CPU model */
	char *initrd;
	char *busybox, *swapbench;
	char *append;
	unsigned long long memory_mb;  /* 0: from the plan */
	unsigned smp;
	unsigned long long timeout_ms; /* 0: from the plan */
};

static int qemu_init(struct lab_device *dev, const char *const *options)
{
	static const char *const known[] = { "arch", "memory", "smp", "timeout", "initrd", "busybox",
					     "swapbench", "append", "qemu", "accel", NULL };
	struct qemu_priv *q;
	const char *v;

	if (lab_check_options("qemu", options, known) < 0)
		return -1;
	q = xcalloc(1, sizeof(*q));
	dev->priv = q;
	v = lab_option(options, "arch");
	q->arch = xstrdup(!v || !strcmp(v, "x86_64") ? "x86_64"
			  : !strcmp(v, "arm64") || !strcmp(v, "aarch64") ? "arm64" : "");
	if (!*q->arch)
		return error("qemu device: unsupported arch '%s' (x86_64 or arm64)", v);
	v = lab_option(options, "qemu");
	q->qemu = xstrdup(v ? v : !strcmp(q->arch, "x86_64") ? "qemu-system-x86_64" : "qemu-system-aarch64");
	if (!have_program(q->qemu))
		return error("qemu device: '%s' not found (install %s)", q->qemu,
			     !strcmp(q->arch, "x86_64") ? "qemu-system-x86" : "qemu-system-arm");
	v = lab_option(options, "accel");
	if (!v || !strcmp(v, "auto")) {
		char *why = NULL;

		if (strcmp(q->arch, "x86_64") || !host_is_x86_64())
			why = xstrfmt("KVM needs an x86_64 host for an x86_64 guest "
				      "(an arm64 guest on an arm64 host: accel=kvm)");
		if (!why && kvm_probe(q->qemu, &why) == 0) {
			q->accel = xstrdup("kvm");
		} else {
			info("qemu: %s: using TCG", why);
			q->accel = xstrdup("tcg,thread=multi");
		}
		free(why);
	} else {
		q->accel = xstrdup(!strcmp(v, "tcg") ? "tcg,thread=multi" : v);
	}
	q->kvm = !strncmp(q->accel, "kvm", 3);
	if (q->kvm && !strcmp(dev->name, "qemu")) {
		free(dev->name);
		dev->name = xstrdup("qemu-kvm");
	}
	if ((v = lab_option(options, "initrd")))
		q->initrd = xstrdup(v);
	if ((v = lab_option(options, "busybox")))
		q->busybox = xstrdup(v);
	if ((v = lab_option(options, "swapbench")))
		q->swapbench = xstrdup(v);
	if ((v = lab_option(options, "append")))
		q->append = xstrdup(v);
	q->smp = 2;
	if ((v = lab_option(options, "smp")) && parse_uint(v, 1, 64, &q->smp) < 0)
		return error("qemu device: bad smp=");
	if ((v = lab_option(options, "memory"))) {
		uint64_t b;

		if (parse_size(v, &b) < 0 || b < (128ULL << 20))
			return error("qemu device: memory= must be a size of at least 128M");
		q->memory_mb = b >> 20;
	}
	if ((v = lab_option(options, "timeout"))) {
		uint64_t ms;

		if (parse_duration_ms(v, &ms) < 0 || !ms)
			return error("qemu device: bad timeout=");
		q->timeout_ms = ms;
	}
	if (q->initrd && access(q->initrd, R_OK) < 0)
		return error_errno("qemu device: cannot read initrd '%s'", q->initrd);
	return 0;
}

static void qemu_release(struct lab_device *dev)
{
	struct qemu_priv *q = dev->priv;

	if (!q)
		return;
	free(q->arch);
	free(q->qemu);
	free(q->accel);
	free(q->initrd);
	free(q->busybox);
	free(q->swapbench);
	free(q->append);
	free(q);
	dev->priv = NULL;
}

/* Watches the console for the guest's last word while QEMU runs. */
struct watch {
	const char *console;
	off_t seen;
	uint64_t done_at;  /* when "SWAPLAB-GUEST done" or a panic showed up */
};

static int watch_poll(void *arg)
{
	struct watch *w = arg;
	char buf[65536 + 64];
	int fd;
	ssize_t n;

	if (w->done_at)
		return now_ns() - w->done_at > DONE_GRACE_NS;
	fd = open(w->console, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* re-read a little before the last position: a marker may straddle */
	n = pread(fd, buf, sizeof(buf) - 1, w->seen > 64 ? w->seen - 64 : 0);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (memmem(buf, (size_t)n, "SWAPLAB-GUEST done", 18) || memmem(buf, (size_t)n, "Kernel panic", 12))
		w->done_at = now_ns();
	w->seen = (w->seen > 64 ? w->seen - 64 : 0) + n;
	return 0;
}

static char *file_tail(const char *path, size_t max)
{
	size_t len;
	char *text = slurp_file(path, &len), *res;

	if (!text)
		return xstrdup("");
	res = xstrdup(len > max ? text + len - max : text);
	free(text);
	len = strlen(res);
	while (len && (res[len - 1] == '\n' || res[len - 1] == '\r'))
		res[--len] = '\0';
	return res;
}

/* "x86_64" for a bzImage ("HdrS" at 0x202), "arm64" for an arm64 Image
 * ("ARM\x64" at 56), NULL when neither (a compressed or unknown image). */
static const char *image_arch(const char *path)
{
	unsigned char b[0x206];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, b, sizeof(b), 0);

	if (fd >= 0)
		close(fd);
	if (n >= 0x206 && !memcmp(b + 0x202, "HdrS", 4))
		return "x86_64";
	if (n >= 60 && !memcmp(b + 56, "ARM\x64", 4))
		return "arm64";
	return NULL;
}

static int qemu_run(struct lab_device *dev, const struct lab_plan *plan,
		    const struct lab_kernel *kernel, const char *workdir,
		    struct lab_result *res)
{
	struct qemu_priv *q = dev->priv;
	struct lab_plan_cost cost;
	struct lab_plan full;
	struct guest_report g;
	struct watch w;
	char **argv_plan, *param = NULL, *append = NULL, *initrd = NULL, *mem = NULL, *smp = NULL;
	char *console = xstrfmt("%s/console.log", workdir), *qlog = xstrfmt("%s/qemu.log", workdir);
	char *serial = xstrfmt("file:%s", console), *jsonl = xstrfmt("%s/samples.jsonl", workdir);
	char *text = NULL;
	const char *argv[40];
	unsigned long long timeout_ms, mem_mb;
	struct run_opts ro = RUN_OPTS_INIT;
	int n = 0, st, timed_out = 0, fd, arm = !strcmp(q->arch, "arm64"), ret = -1;
	size_t len = 0;
	uint64_t t0;

	memset(&g, 0, sizeof(g));
	if (!kernel->image) {
		error("the qemu device boots a given kernel: pass an image (--kernel or --artifact)");
		goto out;
	}
	if (access(kernel->image, R_OK) < 0) {
		error_errno("cannot read kernel image '%s'", kernel->image);
		goto out;
	}
	{
		const char *ia = image_arch(kernel->image);

		if (ia && strcmp(ia, q->arch)) {
			error("'%s' is an %s kernel but the device is %s (--arch %s)", kernel->image, ia,
			      q->arch, ia);
			goto out;
		}
	}
	if (lab_plan_cost(plan, &cost) < 0)
		goto out;
	argv_plan = lab_plan_argv(plan, dev->name, &full.argc);
	full.argv = argv_plan;
	param = initramfs_plan_param(&full);
	lab_argv_free(argv_plan);
	if (!param)
		goto out;

	/* The initramfs: given, or built for this kernel (its modules). */
	if (q->initrd) {
		initrd = xstrdup(q->initrd);
	} else {
		struct initramfs_opts io = { q->arch, q->busybox, q->swapbench, kernel->modules, NULL, 0 };

		initrd = xstrfmt("%s/initramfs.cpio.gz", workdir);
		if (initramfs_build(&io, initrd) < 0)
			goto out;
	}

	/* Room for every process's VMA twice (the data and its compressed
	 * copy plus page tables), and the kernel + initramfs. */
	mem_mb = q->memory_mb ? q->memory_mb : ((cost.peak_bytes * 2) >> 20) + 768;
	if (mem_mb < 1024)
		mem_mb = 1024;
	mem_mb = (mem_mb + 255) / 256 * 256;
	timeout_ms = q->timeout_ms ? q->timeout_ms
		     : (arm ? BOOT_BUDGET_MS_ARM : BOOT_BUDGET_MS_X86) +
		       cost.total_bytes / BYTES_PER_MS + (unsigned long long)cost.cells * cost.runs * PER_RUN_MS;
	mem = xstrfmt("%llu", mem_mb);
	smp = xstrfmt("%u", q->smp);
	/*
	 * No `quiet`: LAVA and people wait for the kernel banner.  x86 under
	 * multi-threaded TCG: each vCPU reads the host's TSC, which is
	 * synchronised, but the kernel's check sees skew and falls back to the
	 * HPET, whose every read is an emulated MMIO trap; tsc=reliable keeps
	 * the TSC (ns resolution, cheap reads) as CLOCK_MONOTONIC's source.
	 */
	append = xstrfmt("console=%s panic=-1 %s%s%s%s", arm ? "ttyAMA0" : "ttyS0",
			 arm ? "" : "tsc=reliable ", param,
			 q->append ? " " : "", q->append ? q->append : "");

	argv[n++] = q->qemu;
	if (arm) {
		argv[n++] = "-M";
		argv[n++] = "virt";
		argv[n++] = "-cpu";
		argv[n++] = q->kvm ? "host" : "cortex-a72";
	} else if (q->kvm) {
		argv[n++] = "-cpu";
		argv[n++] = "host";
	}
	argv[n++] = "-accel";
	argv[n++] = q->accel;
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-smp";
	argv[n++] = smp;
	argv[n++] = "-nodefaults";
	argv[n++] = "-no-user-config";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-serial";
	argv[n++] = serial;
	argv[n++] = "-no-reboot";
	argv[n++] = "-kernel";
	argv[n++] = kernel->image;
	/* kernel->dtb is the board's (Pi 4B); QEMU's virt makes its own. */
	argv[n++] = "-initrd";
	argv[n++] = initrd;
	argv[n++] = "-append";
	argv[n++] = append;
	argv[n] = NULL;

	unlink(console);
	fd = open(qlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		error_errno("cannot create '%s'", qlog);
		goto out;
	}
	{
		FILE *f = fdopen(dup(fd), "w");
		int i;

		if (f) {
			for (i = 0; argv[i]; i++)
				fprintf(f, "%s%s", i ? " " : "", argv[i]);
			fprintf(f, "\n# memory %s MB, deadline %llu s\n", mem, timeout_ms / 1000);
			fclose(f);
		}
	}
	info("booting %s on %s (%s MB, %u CPUs, deadline %llus), console: %s", kernel->image,
	     q->qemu, mem, q->smp, timeout_ms / 1000, console);
	w.console = console;
	w.seen = 0;
	w.done_at = 0;
	t0 = now_ns();
	ro.out_fd = ro.err_fd = fd;
	ro.flags = RUN_DIE_WITH_PARENT;
	ro.timeout_ms = timeout_ms;
	ro.poll = watch_poll;
	ro.arg = &w;
	st = run_argv_opts(argv, &ro);
	timed_out = ro.timed_out;
	close(fd);
	info("qemu ended after %.1fs", (double)(now_ns() - t0) / 1e9);

	text = slurp_file(console, &len);
	if (guest_console_parse(text ? text : "", text ? len : 0, jsonl, &g) < 0)
		goto out;
	res->log_path = xstrdup(console);
	if (st < 0 || (!g.banner && !timed_out)) {
		char *tail = file_tail(qlog, 2000);

		res->status = LAB_INFRA_ERROR;
		res->message = xstrfmt("qemu did not boot the kernel (exit %d): %s", st, tail);
		free(tail);
	} else if (g.stream_ok) {
		unsigned long samples;

		res->jsonl_path = xstrdup(jsonl);
		res->status = lab_jsonl_check(jsonl, &samples, &res->message);
		if (g.rc != 0) {
			char *why = res->message;

			res->status = LAB_FAILED;
			res->message = xstrfmt("swapbench exited with status %d in the guest%s%s (its errors are in %s)",
					       g.rc, why ? ": " : "", why ? why : "", console);
			free(why);
		}
	} else if (g.stream_seen) {
		res->status = LAB_INFRA_ERROR;
		res->message = xstrfmt("the serial console damaged the results: %s", g.problem);
	} else if (g.panic) {
		res->status = LAB_FAILED;
		res->message = xstrfmt("the kernel under test crashed: %s", g.panic);
	} else if (g.guest_error) {
		res->status = LAB_FAILED;
		res->message = xstrfmt("the guest could not run the plan: %s", g.guest_error);
	} else if (timed_out) {
		res->status = LAB_INFRA_ERROR;
		res->message = xstrfmt("timed out after %llus %s (last console line: %s)", timeout_ms / 1000,
				       g.banner ? "" : "before the kernel printed anything",
				       g.last_line ? g.last_line : "none");
	} else if (!g.banner) {
		res->status = LAB_INFRA_ERROR;
		res->message = xstrfmt("the kernel printed nothing on %s (wrong image or console?)",
				       arm ? "ttyAMA0" : "ttyS0");
	} else {
		res->status = LAB_INFRA_ERROR;
		res->message = xstrfmt("the guest stopped without results%s (last console line: %s)",
				       g.started ? "" : " before /init ran", g.last_line ? g.last_line : "none");
	}
	ret = 0;
out:
	guest_report_release(&g);
	free(text);
	free(param);
	free(append);
	free(initrd);
	free(mem);
	free(smp);
	free(console);
	free(qlog);
	free(serial);
	free(jsonl);
	return ret;
}

const struct lab_device_ops lab_qemu_ops = {
	.kind = "qemu",
	.init = qemu_init,
	.run = qemu_run,
	.release = qemu_release,
};
