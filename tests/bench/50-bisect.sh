#!/usr/bin/env bash
# tests/bench/50-bisect.sh - `swaplab bisect`'s adaptive step rule against
# a fixed-n bisect on a simulated 64-commit history with a known step
# (tests/bench/bisect_bench.c): boots and builds spent and how often each
# names the right commit, at 5% and 10% noise between boots.  Pure
# computation, deterministic; touches nothing.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
make -s bisect-bench BUILD="$BUILD" >/dev/null || exit 1
for sigma in 0.05 0.10; do
	"$BUILD/bisect_bench" 64 0.30 "$sigma" 400 8 || exit 1
	echo
done
