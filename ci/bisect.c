/*
 * ci/bisect.c - `swaplab bisect` (see bisect.h): the step rule, the
 * confirmation of the ends, git bisect driven through argv in a
 * --no-checkout worktree, every step recorded in the database, resume,
 * status and the result's evidence table.  Building is ci/kbuild.c's
 * (cached artifacts), booting lab/device.h's, storing db_import_jsonl's,
 * deciding reports/compare.c's.
 */
#include "ci/bisect.h"
#include "ci/kbuild.h"
#include "db/db.h"
#include "lab/device.h"
#include "common/sbuf.h"
#include "common/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the rule ---- */

const char *bisect_verdict_name(enum bisect_verdict v)
{
	static const char *const n[] = { "good", "bad", "more", "skip" };

	return n[v];
}

static const char *outcome_name(enum compare_outcome o)
{
	return o == COMPARE_CHANGED ? "changed" : o == COMPARE_UNCHANGED ? "unchanged" : "undecided";
}

static void fmt_cmp(char *buf, size_t len, const char *what, const struct compare_result *r)
{
	if (r->v.ci_ok)
		snprintf(buf, len, "%s %s %+.1f%% [%+.1f%%, %+.1f%%]", what, outcome_name(r->outcome),
			 r->change_pct, r->lo_pct, r->hi_pct);
	else
		snprintf(buf, len, "%s %s (%s)", what, outcome_name(r->outcome), r->why);
}

/* A change in percent (+ = slower) as seen in the watched direction. */
static double watched(double change_pct, enum compare_dir dir)
{
	return dir == COMPARE_SLOWER ? change_pct : -change_pct;
}

void bisect_classify(const double *good, size_t ng, const double *bad, size_t nb,
		     const double *step, size_t ns, unsigned max_boots, double alpha,
		     double threshold_pct, enum compare_dir dir, struct bisect_class *c)
{
	char a[96], b[96];

	memset(c, 0, sizeof(*c));
	compare_decide(good, ng, bad, nb, alpha, threshold_pct, dir, &c->ends);
	compare_decide(good, ng, step, ns, alpha, threshold_pct, dir, &c->vs_good);
	compare_decide(step, ns, bad, nb, alpha, threshold_pct, dir, &c->vs_bad);
	fmt_cmp(a, sizeof(a), "vs good end:", &c->vs_good);
	fmt_cmp(b, sizeof(b), "bad end vs it:", &c->vs_bad);
	if (c->ends.outcome != COMPARE_CHANGED) {
		char e[96];

		fmt_cmp(e, sizeof(e), "good -> bad:", &c->ends);
		c->verdict = BISECT_SKIP;
		snprintf(c->why, sizeof(c->why),
			 "the ends no longer differ beyond the threshold with all their boots (%s):"
			 " the device drifted; cannot classify", e);
		return;
	}
	if (c->vs_good.outcome == COMPARE_CHANGED) {
		c->verdict = BISECT_BAD;
		snprintf(c->why, sizeof(c->why), "changed against the good end (%s; %s), n = %zu", a, b,
			 ns);
	} else if (c->vs_bad.outcome == COMPARE_CHANGED &&
		   (c->vs_good.outcome == COMPARE_UNCHANGED ||
		    (c->vs_good.v.ci_ok && watched(c->vs_good.change_pct, dir) < threshold_pct / 2))) {
		c->verdict = BISECT_GOOD;
		snprintf(c->why, sizeof(c->why), "like the good end (%s; %s), n = %zu", a, b, ns);
	} else if (ns < max_boots) {
		c->verdict = BISECT_MORE;
		snprintf(c->why, sizeof(c->why), "cannot tell with %zu boots (%s; %s)", ns, a, b);
	} else {
		c->verdict = BISECT_SKIP;
		snprintf(c->why, sizeof(c->why), "cannot tell with %zu boots, the most allowed (%s; %s)",
			 ns, a, b);
	}
}

/* ---- git ---- */

static char *dupn(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* git -C dir args... with stdout captured (and stderr kept), the status. */
static int git_out(const char *dir, const char *const *args, char **out)
{
	const char *argv[16];
	size_t i = 0, j;

	argv[i++] = "git";
	argv[i++] = "-C";
	argv[i++] = dir;
	for (j = 0; args[j] && i < ARRAY_SIZE(argv) - 1; j++)
		argv[i++] = args[j];
	argv[i] = NULL;
	return run_argv_capture(argv, out);
}

static char *git_subject(const char *dir, const char *sha)
{
	char *out = NULL;
	const char *a[] = { "log", "-1", "--format=%s", sha, NULL };

	if (git_out(dir, a, &out) != 0) {
		free(out);
		return xstrdup("?");
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* Commits in from..to, or -1. */
static long git_count(const char *dir, const char *from, const char *to)
{
	char *range = xstrfmt("%s..%s", from, to), *out = NULL;
	const char *a[] = { "rev-list", "--count", range, NULL };
	long n = -1;

	if (git_out(dir, a, &out) == 0)
		n = strtol(out, NULL, 10);
	free(range);
	free(out);
	return n;
}

/* ---- the session's context ---- */

struct ctx {
	struct db *db;
	struct db_bisect b;
	const struct bisect_opts *o;
	struct compare_cell cell;
	char *plan_argv[12];
	struct lab_plan plan;
	struct lab_device dev;
	int dev_ok;
	char *workdir;
	char *good_label, *bad_label;
	unsigned built, boots;   /* spent by this process */
};

static enum compare_dir ctx_dir(const struct ctx *c)
{
	return strcmp(c->b.direction, "faster") ? COMPARE_SLOWER : COMPARE_FASTER;
}

static char *step_label(int64_t id, const char *sha)
{
	return xstrfmt("bisect/%lld/%.12s", (long long)id, sha);
}

static void make_plan(struct ctx *c, unsigned runs)
{
	char size[32];
	char *p;
	size_t i = 0;

	compare_cell_name(&c->cell, size, sizeof(size));
	/* "zram/16M/1": the middle part is the size. */
	p = strchr(size, '/') + 1;
	p[strcspn(p, "/")] = '\0';
	c->plan_argv[i++] = xstrdup("--backend");
	c->plan_argv[i++] = xstrdup(c->cell.backend);
	c->plan_argv[i++] = xstrdup("--sizes");
	c->plan_argv[i++] = xstrdup(p);
	c->plan_argv[i++] = xstrdup("--procs");
	c->plan_argv[i++] = xstrfmt("%u", c->cell.procs);
	c->plan_argv[i++] = xstrdup("--runs");
	c->plan_argv[i++] = xstrfmt("%u", runs ? runs : 3);
	c->plan_argv[i] = NULL;
	c->plan.argv = c->plan_argv;
	c->plan.argc = i;
}

static char *plan_string(const struct ctx *c)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	for (i = 0; i < c->plan.argc; i++)
		sb_addf(&sb, "%s%s", i ? " " : "", c->plan.argv[i]);
	return sb_detach(&sb, NULL);
}

static int ctx_open(struct ctx *c, struct db *db, int64_t id, const struct bisect_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->db = db;
	c->o = o;
	if (db_bisect_get(db, id, &c->b) != 0)
		return error("no bisect session %lld in '%s'", (long long)id, db_path(db));
	if (compare_parse_cell(c->b.metric, &c->cell) < 0)
		return -1;
	/* The stored plan's runs (the last word). */
	{
		const char *r = strrchr(c->b.plan, ' ');

		make_plan(c, r ? (unsigned)strtoul(r + 1, NULL, 10) : 3);
	}
	c->good_label = step_label(c->b.id, c->b.good);
	c->bad_label = step_label(c->b.id, c->b.bad);
	return 0;
}

static void ctx_release(struct ctx *c)
{
	size_t i;

	if (c->dev_ok)
		lab_device_release(&c->dev);
	if (c->workdir)
		rm_rf(c->workdir);
	free(c->workdir);
	for (i = 0; c->plan_argv[i]; i++)
		free(c->plan_argv[i]);
	free(c->good_label);
	free(c->bad_label);
	db_bisect_release(&c->b);
}

/* The stored step of sha (a fresh pending one when there is none). */
static int step_get(struct ctx *c, const char *sha, const char *role, struct db_bisect_step *out)
{
	struct db_bisect_step *s;
	size_t n, i;

	memset(out, 0, sizeof(*out));
	if (db_bisect_steps(c->db, c->b.id, &s, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (!strcmp(s[i].commit, sha)) {
			*out = s[i];
			memset(&s[i], 0, sizeof(s[i]));
			break;
		}
	db_bisect_steps_free(s, n);
	if (!out->commit) {
		out->commit = xstrdup(sha);
		out->role = xstrdup(role);
		out->label = step_label(c->b.id, sha);
		out->build = xstrdup("");
		out->decision = xstrdup("pending");
		out->why = xstrdup("");
		if (db_bisect_step_put(c->db, c->b.id, out) < 0)
			return -1;
	}
	return 0;
}

static void step_release(struct db_bisect_step *s)
{
	free(s->commit);
	free(s->role);
	free(s->label);
	free(s->build);
	free(s->decision);
	free(s->why);
	memset(s, 0, sizeof(*s));
}

static void set_str(char **p, const char *v)
{
	char *n = xstrdup(v);   /* v may be *p itself */

	free(*p);
	*p = n;
}

static int step_decide(struct ctx *c, struct db_bisect_step *s, const char *decision,
		       const char *why)
{
	set_str(&s->decision, decision);
	set_str(&s->why, why);
	return db_bisect_step_put(c->db, c->b.id, s);
}

/* 0 built (a filled), 1 does not build (s->why says why), -1 error. */
static int step_build(struct ctx *c, struct db_bisect_step *s, struct kbuild_artifact *a)
{
	struct kbuild_request r;

	memset(&r, 0, sizeof(r));
	memset(a, 0, sizeof(*a));
	r.tree = c->b.tree;
	r.commit = s->commit;
	r.arch = c->o->arch ? c->o->arch : "x86_64";
	if (c->o->progress)
		info("bisect: building %.12s", s->commit);
	if (kbuild_build(&r, a) < 0) {
		if (!a->status)
			return error("cannot build %.12s (nothing recorded)", s->commit);
		set_str(&s->build, "failed");
		{
			char *why = xstrfmt("does not build%s%s", a->message ? ": " : "",
					    a->message ? a->message : "");

			set_str(&s->why, why);
			free(why);
		}
		if (db_bisect_step_put(c->db, c->b.id, s) < 0)
			return -1;
		c->built++;
		return 1;
	}
	if (!*s->build) {
		set_str(&s->build, a->reused ? "reused" : "built");
		if (!a->reused)
			c->built++;
		if (db_bisect_step_put(c->db, c->b.id, s) < 0)
			return -1;
	}
	if (c->o->progress)
		info("bisect: %.12s: %s (%s)", s->commit, a->image, a->reused ? "reused" : "built");
	return 0;
}

/* One boot of s stored under its label: 0, 1 the kernel failed to run the plan (why), -1 error. */
static int step_boot(struct ctx *c, struct db_bisect_step *s, const struct kbuild_artifact *a,
		     char **why)
{
	const char *kind = c->b.device;
	struct lab_kernel k = { a->image, a->dtb, a->modules, s->role, s->commit };
	struct db_import_opts io;
	struct lab_result lr;
	char *wd;
	int attempt, ret = -1;

	*why = NULL;
	if (!c->dev_ok) {
		if (lab_device_init(&c->dev, kind, NULL, c->o->device_options) < 0)
			return error("cannot set up the %s device", kind);
		c->dev_ok = 1;
	}
	if (!c->workdir && !(c->workdir = make_work_dir("bisect")))
		return -1;
	for (attempt = 1; attempt <= 2; attempt++) {
		wd = xstrfmt("%s/%.12s-%u-%d", c->workdir, s->commit, s->boots + 1, attempt);
		if (c->o->progress)
			info("bisect: boot %u of %.12s (%s) on %s", s->boots + 1, s->commit, s->role, kind);
		memset(&lr, 0, sizeof(lr));
		if (lab_device_run(&c->dev, &c->plan, &k, wd, &lr) < 0) {
			free(wd);
			lab_result_release(&lr);
			return error("the %s device cannot run this plan", kind);
		}
		c->boots++;
		if (lr.status == LAB_COMPLETE) {
			memset(&io, 0, sizeof(io));
			io.commit = s->commit;
			io.config_fingerprint = NULL;
			io.device_kind = c->dev.ops->kind;
			io.job = lr.job_id;
			if (db_import_jsonl(c->db, lr.jsonl_path, s->label, &io, NULL) < 0) {
				error("cannot store boot %u of %.12s", s->boots + 1, s->commit);
			} else {
				s->boots++;
				ret = db_bisect_step_put(c->db, c->b.id, s) < 0 ? -1 : 0;
			}
			rm_rf(wd);
			free(wd);
			lab_result_release(&lr);
			return ret;
		}
		if (lr.status == LAB_INFRA_ERROR && attempt == 1) {
			warning("boot of %.12s: %s%s%s (files in %s); trying once more", s->commit,
				lab_status_name(lr.status), lr.message ? ": " : "",
				lr.message ? lr.message : "", wd);
			free(wd);
			lab_result_release(&lr);
			continue;
		}
		*why = xstrfmt("does not boot or run the plan: %s%s%s (files in %s)",
			       lab_status_name(lr.status), lr.message ? ": " : "",
			       lr.message ? lr.message : "", wd);
		free(wd);
		lab_result_release(&lr);
		return 1;
	}
	return -1;
}

/* The boot figures of label a and label b of the session's cell (both may be empty). */
static int figures(struct ctx *c, const char *la, unsigned na, const char *lb, unsigned nb,
		   struct compare_data *d)
{
	struct report_opts ro;

	memset(d, 0, sizeof(*d));
	if (!na || !nb) {
		/* A label without runs is an error to report_build(): read what is there. */
		if (!na && !nb)
			return 0;
		if (figures(c, na ? la : lb, 1, na ? la : lb, 1, d) < 0)
			return -1;
		if (!na) {
			free(d->x);
			d->x = NULL;
			d->nx = 0;
		} else {
			free(d->y);
			d->y = NULL;
			d->ny = 0;
		}
		return 0;
	}
	memset(&ro, 0, sizeof(ro));
	ro.base = la;
	ro.patched = lb;
	ro.alpha = c->o->alpha > 0 ? c->o->alpha : 0.05;
	ro.min_effect_pct = -1;
	if (compare_cell_data(c->db, &ro, &c->cell, d))
		return error("cannot read the boots of '%s' and '%s'", la, lb);
	return 0;
}

/* ---- confirmation ---- */

/* Builds and boots both ends up to n boots each, interleaved.  0, 1 (why set), -1. */
static int ends_measure(struct ctx *c, struct db_bisect_step *g, struct db_bisect_step *b,
			unsigned n, char **why)
{
	struct kbuild_artifact ag, ab;
	int r, ret = -1;

	memset(&ag, 0, sizeof(ag));
	memset(&ab, 0, sizeof(ab));
	*why = NULL;
	if ((r = step_build(c, g, &ag)) != 0 || (r = step_build(c, b, &ab)) != 0) {
		if (r > 0)
			*why = xstrfmt("the %s end %.12s %s", !strcmp(g->build, "failed") ? "good" : "bad",
				       !strcmp(g->build, "failed") ? g->commit : b->commit,
				       !strcmp(g->build, "failed") ? g->why : b->why);
		ret = r;
		goto out;
	}
	while (g->boots < n || b->boots < n) {
		struct db_bisect_step *s = g->boots <= b->boots ? g : b;

		r = step_boot(c, s, s == g ? &ag : &ab, why);
		if (r) {
			if (r > 0) {
				char *w = xstrfmt("the %s end %.12s %s", s->role, s->commit, *why);

				free(*why);
				*why = w;
			}
			ret = r;
			goto out;
		}
	}
	ret = 0;
out:
	kbuild_artifact_release(&ag);
	kbuild_artifact_release(&ab);
	return ret;
}

static int stop(struct ctx *c, const char *msg)
{
	error("bisect: %s", msg);
	db_bisect_set_state(c->db, c->b.id, "stopped", NULL, msg);
	return 1;
}

/* 0 confirmed (state bisecting), 1 stopped (state stopped), -1 error. */
static int confirm(struct ctx *c)
{
	struct db_bisect_step g, b;
	struct compare_result res, other;
	struct compare_data d;
	unsigned n = c->b.confirm_boots;
	char *why = NULL, line[256];
	int r, ret = -1;

	memset(&g, 0, sizeof(g));
	memset(&b, 0, sizeof(b));
	if (step_get(c, c->b.good, "good", &g) < 0 || step_get(c, c->b.bad, "bad", &b) < 0)
		goto out;
	for (;;) {
		r = ends_measure(c, &g, &b, n, &why);
		if (r) {
			if (r > 0) {
				char *m = xstrfmt("cannot confirm: %s", why);

				ret = stop(c, m);
				free(m);
			}
			goto out;
		}
		if (figures(c, c->good_label, g.boots, c->bad_label, b.boots, &d) < 0)
			goto out;
		compare_decide(d.x, d.nx, d.y, d.ny, c->o->alpha > 0 ? c->o->alpha : 0.05,
			       c->b.threshold_pct, ctx_dir(c), &res);
		compare_decide(d.x, d.nx, d.y, d.ny, c->o->alpha > 0 ? c->o->alpha : 0.05,
			       c->b.threshold_pct, ctx_dir(c) == COMPARE_SLOWER ? COMPARE_FASTER
			       : COMPARE_SLOWER, &other);
		compare_data_release(&d);
		fmt_cmp(line, sizeof(line), "good -> bad", &res);
		if (c->o->progress)
			info("bisect: confirm with %u/%u boots: %s", g.boots, b.boots, line);
		if (res.outcome == COMPARE_CHANGED) {
			char *w = xstrfmt("confirmed end: %s, n = %u/%u", line, g.boots, b.boots);

			if (step_decide(c, &g, "good", w) < 0 || step_decide(c, &b, "bad", w) < 0 ||
			    db_bisect_set_state(c->db, c->b.id, "bisecting", NULL, w) < 0) {
				free(w);
				goto out;
			}
			free(w);
			set_str(&c->b.state, "bisecting");
			ret = 0;
			goto out;
		}
		if (other.outcome == COMPARE_CHANGED || (res.outcome == COMPARE_UNCHANGED &&
							 res.change_pct * (ctx_dir(c) == COMPARE_SLOWER ? 1 : -1) < 0)) {
			char *m = xstrfmt("nothing to bisect: the change goes the other way (%s, %s %g%%"
					  " watched, n = %u/%u boots)", line, c->b.direction,
					  c->b.threshold_pct, g.boots, b.boots);

			ret = stop(c, m);
			free(m);
			goto out;
		}
		if (res.outcome == COMPARE_UNCHANGED) {
			char *m = xstrfmt("nothing to bisect: no change beyond %g%% %s between the ends"
					  " (%s, n = %u/%u boots)", c->b.threshold_pct, c->b.direction,
					  line, g.boots, b.boots);

			ret = stop(c, m);
			free(m);
			goto out;
		}
		if (n >= c->b.max_boots) {
			char *m = xstrfmt("cannot confirm a change between the ends with %u boots each"
					  " (%s)", n, line);

			ret = stop(c, m);
			free(m);
			goto out;
		}
		n++;
	}
out:
	free(why);
	step_release(&g);
	step_release(&b);
	return ret;
}

/* ---- one step ---- */

/* One more boot of each end that has fewer than n (and fewer than max_boots). */
static int ends_more(struct ctx *c, struct db_bisect_step *g, struct db_bisect_step *b, unsigned n)
{
	struct db_bisect_step *e[2] = { g, b };
	int i, r;

	for (i = 0; i < 2; i++) {
		struct kbuild_artifact a;
		char *why = NULL;

		if (e[i]->boots >= n || e[i]->boots >= c->b.max_boots)
			continue;
		if ((r = step_build(c, e[i], &a)) == 0) {
			r = step_boot(c, e[i], &a, &why);
			if (r > 0)
				r = error("the %s end %.12s no longer boots: %s", e[i]->role,
					  e[i]->commit, why);
		}
		kbuild_artifact_release(&a);
		free(why);
		if (r)
			return -1;
	}
	return 0;
}

/* The verdict of sha (measured as needed and recorded), or -1. */
static int classify_commit(struct ctx *c, const char *sha)
{
	struct db_bisect_step s, g, b;
	struct kbuild_artifact a;
	struct bisect_class cl;
	int r, ret = -1;
	char *why = NULL;

	memset(&a, 0, sizeof(a));
	memset(&g, 0, sizeof(g));
	memset(&b, 0, sizeof(b));
	if (!strcmp(sha, c->b.good))
		return BISECT_GOOD;
	if (!strcmp(sha, c->b.bad))
		return BISECT_BAD;
	if (step_get(c, sha, "step", &s) < 0)
		return -1;
	if (!strcmp(s.decision, "good") || !strcmp(s.decision, "bad") || !strcmp(s.decision, "skip")) {
		ret = !strcmp(s.decision, "good") ? BISECT_GOOD
		      : !strcmp(s.decision, "bad") ? BISECT_BAD : BISECT_SKIP;
		goto out;
	}
	if (step_get(c, c->b.good, "good", &g) < 0 || step_get(c, c->b.bad, "bad", &b) < 0)
		goto out;
	r = step_build(c, &s, &a);
	if (r < 0)
		goto out;
	if (r > 0) {
		ret = step_decide(c, &s, "skip", s.why) < 0 ? -1 : BISECT_SKIP;
		goto out;
	}
	for (;;) {
		struct compare_data dg, db;

		while (s.boots < c->b.confirm_boots) {
			r = step_boot(c, &s, &a, &why);
			if (r < 0)
				goto out;
			if (r > 0) {
				ret = step_decide(c, &s, "skip", why) < 0 ? -1 : BISECT_SKIP;
				goto out;
			}
		}
		if (figures(c, c->good_label, g.boots, s.label, s.boots, &dg) < 0)
			goto out;
		if (figures(c, c->good_label, g.boots, c->bad_label, b.boots, &db) < 0) {
			compare_data_release(&dg);
			goto out;
		}
		bisect_classify(dg.x, dg.nx, db.y, db.ny, dg.y, dg.ny, c->b.max_boots,
				c->o->alpha > 0 ? c->o->alpha : 0.05, c->b.threshold_pct, ctx_dir(c), &cl);
		compare_data_release(&dg);
		compare_data_release(&db);
		if (c->o->progress)
			info("bisect: %.12s: %s: %s", sha, bisect_verdict_name(cl.verdict), cl.why);
		if (cl.verdict != BISECT_MORE) {
			ret = step_decide(c, &s, bisect_verdict_name(cl.verdict), cl.why) < 0
			      ? -1 : (int)cl.verdict;
			goto out;
		}
		set_str(&s.why, cl.why);
		r = step_boot(c, &s, &a, &why);
		if (r < 0)
			goto out;
		if (r > 0) {
			ret = step_decide(c, &s, "skip", why) < 0 ? -1 : BISECT_SKIP;
			goto out;
		}
		/* The ends as far as the step, interleaved with it: their intervals
		 * narrow for every later step, and a drift shows in them. */
		if (ends_more(c, &g, &b, s.boots) < 0)
			goto out;
	}
out:
	free(why);
	kbuild_artifact_release(&a);
	step_release(&s);
	step_release(&g);
	step_release(&b);
	return ret;
}

/* ---- git bisect ---- */

static int is_dir(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Runs `git bisect ARGS` in the worktree; *out its output.  -1 on failure. */
static int bisect_git(struct ctx *c, const char *const *args, char **out)
{
	const char *a[12];
	size_t i = 0, j;
	int st;

	a[i++] = "bisect";
	for (j = 0; args[j] && i < ARRAY_SIZE(a) - 1; j++)
		a[i++] = args[j];
	a[i] = NULL;
	free(*out);
	*out = NULL;
	st = git_out(c->b.worktree, a, out);
	if (st != 0 && !strstr(*out, "is the first new commit") && !strstr(*out, "skipped"))
		return error("git bisect %s in '%s' failed (exit %d)%s%s", args[0], c->b.worktree, st,
			     *out && **out ? ": " : "", *out ? *out : "");
	return 0;
}

/* A fresh git bisect in the session's worktree, marked from the recorded steps. */
static int git_replay(struct ctx *c, char **out)
{
	struct db_bisect_step *s;
	size_t n, i;
	int ret = 0;

	if (!is_dir(c->b.worktree)) {
		const char *prune[] = { "worktree", "prune", NULL };
		const char *add[] = { "worktree", "add", "-q", "--no-checkout", "--detach",
				      c->b.worktree, c->b.bad, NULL };
		char *o = NULL;

		git_out(c->b.tree, prune, &o);
		free(o);
		o = NULL;
		if (git_out(c->b.tree, add, &o) != 0) {
			free(o);
			return error("cannot make the bisect worktree '%s' of '%s'", c->b.worktree,
				     c->b.tree);
		}
		free(o);
	} else {
		/* Whatever state is there (none, or an interrupted bisect) goes. */
		const char *reset[] = { "bisect", "reset", NULL };

		free(*out);
		*out = NULL;
		git_out(c->b.worktree, reset, out);
	}
	{
		const char *start[] = { "start", "--no-checkout", "--term-old=old", "--term-new=new",
					c->b.bad, c->b.good, NULL };

		if (bisect_git(c, start, out) < 0)
			return -1;
	}
	if (db_bisect_steps(c->db, c->b.id, &s, &n) < 0)
		return -1;
	for (i = 0; i < n && !ret; i++) {
		const char *mark = !strcmp(s[i].decision, "good") ? "old"
				   : !strcmp(s[i].decision, "bad") ? "new"
				   : !strcmp(s[i].decision, "skip") ? "skip" : NULL;
		const char *a[] = { mark, s[i].commit, NULL };

		if (!mark || strcmp(s[i].role, "step"))
			continue;
		ret = bisect_git(c, a, out);
	}
	db_bisect_steps_free(s, n);
	return ret;
}

static void git_cleanup(struct ctx *c)
{
	const char *reset[] = { "reset", NULL };
	const char *rm[] = { "worktree", "remove", "--force", c->b.worktree, NULL };
	char *o = NULL;

	if (!*c->b.worktree || !is_dir(c->b.worktree))
		return;
	bisect_git(c, reset, &o);
	free(o);
	o = NULL;
	git_out(c->b.tree, rm, &o);
	free(o);
}

static enum bisect_end drive(struct ctx *c)
{
	char *out = NULL, *next = NULL;
	enum bisect_end ret = BISECT_FAILED;

	if (git_replay(c, &out) < 0)
		goto out;
	for (;;) {
		const char *p = strstr(out, " is the first new commit");
		int v;

		if (p) {
			const char *s = p;
			char *sha, *subj, *msg;

			while (s > out && s[-1] != '\n')
				s--;
			sha = dupn(s, (size_t)(p - s));
			subj = git_subject(c->b.tree, sha);
			msg = xstrfmt("first %s commit: %.12s (\"%s\")",
				      strcmp(c->b.direction, "faster") ? "slow" : "fast", sha, subj);
			if (db_bisect_set_state(c->db, c->b.id, "done", sha, msg) == 0)
				ret = BISECT_FOUND;
			free(sha);
			free(subj);
			free(msg);
			git_cleanup(c);
			goto out;
		}
		if (strstr(out, "only 'skip'ped commits left")) {
			char *m = xstrfmt("ambiguous: only skipped commits are left between the last old"
					  " and the first new one; git said:\n%s", out);

			db_bisect_set_state(c->db, c->b.id, "stopped", NULL, m);
			error("bisect: %s", m);
			free(m);
			git_cleanup(c);
			ret = BISECT_AMBIGUOUS;
			goto out;
		}
		free(next);
		next = kbuild_git_commit(c->b.worktree, "BISECT_HEAD");
		if (!next) {
			error("bisect: git has no commit to test (BISECT_HEAD) in '%s': %s",
			      c->b.worktree, out);
			goto out;
		}
		if (c->o->progress) {
			char *l = dupn(out, strcspn(out, "\n"));

			info("bisect: %s", l);
			free(l);
		}
		v = classify_commit(c, next);
		if (v < 0)
			goto out;
		{
			const char *a[] = { v == BISECT_GOOD ? "old" : v == BISECT_BAD ? "new" : "skip",
					    next, NULL };

			if (bisect_git(c, a, &out) < 0)
				goto out;
		}
	}
out:
	free(out);
	free(next);
	return ret;
}

/* ---- entry points ---- */

int bisect_new(struct db *db, const struct bisect_opts *o, int64_t *id)
{
	struct ctx c;
	struct compare_cell cell;
	char *good, *bad, *plan, *wt;
	int ret = -1;

	if (compare_parse_cell(o->metric, &cell) < 0)
		return -1;
	good = kbuild_git_commit(o->tree, o->good);
	bad = kbuild_git_commit(o->tree, o->bad);
	if (!good || !bad) {
		error("'%s' is not a commit of '%s'", !good ? o->good : o->bad, o->tree);
		goto out_revs;
	}
	if (!strcmp(good, bad) || git_count(o->tree, bad, good) != 0) {
		error("the good end %s must be an ancestor of the bad end %s", o->good, o->bad);
		goto out_revs;
	}
	memset(&c, 0, sizeof(c));
	c.cell = cell;
	make_plan(&c, o->runs);
	plan = plan_string(&c);
	{
		struct db_bisect b;

		memset(&b, 0, sizeof(b));
		b.tree = (char *)o->tree;
		b.worktree = (char *)"";
		b.good = good;
		b.bad = bad;
		b.metric = (char *)o->metric;
		b.threshold_pct = o->threshold_pct;
		b.direction = (char *)(o->dir == COMPARE_FASTER ? "faster" : "slower");
		b.device = (char *)(o->device ? o->device : "qemu");
		b.plan = plan;
		b.max_boots = o->max_boots ? o->max_boots : 8;
		b.confirm_boots = o->confirm_boots ? o->confirm_boots : 3;
		if (b.max_boots < b.confirm_boots)
			b.max_boots = b.confirm_boots;
		if (db_bisect_add(db, &b) >= 0) {
			*id = b.id;
			ret = 0;
		}
	}
	if (!ret) {
		/* The worktree is named by the session: set it now that the id is known. */
		/* Unique across databases: two sessions 1 of two files must not share it. */
		wt = xstrfmt("%s/worktrees/bisect-%lld.%ld.%lld", kbuild_home(), (long long)*id,
			     (long)getpid(), (long long)time(NULL));
		ret = db_bisect_set_worktree(db, *id, wt);
		free(wt);
	}
	free(plan);
	{
		size_t i;

		for (i = 0; c.plan_argv[i]; i++)
			free(c.plan_argv[i]);
	}
out_revs:
	free(good);
	free(bad);
	return ret;
}

int bisect_find(struct db *db, const struct bisect_opts *o, int64_t *id)
{
	char *good = kbuild_git_commit(o->tree, o->good), *bad = kbuild_git_commit(o->tree, o->bad);
	int64_t i;
	int ret = 1;

	if (!good || !bad) {
		free(good);
		free(bad);
		return error("'%s' is not a commit of '%s'", !good ? o->good : o->bad, o->tree);
	}
	/* Newest first. */
	{
		struct db_bisect b;

		if (db_bisect_get(db, 0, &b) != 0) {
			free(good);
			free(bad);
			return 1;
		}
		i = b.id;
		db_bisect_release(&b);
	}
	for (; i > 0 && ret == 1; i--) {
		struct db_bisect b;

		if (db_bisect_get(db, i, &b) != 0)
			continue;
		if (!strcmp(b.tree, o->tree) && !strcmp(b.good, good) && !strcmp(b.bad, bad) &&
		    !strcmp(b.metric, o->metric) &&
		    !strcmp(b.direction, o->dir == COMPARE_FASTER ? "faster" : "slower") &&
		    !strcmp(b.device, o->device ? o->device : "qemu") && strcmp(b.state, "stopped")) {
			*id = b.id;
			ret = 0;
		}
		db_bisect_release(&b);
	}
	free(good);
	free(bad);
	return ret;
}

enum bisect_end bisect_run(struct db *db, int64_t id, const struct bisect_opts *o)
{
	struct ctx c;
	enum bisect_end ret = BISECT_FAILED;
	int r;

	if (ctx_open(&c, db, id, o) < 0)
		goto out;
	if (!strcmp(c.b.state, "done")) {
		ret = BISECT_FOUND;
		goto out;
	}
	if (!strcmp(c.b.state, "stopped")) {
		error("bisect session %lld has stopped: %s", (long long)id, c.b.message);
		ret = BISECT_NOTHING;
		goto out;
	}
	if (!strcmp(c.b.state, "confirming")) {
		r = confirm(&c);
		if (r) {
			ret = r > 0 ? BISECT_NOTHING : BISECT_FAILED;
			goto out;
		}
	}
	ret = drive(&c);
out:
	ctx_release(&c);
	return ret;
}

int bisect_step_commit(struct db *db, int64_t id, const struct bisect_opts *o, const char *rev)
{
	struct ctx c;
	char *sha = NULL;
	int ret = -1, r;

	if (ctx_open(&c, db, id, o) < 0)
		goto out;
	if (!(sha = kbuild_git_commit(c.b.tree, rev))) {
		error("'%s' is not a commit of '%s'", rev, c.b.tree);
		goto out;
	}
	if (!strcmp(c.b.state, "confirming")) {
		r = confirm(&c);
		if (r)
			goto out;
	} else if (!strcmp(c.b.state, "stopped")) {
		error("bisect session %lld has stopped: %s", (long long)id, c.b.message);
		goto out;
	}
	ret = classify_commit(&c, sha);
out:
	free(sha);
	ctx_release(&c);
	return ret;
}

/* ---- status and result ---- */

static void spent(const struct db_bisect_step *s, size_t n, unsigned *builds, unsigned *built,
		  unsigned *failed, unsigned *boots)
{
	size_t i;

	*builds = *built = *failed = *boots = 0;
	for (i = 0; i < n; i++) {
		if (*s[i].build)
			(*builds)++;
		if (!strcmp(s[i].build, "built"))
			(*built)++;
		if (!strcmp(s[i].build, "failed"))
			(*failed)++;
		*boots += s[i].boots;
	}
}

int bisect_status(struct db *db, int64_t id, FILE *out)
{
	struct db_bisect b;
	struct db_bisect_step *s;
	size_t n, i;
	unsigned builds, built, failed, boots;
	int r = db_bisect_get(db, id, &b);

	if (r)
		return r < 0 ? -1 : error("no bisect session%s in '%s'", id ? " of that id" : "",
					  db_path(db));
	if (db_bisect_steps(db, b.id, &s, &n) < 0) {
		db_bisect_release(&b);
		return -1;
	}
	spent(s, n, &builds, &built, &failed, &boots);
	fprintf(out, "bisect %lld: %s\n", (long long)b.id, b.state);
	fprintf(out, "  tree %s, good %.12s, bad %.12s\n", b.tree, b.good, b.bad);
	fprintf(out, "  metric %s, %s by more than %g%%, device %s, plan: %s\n", b.metric,
		b.direction, b.threshold_pct, b.device, b.plan);
	fprintf(out, "  boots: %u per end and step at first, at most %u per commit\n",
		b.confirm_boots, b.max_boots);
	if (*b.message)
		fprintf(out, "  %s\n", b.message);
	fprintf(out, "  spent: %u builds asked (%u compiled, %u failed), %u boots\n", builds, built,
		failed, boots);
	fprintf(out, "  %-4s %-12s %-5s %-7s %5s %-8s %s\n", "seq", "commit", "role", "build", "boots",
		"decision", "why");
	for (i = 0; i < n; i++)
		fprintf(out, "  %-4u %.12s %-5s %-7s %5u %-8s %s\n", s[i].seq, s[i].commit, s[i].role,
			*s[i].build ? s[i].build : "-", s[i].boots, s[i].decision, s[i].why);
	if (!strcmp(b.state, "bisecting") && *b.worktree && is_dir(b.worktree)) {
		char *next = kbuild_git_commit(b.worktree, "BISECT_HEAD");

		if (next) {
			char *subj = git_subject(b.tree, next);

			fprintf(out, "  next: %.12s %s\n", next, subj);
			free(subj);
		}
		free(next);
	}
	db_bisect_steps_free(s, n);
	db_bisect_release(&b);
	return 0;
}

struct ev_row {
	const char *what;
	const struct db_bisect_step *s;
	double median;
	struct compare_result r;
	size_t n;
};

int bisect_report(struct db *db, int64_t id, int md, FILE *out)
{
	struct ctx c;
	struct bisect_opts o;
	struct db_bisect_step *s = NULL;
	size_t n = 0, i, k;
	struct ev_row rows[4];
	const struct db_bisect_step *last_good = NULL, *first_bad = NULL, *ge = NULL, *be = NULL;
	long best = -1;
	unsigned builds, built, failed, boots, skipped = 0;
	char *subj = NULL;
	int ret = -1;

	memset(&o, 0, sizeof(o));
	o.alpha = 0.05;
	if (ctx_open(&c, db, id, &o) < 0)
		goto out;
	if (db_bisect_steps(db, c.b.id, &s, &n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (!strcmp(s[i].role, "good"))
			ge = &s[i];
		else if (!strcmp(s[i].role, "bad"))
			be = &s[i];
		if (*c.b.result && !strcmp(s[i].commit, c.b.result))
			first_bad = &s[i];
		if (!strcmp(s[i].decision, "skip"))
			skipped++;
		if (!strcmp(s[i].decision, "good")) {
			long d = git_count(c.b.tree, c.b.good, s[i].commit);

			if (d > best) {
				best = d;
				last_good = &s[i];
			}
		}
	}
	spent(s, n, &builds, &built, &failed, &boots);
	if (strcmp(c.b.state, "done")) {
		fprintf(out, "bisect %lld is %s%s%s\n", (long long)c.b.id, c.b.state,
			*c.b.message ? ": " : "", c.b.message);
		ret = 0;
		goto out;
	}
	subj = git_subject(c.b.tree, c.b.result);
	k = 0;
	rows[k++] = (struct ev_row){ "good end", ge, 0, { 0 }, 0 };
	if (last_good && last_good != ge)
		rows[k++] = (struct ev_row){ "last good", last_good, 0, { 0 }, 0 };
	if (first_bad && first_bad != be)
		rows[k++] = (struct ev_row){ "first bad", first_bad, 0, { 0 }, 0 };
	rows[k++] = (struct ev_row){ first_bad == be ? "first bad = bad end" : "bad end", be, 0,
				     { 0 }, 0 };
	for (i = 0; i < k; i++) {
		struct compare_data d;

		if (!rows[i].s || !ge)
			continue;
		if (figures(&c, ge->label, ge->boots, rows[i].s->label, rows[i].s->boots, &d) < 0)
			goto out;
		rows[i].n = d.ny;
		rows[i].median = compare_median(d.y, d.ny);
		if (rows[i].s != ge)
			compare_decide(d.x, d.nx, d.y, d.ny, 0.05, c.b.threshold_pct, ctx_dir(&c),
				       &rows[i].r);
		compare_data_release(&d);
	}
	if (md) {
		fprintf(out, "## swaplab bisect %lld: %s %s\n\n", (long long)c.b.id, c.b.metric,
			c.b.direction);
		fprintf(out, "First %s commit: **%.12s** %s\n\n",
			strcmp(c.b.direction, "faster") ? "slow" : "fast", c.b.result, subj);
		fprintf(out, "| | commit | median | change vs good end (95%% CI) | n (boots) |\n");
		fprintf(out, "|---|---|---:|---|---:|\n");
	} else {
		fprintf(out, "swaplab bisect %lld: %s, %s by more than %g%%\n\n", (long long)c.b.id,
			c.b.metric, c.b.direction, c.b.threshold_pct);
		fprintf(out, "first %s commit: %.12s (\"%s\")\n\n",
			strcmp(c.b.direction, "faster") ? "slow" : "fast", c.b.result, subj);
		fprintf(out, "  %-19s %-12s %10s  %-28s %s\n", "", "commit", "median",
			"change vs good end (95% CI)", "n");
	}
	for (i = 0; i < k; i++) {
		char ms[32], ch[64];

		if (!rows[i].s)
			continue;
		snprintf(ms, sizeof(ms), "%.2fms", rows[i].median / 1e6);
		if (rows[i].s == ge)
			snprintf(ch, sizeof(ch), "-");
		else if (rows[i].r.v.ci_ok)
			snprintf(ch, sizeof(ch), "%+.1f%% [%+.1f%%, %+.1f%%]", rows[i].r.change_pct,
				 rows[i].r.lo_pct, rows[i].r.hi_pct);
		else
			snprintf(ch, sizeof(ch), "%+.1f%% (no interval)", rows[i].r.change_pct);
		if (md)
			fprintf(out, "| %s | %.12s | %s | %s | %zu |\n", rows[i].what, rows[i].s->commit,
				ms, ch, rows[i].n);
		else
			fprintf(out, "  %-19s %.12s %10s  %-28s %zu\n", rows[i].what, rows[i].s->commit,
				ms, ch, rows[i].n);
	}
	fprintf(out, "\n%sSpent: %u builds (%u compiled, %u failed to build), %u boots on %s;"
		" %u commit%s skipped.%s\n", md ? "" : "", builds, built, failed, boots, c.b.device,
		skipped, skipped == 1 ? "" : "s", md ? "" : "");
	for (i = 0; i < n; i++)
		if (!strcmp(s[i].decision, "skip"))
			fprintf(out, "%sskipped %.12s: %s\n", md ? "- " : "  ", s[i].commit, s[i].why);
	fprintf(out, "\nRule: t test on log per-boot medians (%s); a step is bad when it changed"
		" against the good end beyond %g%% (the whole interval), good when the bad end"
		" changed against it beyond %g%% and it did not change against the good end"
		" (unchanged, or an estimate under %g%%); else more boots (up to %u), then skip.\n",
		c.b.plan, c.b.threshold_pct, c.b.threshold_pct, c.b.threshold_pct / 2, c.b.max_boots);
	ret = 0;
out:
	free(subj);
	db_bisect_steps_free(s, n);
	ctx_release(&c);
	return ret;
}
