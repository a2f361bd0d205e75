/*
 * reports/compare.c - one cell, one decision, for `swaplab compare` and
 * the bisect step that will call it (reports/compare.h has the rule).
 * The test is the reports' own (report_decide() on a family of one), so
 * a compare and a report never disagree about the same data; only the
 * reading of the interval against a threshold is added here.
 */
#include "reports/compare.h"
#include "common/util.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int compare_parse_cell(const char *spec, struct compare_cell *out)
{
	const char *s1 = strchr(spec, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	size_t bl;

	memset(out, 0, sizeof(*out));
	if (!s1 || !s2 || strchr(s2 + 1, '/'))
		return error("malformed cell '%s': expected BACKEND/SIZE/PROCS, e.g. zram/256M/1", spec);
	bl = (size_t)(s1 - spec);
	if (!((bl == 4 && !strncmp(spec, "zram", 4)) || (bl == 5 && !strncmp(spec, "zswap", 5))))
		return error("malformed cell '%s': the backend must be zram or zswap", spec);
	memcpy(out->backend, spec, bl);
	/* Digits and a unit, "256M": never a bare byte count that reads like one.
	 * Parsed here, not with parse_size(), so a bad spec is one error line. */
	{
		const char *p = s1 + 1, *unit = "KMG";
		uint64_t v = 0;
		char *u;

		if (!isdigit((unsigned char)*p))
			return error("malformed cell '%s': the size must be a number with K, M or G (e.g. 256M)",
				     spec);
		while (isdigit((unsigned char)*p) && v < (1ULL << 40))
			v = v * 10 + (uint64_t)(*p++ - '0');
		u = *p ? strchr(unit, toupper((unsigned char)*p)) : NULL;
		if (!u || p + 1 != s2 || !v || v >= (1ULL << 30))
			return error("malformed cell '%s': the size must be a number with K, M or G (e.g. 256M)",
				     spec);
		out->size = v << (10 * (1 + (u - unit)));
	}
	{
		const char *p = s2 + 1;
		unsigned long n = 0;

		while (isdigit((unsigned char)*p) && n <= 4096)
			n = n * 10 + (unsigned long)(*p++ - '0');
		if (p == s2 + 1 || *p || !n || n > 4096)
			return error("malformed cell '%s': the process count must be a number in [1, 4096]",
				     spec);
		out->procs = (unsigned)n;
	}
	return 0;
}

const char *compare_cell_name(const struct compare_cell *c, char *buf, size_t len)
{
	static const char unit[] = "KMGT";
	uint64_t v = c->size;
	int u = -1;

	while (v >= 1024 && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%s/%llu/%u", c->backend, (unsigned long long)v, c->procs);
	else
		snprintf(buf, len, "%s/%llu%c/%u", c->backend, (unsigned long long)v, unit[u],
			 c->procs);
	return buf;
}

/* Percent change (+ = slower) of a speedup (base / patched). */
static double change_of(double speedup)
{
	return (1 / speedup - 1) * 100;
}

void compare_decide(const double *x, size_t nx, const double *y, size_t ny, double alpha,
		    double threshold_pct, enum compare_dir dir, struct compare_result *res)
{
	struct report_cmp c;
	struct report_family fam;
	double t = threshold_pct;
	int changed, unchanged;

	assert(alpha > 0 && alpha < 1 && threshold_pct >= 0);
	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.x = x;
	c.nx = nx;
	c.y = y;
	c.ny = ny;
	c.v = &res->v;
	/* A family of one: no adjustment, the interval at 1 - alpha. */
	report_decide(&c, 1, alpha, 0, &fam);
	res->outcome = COMPARE_UNDECIDED;
	if (!nx || !ny) {
		snprintf(res->why, sizeof(res->why), "a side has no invocations");
		return;
	}
	res->change_pct = res->v.change_pct;
	if (!res->v.ci_ok) {
		snprintf(res->why, sizeof(res->why), "%s",
			 res->v.why_unmarked ? res->v.why_unmarked : "no interval");
		return;
	}
	/* hi (the largest speedup) is the most negative change. */
	res->lo_pct = change_of(res->v.hi);
	res->hi_pct = change_of(res->v.lo);
	assert(res->lo_pct <= res->hi_pct);
	if (dir == COMPARE_SLOWER) {
		changed = res->lo_pct > t;
		unchanged = res->hi_pct < t;
	} else {
		changed = res->hi_pct < -t;
		unchanged = res->lo_pct > -t;
	}
	assert(!(changed && unchanged));
	if (changed) {
		res->outcome = COMPARE_CHANGED;
		snprintf(res->why, sizeof(res->why), "the whole interval is %s %s%g%%",
			 dir == COMPARE_SLOWER ? "above" : "below", dir == COMPARE_SLOWER ? "+" : "-", t);
	} else if (unchanged) {
		res->outcome = COMPARE_UNCHANGED;
		snprintf(res->why, sizeof(res->why), "the whole interval is %s %s%g%%",
			 dir == COMPARE_SLOWER ? "below" : "above", dir == COMPARE_SLOWER ? "+" : "-", t);
	} else {
		snprintf(res->why, sizeof(res->why), "the interval straddles %s%g%%",
			 dir == COMPARE_SLOWER ? "+" : "-", t);
	}
}

/* The row of the cell: idle runs first, else the only row of that cell. */
static const struct report_row *find_row(const struct report *r, const struct compare_cell *cell)
{
	const struct report_row *any = NULL;
	size_t i, n_any = 0;

	for (i = 0; i < r->nr_rows; i++) {
		const struct report_row *row = &r->rows[i];

		if (strcmp(row->backend, cell->backend) || row->size != cell->size ||
		    row->procs != cell->procs)
			continue;
		if (!strcmp(row->load, "none"))
			return row;
		any = row;
		n_any++;
	}
	return n_any == 1 ? any : NULL;
}

int compare_cell_data(struct db *db, const struct report_opts *opts,
		      const struct compare_cell *cell, struct compare_data *d)
{
	struct report r;
	const struct report_row *row;
	char name[64];

	memset(d, 0, sizeof(*d));
	/* A label with no runs is data that is not there (125), like a cell. */
	if (report_build(db, opts, &r) < 0)
		return 1;
	row = find_row(&r, cell);
	if (!row) {
		error("no runs of cell %s in the data (base '%s', patched '%s')",
		      compare_cell_name(cell, name, sizeof(name)), opts->base, opts->patched);
		report_release(&r);
		return 1;
	}
	d->nx = row->base.n_inv;
	d->ny = row->patched.n_inv;
	d->x = xcalloc(d->nx + 1, sizeof(double));
	d->y = xcalloc(d->ny + 1, sizeof(double));
	if (d->nx)
		memcpy(d->x, row->base.inv, d->nx * sizeof(double));
	if (d->ny)
		memcpy(d->y, row->patched.inv, d->ny * sizeof(double));
	d->runs_x = row->base.n;
	d->runs_y = row->patched.n;
	report_release(&r);
	return 0;
}

void compare_data_release(struct compare_data *d)
{
	free(d->x);
	free(d->y);
	memset(d, 0, sizeof(*d));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double compare_median(const double *v, size_t n)
{
	double *s, m;

	if (!n)
		return 0;
	s = xmalloc(n * sizeof(double));
	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

int compare_labels(struct db *db, const struct report_opts *opts, const struct compare_cell *cell,
		   double threshold_pct, enum compare_dir dir, struct compare_result *res)
{
	struct compare_data d;
	char name[64];

	memset(res, 0, sizeof(*res));
	if (compare_cell_data(db, opts, cell, &d))
		return 1;
	if (!d.nx || !d.ny) {
		error("no runs of cell %s on both sides (base '%s': %zu invocations, patched '%s': %zu)",
		      compare_cell_name(cell, name, sizeof(name)), opts->base, d.nx, opts->patched,
		      d.ny);
		compare_data_release(&d);
		return 1;
	}
	compare_decide(d.x, d.nx, d.y, d.ny, opts->alpha, threshold_pct, dir, res);
	res->runs_base = d.runs_x;
	res->runs_patched = d.runs_y;
	compare_data_release(&d);
	return 0;
}
