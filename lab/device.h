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

/* The kinds (lab/host.c, lab/qemu.c, lab/lava_device.c). */
extern const struct lab_device_ops lab_host_ops;
extern const struct lab_device_ops lab_qemu_ops;
extern const struct lab_device_ops lab_lava_ops;

/*
 * Dispatcher (lab/device.c).  options: NULL-terminated "key=value"
 * strings, meaning depends on the kind (qemu: arch=, memory=, smp=,
 * timeout=, initrd=, append=; host: swapbench=, timeout=).  name: the
 * device label stored with samples (default: the kind).
 */
int lab_device_init(struct lab_device *dev, const char *kind, const char *name,
		    const char *const *options);
/*
 * Runs plan on the device into workdir (created if missing; the device
 * keeps its files there).  Returns 0 when the run ended in any status
 * (res->status says which), -1 only when the arguments were unusable.
 * The plan gets --json and --device <name> when it lacks them.
 */
int lab_device_run(struct lab_device *dev, const struct lab_plan *plan,
		   const struct lab_kernel *kernel, const char *workdir,
		   struct lab_result *res);
void lab_device_release(struct lab_device *dev);
void lab_result_release(struct lab_result *res);
const char *lab_status_name(enum lab_status status);

/* Value of "key=value" in options, or NULL. */
const char *lab_option(const char *const *options, const char *key);
/* Options a kind does not know are an error naming them (known: NULL-
 * terminated list of keys). */
int lab_check_options(const char *kind, const char *const *options, const char *const *known);

/*
 * What a plan asks of a machine, from swapbench's own options (--backend,
 * --sizes, --procs, --runs; swapbench's defaults for the rest): the most
 * memory that is filled at once and the bytes filled over the whole run.
 * Devices derive guest memory and timeouts from it.
 */
struct lab_plan_cost {
	unsigned long long peak_bytes;   /* largest size x most processes */
	unsigned long long total_bytes;  /* sum over backends, sizes, procs, runs */
	unsigned cells;                  /* backend x size x procs combinations */
	unsigned runs;
};
int lab_plan_cost(const struct lab_plan *plan, struct lab_plan_cost *cost);

/* The plan's argv with --json and --device NAME added when missing
 * (malloc'd, NULL-terminated; free with lab_argv_free). */
char **lab_plan_argv(const struct lab_plan *plan, const char *device_name, size_t *argc);
void lab_argv_free(char **argv);

/*
 * Checks a swapbench JSON Lines file: counts its samples and reads its
 * end line.  Returns LAB_COMPLETE when the last line is an end with
 * status ok, LAB_FAILED otherwise (with *message malloc'd: the end's
 * message, or what is wrong with the stream).
 */
enum lab_status lab_jsonl_check(const char *path, unsigned long *samples, char **message);


#endif
