/*
 * initramfs.h - the lab's guest: an initramfs that runs one benchmark
 * plan on a freshly booted kernel (the qemu device, and LAVA jobs that
 * boot the same kernel + initramfs), and the console protocol that brings
 * the JSON Lines back.
 *
 * The cpio (newc, gzip) holds a static busybox, the static swapbench, the
 * kernel's modules when it has any, and /init, which:
 *   - mounts proc, sys, devtmpfs, tmpfs /tmp, debugfs, cgroup2;
 *   - silences printk on the console (only emergencies), so kernel
 *     messages cannot split the stream;
 *   - loads zsmalloc/zram/compressor modules if the kernel has them as
 *     modules;
 *   - with swaplab.shell=1 on the kernel command line (LAVA jobs), stops
 *     here and runs an interactive shell on the console instead;
 *   - reads the plan from the kernel command line (swaplab.plan=BASE64 of
 *     one argument per line) or else from /etc/swaplab/plan in the cpio;
 *   - runs `swapbench ARGS` (stderr to the console) into /tmp, then prints
 *
 *       SWAPLAB-GUEST start 1
 *       SWAPLAB-RC <exit status of swapbench>
 *       SWAPLAB-JSONL-BEGIN
 *       SWAPLAB-JSONL <n> <line n of the JSON Lines, verbatim>
 *       SWAPLAB-JSONL-END <lines> <sha256 of the lines, each + "\n">
 *       SWAPLAB-GUEST done
 *
 *     (SWAPLAB-ERROR <why> when it cannot run the plan), and ends with
 *     swaplab.end=reboot (default: `reboot -f`, QEMU runs -no-reboot),
 *     poweroff or halt.
 *
 * The host checks the numbering, the count and the checksum, so a stream
 * damaged on the serial line is detected, never imported.
 */
#ifndef SWAPLAB_LAB_INITRAMFS_H
#define SWAPLAB_LAB_INITRAMFS_H

#include <stddef.h>

#include "lab/device.h"

struct initramfs_opts {
	const char *arch;       /* "x86_64" (default) or "arm64" */
	const char *busybox;    /* static busybox for arch (default: initramfs_default_busybox) */
	const char *swapbench;  /* static swapbench for arch (default: initramfs_default_swapbench) */
	const char *modules;    /* directory holding lib/modules/<release>, or a
				 * .tar.gz of one (kernel artifact), or NULL */
	const struct lab_plan *plan;  /* baked into /etc/swaplab/plan, or NULL */
	int no_gzip;            /* write the plain cpio */
};

/* Defaults (malloc'd): x86_64 /bin/busybox, arm64 $SWAPLAB_HOME/arm64/busybox;
 * swapbench next to the swaplab binary (build/swapbench, build/arm64/swapbench). */
char *initramfs_default_busybox(const char *arch);
char *initramfs_default_swapbench(const char *arch);

/*
 * Writes the initramfs to out (atomically: a temporary file renamed).
 * busybox and swapbench must be static executables for arch (checked).
 */
int initramfs_build(const struct initramfs_opts *o, const char *out);

/* "swaplab.plan=<base64>" for the kernel command line (malloc'd), or
 * NULL with a message (an argument holding a newline cannot be sent). */
char *initramfs_plan_param(const struct lab_plan *plan);

/* What a console log says about a guest run. */
struct guest_report {
	int banner;           /* the kernel printed "Linux version" */
	int started;          /* /init ran */
	int rc;               /* swapbench's exit status, -1 if not printed */
	int stream_ok;        /* JSON Lines complete, numbered and checksummed */
	int stream_seen;      /* a SWAPLAB-JSONL-END line was there */
	int done;             /* /init finished */
	unsigned long lines;  /* lines of the stream */
	char *problem;        /* what is wrong with the stream, or NULL */
	char *guest_error;    /* SWAPLAB-ERROR text, or NULL */
	char *panic;          /* first "Kernel panic" / "Oops" line, or NULL */
	char *last_line;      /* last non-empty console line */
};

/*
 * Reads a console log (text, len) and, when the stream is intact, writes
 * it to jsonl_out (may be NULL: check only).  Returns 0 after filling r
 * (whatever the guest did), -1 if jsonl_out cannot be written.
 */
int guest_console_parse(const char *text, size_t len, const char *jsonl_out,
			struct guest_report *r);
void guest_report_release(struct guest_report *r);

#endif
