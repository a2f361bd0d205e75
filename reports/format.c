/*
 * reports/format.c - what every report format shares: the seed's
 * notation for times, sizes and modes, table titles, and the footer
 * notes that say what each figure is, which interval and test (with
 * alpha) were used, and which kernels ran on which device.
 */
#include "reports/report.h"
#include "common/util.h"

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

	if (t->kind == TABLE_MODES) {
		snprintf(buf, len, "%s for %s swap-filled VMA (%s backend)", what,
			 report_size(t->size, sz, sizeof(sz)), t->backend);
		return buf;
	}
	if (t->procs == 1)
		snprintf(pr, sizeof(pr), "single process");
	else
		snprintf(pr, sizeof(pr), "%u processes", t->procs);
	if (distinct_sizes(t) == 1)
		snprintf(buf, len, "%s for %s swap-filled VMA (%s, %s)", what,
			 report_size(t->rows[0]->size, sz, sizeof(sz)), t->backend, pr);
	else
		snprintf(buf, len, "%s for different sizes (%s, %s)", what, t->backend, pr);
	return buf;
}

const char *report_row_key(const struct report_table *t, const struct report_row *row,
			   char *buf, size_t len)
{
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
	note(&ns, xstrfmt("* = significant: %s.", report_method_test(r, test, sizeof(test))));
	if (series)
		note(&ns, xstrfmt("vs prev: this revision's Patched median against the previous"
				  " revision's (+ = slower, a regression); * = significant by the"
				  " same test."));
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
