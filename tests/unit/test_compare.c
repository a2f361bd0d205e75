/*
 * test_compare.c - `swaplab compare`'s rule (reports/compare.c) on
 * generated boots: clear good, clear bad, overlapping, too few, too
 * noisy, no spread, either direction; the cell spec's grammar; and the
 * rule's error rate when nothing changed (asserted: "changed" at most
 * alpha / 2 + simulation error, since it needs the whole interval past
 * the threshold on one side).
 */
#include "reports/compare.h"
#include "tap.h"
#include "gen_boots.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static enum compare_outcome decide(double base_ms, double patched_ms, size_t n, double sd,
				   double t, enum compare_dir dir, struct compare_result *res)
{
	double x[64], y[64];

	boots(x, n, base_ms, sd);
	boots(y, n, patched_ms, sd);
	compare_decide(x, n, y, n, 0.05, t, dir, res);
	return res->outcome;
}

static void test_spec(void)
{
	static const char *const bad[] = {
		"zram/256/1", "zramx/256M/1", "zram/256M", "zram/256M/0", "zram/256M/1/2",
		"zram//1", "/256M/1", "zram/256Q/1", "zram/256M/x", "zram/M/1", "",
	};
	struct compare_cell c;
	char buf[64];
	size_t i;

	ok(compare_parse_cell("zram/256M/1", &c) == 0 && !strcmp(c.backend, "zram") &&
		   c.size == 256ULL << 20 && c.procs == 1,
	   "zram/256M/1 parses");
	ok(compare_parse_cell("zswap/1G/3", &c) == 0 && !strcmp(c.backend, "zswap") &&
		   c.size == 1ULL << 30 && c.procs == 3,
	   "zswap/1G/3 parses");
	is_str(compare_cell_name(&c, buf, sizeof(buf)), "zswap/1G/3", "and prints back");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(compare_parse_cell(bad[i], &c) < 0, "'%s' is refused", bad[i]);
}

static void test_cases(void)
{
	struct compare_result r;
	double x[3] = { 100e6, 100e6, 100e6 }, y[3] = { 120e6, 120e6, 120e6 };

	is_int(decide(100, 130, 5, 0.02, 5, COMPARE_SLOWER, &r), COMPARE_CHANGED,
	       "30%% slower, 5 boots a side, 2%% spread: changed (%s)", r.why);
	ok(r.lo_pct > 5 && r.change_pct > 20 && r.change_pct < 40 && r.v.inv_base == 5,
	   "with the change and its interval above +5%% (%+.1f%% [%+.1f, %+.1f])", r.change_pct,
	   r.lo_pct, r.hi_pct);
	is_int(decide(100, 100, 6, 0.01, 5, COMPARE_SLOWER, &r), COMPARE_UNCHANGED,
	       "the same kernel, 1%% spread: unchanged (%s)", r.why);
	ok(r.hi_pct < 5, "its interval below +5%% (%+.1f, %+.1f)", r.lo_pct, r.hi_pct);
	is_int(decide(100, 105, 3, 0.03, 5, COMPARE_SLOWER, &r), COMPARE_UNDECIDED,
	       "5%% slower against a 5%% threshold, 3 boots: undecided (%s)", r.why);
	ok(strstr(r.why, "straddles") != NULL, "because the interval straddles it");
	is_int(decide(100, 150, 2, 0.02, 5, COMPARE_SLOWER, &r), COMPARE_UNDECIDED,
	       "2 boots a side: undecided however large (%s)", r.why);
	ok(strstr(r.why, "fewer than 3") != NULL, "saying so");
	is_int(decide(100, 120, 3, 0.30, 5, COMPARE_SLOWER, &r), COMPARE_UNDECIDED,
	       "30%% spread between boots, 3 a side: undecided (%s)", r.why);
	is_int(decide(100, 50, 5, 0.02, 5, COMPARE_FASTER, &r), COMPARE_CHANGED,
	       "2x faster watching faster: changed (%s)", r.why);
	is_int(decide(100, 50, 5, 0.02, 5, COMPARE_SLOWER, &r), COMPARE_UNCHANGED,
	       "2x faster watching slower: unchanged, an improvement is not a regression");
	is_int(decide(100, 130, 5, 0.02, 5, COMPARE_FASTER, &r), COMPARE_UNCHANGED,
	       "30%% slower watching faster: unchanged");
	is_int(decide(100, 130, 5, 0.02, 50, COMPARE_SLOWER, &r), COMPARE_UNCHANGED,
	       "30%% slower against a 50%% threshold: unchanged");
	compare_decide(x, 3, y, 3, 0.05, 5, COMPARE_SLOWER, &r);
	is_int(r.outcome, COMPARE_UNDECIDED, "no spread between boots: undecided (%s)", r.why);
	compare_decide(x, 3, y, 0, 0.05, 5, COMPARE_SLOWER, &r);
	is_int(r.outcome, COMPARE_UNDECIDED, "a side with nothing: undecided (%s)", r.why);
}

/* A/A on a noisy board: how often does the rule call a change? */
static void test_error_rate(void)
{
	unsigned trials = 2000, changed = 0, unchanged = 0, i;
	struct compare_result r;

	for (i = 0; i < trials; i++) {
		enum compare_outcome o = decide(100, 100, 5, 0.10, 5, COMPARE_SLOWER, &r);

		changed += o == COMPARE_CHANGED;
		unchanged += o == COMPARE_UNCHANGED;
	}
	ok(changed <= trials * 0.025 + 3 * sqrt(trials * 0.025),
	   "A/A, 5 boots, 10%% spread, threshold 5%%: %u of %u changed (at most alpha/2 + error)",
	   changed, trials);
	printf("# A/A: %u changed, %u unchanged, %u undecided of %u\n", changed, unchanged,
	       trials - changed - unchanged, trials);
}

int main(void)
{
	gen_seed(0x243f6a8885a308d3ULL);
	test_spec();
	test_cases();
	test_error_rate();
	return done_testing();
}
