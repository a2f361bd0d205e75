#!/usr/bin/env bash
# tests/bench/run.sh - `make bench`: benchmarks that print numbers (not
# pass/fail tests).  Runs every tests/bench/NN-*.sh in order.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export SWAPLAB="$PWD/$BUILD/swaplab" SWAPBENCH="$PWD/$BUILD/swapbench" TOP="$PWD" BUILD
st=0
for b in tests/bench/[0-9]*.sh; do
	[ -f "$b" ] || continue
	echo "== ${b#tests/bench/}"
	bash "$b" || { echo "   (failed: exit $?)"; st=1; }
	echo
done
exit $st
