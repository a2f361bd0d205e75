/*
 * ci/calibrate.h - `swaplab calibrate`: a device's own noise.  The same
 * kernel is booted as two labels, interleaved (A, B, A, B, ...), each
 * boot running one plan; the reports' decision rule then compares A with
 * B (an A/A comparison: every mark is false), and per cell the spread
 * between boots and inside them gives the smallest change that plan and
 * number of boots can detect.  Stored per device (db_calibration_add).
 */
#ifndef SWAPLAB_CI_CALIBRATE_H
#define SWAPLAB_CI_CALIBRATE_H

#include "db/db.h"
#include "lab/device.h"

struct calibrate_opts {
	const char *kind;               /* device kind: qemu, lava or host */
	const char *name;               /* device label (NULL: the kind) */
	const char *const *options;     /* device options, "key=value", NULL-terminated */
	const char *artifact;           /* kernel artifact key; NULL: the device's (host) */
	unsigned boots;                 /* per label; 0: CALIBRATE_BOOTS */
	double alpha;                   /* 0: 0.05 */
	struct lab_plan plan;
	const char *workdir;            /* NULL: a temporary directory, removed after */
	int progress;                   /* a line per boot on stderr */
};

#define CALIBRATE_BOOTS 6

/*
 * Boots and runs, stores the runs under two new labels, measures and
 * stores the calibration; out gets what was stored (release with
 * db_calibration_free(out, 1)... or calibrate_release).  -1 + error()
 * when a boot or a store fails (the runs stored so far stay, labelled).
 */
int calibrate_run(struct db *db, const struct calibrate_opts *o, struct db_calibration *out);

/*
 * The measurement alone, on runs already stored under label_a and
 * label_b (the same kernel on one device): fills out (not stored) except
 * device, kernel, artifact and plan, which the caller sets.
 */
int calibrate_measure(struct db *db, const char *label_a, const char *label_b, double alpha,
		      struct db_calibration *out);

/* Frees the fields of one calibration (not c itself). */
void calibrate_release(struct db_calibration *c);

#endif
