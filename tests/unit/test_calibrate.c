/*
 * test_calibrate.c - what `swaplab calibrate` measures and stores
 * (ci/calibrate.c, db/calibration.c), on generated A/A labels whose
 * spreads are known: the between-boot and within-boot spread per cell,
 * the minimum detectable effect for that number of boots, the false
 * marks of the A/A comparison, and the round trip through the database.
 * The boots themselves (a device) are tests/integration/57-calibrate.sh.
 */
#include "ci/calibrate.h"
#include "reports/report.h"
#include "reports/stats.h"
#include "tap.h"
#include "test_db_gen.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/swaplab-test-calibrate-XXXXXX";

/* Boot k of either label runs b[k] times the cell's figure; runs 0.97, 1, 1.03 of that. */
static const double boot_factor[] = { 1.00, 1.06, 0.95, 1.02 };
static const double run_factor[] = { 0.97, 1.00, 1.03 };

struct gen_arg {
	unsigned boot;
};

static int64_t figure(const struct gen_cell *c, unsigned run, unsigned proc, void *arg)
{
	const struct gen_arg *g = arg;
	double ms = 10.0 * (double)(c->size >> 26) * c->procs;

	(void)proc;
	return llround(ms * 1e6 * boot_factor[g->boot] * run_factor[run - 1]);
}

static void import_label(struct db *db, const char *label, unsigned slot)
{
	static const struct gen_cell cells[] = { { "zram", 64 << 20, 1 }, { "zram", 64 << 20, 2 } };
	unsigned k;

	for (k = 0; k < 4; k++) {
		struct gen_arg a = { k };
		char *uuid = xstrfmt("%s0000000000000000000000000000%02u", slot ? "bb" : "aa", k);
		char *started = xstrfmt("2026-05-01T10:%02u:00Z", 2 * k + slot);
		struct gen_run g = { uuid, "6.1.0", "qemu", 4, 3, cells, 2, figure, &a, 0, started, 0 };
		char *f = gen_file(&g);

		if (db_import_jsonl(db, f, label, NULL, NULL))
			printf("# import of %s failed\n", label);
		unlink(f);
		free(f);
		free(uuid);
		free(started);
	}
}

static double sd_of(const double *v, size_t n)
{
	double m = 0, ss = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m += v[i] / n;
	for (i = 0; i < n; i++)
		ss += (v[i] - m) * (v[i] - m);
	return sqrt(ss / (n - 1));
}

int main(void)
{
	struct db *db;
	char *path;
	struct db_calibration c, *list;
	size_t n, i;
	double lb[4], lr[3], between, within, lambda;

	if (!mkdtemp(dir))
		return 1;
	path = xstrfmt("%s/lab.db", dir);
	db = db_open(path, DB_CREATE);
	import_label(db, "cal-A", 0);
	import_label(db, "cal-B", 1);

	/* Expected: the spread of the boots' log factors; of the runs' inside a boot. */
	for (i = 0; i < 4; i++)
		lb[i] = log(boot_factor[i]);
	for (i = 0; i < 3; i++)
		lr[i] = log(run_factor[i]);
	between = 100 * sd_of(lb, 4);
	within = 100 * sd_of(lr, 3);
	lambda = stats_t_mde(2 * 4 - 2, 0.05, REPORT_POWER);

	is_int(calibrate_measure(db, "cal-A", "cal-B", 0.05, &c), 0, "measure two A/A labels");
	is_int(c.nr_cells, 2, "two cells");
	is_int(c.boots, 4, "4 boots a label");
	is_int(c.runs, 3, "3 runs a boot");
	ok(fabs(c.cells[0].between_pct - between) < 1e-5 && fabs(c.cells[1].between_pct - between) < 1e-5,
	   "between-boot spread %.4f (the boots' factors: %.4f)", c.cells[0].between_pct, between);
	ok(fabs(c.cells[0].within_pct - within) < 1e-5,
	   "within-boot spread %.4f (the runs' factors: %.4f)", c.cells[0].within_pct, within);
	ok(fabs(c.cells[0].mde_pct - 100 * (exp(lambda * between / 100 * sqrt(2.0 / 4)) - 1)) < 1e-9,
	   "minimum detectable effect with 4 boots: %.2f%%", c.cells[0].mde_pct);
	ok(c.rows == 2 && c.false_marks == 0 && !c.cells[0].marked, "identical labels: no false mark");

	c.device = xstrdup("qemu");
	c.kernel = xstrdup("6.1.0");
	c.plan = xstrdup("--backend zram --sizes 64M --procs 1,2 --runs 3");
	c.id = db_calibration_add(db, &c);
	ok(c.id > 0, "stored");
	ok(db_calibration_list(db, "qemu", &list, &n) == 0 && n == 1 && list[0].id == c.id &&
	   list[0].nr_cells == 2 && list[0].boots == 4 && !strcmp(list[0].plan, c.plan) &&
	   fabs(list[0].cells[1].within_pct - c.cells[1].within_pct) < 1e-12 &&
	   list[0].artifact == NULL && *list[0].created, "read back as stored");
	db_calibration_free(list, n);
	ok(db_calibration_list(db, "other", &list, &n) == 0 && n == 0, "another device has none");
	free(list);
	calibrate_release(&c);
	ok(calibrate_measure(db, "cal-A", "nosuch", 0.05, &c) < 0, "an unknown label fails");

	db_close(db);
	{
		const char *const argv[] = { "rm", "-rf", dir, NULL };

		run_argv(argv, -1, -1);
	}
	free(path);
	return done_testing();
}
