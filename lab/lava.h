/*
 * lab/lava.h - the lab's LAVA support: job definitions for the benchmark,
 * a REST client for a LAVA server (API v0.2), and the reader of LAVA job
 * logs that recovers the benchmark's JSON Lines from them.
 *
 * How a plan travels through LAVA (docs/lava.md has the details):
 *   job definition  deploy (tftp for bcm2711-rpi-4-b, tmpfs for qemu with
 *                   LAVA's overlay appended to the ramdisk cpio), boot
 *                   (u-boot / qemu), and an inline test definition that runs
 *                   `swapbench --json <plan>` on the board;
 *   test cases      every figure becomes `lava-test-case <name> --result
 *                   pass --measurement <v> --units <u>`, e.g.
 *                   zram-256M-2p-run3-p1-munmap_ms;
 *   full stream     the JSONL is printed in the guest console protocol
 *                   of lab/initramfs.h (numbered SWAPLAB-JSONL lines and
 *                   a sha256), so it is rebuilt byte for byte from the
 *                   job log's console lines and any loss is detected.
 *
 * Library code: returns error() (-1), never exits, never prints a token.
 */
#ifndef SWAPLAB_LAB_LAVA_H
#define SWAPLAB_LAB_LAVA_H

#include "lab/config.h"
#include "lab/device.h"
#include "common/http.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- job definitions (lab/lava_job.c) ---- */

enum lava_device_type {
	LAVA_DT_QEMU,
	LAVA_DT_RPI4,      /* bcm2711-rpi-4-b */
};

/* "qemu" / "bcm2711-rpi-4-b"; -1 with a message for anything else. */
int lava_device_type_parse(const char *s, enum lava_device_type *out);
const char *lava_device_type_name(enum lava_device_type t);

/*
 * Artifacts: each is a URL (http, https, file) or a local path.  A local
 * path becomes base/<file name> when artifact_base is set (the directory
 * a web server publishes to the boards), else a file:// URL (a dispatcher
 * on this machine: lava-run, or a worker sharing the file system).
 */
struct lava_artifacts {
	const char *kernel;     /* bzImage / arm64 Image */
	const char *dtb;        /* bcm2711-rpi-4-b.dtb */
	const char *modules;    /* modules.tar.{gz,xz} (rpi4) */
	const char *ramdisk;    /* the lab initramfs (cpio, optionally .gz/.xz/.zst) */
	const char *rootfs;     /* rpi4: root file system tarball for NFS */
	const char *swapbench;  /* static swapbench: appended to the ramdisk
				   (qemu) or downloaded by the test (rpi4) */
};

struct lava_job_opts {
	enum lava_device_type type;
	const char *job_name;          /* default: "swaplab <plan>" */
	struct lava_artifacts art;
	const char *artifact_base;
	const char *arch;              /* qemu: amd64 (default) or arm64 */
	unsigned memory_mb;            /* qemu: default 2048 */
	unsigned cpus;                 /* qemu: default 2 */
	int no_kvm;                    /* qemu: context no_kvm */
	const char *kernel_args;       /* appended to the kernel command line */
	const char *prompt;            /* shell prompt on the console, default "/ # " */
	const char *guest_args;        /* ramdisk boots: kernel arguments for the lab
					  initramfs, default "swaplab.shell=1" (its
					  /init sets up, then gives LAVA a shell) */
	const char *login_user;        /* rootfs with a login prompt: auto_login user */
	unsigned job_timeout_min;      /* default 60 */
	unsigned boot_timeout_min;     /* default 10 */
	unsigned test_timeout_min;     /* default job - 15 */
	const struct lab_plan *plan;   /* swapbench arguments */
	const char *device_label;      /* swapbench --device, if the plan has none */
	const struct lab_kernel *kernel;  /* label/commit go to the job metadata */
	const char *visibility;        /* public (default) / personal */
	const char *priority;          /* medium (default) / high / low */
};

/* The YAML job definition (malloc'd), or NULL with a message. */
char *lava_job_definition(const struct lava_job_opts *o);

/* Shell-quotes s for a POSIX sh (single quotes); malloc'd. */
char *sh_quote(const char *s);
/* Appends s to f as a YAML double-quoted scalar. */
void yaml_put_string(FILE *f, const char *s);

/* ---- job logs (lab/lava_log.c) ---- */

struct lava_case {
	char *suite;         /* test definition: "0_swaplab", "lava", ... */
	char *name;
	char *result;        /* pass / fail / skip / unknown */
	int has_measurement;
	double measurement;
	char *units;
};

struct lava_log {
	struct lava_case *cases;
	size_t nr_cases, alloc_cases;
	int job_result;          /* 1 pass, 0 fail, -1 no lava/job result */
	char *error_type;        /* of a failed job: Infrastructure, Job, Test, ... */
	char *error_msg;
	char *console;           /* the board's output ("target" lines), one per line */
	size_t console_len;
	char *console_unescaped; /* the same with LAVA's '"' -> '\"' undone */
	size_t console_unescaped_len;
	size_t lines, bad_lines; /* log entries read / not understood */
};

/*
 * Reads a LAVA job log: the YAML list the server returns from
 * /api/v0.2/jobs/<id>/logs/ ("- {dt: ..., lvl: ..., msg: ...}" per line)
 * or lava-run's stream (the same entries without "- ").  Lines it cannot
 * read are counted, not fatal (a log may be cut short).  Returns 0.
 */
int lava_log_parse(const char *text, size_t len, struct lava_log *log);
void lava_log_release(struct lava_log *log);

/*
 * Converts one LAVA log entry (a YAML flow mapping with double-quoted
 * scalars, possibly tagged) to JSON text; -1 if it is not such a line.
 */
int lava_yaml_flow_to_json(const char *line, size_t len, char **out);

/* ---- REST client (lab/lava.c) ---- */

struct lava_client {
	char *base;                 /* https://lava.example.com */
	struct http_opts http;      /* token points into the config */
	const char *token_from;     /* for "check the token in ..." hints */
	/* A request of this client failed in transport (refused, timeout, DNS,
	 * TLS) or with a 5xx: worth retrying, the commands exit 2 (EXIT_INFRA). */
	int infra_error;
};

struct lava_job_status {
	long id;
	char state[24];     /* Submitted, Scheduling, Scheduled, Running, Canceling, Finished */
	char health[24];    /* Unknown, Complete, Incomplete, Canceled */
	char device[128];   /* actual device, "" before scheduling */
	char device_type[128];
};

/* cfg must outlive the client (its token is not copied). */
int lava_client_init(struct lava_client *c, const struct lava_config *cfg);
void lava_client_release(struct lava_client *c);

int lava_submit(struct lava_client *c, const char *definition, long *job_id);
int lava_job_get(struct lava_client *c, long id, struct lava_job_status *st);
/*
 * Polls every poll_ms until the job is Finished or timeout_ms passed
 * (0: no limit); -1 with a message on timeout or any error.
 */
int lava_job_wait(struct lava_client *c, long id, unsigned poll_ms,
		  uint64_t timeout_ms, struct lava_job_status *st);
int lava_job_log(struct lava_client *c, long id, char **text, size_t *len);
/* Every test case of the job (all pages), suites named. */
int lava_job_tests(struct lava_client *c, long id, struct lava_case **cases,
		   size_t *nr);
int lava_job_cancel(struct lava_client *c, long id);
void lava_cases_free(struct lava_case *cases, size_t nr);
/*
 * Reads body as each REST reply the client reads (submit's job_ids, a
 * job's state and health, a page of suites and of test cases), with the
 * same code; a bit per reply it makes sense as (1, 2, 4).  For the fuzz
 * target: no HTTP needed.
 */
int lava_replies_parse(const char *body, size_t len);

/* ---- the `lava` lab device (lab/lava_device.c) ---- */

/* lab_lava_ops is declared in lab/device.h. */

/*
 * Judges a finished job from its health (Complete, Incomplete, Canceled)
 * and its log: fills res (status, message; jsonl_path when the stream is
 * intact and complete, written to jsonl_path).  Nothing is left at
 * jsonl_path otherwise.  Returns 1 when the failure is worth a retry
 * (LAVA error type Infrastructure, or a stream damaged in transit).
 */
int lava_outcome(const char *health, const struct lava_log *log, const char *job_id,
		 const char *jsonl_path, struct lab_result *res);

/*
 * The job definition a `lava` device would submit for plan and kernel
 * (kernel fields override the device's artifacts); malloc'd, or NULL
 * with a message.  dev must have been initialised with lab_device_lava.
 */
char *lava_device_job(struct lab_device *dev, const struct lab_plan *plan,
		      const struct lab_kernel *kernel);

#endif
