#!/usr/bin/env bash
# stats-ref.sh - the live cross-check of reports/stats.c and the decision
# rule (reports/verdict.c) against tests/unit/test_stats_ref.py, which
# computes every figure by a different algorithm (TAP from python).
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 is not installed"; exit 77; }
[ -x "$BUILD/tests/test_stats" ] || { echo "not ok 1 - $BUILD/tests/test_stats is not built"; echo 1..1; exit 1; }
exec python3 tests/unit/test_stats_ref.py --tap "$BUILD/tests/test_stats"
