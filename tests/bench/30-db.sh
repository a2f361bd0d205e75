#!/usr/bin/env bash
# tests/bench/30-db.sh - results database throughput: importing 1,000,000
# samples (target: under 2 s) and a report on that database (target:
# under 100 ms), from tests/bench/db_bench.c; then the same report through
# the command line, process start included.  Prints numbers; touches no
# swap state.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
make -s db-bench BUILD="$BUILD" >/dev/null || exit 1
dir=$(mktemp -d /tmp/swaplab-dbbench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$BUILD/db_bench" "$dir" "${DB_BENCH_SAMPLES:-1000000}" || exit 1
t0=$(date +%s%N)
for _ in 1 2 3 4 5; do
	"$BUILD/swaplab" report --db "$dir/lab.db" --base base --patched patched >/dev/null || exit 1
done
t1=$(date +%s%N)
echo "report:  'swaplab report' command, process start included: $(( (t1 - t0) / 5000000 )) ms (mean of 5)"
echo "database: $(du -h "$dir/lab.db" | cut -f1)"
