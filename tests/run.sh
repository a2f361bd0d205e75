#!/usr/bin/env bash
# tests/run.sh - runs swaplab's unit tests (plain and ASan/UBSan, the
# layer check and the unit scripts) and then the integration tests, one at
# a time under one lock: they change swap, zram and zswap state that is
# shared by the whole machine.  Every test prints TAP; this script counts
# and ends with "N passed, N failed".
#
#   tests/run.sh [unit|integration]    (default: both)
#
# `unit` needs no root, no network and nothing installed at run time
# (`make check`).  TESTS=pattern limits the integration scripts (e.g.
# TESTS=bench).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export SWAPLAB="$PWD/$BUILD/swaplab" SWAPBENCH="$PWD/$BUILD/swapbench" \
       SWAPLAB_ASAN="$PWD/$BUILD/asan/swaplab" TOP="$PWD" BUILD
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0 skip=0 failed_names=()
# One log per test, replaced by the next run (nothing piles up in /tmp).
logdir=$PWD/$BUILD/test-logs
rm -rf "$logdir" && mkdir -p "$logdir" || exit 1

count() { # name logfile status
	local name=$1 log=$2 st=$3 p f
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	if [ "$st" = 77 ]; then
		skip=$((skip + 1)); echo "SKIP $name: $(grep -m1 '^# SKIP' "$log" | cut -c8-)"; return
	fi
	if [ "$st" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed_names+=("$name"); echo "FAIL $name ($p ok, $f not ok, exit $st)"
		sed 's/^/    /' "$log" | tail -n 60
	else
		echo "ok   $name ($p)"
	fi
}

what=${1:-all}
case "$what" in unit|integration|all) ;; *) echo "usage: tests/run.sh [unit|integration]" >&2; exit 129 ;; esac

if [ "$what" != integration ]; then
echo "== unit tests"
for t in "$BUILD"/tests/test_* "$BUILD"/asan/tests/test_*; do
	[ -x "$t" ] || continue
	name=${t#"$BUILD"/}; log=$logdir/$(echo "$name" | tr / _).log
	"$t" >"$log" 2>&1; count "$name" "$log" $?
done
# Unit scripts: the command line and the rules of the tree (TAP too).
for t in tests/unit/*.sh; do
	[ -f "$t" ] || continue
	name=${t#tests/}; log=$logdir/$(basename "$t").log
	bash "$t" >"$log" 2>&1; count "$name" "$log" $?
done
fi

if [ "$what" != unit ]; then
echo "== integration tests (serialised)"
state() { # what every test must leave as it found it
	tail -n +2 /proc/swaps
	ls -d /sys/block/zram* 2>/dev/null
	for d in /sys/block/zram*; do [ -e "$d/disksize" ] && echo "$d $(cat "$d/disksize")"; done
	grep -H . /sys/module/zswap/parameters/* 2>/dev/null
	cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
	grep -H . /sys/kernel/mm/transparent_hugepage/hugepages-*/enabled 2>/dev/null
	grep -c ' debugfs ' /proc/mounts
	awk '$2 ~ "^/(tmp|run|var)/" || $1 ~ /swaplab/ { print "mount", $1, $2, $3 }' /proc/mounts
	# Work directories swaplab makes: a test that keeps one (a failed run) removes it.
	ls -d /tmp/swaplab-run.* /tmp/swaplab-pipeline* /tmp/swaplab-calibrate* /tmp/swaplab-am.* 2>/dev/null
}
# The lock is taken around each test, not the suite, so that other
# checkouts on the machine (other sessions' tests) can interleave; the
# state is compared around each test, under the lock.
exec 9>/run/lock/swaplab-tests.lock 2>/dev/null || exec 9>/tmp/swaplab-tests.lock
for t in tests/integration/[0-9]*.sh; do
	[ -f "$t" ] || continue
	case "$t" in *"${TESTS:-}"*) ;; *) continue ;; esac
	name=${t#tests/}; log=$logdir/$(basename "$t").log
	flock 9
	before=$(state)
	bash "$t" >"$log" 2>&1; st=$?
	after=$(state)
	flock -u 9
	count "$name" "$log" $st
	if [ "$after" != "$before" ]; then
		fail=$((fail + 1)); failed_names+=("$name: system state changed")
		echo "FAIL $name left system state changed:"; diff <(echo "$before") <(echo "$after") | sed 's/^/    /'
	fi
done
fi

echo
[ ${#failed_names[@]} -gt 0 ] && printf 'failed: %s\n' "${failed_names[@]}"
echo "logs: $logdir"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
