/*
 * reports/format.c - what every report format shares: the seed's
 * notation for times, sizes and modes, table titles, and the footer
 * notes that say what each figure is, which interval and test (with
 * alpha) were used, and which kernels ran on which device.
 */
#include "reports/report.h"
#include "common/util.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *report_ms(double ns, char *buf, size_t len)
{
	snprintf(buf, len, "%.2fms", ns / 1e6);
	return buf;
}

const char *report_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && bytes % (1 << 20) == 0)
		snprintf(buf, len, "%lluMB", (unsigned long long)(bytes >> 20));
	else if (bytes && bytes % 1024 == 0)
		snprintf(buf, len, "%lluKB", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
	return buf;
}

const char *report_mode(unsigned procs, char *buf, size_t len)
{
	if (procs == 1)
		snprintf(buf, len, "single");
	else
		snprintf(buf, len, "multi %up", procs);
	return buf;
}

static size_t distinct_sizes(const struct report_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr_rows; i++)
		n += !i || t->rows[i]->size != t->rows[i - 1]->size;
	return n;
}

const char *report_table_title(const struct report *r, const struct report_table *t, char *buf,
			       size_t len)
{
	const char *what = r->opts.figure == REPORT_FIGURE_MAX
				   ? "munmap latency of the slowest process"
				   : "munmap latency";
	char sz[32], pr[32];

	char load[48] = "";

	if (t->load && strcmp(t->load, "none"))
		snprintf(load, sizeof(load), ", under %s load", t->load);
	if (t->kind == TABLE_MODES) {
		snprintf(buf, len, "%s for %s swap-filled VMA (%s backend%s)", what,
			 report_size(t->size, sz, sizeof(sz)), t->backend, load);
		return buf;
	}
	if (t->kind == TABLE_CELLS) {
		snprintf(buf, len, "%s, further cells (%s backend%s)", what, t->backend, load);
		return buf;
	}
	if (t->procs == 1)
		snprintf(pr, sizeof(pr), "single process");
	else
		snprintf(pr, sizeof(pr), "%u processes", t->procs);
	if (distinct_sizes(t) == 1)
		snprintf(buf, len, "%s for %s swap-filled VMA (%s, %s%s)", what,
			 report_size(t->rows[0]->size, sz, sizeof(sz)), t->backend, pr, load);
	else
		snprintf(buf, len, "%s for different sizes (%s, %s%s)", what, t->backend, pr, load);
	return buf;
}

const char *report_row_key(const struct report_table *t, const struct report_row *row,
			   char *buf, size_t len)
{
	char sz[32];

	if (t->kind == TABLE_CELLS) {
		snprintf(buf, len, "%s %up", report_size(row->size, sz, sizeof(sz)), row->procs);
		return buf;
	}
	return t->kind == TABLE_MODES ? report_mode(row->procs, buf, len)
				      : report_size(row->size, buf, len);
}

const char *report_method_ci(const struct report *r, char *buf, size_t len)
{
	snprintf(buf, len, "%.4g%% CI of the Base/Patched ratio from the same t test (level"
		 " 1 - R*alpha/m after %s: %zu of %zu rows marked)",
		 100 * r->ci_level, r->correction, r->nr_marks, r->nr_tests);
	return buf;
}

const char *report_method_test(const struct report *r, char *buf, size_t len)
{
	snprintf(buf, len, "alpha = %g after %s, |change| >= %g%%; %s (at least %d"
		 " invocations a side), two-sided", r->opts.alpha, r->correction,
		 r->opts.min_effect_pct > 0 ? r->opts.min_effect_pct : 0, r->method, REPORT_MIN_INV);
	return buf;
}

struct notes {
	char **v;
	size_t n, alloc;
};

static void note(struct notes *ns, char *s)
{
	ALLOC_GROW(ns->v, ns->n + 2, ns->alloc);
	ns->v[ns->n++] = s;
	ns->v[ns->n] = NULL;
}

static void who_note(struct notes *ns, const char *title, const struct report_who *w)
{
	note(ns, xstrfmt("%s\t%s (%s%s, %zu bench invocation%s%s%s)", title, w->kernels,
			 w->is_label ? "label " : "", w->label, w->runs,
			 w->runs == 1 ? "" : "s", *w->commits ? ", commit " : "", w->commits));
}

char **report_notes(const struct report *r)
{
	struct notes ns = { 0 };
	char ci[256], test[256];
	size_t i;
	int series = !!r->opts.series;

	if (r->opts.figure == REPORT_FIGURE_MAX)
		note(&ns, xstrfmt("Base, Patched: median over runs of each cell's figure; a run's"
				  " figure is the munmap() latency of the slowest of the cell's"
				  " processes (all of them call munmap() at once)."
				  " Speedup = Base / Patched.%s",
				  series ? "" : " n = runs base/patched."));
	else
		note(&ns, xstrfmt("Base, Patched: median over runs of each cell's figure; in a"
				  " multi-process cell (multi Np) a run's figure is the mean of"
				  " its N processes' munmap() latencies (all call munmap() at once;"
				  " --figure max reports the slowest process instead)."
				  " Speedup = Base / Patched.%s",
				  series ? "" : " n = runs base/patched."));
	note(&ns, xstrfmt("%s; '-' where the samples are too small for that level.",
			  report_method_ci(r, ci, sizeof(ci))));
	note(&ns, xstrfmt("faster / slower: the mark of a row whose change is significant (%s;"
			  " %s, %s), whose interval excludes 1 and whose change is at least %g%%;"
			  " Change = patched vs base time, negative = faster. %s.",
			  r->method ? r->method : "Mann-Whitney U",
			  r->correction ? r->correction : "no multiplicity correction",
			  report_method_test(r, test, sizeof(test)), r->opts.min_effect_pct,
			  "An unmarked row says why in the markdown, HTML, CSV and JSON forms"));
	if (series)
		note(&ns, xstrfmt("vs prev: this revision's Patched median against the previous"
				  " revision's, as a change of time (+ = slower, like Change); faster"
				  " / slower when significant by the same test."));
	if (r->any_env_diff)
		note(&ns, xstrfmt("! = the runs' environments differ beyond the kernel (listed"
				  " below): compare with care."));
	if (r->any_drain || r->any_cpu)
		note(&ns, xstrfmt("Drain: barrier release until the backend's memory is back at"
				  " its pre-fill level; CPU: CPU time of all CPUs over that"
				  " interval; medians over runs.%s",
				  r->any_undrained ? " + = some runs hit the drain timeout (counted"
						     " at the timeout)." : ""));
	who_note(&ns, "Base:", &r->base);
	for (i = 0; i < r->nr_patched; i++) {
		char title[32];

		if (series)
			snprintf(title, sizeof(title), "v%u:", r->revisions[i]);
		else
			snprintf(title, sizeof(title), "Patched:");
		who_note(&ns, title, &r->patched[i]);
	}
	{
		/* Devices and CPUs: the base's, plus any other the patched runs used. */
		char *dev = xstrdup(r->base.devices), *cpu = xstrdup(r->base.cpus);

		for (i = 0; i < r->nr_patched; i++) {
			if (strcmp(r->patched[i].devices, r->base.devices) && !strstr(dev, r->patched[i].devices)) {
				char *t = xstrfmt("%s; %s", dev, r->patched[i].devices);
				free(dev);
				dev = t;
			}
			if (strcmp(r->patched[i].cpus, r->base.cpus) && !strstr(cpu, r->patched[i].cpus)) {
				char *t = xstrfmt("%s; %s", cpu, r->patched[i].cpus);
				free(cpu);
				cpu = t;
			}
		}
		note(&ns, xstrfmt("Device:\t%s (%s)", dev, cpu));
		free(dev);
		free(cpu);
	}
	for (i = 0; i < r->nr_warnings; i++)
		note(&ns, xstrdup(r->warnings[i]));
	for (i = 0; i < r->nr_mde; i++)
		if (r->mde[i].pct > 0)
			note(&ns, xstrfmt("%s: changes under %.1f%% would not be seen with %zu"
					  " invocations a side (%g%% power).", r->mde[i].backend,
					  r->mde[i].pct, r->mde[i].inv, 100 * REPORT_POWER));
	for (i = 0; i < r->nr_diffs; i++) {
		const struct report_env_diff *d = &r->diffs[i];

		note(&ns, xstrfmt("! %s%s%s%s: base %s; patched %s", d->field,
				  d->backend ? " (" : "", d->backend ? d->backend : "",
				  d->backend ? " rows)" : "", d->base, d->patched));
	}
	return ns.v;
}

void report_free_notes(char **notes)
{
	size_t i;

	for (i = 0; notes && notes[i]; i++)
		free(notes[i]);
	free(notes);
}

/* ---- what the compact formats share (issue 12) ---- */

double report_ci_level(const struct report *r)
{
	return r->ci_level > 0 && r->ci_level < 1 ? r->ci_level : 1 - r->opts.alpha;
}

const char *report_mark(const struct report_verdict *v)
{
	assert(v->dir == DIR_NONE || v->significant);
	return v->dir == DIR_FASTER ? "faster" : v->dir == DIR_SLOWER ? "slower" : "";
}

int report_finite(double x)
{
	return isfinite(x);
}

const char *report_metric_name(const struct report_row *row, const char *metric, char *buf,
			       size_t len)
{
	char size[32], load[40] = "";
	uint64_t b = row->size;

	if (b && b % (1ULL << 30) == 0)
		snprintf(size, sizeof(size), "%lluG", (unsigned long long)(b >> 30));
	else if (b && b % (1 << 20) == 0)
		snprintf(size, sizeof(size), "%lluM", (unsigned long long)(b >> 20));
	else
		snprintf(size, sizeof(size), "%lluK", (unsigned long long)(b >> 10));
	if (row->load && strcmp(row->load, "none"))
		snprintf(load, sizeof(load), "load-%s.", row->load);
	snprintf(buf, len, "swaplab.%s.%s%s.%up.%s", row->backend, load, size, row->procs, metric);
	return buf;
}

/*
 * Words of text after first, wrapped to width; continuation lines are
 * indented by indent.  A word longer than a line stays whole.  Returns
 * the number of lines written (out may be NULL to count only).
 */
size_t report_wrap(FILE *out, const char *first, const char *text, size_t indent, size_t width)
{
	char *copy = xstrdup(text), *save = NULL, *word, line[2048];
	size_t len, lines = 0;
	int words = 0;

	len = (size_t)snprintf(line, sizeof(line), "%s", first);
	for (word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		size_t wl = strlen(word);
		int sep = words || (len && line[len - 1] != ' ');

		if (words && len + 1 + wl > width) {
			if (out)
				fprintf(out, "%s\n", line);
			lines++;
			len = (size_t)snprintf(line, sizeof(line), "%*s", (int)indent, "");
			sep = 0;
		}
		if (len + sep + wl + 1 < sizeof(line))
			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
						sep ? " " : "", word);
		words = 1;
	}
	if (out)
		fprintf(out, "%s\n", line);
	free(copy);
	return lines + 1;
}

/* Which backends the rows have (zram, zswap). */
static int has_backend(const struct report *r, const char *backend)
{
	size_t i;

	for (i = 0; i < r->nr_rows; i++)
		if (!strcmp(r->rows[i].backend, backend))
			return 1;
	return 0;
}

static int any_load(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nr_rows; i++)
		if (strcmp(r->rows[i].load, "none"))
			return 1;
	for (i = 0; i < r->nr_fio; i++)
		if (strcmp(r->fio[i].load, "none"))
			return 1;
	return 0;
}

static const char *fact(const struct report_who *w, enum report_fact f)
{
	return w->facts[f] && *w->facts[f] ? w->facts[f] : "?";
}

/* A fact of the base side, else of a patched side that recorded it (a backend only it ran). */
static const char *any_fact(const struct report *r, enum report_fact f)
{
	size_t i;

	if (r->base.facts[f] && *r->base.facts[f])
		return r->base.facts[f];
	for (i = 0; i < r->nr_patched; i++)
		if (r->patched[i].facts[f] && *r->patched[i].facts[f])
			return r->patched[i].facts[f];
	return "?";
}

/* "6.18.0-rc4 (0123456789ab)": the kernels of a side, with commits of len characters. */
static char *kernel_of(const struct report_who *w, int len)
{
	if (len && *w->commits)
		return xstrfmt("%s (%.*s)", w->kernels, len, w->commits);
	return xstrdup(w->kernels);
}

#define HEADER_WIDTH 72

char *report_header_line(const struct report *r, int which)
{
	const struct report_who *b = &r->base;
	char *s = NULL;
	size_t i;
	int try;

	switch (which) {
	case 0:
		s = xstrfmt("Device:  %s: %s x%s (%s), %s GB RAM", b->devices, fact(b, FACT_CPU_MODEL),
			    fact(b, FACT_CPUS), fact(b, FACT_ARCH), fact(b, FACT_MEM));
		if (strlen(s) > HEADER_WIDTH) {
			free(s);
			s = xstrfmt("Device:  %s: %.30s x%s, %s GB RAM", b->devices,
				    fact(b, FACT_CPU_MODEL), fact(b, FACT_CPUS), fact(b, FACT_MEM));
		}
		break;
	case 1:
		/* 12-digit commits, 7-digit ones, none, then the base and the last revision only. */
		for (try = 0; try < 4; try++) {
			static const int clen[] = { 12, 7, 0, 0 };
			char *k = kernel_of(b, clen[try]);

			free(s);
			s = xstrfmt("Kernels: base %s", k);
			free(k);
			for (i = try == 3 && r->nr_patched > 1 ? r->nr_patched - 1 : 0;
			     i < r->nr_patched; i++) {
				char *p = kernel_of(&r->patched[i], clen[try]), *t;

				if (r->opts.series)
					t = xstrfmt("%s, %sv%u %s", s, try == 3 ? "... " : "",
						    r->revisions[i], p);
				else
					t = xstrfmt("%s, patched %s", s, p);
				free(p);
				free(s);
				s = t;
			}
			if (strlen(s) <= HEADER_WIDTH)
				break;
		}
		break;
	case 2: {
		char *acc = xstrdup("Setup:  "), *t;

#define ADD(...) (t = xstrfmt(__VA_ARGS__), free(acc), acc = t)
		if (has_backend(r, "zram"))
			ADD("%s zram %s;", acc, any_fact(r, FACT_ZRAM_COMP));
		if (has_backend(r, "zswap"))
		{
			/* What the env records say; nothing where they say nothing. */
			const char *c = any_fact(r, FACT_ZSWAP_COMP), *p = any_fact(r, FACT_ZSWAP_POOL);

			ADD("%s zswap%s%s%s%s%s;", acc, strcmp(c, "?") ? " " : "", strcmp(c, "?") ? c : "",
			    strcmp(p, "?") ? ", pool " : "", strcmp(p, "?") ? p : "",
			    strcmp(p, "?") ? "%" : "");
		}
		ADD("%s THP %s;", acc, fact(b, FACT_THP));
		if (!strcmp(fact(b, FACT_FILL), "varied") && strtod(fact(b, FACT_RATIO), NULL) > 0)
			ADD("%s fill varied %g:1", acc, strtod(fact(b, FACT_RATIO), NULL));
		else
			ADD("%s fill %s", acc, fact(b, FACT_FILL));
		if (any_load(r))
			ADD("%s; load %s", acc, fact(b, FACT_LOAD));
#undef ADD
		s = acc;
		break;
	}
	default: {
		const char *runs = fact(b, FACT_RUNS);
		int same = 1, interleaved = 1;

		for (i = 0; i < r->nr_patched; i++)
			same = same && r->patched[i].runs == b->runs &&
			       !strcmp(fact(&r->patched[i], FACT_RUNS), runs);
		for (i = 0; i < r->nr_rows; i++)
			if (r->rows[i].flags & ROW_NOT_INTERLEAVED)
				interleaved = 0;
		if (same) {
			/* Boots per cell: a side can hold runs of several plans
			 * (make run's two), each cell only its own plan's boots. */
			size_t lo = 0, hi = 0, n;
			char boots[48];

			for (i = 0; i < r->nr_rows; i++) {
				if (!r->rows[i].compared)
					continue;
				n = r->rows[i].v.inv_base;
				if (!lo || n < lo)
					lo = n;
				if (n > hi)
					hi = n;
			}
			if (!lo)
				lo = hi = b->runs;
			if (lo == hi)
				snprintf(boots, sizeof(boots), "%zu boot%s", lo, lo == 1 ? "" : "s");
			else
				snprintf(boots, sizeof(boots), "%zu-%zu boots", lo, hi);
			s = xstrfmt("n:       %s x %s runs per side%s", boots, runs,
				    interleaved ? "" : " (NOT interleaved)");
		} else {
			s = xstrfmt("n:       base %zu x %s", b->runs, runs);
			for (i = 0; i < r->nr_patched; i++) {
				char *t = r->opts.series
						  ? xstrfmt("%s, v%u %zu x %s", s, r->revisions[i],
							    r->patched[i].runs,
							    fact(&r->patched[i], FACT_RUNS))
						  : xstrfmt("%s, patched %zu x %s", s, r->patched[i].runs,
							    fact(&r->patched[i], FACT_RUNS));
				free(s);
				s = t;
			}
			if (strlen(s) + 14 <= HEADER_WIDTH) {
				char *t = xstrfmt("%s boots x runs", s);

				free(s);
				s = t;
			}
		}
		break;
	}
	}
	/* Never wider than a mail line: cut what still does not fit. */
	if (strlen(s) > HEADER_WIDTH)
		strcpy(s + HEADER_WIDTH - 3, "...");
	return s;
}

/* The cell in words: "single-process munmap of 256MB zram". */
static char *cell_words(const struct report_row *row)
{
	char sz[32];

	report_size(row->size, sz, sizeof(sz));
	if (row->procs == 1)
		return xstrfmt("single-process munmap of %s %s%s%s", sz, row->backend,
			       strcmp(row->load, "none") ? " under " : "",
			       strcmp(row->load, "none") ? row->load : "");
	return xstrfmt("%u-process munmap of %s %s%s%s", row->procs, sz, row->backend,
		       strcmp(row->load, "none") ? " under " : "",
		       strcmp(row->load, "none") ? row->load : "");
}

static char *cell_short(const struct report_row *row)
{
	char sz[32];

	report_size(row->size, sz, sizeof(sz));
	return xstrfmt("%s%s%s %s %up", row->backend, strcmp(row->load, "none") ? "/" : "",
		       strcmp(row->load, "none") ? row->load : "", sz, row->procs);
}

static void append(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **s, const char *fmt, ...)
{
	va_list ap;
	char *add, *t;

	va_start(ap, fmt);
	add = xvstrfmt(fmt, ap);
	va_end(ap);
	t = xstrfmt("%s%s", *s, add);
	free(*s);
	free(add);
	*s = t;
}

char *report_summary(const struct report *r, const char *who)
{
	/* The latest revision's rows (--series), else all. */
	unsigned rev = r->opts.series && r->nr_revisions ? r->revisions[r->nr_revisions - 1] : 0;
	char *s = xstrfmt("%s", who), *t;
	size_t i, j, nslow = 0, nfast_all = 0, clauses = 0;
	const char *backends[8];
	size_t nb = 0;

	for (i = 0; i < r->nr_rows; i++) {
		for (j = 0; j < nb && strcmp(backends[j], r->rows[i].backend); j++)
			;
		if (j == nb && nb < ARRAY_SIZE(backends))
			backends[nb++] = r->rows[i].backend;
	}
	for (j = 0; j < nb; j++) {
		const struct report_row *best = NULL;
		size_t nfast = 0, nrows = 0;
		double lo = 0, hi = 0;

		for (i = 0; i < r->nr_rows; i++) {
			const struct report_row *row = &r->rows[i];

			if (strcmp(row->backend, backends[j]) || row->revision != rev || !row->compared)
				continue;
			nrows++;
			if (row->v.dir != DIR_FASTER)
				continue;
			if (!nfast || row->v.estimate < lo)
				lo = row->v.estimate;
			if (!nfast || row->v.estimate > hi)
				hi = row->v.estimate;
			if (!best || row->v.estimate > best->v.estimate)
				best = row;
			nfast++;
		}
		nfast_all += nfast;
		if (best) {
			t = cell_words(best);
			/* "v2 makes A 3.1x faster (...); B 2.0x faster (...)" */
			append(&s, "%s %s %.1fx faster", clauses ? ";" : " makes", t, best->v.estimate);
			free(t);
			if (nfast > 1 && (int)(lo * 100 + 0.5) == (int)(hi * 100 + 0.5))
				append(&s, " (%zu of %zu %s rows faster, each %.2fx)", nfast, nrows,
				       backends[j], lo);
			else if (nfast > 1)
				append(&s, " (%zu of %zu %s rows faster, %.2fx-%.2fx)", nfast, nrows,
				       backends[j], lo, hi);
		} else if (nrows) {
			append(&s, "%s no significant speedup for %s", clauses ? ";" : ":", backends[j]);
		}
		clauses++;
	}
	for (i = 0; i < r->nr_rows; i++)
		nslow += r->rows[i].revision == rev && r->rows[i].v.dir == DIR_SLOWER;
	for (i = 0; i < r->nr_fio; i++)
		for (j = 0; j < NR_FIO_METRICS; j++)
			nslow += r->fio[i].revision == rev && r->fio[i].v[j].dir == DIR_SLOWER;
	if (nslow) {
		size_t shown = 0;

		append(&s, "; %zu row%s slower:", nslow, nslow == 1 ? "" : "s");
		for (i = 0; i < r->nr_rows; i++) {
			const struct report_row *row = &r->rows[i];

			if (row->revision != rev || row->v.dir != DIR_SLOWER)
				continue;
			if (shown++ == 4) {
				append(&s, " ...");
				break;
			}
			t = cell_short(row);
			append(&s, "%s %s (%+.1f%%)", shown > 1 ? "," : "", t, row->v.change_pct);
			free(t);
		}
		for (i = 0; i < r->nr_fio && shown < 5; i++)
			for (j = 0; j < NR_FIO_METRICS; j++)
				if (r->fio[i].revision == rev && r->fio[i].v[j].dir == DIR_SLOWER) {
					static const char *const m[] = { "bandwidth", "IOPS", "latency" };

					char job[128];

					append(&s, "%s fio %s %s (%+.1f%%)", shown++ ? "," : "",
					       report_fio_job(&r->fio[i], job, sizeof(job)), m[j],
					       r->fio[i].v[j].change_pct);
				}
	} else if (nfast_all) {
		append(&s, "; no row slower");
	}
	append(&s, ".");
	if (r->nr_mde) {
		append(&s, " Changes smaller than");
		for (i = 0; i < r->nr_mde; i++)
			append(&s, "%s %.0f%% (%s)", i ? (i + 1 == r->nr_mde ? " or" : ",") : "",
			       r->mde[i].pct, r->mde[i].backend);
		append(&s, " would not have been seen.");
	}
	return s;
}

char **report_method_lines(const struct report *r)
{
	char *text = NULL, *mde = xstrdup(""), **lines;
	int variant;
	const char *figure = r->opts.figure == REPORT_FIGURE_MAX
				     ? "slowest of the N processes"
				     : "mean of the N processes";
	size_t i, n;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	for (i = 0; i < r->nr_mde; i++)
		append(&mde, "%s %s %.0f%%", i ? "," : "", r->mde[i].backend, r->mde[i].pct);
	/* The full wording, then shorter ones until it fits four lines. */
	for (variant = 0; variant < 3; variant++) {
		char effect[64] = "";

		if (r->opts.min_effect_pct > 0)
			snprintf(effect, sizeof(effect), ", |change| >= %g%%", r->opts.min_effect_pct);
		free(text);
		text = xstrfmt("%s (multi Np: %s); Change: patched vs base time, - is faster."
			       " Marked faster/slower: %s, %s, alpha %g%s; %.3g%% CI of the speedup.%s%s%s",
			       variant < 2 ? "Base, Patched: median munmap() time over runs"
					   : "Medians over runs",
			       figure, r->method ? r->method : "Mann-Whitney U",
			       r->correction ? r->correction : "no correction", r->opts.alpha, effect,
			       100 * report_ci_level(r),
			       !r->nr_mde ? "" : variant == 0 ? " Smallest change these runs can show"
								" (80% power):"
							      : " Detectable:",
			       mde, r->nr_mde ? "." : "");
		if (report_wrap(NULL, "", text, 0, HEADER_WIDTH) <= 4)
			break;
	}
	f = open_memstream(&buf, &len);
	report_wrap(f, "", text, 0, HEADER_WIDTH);
	fclose(f);
	free(text);
	free(mde);
	/* As lines. */
	for (n = 0, i = 0; buf[i]; i++)
		n += buf[i] == '\n';
	lines = xcalloc(n + 1, sizeof(*lines));
	for (n = 0, text = buf; *text;) {
		size_t l = strcspn(text, "\n");

		lines[n++] = xstrfmt("%.*s", (int)l, text);
		text += l + (text[l] == '\n');
	}
	free(buf);
	return lines;
}

const char *report_fio_job(const struct report_fio_row *f, char *buf, size_t len)
{
	size_t l = strlen(f->job);

	if (l > 4 && !strcmp(f->job + l - 4, ".fio"))
		l -= 4;
	snprintf(buf, len, "%.*s", (int)l, f->job);
	return buf;
}
