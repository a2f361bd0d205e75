/*
 * test_bisect.c - `swaplab bisect`'s step rule (ci/bisect.c,
 * bisect_classify) on generated boots: clear good, clear bad, a step
 * halfway (overlapping: more boots, then skip at --max-boots), an
 * overlapping step that more boots settle, too noisy (skip), a drifting
 * device (the ends no longer differ: skip), --direction faster; and the
 * rule's error rate on steps equal to one end.
 */
#include "ci/bisect.h"
#include "tap.h"
#include "gen_boots.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static enum bisect_verdict classify(double step_ms, size_t ns, double sd, unsigned max_boots,
				    struct bisect_class *c)
{
	double g[8], b[8], s[64];

	boots(g, 5, 100, 0.05);
	boots(b, 5, 150, 0.05);
	boots(s, ns, step_ms, sd);
	bisect_classify(g, 5, b, 5, s, ns, max_boots, 0.05, 10, COMPARE_SLOWER, c);
	return c->verdict;
}

int main(void)
{
	struct bisect_class c;
	double g[16], b[16], s[64];
	int i, wrong, more, skip;
	gen_seed(0x9e3779b97f4a7c15ULL);

	/* Clear cases: 5% noise, the change 50%, threshold 10%. */
	is_int(classify(100, 3, 0.05, 8, &c), BISECT_GOOD, "like the good end: good");
	ok(strstr(c.why, "like the good end") != NULL, "and why says so: %s", c.why);
	is_int(classify(150, 3, 0.05, 8, &c), BISECT_BAD, "like the bad end: bad");
	ok(strstr(c.why, "changed against the good end") != NULL, "and why says so: %s", c.why);

	/* Overlapping: a step 12% slower is neither clearly past 10% nor short of it. */
	is_int(classify(112, 3, 0.05, 8, &c), BISECT_MORE, "a step near the threshold: measure more");
	ok(strstr(c.why, "cannot tell with 3 boots") != NULL, "why: %s", c.why);
	is_int(classify(112, 8, 0.05, 8, &c), BISECT_SKIP,
	       "still undecided at --max-boots: skip, never a guess");
	ok(strstr(c.why, "the most allowed") != NULL, "why: %s", c.why);

	/* Overlapping at 3 boots, settled with more: 12% noise on a good step. */
	more = skip = wrong = 0;
	for (i = 0; i < 200; i++) {
		size_t n = 3;

		boots(g, 5, 100, 0.05);
		boots(b, 5, 150, 0.05);
		boots(s, 16, 100, 0.12);
		for (;;) {
			bisect_classify(g, 5, b, 5, s, n, 16, 0.05, 10, COMPARE_SLOWER, &c);
			if (c.verdict != BISECT_MORE)
				break;
			more++;
			n++;
		}
		skip += c.verdict == BISECT_SKIP;
		wrong += c.verdict == BISECT_BAD;
	}
	ok(more > 0, "noisy good steps needed more boots (%d extra over 200 steps)", more);
	ok(wrong <= 10, "and were called bad at most 5%% of the time (%d of 200)", wrong);
	ok(skip < 100, "more boots decided most of them (%d of 200 skipped)", skip);

	/* Too noisy: 60% between boots - undecided, at max boots skipped. */
	is_int(classify(125, 3, 0.6, 8, &c), BISECT_MORE, "too noisy: more boots");
	is_int(classify(125, 8, 0.6, 8, &c), BISECT_SKIP, "too noisy at --max-boots: skip");

	/* Drifting device: the good end's later boots as slow as the bad end. */
	boots(g, 3, 100, 0.05);
	boots(g + 3, 5, 150, 0.05);
	boots(b, 5, 150, 0.05);
	boots(s, 3, 150, 0.05);
	bisect_classify(g, 8, b, 5, s, 3, 8, 0.05, 10, COMPARE_SLOWER, &c);
	is_int(c.verdict, BISECT_SKIP, "drifting device (the ends no longer differ): skip");
	ok(strstr(c.why, "drifted") != NULL, "why: %s", c.why);

	/* Faster: the bad (new) end is 40% faster. */
	boots(g, 5, 100, 0.05);
	boots(b, 5, 60, 0.05);
	boots(s, 3, 60, 0.05);
	bisect_classify(g, 5, b, 5, s, 3, 8, 0.05, 10, COMPARE_FASTER, &c);
	is_int(c.verdict, BISECT_BAD, "--direction faster: a fast step is new");
	boots(s, 3, 100, 0.05);
	bisect_classify(g, 5, b, 5, s, 3, 8, 0.05, 10, COMPARE_FASTER, &c);
	is_int(c.verdict, BISECT_GOOD, "--direction faster: a slow step is old");

	/* Error rate: steps equal to an end, 8% noise, adaptive up to 8 boots. */
	wrong = 0;
	for (i = 0; i < 400; i++) {
		int bad = i & 1;
		size_t n = 3;

		boots(g, 3, 100, 0.08);
		boots(b, 3, 130, 0.08);
		boots(s, 8, bad ? 130 : 100, 0.08);
		do
			bisect_classify(g, 3, b, 3, s, n++, 8, 0.05, 10, COMPARE_SLOWER, &c);
		while (c.verdict == BISECT_MORE);
		wrong += (bad && c.verdict == BISECT_GOOD) || (!bad && c.verdict == BISECT_BAD);
	}
	ok(wrong <= 20, "wrong verdicts at most 5%% on steps equal to an end (%d of 400)", wrong);

	is_str(bisect_verdict_name(BISECT_SKIP), "skip", "verdict names");
	return done_testing();
}
