/*
 * lab/device.h - the lab's device layer: one interface for every place a
 * benchmark plan can run.
 *
 *   host   the running kernel of this machine (swapbench run directly)
 *   qemu   a local virtual board: a given kernel + the lab's initramfs
 *   lava   a board (or qemu) owned by a LAVA server, through its REST API
 *
 * Every device runs the same plan: the argument vector of `swapbench`
 * (the static benchmark), so a plan means exactly the same thing on every
 * device.  What comes back is the JSON Lines stream of
 * docs/bench-output.md (saved to a file), plus the device's log.
 *
 * Lifecycle: lab_device_init() from a kind and options, lab_device_run()
 * any number of times, lab_device_release().  Library code: returns
 * error() (-1) and never exits.
 */
#ifndef SWAPLAB_LAB_DEVICE_H
#define SWAPLAB_LAB_DEVICE_H

#include <stddef.h>

/* What a benchmark run is: swapbench's arguments, e.g. {"--backend", "zram", ...}. */
struct lab_plan {
	char **argv;   /* NULL-terminated, without the program name */
	size_t argc;
};

/* A kernel to boot; NULL fields mean "the device's default / running one". */
struct lab_kernel {
	const char *image;     /* bzImage / arm64 Image */
	const char *dtb;       /* device tree, arm64 boards */
	const char *modules;   /* modules tarball or directory, if any */
	const char *label;     /* e.g. "base" / "patched", recorded with samples */
	const char *commit;    /* commit the kernel was built from, if known */
};

enum lab_status {
	LAB_COMPLETE,      /* plan ran, stream ended with status ok */
	LAB_FAILED,        /* the benchmark or the test failed: not retried */
	LAB_INFRA_ERROR,   /* the device or the server failed: may be retried */
	LAB_CANCELED,
};

struct lab_result {
	enum lab_status status;
	char *jsonl_path;  /* the samples, as swapbench --json printed them */
	char *log_path;    /* console / job log */
	char *message;     /* why, when not LAB_COMPLETE (never holds secrets) */
	char *job_id;      /* device-specific id (LAVA job id), or NULL */
};

struct lab_device;

struct lab_device_ops {
	const char *kind;
	int (*init)(struct lab_device *dev, const char *const *options);
	int (*run)(struct lab_device *dev, const struct lab_plan *plan,
		   const struct lab_kernel *kernel, const char *workdir,
		   struct lab_result *res);
	void (*release)(struct lab_device *dev);
};

struct lab_device {
	const struct lab_device_ops *ops;
	char *name;     /* device label stored with every sample */
	void *priv;
};

#endif
