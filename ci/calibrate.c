/*
 * ci/calibrate.c - `swaplab calibrate` (see calibrate.h): boots one
 * kernel as two labels on a device, interleaved, and measures the
 * device's noise with the reports' own decision rule (report_decide via
 * report_build), so the false-mark rate and the minimum detectable
 * effect it stores are those of the reports the device will produce.
 */
#include "ci/calibrate.h"
#include "ci/kbuild.h"
#include "reports/report.h"
#include "common/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Within-boot spread of one cell: pooled variance of log runs around each boot's mean. */
struct within {
	const char *backend;
	uint64_t size;
	unsigned procs;
	double ss, df;
	unsigned max_run;
};

static struct within *within_of(struct within **w, size_t *n, size_t *alloc,
				const struct db_cell_run *c)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*w)[i].backend, c->backend) && (*w)[i].size == c->size_bytes &&
		    (*w)[i].procs == c->procs)
			return &(*w)[i];
	ALLOC_GROW(*w, *n + 1, *alloc);
	memset(&(*w)[*n], 0, sizeof(**w));
	(*w)[*n].backend = c->backend;
	(*w)[*n].size = c->size_bytes;
	(*w)[*n].procs = c->procs;
	return &(*w)[(*n)++];
}

/* Adds one label's runs: rows come ordered by cell, then run id (one boot's runs together). */
static int add_within(struct db *db, const char *label, struct within **w, size_t *n,
		      size_t *alloc)
{
	struct db_sel sel = { label, NULL, 0, NULL };
	struct db_cell_run *c;
	size_t nr, i, j;

	if (db_cell_runs(db, &sel, &c, &nr) < 0)
		return -1;
	for (i = 0; i < nr; i = j) {
		struct within *x = within_of(w, n, alloc, &c[i]);
		double mean = 0;
		size_t k, m = 0;

		for (j = i; j < nr && c[j].run_id == c[i].run_id && c[j].procs == c[i].procs &&
			    c[j].size_bytes == c[i].size_bytes && !strcmp(c[j].backend, c[i].backend); j++)
			if (c[j].munmap_mean_ns > 0) {
				mean += log(c[j].munmap_mean_ns);
				m++;
				if (c[j].run_no > x->max_run)
					x->max_run = c[j].run_no;
			}
		if (m < 2)
			continue;
		mean /= (double)m;
		for (k = i; k < j; k++)
			if (c[k].munmap_mean_ns > 0)
				x->ss += (log(c[k].munmap_mean_ns) - mean) * (log(c[k].munmap_mean_ns) - mean);
		x->df += (double)(m - 1);
	}
	free(c);
	return 0;
}

/* Pooled sd of the log invocation figures inside each side (each side's own mean). */
static double between_sd(const struct report_row *row, size_t *df_out)
{
	const struct report_side *s[2] = { &row->base, &row->patched };
	double ss = 0;
	size_t df = 0, k, i;

	for (k = 0; k < 2; k++) {
		double mean = 0;

		if (s[k]->n_inv < 2)
			continue;
		for (i = 0; i < s[k]->n_inv; i++)
			mean += log(s[k]->inv[i]);
		mean /= (double)s[k]->n_inv;
		for (i = 0; i < s[k]->n_inv; i++)
			ss += (log(s[k]->inv[i]) - mean) * (log(s[k]->inv[i]) - mean);
		df += s[k]->n_inv - 1;
	}
	*df_out = df;
	return df ? sqrt(ss / (double)df) : 0;
}

int calibrate_measure(struct db *db, const char *label_a, const char *label_b, double alpha,
		      struct db_calibration *out)
{
	struct report_opts ro;
	struct report r;
	struct within *w = NULL;
	size_t nw = 0, aw = 0, i, j;
	unsigned boots = 0;

	memset(out, 0, sizeof(*out));
	memset(&ro, 0, sizeof(ro));
	ro.base = label_a;
	ro.patched = label_b;
	ro.alpha = alpha > 0 ? alpha : 0.05;
	if (report_build(db, &ro, &r) < 0)
		return -1;
	if (add_within(db, label_a, &w, &nw, &aw) < 0 || add_within(db, label_b, &w, &nw, &aw) < 0) {
		free(w);
		report_release(&r);
		return -1;
	}
	out->label_a = xstrdup(label_a);
	out->label_b = xstrdup(label_b);
	out->alpha = r.opts.alpha;
	out->cells = xcalloc(r.nr_rows ? r.nr_rows : 1, sizeof(*out->cells));
	for (i = 0; i < r.nr_rows; i++) {
		const struct report_row *row = &r.rows[i];
		struct db_calibration_cell *c;
		unsigned inv;
		size_t df;
		double sd;

		if (!row->compared)
			continue;
		inv = (unsigned)(row->v.inv_base < row->v.inv_patched ? row->v.inv_base
								     : row->v.inv_patched);
		if (!boots || inv < boots)
			boots = inv;
		c = &out->cells[out->nr_cells++];
		c->backend = xstrdup(row->backend);
		c->size_bytes = row->size;
		c->procs = row->procs;
		sd = between_sd(row, &df);
		c->between_pct = 100 * sd;
		c->within_pct = -1;
		for (j = 0; j < nw; j++)
			if (!strcmp(w[j].backend, row->backend) && w[j].size == row->size &&
			    w[j].procs == row->procs) {
				if (w[j].df > 0)
					c->within_pct = 100 * sqrt(w[j].ss / w[j].df);
				if (w[j].max_run > out->runs)
					out->runs = w[j].max_run;
			}
		c->mde_pct = report_mde_pct(sd, inv, out->alpha, REPORT_POWER);
		c->marked = row->v.dir != DIR_NONE;
		out->rows++;
		out->false_marks += c->marked;
	}
	out->boots = boots;
	if (!out->runs)
		out->runs = 1;
	free(w);
	report_release(&r);
	if (!out->rows) {
		calibrate_release(out);
		return error("labels '%s' and '%s' have no cell in common", label_a, label_b);
	}
	return 0;
}

void calibrate_release(struct db_calibration *c)
{
	size_t j;

	free(c->device);
	free(c->kernel);
	free(c->artifact);
	free(c->plan);
	free(c->label_a);
	free(c->label_b);
	free(c->created);
	for (j = 0; j < c->nr_cells; j++)
		free(c->cells[j].backend);
	free(c->cells);
	memset(c, 0, sizeof(*c));
}

static char *plan_text(const struct lab_plan *p)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < p->argc; i++)
		len += strlen(p->argv[i]) + 1;
	s = xcalloc(1, len);
	for (i = 0; i < p->argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, p->argv[i]);
	}
	return s;
}

/* The kernel_release of the first env line of a stream ("" if none). */
static char *stream_kernel(const char *path)
{
	size_t len;
	char *text = slurp_file(path, &len), *p, *q, *out;

	if (!text)
		return xstrdup("");
	p = strstr(text, "\"kernel_release\":\"");
	q = p ? strchr(p + strlen("\"kernel_release\":\""), '"') : NULL;
	out = q ? xstrfmt("%.*s", (int)(q - p - strlen("\"kernel_release\":\"")),
			  p + strlen("\"kernel_release\":\"")) : xstrdup("");
	free(text);
	return out;
}

int calibrate_run(struct db *db, const struct calibrate_opts *o, struct db_calibration *out)
{
	struct kbuild_artifact a;
	struct lab_kernel k;
	struct lab_device dev;
	char *label[2] = { NULL, NULL }, *workdir = NULL, *kernel = NULL, stamp[32];
	unsigned boots = o->boots ? o->boots : CALIBRATE_BOOTS, r;
	time_t now = time(NULL);
	int ret = -1, dev_ok = 0, side;
	int64_t id;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	memset(&k, 0, sizeof(k));
	if (boots < REPORT_MIN_INV)
		return error("calibrating needs at least %d boots a label (got %u): fewer cannot be"
			     " decided on", REPORT_MIN_INV, boots);
	if (o->artifact) {
		if (kbuild_artifact_load(NULL, o->artifact, &a) < 0)
			return -1;
		if (strcmp(a.status, "ok")) {
			error("kernel artifact %s is a failed build", o->artifact);
			goto out;
		}
		k.image = a.image;
		k.dtb = a.dtb;
		k.modules = a.modules;
		k.commit = a.commit;
	}
	if (lab_device_init(&dev, o->kind, o->name, o->options) < 0)
		goto out;
	dev_ok = 1;
	workdir = o->workdir ? xstrdup(o->workdir) : make_work_dir("calibrate");
	if (!workdir)
		goto out;
	if (o->workdir && mkdir(workdir, 0755) < 0 && errno != EEXIST) {
		error_errno("cannot create the work directory '%s'", workdir);
		goto out;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	label[0] = xstrfmt("calibrate-%s-%s-A", dev.name, stamp);
	label[1] = xstrfmt("calibrate-%s-%s-B", dev.name, stamp);
	/* Interleaved: A, B, A, B ... so a drift of the device falls on both labels. */
	for (r = 1; r <= boots; r++)
		for (side = 0; side < 2; side++) {
			struct lab_result res;
			struct db_import_opts io;
			char *wd = xstrfmt("%s/%c-%u", workdir, 'A' + side, r);

			if (o->progress)
				info("calibrate: boot %u/%u of label %c on %s", r, boots, 'A' + side,
				     dev.name);
			k.label = label[side];
			memset(&res, 0, sizeof(res));
			if (lab_device_run(&dev, &o->plan, &k, wd, &res) < 0) {
				error("calibrate: the %s device cannot run this plan", dev.name);
				free(wd);
				goto out;
			}
			if (res.status != LAB_COMPLETE) {
				error("calibrate: boot %u of label %c on %s: %s%s%s (files in %s)", r,
				      'A' + side, dev.name, lab_status_name(res.status),
				      res.message ? ": " : "", res.message ? res.message : "", wd);
				lab_result_release(&res);
				free(wd);
				goto out;
			}
			memset(&io, 0, sizeof(io));
			io.commit = k.commit;
			io.config_fingerprint = o->artifact ? a.config_sha256 : NULL;
			io.device_kind = dev.ops->kind;
			io.job = res.job_id;
			if (!kernel)
				kernel = stream_kernel(res.jsonl_path);
			if (db_import_jsonl(db, res.jsonl_path, label[side], &io, NULL) < 0) {
				error("calibrate: cannot store boot %u of label %c", r, 'A' + side);
				lab_result_release(&res);
				free(wd);
				goto out;
			}
			lab_result_release(&res);
			free(wd);
		}
	if (calibrate_measure(db, label[0], label[1], o->alpha, out) < 0)
		goto out;
	out->device = xstrdup(dev.name);
	out->kernel = xstrdup(kernel ? kernel : "");
	out->artifact = o->artifact ? xstrdup(o->artifact) : NULL;
	out->plan = plan_text(&o->plan);
	if ((id = db_calibration_add(db, out)) < 0) {
		calibrate_release(out);
		goto out;
	}
	out->id = id;
	ret = 0;
	if (!o->workdir)
		rm_rf(workdir);
out:
	if (dev_ok)
		lab_device_release(&dev);
	kbuild_artifact_release(&a);
	free(label[0]);
	free(label[1]);
	free(workdir);
	free(kernel);
	return ret;
}
