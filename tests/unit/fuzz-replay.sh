#!/usr/bin/env bash
# fuzz-replay.sh - every fuzz target's seed corpus and kept crashers
# (tests/fuzz/corpus/<target>/) replayed once under ASan/UBSan by the
# gcc-built driver (tests/fuzz/replay.c): fast, and no clang needed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
n=0 failed=0
for dir in "$top"/tests/fuzz/corpus/*/; do
	t=$(basename "$dir"); n=$((n + 1))
	bin=$BUILD/asan/fuzz/replay_$t
	if [ ! -x "$bin" ]; then echo "not ok $n - $t: $bin is not built (make check)"; failed=1; continue; fi
	count=$(ls "$dir" | wc -l)
	if out=$("$bin" "$dir" 2>&1) && [ "$count" -gt 0 ]; then echo "ok $n - $t: $count inputs replayed"
	else echo "not ok $n - $t ($count inputs)"; echo "$out" | tail -n 30 | sed 's/^/# /'; failed=1; fi
done
echo "1..$n"
exit $failed
