/*
 * reports/report.c - builds the report model of report.h from the
 * results database: groups each side's runs of cells into rows, computes
 * medians, speedups, intervals and tests (reports/stats.c), compares the
 * sides' environment records, and lays the rows out in the seed's tables
 * (modes at one size; sizes for one process count; per backend).
 */
#include "reports/report.h"
#include "common/json.h"
#include "common/util.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small string sets (distinct values, in order of appearance) ---- */

struct strset {
	char **v;
	size_t n, alloc;
};

static void strset_add(struct strset *s, const char *x)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return;
	ALLOC_GROW(s->v, s->n + 1, s->alloc);
	s->v[s->n++] = xstrdup(x);
}

static int strset_equal(const struct strset *a, const struct strset *b)
{
	size_t i, j;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && strcmp(a->v[i], b->v[j]); j++)
			;
		if (j == b->n)
			return 0;
	}
	return 1;
}

static char *strset_join(const struct strset *s)
{
	size_t i, len = 1;
	char *out;

	for (i = 0; i < s->n; i++)
		len += strlen(s->v[i]) + 2;
	out = xcalloc(1, len);
	for (i = 0; i < s->n; i++) {
		if (i)
			strcat(out, ", ");
		strcat(out, s->v[i]);
	}
	return out;
}

static void strset_clear(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The report's own copy of a short string (the database's die with it). */
static const char *report_intern(struct report *r, const char *s)
{
	size_t i;

	for (i = 0; i < r->nr_strs; i++)
		if (!strcmp(r->strs[i], s))
			return r->strs[i];
	r->strs = xrealloc(r->strs, (r->nr_strs + 1) * sizeof(*r->strs));
	return r->strs[r->nr_strs++] = xstrdup(s);
}

/* The environment fields compared between sides; backend: rows they concern. */
static const struct {
	const char *field;
	const char *backend;
} env_fields[] = {
	{ "device", NULL },          { "arch", NULL },         { "cpu_model", NULL },
	{ "cpus", NULL },            { "mem_total_bytes", NULL }, { "page_size", NULL },
	{ "thp_enabled", NULL },     { "cpufreq_governor", NULL }, { "cpu_clock", NULL },
	{ "kernel_cmdline", NULL },  { "fill", NULL },         { "ratio", NULL },
	{ "thp", NULL },             { "load", NULL },         { "drain_timeout_ns", NULL },
	{ "zram.comp", "zram" },     { "zram.disksize_bytes", "zram" },
	{ "zswap.compressor", "zswap" }, { "zswap.max_pool_percent", "zswap" },
	{ "zswap.backing", "zswap" },
};

/* The value of field in an env record as text, or NULL when absent. */
static char *env_value(const struct json *env, const char *field)
{
	const struct json *v = env;
	char key[64], *dot;
	const char *f = field;

	for (;;) {
		dot = strchr(f, '.');
		snprintf(key, sizeof(key), "%.*s", dot ? (int)(dot - f) : (int)strlen(f), f);
		v = json_get(v, key);
		if (!v || !dot)
			break;
		f = dot + 1;
	}
	if (!v)
		return NULL;
	if (!strcmp(field, "mem_total_bytes") && v->type == JSON_NUMBER)
		/* Kernels differ in reserved memory by a few MB: compare in 256M steps. */
		return xstrfmt("%.2fG", round(v->number / (256.0 * 1048576)) / 4);
	if (!strcmp(field, "kernel_cmdline") && v->type == JSON_STRING) {
		/* The boot loader names the kernel image: not a difference. */
		char *copy = xstrdup(v->str), *save = NULL, *tok, *out = xcalloc(1, strlen(v->str) + 1);

		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (!strncmp(tok, "BOOT_IMAGE=", 11) || !strncmp(tok, "initrd=", 7))
				continue;
			if (*out)
				strcat(out, " ");
			strcat(out, tok);
		}
		free(copy);
		return out;
	}
	switch (v->type) {
	case JSON_STRING:
	case JSON_NUMBER:
		return xstrdup(v->str);
	case JSON_BOOL:
		return xstrdup(v->boolean ? "true" : "false");
	default:
		return xstrdup("(other)");
	}
}

/* ---- one side: the runs of cells of a label or revision ---- */

#define NR_FIELDS (ARRAY_SIZE(env_fields) + 1) /* + the kernel build's config fingerprint */

struct side_data {
	struct db_sel sel;
	struct db_cell_run *cells;
	size_t nr_cells;
	struct db_run_env *envs;
	size_t nr_envs;
	char *name;                 /* label, or "S vN base" */
	size_t cursor;              /* first cell not yet taken by a row (cells are sorted) */
	struct strset values[NR_FIELDS]; /* distinct values of each compared field */
	struct strset cpus;         /* "model, N CPUs, arch" */
	struct strset facts[NR_FACTS]; /* what the lore header says (report_who.facts) */
};

/* The env record's field behind each fact of the lore header. */
static const char *const fact_fields[NR_FACTS] = {
	[FACT_CPU_MODEL] = "cpu_model", [FACT_CPUS] = "cpus", [FACT_ARCH] = "arch",
	[FACT_MEM] = "mem_total_bytes", [FACT_RUNS] = "runs", [FACT_FILL] = "fill",
	[FACT_RATIO] = "ratio", [FACT_THP] = "thp", [FACT_THP_ENABLED] = "thp_enabled",
	[FACT_ZRAM_COMP] = "zram.comp", [FACT_ZSWAP_COMP] = "zswap.compressor",
	[FACT_ZSWAP_POOL] = "zswap.max_pool_percent", [FACT_LOAD] = "load",
};

/* A fact's value in one env record (memory in GB, one decimal), or NULL. */
static char *fact_value(const struct json *env, enum report_fact f)
{
	if (f == FACT_MEM) {
		const struct json *v = json_get(env, "mem_total_bytes");

		if (!v || v->type != JSON_NUMBER || !(v->number > 0))
			return NULL;
		return xstrfmt("%.1f", v->number / (1024.0 * 1048576));
	}
	return env_value(env, fact_fields[f]);
}

/* Reads a side and, parsing each run's env record once, what the report compares. */
static int load_side(struct db *db, struct side_data *s)
{
	size_t i, f;

	if (db_cell_runs(db, &s->sel, &s->cells, &s->nr_cells) ||
	    db_run_envs(db, &s->sel, &s->envs, &s->nr_envs))
		return -1;
	for (i = 0; i < s->nr_envs; i++) {
		const struct db_run_env *e = &s->envs[i];
		struct json *root;
		struct json_doc *doc;
		char err[64], *v, *model, *n, *arch;

		if (*e->config_fingerprint)
			strset_add(&s->values[NR_FIELDS - 1], e->config_fingerprint);
		doc = json_parse(e->env_json, strlen(e->env_json), &root, err, sizeof(err));
		if (!doc)
			continue; /* stored by import, which parsed it: cannot happen */
		for (f = 0; f < ARRAY_SIZE(env_fields); f++)
			if ((v = env_value(root, env_fields[f].field))) {
				strset_add(&s->values[f], v);
				free(v);
			}
		for (f = 0; f < NR_FACTS; f++)
			if ((v = fact_value(root, (enum report_fact)f))) {
				strset_add(&s->facts[f], v);
				free(v);
			}
		model = env_value(root, "cpu_model");
		n = env_value(root, "cpus");
		arch = env_value(root, "arch");
		v = xstrfmt("%s, %s CPUs, %s", model ? model : "?", n ? n : "?", arch ? arch : "?");
		strset_add(&s->cpus, v);
		free(v);
		free(model);
		free(n);
		free(arch);
		json_doc_free(doc);
	}
	return 0;
}

static void free_side(struct side_data *s)
{
	size_t f;

	free(s->cells);
	db_run_env_free(s->envs, s->nr_envs);
	free(s->name);
	for (f = 0; f < NR_FIELDS; f++)
		strset_clear(&s->values[f]);
	for (f = 0; f < NR_FACTS; f++)
		strset_clear(&s->facts[f]);
	strset_clear(&s->cpus);
}

static void add_diff(struct report *r, const char *field, const char *backend,
		     const struct strset *b, const struct strset *p)
{
	struct report_env_diff *d;
	size_t i;

	for (i = 0; i < r->nr_diffs; i++)
		if (!strcmp(r->diffs[i].field, field) &&
		    (r->diffs[i].backend == backend ||
		     (r->diffs[i].backend && backend && !strcmp(r->diffs[i].backend, backend))))
			return;
	r->diffs = xrealloc(r->diffs, (r->nr_diffs + 1) * sizeof(*r->diffs));
	d = &r->diffs[r->nr_diffs++];
	d->field = xstrdup(field);
	d->backend = backend;
	d->base = strset_join(b);
	d->patched = strset_join(p);
	r->any_env_diff = 1;
}

/* Environment differences between a base and a patched side. */
static void compare_envs(struct report *r, const struct side_data *base,
			 const struct side_data *patched)
{
	size_t i;

	for (i = 0; i < NR_FIELDS; i++) {
		const struct strset *b = &base->values[i], *p = &patched->values[i];

		/* Absent on a side (e.g. a backend it did not run): nothing to compare. */
		if (b->n && p->n && (!strset_equal(b, p) || b->n > 1 || p->n > 1))
			add_diff(r, i < ARRAY_SIZE(env_fields) ? env_fields[i].field : "config_fingerprint",
				 i < ARRAY_SIZE(env_fields) ? env_fields[i].backend : NULL, b, p);
	}
}

static void who(const struct side_data *s, struct report_who *w)
{
	struct strset kernels = { 0 }, commits = { 0 }, devices = { 0 };
	size_t i;

	for (i = 0; i < s->nr_envs; i++) {
		const struct db_run_env *e = &s->envs[i];

		strset_add(&kernels, e->kernel_release);
		if (*e->commit)
			strset_add(&commits, e->commit);
		strset_add(&devices, e->device);
	}
	w->label = xstrdup(s->name);
	w->is_label = !!s->sel.label;
	w->runs = s->nr_envs;
	w->kernels = strset_join(&kernels);
	w->commits = strset_join(&commits);
	w->devices = strset_join(&devices);
	w->cpus = strset_join(&s->cpus);
	for (i = 0; i < NR_FACTS; i++)
		w->facts[i] = strset_join(&s->facts[i]);
	strset_clear(&kernels);
	strset_clear(&commits);
	strset_clear(&devices);
}

static void free_who(struct report_who *w)
{
	size_t i;

	free(w->label);
	free(w->kernels);
	free(w->commits);
	free(w->devices);
	free(w->cpus);
	for (i = 0; i < NR_FACTS; i++)
		free(w->facts[i]);
}

/* ---- rows ---- */

static int same_cell(const struct db_cell_run *c, const char *backend, const char *load,
		     uint64_t size, unsigned procs)
{
	return !strcmp(c->backend, backend) && !strcmp(c->load, load) && c->size_bytes == size &&
	       c->procs == procs;
}

/*
 * Orders a run of a cell against a cell key, like db_cell_runs() sorts
 * them.  The load is part of the key: runs under stress-ng load are rows
 * of their own, never pooled with idle runs.
 */
static int cmp_cell_key(const struct db_cell_run *c, const char *backend, const char *load,
			uint64_t size, unsigned procs)
{
	int r = strcmp(c->backend, backend);

	if (r)
		return r;
	if ((r = strcmp(c->load, load)))
		return r;
	if (c->size_bytes != size)
		return c->size_bytes < size ? -1 : 1;
	return c->procs < procs ? -1 : c->procs > procs;
}

/*
 * The side's runs of one cell.  Cells are sorted by (backend, size,
 * procs) and rows are built in that order, so a cursor walks each side
 * once.
 */
static void fill_side(struct side_data *s, const char *backend, const char *load, uint64_t size,
		      unsigned procs, enum report_figure fig, struct report_side *out)
{
	size_t i, n, first;
	double *slow, *drain, *cpu, *peak;

	memset(out, 0, sizeof(*out));
	out->comp = "";
	while (s->cursor < s->nr_cells &&
	       cmp_cell_key(&s->cells[s->cursor], backend, load, size, procs) < 0)
		s->cursor++;
	first = s->cursor;
	while (s->cursor < s->nr_cells &&
	       !cmp_cell_key(&s->cells[s->cursor], backend, load, size, procs))
		s->cursor++;
	n = s->cursor - first;
	if (!n)
		return;
	out->v = xmalloc(n * sizeof(double));
	slow = xmalloc(n * sizeof(double));
	drain = xmalloc(n * sizeof(double));
	cpu = xmalloc(n * sizeof(double));
	peak = xmalloc(n * sizeof(double));
	for (i = first; i < first + n; i++) {
		const struct db_cell_run *c = &s->cells[i];

		out->v[out->n] = fig == REPORT_FIGURE_MAX ? (double)c->munmap_max_ns
							  : c->munmap_mean_ns;
		slow[out->n++] = (double)c->munmap_max_ns;
		if (c->has_drain) {
			drain[out->n_drain++] = (double)c->drain_ns;
			out->n_undrained += !c->drained;
		}
		if (c->has_cpu)
			cpu[out->n_cpu++] = (double)c->cpu_ns;
		if (c->has_peak)
			peak[out->n_peak++] = (double)c->pool_peak_bytes;
		if (!*out->comp)
			out->comp = c->comp;
		else if (strcmp(out->comp, c->comp))
			out->comp = "*";
	}
	stats_sort(out->v, out->n);
	out->median = stats_quantile_sorted(out->v, out->n, 0.5);
	out->q1 = stats_quantile_sorted(out->v, out->n, 0.25);
	out->q3 = stats_quantile_sorted(out->v, out->n, 0.75);
	out->min = out->v[0];
	out->max = out->v[out->n - 1];
	out->median_slowest = stats_median(slow, out->n);
	if (out->n_drain)
		out->drain_median = stats_median(drain, out->n_drain);
	if (out->n_cpu)
		out->cpu_median = stats_median(cpu, out->n_cpu);
	if (out->n_peak)
		out->peak_median = stats_median(peak, out->n_peak);
	free(slow);
	free(drain);
	free(cpu);
	free(peak);
}

/* Every distinct cell of the given sides, in (backend, size, procs) order. */
struct cell_key {
	const char *backend;
	const char *load;
	uint64_t size;
	unsigned procs;
};

static int cmp_key(const void *a, const void *b)
{
	const struct cell_key *x = a, *y = b;
	int c = strcmp(x->backend, y->backend);

	if (c)
		return c;
	if ((c = strcmp(x->load, y->load)))
		return c;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->procs < y->procs ? -1 : x->procs > y->procs;
}

static void collect_keys(const struct side_data *sides, size_t nr, const char *backend,
			 struct cell_key **out, size_t *nr_out)
{
	struct cell_key *k = NULL;
	size_t n = 0, alloc = 0, s, i, w;

	for (s = 0; s < nr; s++)
		for (i = 0; i < sides[s].nr_cells; i++) {
			const struct db_cell_run *c = &sides[s].cells[i];

			if (backend && strcmp(c->backend, backend))
				continue;
			if (n && same_cell(c, k[n - 1].backend, k[n - 1].load, k[n - 1].size,
					   k[n - 1].procs))
				continue;
			ALLOC_GROW(k, n + 1, alloc);
			k[n++] = (struct cell_key){ c->backend, c->load, c->size_bytes, c->procs };
		}
	qsort(k, n, sizeof(*k), cmp_key);
	for (i = w = 0; i < n; i++)
		if (!w || cmp_key(&k[w - 1], &k[i]))
			k[w++] = k[i];
	*out = k;
	*nr_out = w;
}

static void compare_row(struct report *r, struct report_row *row)
{
	row->compared = row->base.n && row->patched.n;
	if (!row->compared)
		return;
	row->speedup = row->base.median / row->patched.median;
	stats_mann_whitney(row->base.v, row->base.n, row->patched.v, row->patched.n, &row->mw);
	row->significant = row->mw.p <= r->opts.alpha;
	stats_ratio_ci(row->base.v, row->base.n, row->patched.v, row->patched.n, r->opts.alpha,
		       &row->ci);
	if (row->mw.exact)
		r->any_exact = 1;
	else
		r->any_approx = 1;
	if (!row->ci.ok)
		r->any_small = 1;
}

/*
 * The verdict from the per-run test, for a row the statistics left
 * unfilled (estimate 0): the formatters' contract holds either way.
 */
static void verdict_fallback(struct report *r, struct report_row *row)
{
	struct report_verdict *v = &row->v;

	if (!row->compared || v->estimate > 0)
		return;
	v->inv_base = row->base.n;
	v->inv_patched = row->patched.n;
	v->estimate = row->speedup;
	v->change_pct = (1 / row->speedup - 1) * 100;
	v->lo = row->ci.lo;
	v->hi = row->ci.hi;
	v->ci_ok = row->ci.ok && row->ci.lo <= v->estimate && v->estimate <= row->ci.hi;
	v->p = v->p_adj = row->mw.p;
	v->significant = row->significant;
	if (!v->significant)
		v->why_unmarked = v->ci_ok ? "not significant" : "too few runs for an interval";
	else if (!v->ci_ok || (v->lo <= 1 && v->hi >= 1))
		v->why_unmarked = "interval holds 1";
	else if (fabs(v->change_pct) < r->opts.min_effect_pct)
		v->why_unmarked = "below the minimum effect";
	else
		v->dir = v->lo > 1 ? DIR_FASTER : DIR_SLOWER;
	if (!r->method)
		r->method = "Mann-Whitney U on per-run figures";
}

static void flag_row(struct report *r, struct report_row *row)
{
	size_t i;

	if (row->base.n_undrained || row->patched.n_undrained) {
		row->flags |= ROW_UNDRAINED;
		r->any_undrained = 1;
	}
	if (row->base.n_drain || row->patched.n_drain)
		r->any_drain = 1;
	if (row->base.n_cpu || row->patched.n_cpu)
		r->any_cpu = 1;
	if (row->compared && (strcmp(row->base.comp, row->patched.comp) ||
			      !strcmp(row->base.comp, "*"))) {
		struct strset b = { 0 }, p = { 0 };

		strset_add(&b, row->base.comp);
		strset_add(&p, row->patched.comp);
		add_diff(r, "comp (samples)", row->backend, &b, &p);
		strset_clear(&b);
		strset_clear(&p);
	}
	for (i = 0; i < r->nr_diffs; i++)
		if (!r->diffs[i].backend || !strcmp(r->diffs[i].backend, row->backend))
			row->flags |= ROW_ENV_DIFFERS;
}

/* ---- building ---- */

static int check_label(struct db *db, const char *label)
{
	struct db_label_info *l;
	size_t n, i;
	int rc = db_label_exists(db, label);
	char *names = NULL;

	if (rc < 0)
		return -1;
	if (rc)
		return 0;
	if (!db_list_labels(db, &l, &n)) {
		struct strset s = { 0 };

		for (i = 0; i < n && i < 20; i++)
			strset_add(&s, l[i].name);
		names = strset_join(&s);
		strset_clear(&s);
		db_label_info_free(l, n);
	}
	error("no runs labelled '%s' in '%s' (labels: %s)", label, db_path(db),
	      names && *names ? names : "none");
	free(names);
	return -1;
}

static int side_has_runs(struct db *db, const struct db_sel *sel)
{
	struct db_run_env *e;
	size_t n;

	if (db_run_envs(db, sel, &e, &n))
		return -1;
	db_run_env_free(e, n);
	return n > 0;
}

int report_build(struct db *db, const struct report_opts *opts, struct report *r)
{
	struct side_data *sides = NULL;   /* [0] base (non-series); pairs otherwise */
	size_t nr_sides = 0, nr_keys = 0, i, k, nrev;
	struct cell_key *keys = NULL;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->opts = *opts;
	if (!(r->opts.alpha > 0 && r->opts.alpha < 0.5))
		r->opts.alpha = 0.05;
	if (!opts->series && (!opts->base || !opts->patched))
		return error("a report needs --base LABEL and --patched LABEL (or --series NAME)");
	if (opts->series && opts->patched)
		return error("--series reports every revision as patched: drop --patched");

	if (!opts->series) {
		if (check_label(db, opts->base) || check_label(db, opts->patched))
			return -1;
		nrev = 1;
		nr_sides = 2;
		sides = xcalloc(2, sizeof(*sides));
		sides[0].sel.label = opts->base;
		sides[0].name = xstrdup(opts->base);
		sides[1].sel.label = opts->patched;
		sides[1].name = xstrdup(opts->patched);
	} else {
		if (opts->base && check_label(db, opts->base))
			return -1;
		if (db_series_revisions(db, opts->series, &r->revisions, &r->nr_revisions))
			return -1;
		if (!r->nr_revisions)
			return error("series '%s' has no runs", opts->series);
		nrev = r->nr_revisions;
		/* Sides in pairs: 2k = base of revision k, 2k+1 = its patched runs. */
		nr_sides = 2 * nrev;
		sides = xcalloc(nr_sides, sizeof(*sides));
		for (k = 0; k < nrev; k++) {
			struct side_data *b = &sides[2 * k], *p = &sides[2 * k + 1];
			unsigned v = r->revisions[k];
			size_t back;

			p->sel = (struct db_sel){ NULL, opts->series, v, "patched" };
			p->name = xstrfmt("%s v%u", opts->series, v);
			if (opts->base) {
				b->sel.label = opts->base;
				b->name = xstrdup(opts->base);
				continue;
			}
			/* This revision's base runs, else the nearest earlier revision's. */
			for (back = k + 1; back-- > 0;) {
				struct db_sel sel = { NULL, opts->series, r->revisions[back], "base" };
				int has = side_has_runs(db, &sel);

				if (has < 0)
					goto out;
				if (has) {
					b->sel = sel;
					b->name = xstrfmt("%s v%u base", opts->series,
							  r->revisions[back]);
					break;
				}
			}
			if (!b->name) {
				error("series '%s' v%u has no base runs (import them with --kind base)"
				      " and no --base LABEL was given", opts->series, v);
				goto out;
			}
		}
	}
	for (i = 0; i < nr_sides; i++)
		if (load_side(db, &sides[i]))
			goto out;

	collect_keys(sides, nr_sides, opts->backend, &keys, &nr_keys);
	if (!nr_keys) {
		error(opts->backend ? "no runs of backend '%s' in these labels"
				    : "these labels have no samples%s",
		      opts->backend ? opts->backend : "");
		goto out;
	}
	for (k = 0; k < nrev; k++)
		compare_envs(r, &sides[2 * k], &sides[2 * k + 1]);
	r->rows = xcalloc(nr_keys * nrev, sizeof(*r->rows));
	for (i = 0; i < nr_keys; i++) {
		for (k = 0; k < nrev; k++) {
			struct report_row *row = &r->rows[r->nr_rows++];

			row->backend = report_intern(r, keys[i].backend);
			row->load = report_intern(r, keys[i].load);
			row->size = keys[i].size;
			row->procs = keys[i].procs;
			row->revision = opts->series ? r->revisions[k] : 0;
			fill_side(&sides[2 * k], keys[i].backend, keys[i].load, keys[i].size,
				  keys[i].procs, opts->figure, &row->base);
			fill_side(&sides[2 * k + 1], keys[i].backend, keys[i].load, keys[i].size,
				  keys[i].procs, opts->figure, &row->patched);
			row->base.comp = report_intern(r, row->base.comp);
			row->patched.comp = report_intern(r, row->patched.comp);
			compare_row(r, row);
			if (k && row->patched.n && row[-1].patched.n) {
				row->has_prev = 1;
				row->prev_change = row->patched.median / row[-1].patched.median - 1;
				stats_mann_whitney(row->patched.v, row->patched.n, row[-1].patched.v,
						   row[-1].patched.n, &row->prev_mw);
				row->prev_significant = row->prev_mw.p <= r->opts.alpha;
			}
		}
	}
	for (i = 0; i < r->nr_rows; i++) {
		flag_row(r, &r->rows[i]);
		verdict_fallback(r, &r->rows[i]);
	}
	{
		struct db_sel *sels = xcalloc(nr_sides, sizeof(*sels));

		for (i = 0; i < nr_sides; i++)
			sels[i] = sides[i].sel;
		k = report_build_fio(db, sels, nr_sides, r) < 0;
		free(sels);
		if (k)
			goto out;
	}
	report_layout(r);

	who(&sides[0], &r->base);
	r->nr_patched = nrev;
	r->patched = xcalloc(nrev, sizeof(*r->patched));
	for (k = 0; k < nrev; k++)
		who(&sides[2 * k + 1], &r->patched[k]);
	ret = 0;
out:
	for (i = 0; i < nr_sides; i++)
		free_side(&sides[i]);
	free(sides);
	free(keys);
	if (ret)
		report_release(r);
	return ret;
}

void report_release(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nr_rows; i++) {
		free(r->rows[i].base.v);
		free(r->rows[i].patched.v);
	}
	free(r->rows);
	for (i = 0; i < r->nr_tables; i++) {
		free(r->tables[i].rows);
		free(r->tables[i].shown_in);
	}
	free(r->tables);
	report_fio_release(r);
	for (i = 0; i < r->nr_diffs; i++) {
		free(r->diffs[i].field);
		free(r->diffs[i].base);
		free(r->diffs[i].patched);
	}
	free(r->diffs);
	free_who(&r->base);
	for (i = 0; i < r->nr_patched; i++)
		free_who(&r->patched[i]);
	free(r->patched);
	free(r->revisions);
	for (i = 0; i < r->nr_strs; i++)
		free(r->strs[i]);
	free(r->strs);
	memset(r, 0, sizeof(*r));
}

int report_parse_format(const char *s)
{
	static const char *const names[] = { "lore", "markdown", "html", "csv", "json", "lkp" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	if (!strcmp(s, "md"))
		return REPORT_MARKDOWN;
	return -1;
}

int report_write(const struct report *r, enum report_format fmt, FILE *out)
{
	switch (fmt) {
	case REPORT_LORE: return report_write_lore(r, out);
	case REPORT_MARKDOWN: return report_write_markdown(r, out);
	case REPORT_HTML: return report_write_html(r, out);
	case REPORT_CSV: return report_write_csv(r, out);
	case REPORT_JSON: return report_write_json(r, out);
	case REPORT_LKP: return report_write_lkp(r, out);
	}
	return error("unknown report format");
}
