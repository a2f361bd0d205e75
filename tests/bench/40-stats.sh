#!/usr/bin/env bash
# tests/bench/40-stats.sh - the reports' decision rule on generated boots
# (tests/bench/stats_bench.c): A/A false-mark rates, false discovery rate,
# power for 5/10/50% changes and the minimum detectable effect for the
# default plan (make run: RUN_ROUNDS boots, --runs 2), at the virtual
# board's noise (the latest `swaplab calibrate` of device qemu in
# $STATS_BENCH_DB when there is one, else 13.5% between boots, 4% inside,
# as measured for issue 10).  Prints numbers; touches no swap state.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
make -s stats-bench BUILD="$BUILD" >/dev/null || exit 1
rounds=$(make -s -f Makefile -f - print-rounds <<<'print-rounds: ; @echo $(RUN_ROUNDS)' 2>/dev/null)
rounds=${rounds:-5}
between=0.135 within=0.04
db=${STATS_BENCH_DB:-lab.db}
if [ -f "$db" ] && command -v sqlite3 >/dev/null; then
	cal=$(sqlite3 "$db" "SELECT avg(cc.between_pct) / 100, avg(cc.within_pct) / 100 FROM calibration_cell cc
		WHERE cc.calibration_id = (SELECT c.id FROM calibration c JOIN device d ON d.id = c.device_id
		WHERE d.name = 'qemu' ORDER BY c.id DESC LIMIT 1)" 2>/dev/null)
	if [ -n "$cal" ] && [ "$cal" != "|" ]; then
		# The stored spread is of the boots' medians of 2 runs: take out
		# the runs' share to get the boots' own (the generator adds it back).
		between=$(awk -v b="${cal%|*}" -v w="${cal#*|}" 'BEGIN { v = b * b - w * w / 2; print (v > 0 ? sqrt(v) : 0) }')
		within=${cal#*|}
		echo "noise: the latest calibration of device qemu in $db (mean over its cells: boots' medians ${cal%|*}, runs $within)"
	fi
fi
"$BUILD/stats_bench" "$rounds" "$between" "${within:-0.04}" 2
