/*
 * bisect_bench.c - `make bench`: `swaplab bisect`'s adaptive step rule
 * (ci/bisect.c: bisect_classify, more boots only when a step cannot be
 * told, skip at --max-boots) against a fixed-n bisect (n boots per
 * commit, each step called good or bad by whichever end its mean is
 * nearer, always deciding), on simulated histories: N commits, the
 * change at a random commit k (every commit from k on is EFFECT slower),
 * boots log-normal with SIGMA between boots.  Prints, for each, the boots
 * spent, the builds, and how often the named commit is k, another one
 * (wrong), or none (only skipped commits left: the adaptive rule says it
 * cannot tell rather than guess); then the smallest fixed n whose rate of
 * wrong commits is at most the adaptive rule's, and its boots.  The
 * adaptive rule is run twice: extra boots on the step only, and (what
 * swaplab bisect does) on the ends too, as far as the step has.
 * Deterministic (fixed seed).
 *
 *   bisect_bench [N [EFFECT [SIGMA [TRIALS [MAX_BOOTS]]]]]
 *   defaults:     64   0.30    0.08    400      8     (threshold 10%)
 */
#include "ci/bisect.h"
#include "../unit/gen_boots.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXB 64

struct sim {
	int n, k;              /* commits 0..n-1: 0 good end, n-1 bad end; change at k */
	double effect, sigma, threshold;
	unsigned max_boots;
	int fixed;             /* 0: adaptive, else boots per commit */
	int ends_too;          /* adaptive: a step's extra boots go to the ends too */
	double boots[1024][MAXB];
	unsigned nb[1024];
	unsigned spent, builds;
};

static void boot(struct sim *s, int c)
{
	double ms = 100 * (c >= s->k ? 1 + s->effect : 1);

	if (s->nb[c] < MAXB)
		s->boots[c][s->nb[c]++] = ms * 1e6 * exp(s->sigma * normal());
	s->spent++;
}

static double logmean(const double *v, unsigned n)
{
	double m = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		m += log(v[i]);
	return m / n;
}

/* 1 bad, 0 good, -1 skip. */
static int verdict(struct sim *s, int c)
{
	int last = s->n - 1;

	s->builds++;
	if (s->fixed) {
		double g, b, x;

		while (s->nb[c] < (unsigned)s->fixed)
			boot(s, c);
		g = logmean(s->boots[0], s->nb[0]);
		b = logmean(s->boots[last], s->nb[last]);
		x = logmean(s->boots[c], s->nb[c]);
		return fabs(x - b) < fabs(x - g);
	}
	for (;;) {
		struct bisect_class cl;

		while (s->nb[c] < 3)
			boot(s, c);
		bisect_classify(s->boots[0], s->nb[0], s->boots[last], s->nb[last], s->boots[c],
				s->nb[c], s->max_boots, 0.05, s->threshold, COMPARE_SLOWER, &cl);
		if (cl.verdict == BISECT_MORE) {
			/* The step again, and the ends as far as the step (ci/bisect.c). */
			boot(s, c);
			if (s->ends_too && s->nb[0] < s->nb[c] && s->nb[0] < s->max_boots)
				boot(s, 0);
			if (s->ends_too && s->nb[last] < s->nb[c] && s->nb[last] < s->max_boots)
				boot(s, last);
			continue;
		}
		return cl.verdict == BISECT_BAD ? 1 : cl.verdict == BISECT_GOOD ? 0 : -1;
	}
}

/* The named commit, or -1 (nothing to bisect, or only skipped left). */
static int bisect(struct sim *s)
{
	int lo = 0, hi = s->n - 1;
	char skipped[1024];
	unsigned per = s->fixed ? (unsigned)s->fixed : 3;

	memset(skipped, 0, sizeof(skipped));
	memset(s->nb, 0, sizeof(s->nb));
	s->spent = s->builds = 0;
	/* Confirm the ends (adaptive: up to max_boots, like ci/bisect.c). */
	s->builds += 2;
	while (s->nb[0] < per || s->nb[hi] < per) {
		boot(s, 0);
		boot(s, hi);
	}
	if (!s->fixed) {
		for (;;) {
			struct compare_result r;

			compare_decide(s->boots[0], s->nb[0], s->boots[hi], s->nb[hi], 0.05,
				       s->threshold, COMPARE_SLOWER, &r);
			if (r.outcome == COMPARE_CHANGED)
				break;
			if (r.outcome == COMPARE_UNCHANGED || s->nb[0] >= s->max_boots)
				return -1;
			boot(s, 0);
			boot(s, hi);
		}
	}
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2, c = -1, d, v;

		/* Nearest untested, unskipped commit to the middle (git does alike). */
		for (d = 0; d < hi - lo && c < 0; d++) {
			if (mid + d < hi && mid + d > lo && !skipped[mid + d])
				c = mid + d;
			else if (mid - d > lo && mid - d < hi && !skipped[mid - d])
				c = mid - d;
		}
		if (c < 0)
			return -1;
		v = verdict(s, c);
		if (v < 0)
			skipped[c] = 1;
		else if (v)
			hi = c;
		else
			lo = c;
	}
	return hi;
}

struct tally {
	double boots, builds;
	int right, wrong, unnamed;
};

static void run(struct sim *s, int trials, struct tally *t)
{
	int i;
	uint64_t seed = gen_state;

	memset(t, 0, sizeof(*t));
	gen_state = 0x1234567ULL; /* the same histories for every rule */
	for (i = 0; i < trials; i++) {
		int named;

		s->k = 1 + (int)(unit() * (s->n - 1));
		if (s->k >= s->n)
			s->k = s->n - 1;
		named = bisect(s);
		t->boots += s->spent;
		t->builds += s->builds;
		t->right += named == s->k;
		t->unnamed += named < 0;
		t->wrong += named >= 0 && named != s->k;
	}
	t->boots /= trials;
	t->builds /= trials;
	gen_state = seed;
}

int main(int argc, char **argv)
{
	static struct sim s;
	struct tally ad, fx;
	int trials = 400, n;
	gen_seed(0x2545F4914F6CDD1DULL);

	s.n = argc > 1 ? atoi(argv[1]) : 64;
	s.effect = argc > 2 ? atof(argv[2]) : 0.30;
	s.sigma = argc > 3 ? atof(argv[3]) : 0.08;
	trials = argc > 4 ? atoi(argv[4]) : 400;
	s.max_boots = argc > 5 ? (unsigned)atoi(argv[5]) : 8;
	s.threshold = 10;
	if (s.n < 3 || s.n > 1024 || trials < 1 || s.max_boots < 3 || s.max_boots > MAXB) {
		fprintf(stderr, "usage: bisect_bench [N<=1024 [EFFECT [SIGMA [TRIALS [MAX_BOOTS<=64]]]]]\n");
		return 129;
	}
	printf("%d commits, change +%.0f%% at a random commit, %.0f%% between boots (log-sd),"
	       " threshold %.0f%%, %d histories\n", s.n, 100 * s.effect, 100 * s.sigma, s.threshold,
	       trials);
	s.fixed = 0;
	s.ends_too = 0;
	run(&s, trials, &ad);
	printf("  %-30s %7s %7s %8s %8s %9s\n", "rule", "boots", "builds", "right", "wrong",
	       "unnamed");
	printf("  %-30s %7.1f %7.1f %7.1f%% %7.1f%% %8.1f%%\n", "adaptive, step boots only",
	       ad.boots, ad.builds, 100.0 * ad.right / trials, 100.0 * ad.wrong / trials,
	       100.0 * ad.unnamed / trials);
	s.ends_too = 1;
	run(&s, trials, &ad);
	printf("  %-30s %7.1f %7.1f %7.1f%% %7.1f%% %8.1f%%\n", "adaptive (swaplab bisect)",
	       ad.boots, ad.builds, 100.0 * ad.right / trials, 100.0 * ad.wrong / trials,
	       100.0 * ad.unnamed / trials);
	{
		int match = 0;
		double match_boots = 0;

		for (n = 1; n <= 12; n++) {
			char name[32];

			s.fixed = n;
			run(&s, trials, &fx);
			snprintf(name, sizeof(name), "fixed n = %d (nearer end)", n);
			printf("  %-30s %7.1f %7.1f %7.1f%% %7.1f%% %8.1f%%\n", name, fx.boots,
			       fx.builds, 100.0 * fx.right / trials, 100.0 * fx.wrong / trials,
			       100.0 * fx.unnamed / trials);
			if (!match && fx.wrong <= ad.wrong) {
				match = n;
				match_boots = fx.boots;
			}
		}
		if (match)
			printf("  same error rate (a wrong commit named in at most %.1f%%): fixed n = %d"
			       " needs %.1f boots, adaptive %.1f (fixed/adaptive %.2f)\n",
			       100.0 * ad.wrong / trials, match, match_boots, ad.boots,
			       match_boots / ad.boots);
		else
			printf("  no fixed n <= 12 names a wrong commit as rarely as the adaptive rule\n");
	}
	return 0;
}
