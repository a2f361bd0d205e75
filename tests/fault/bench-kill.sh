#!/usr/bin/env bash
# tests/fault/bench-kill.sh - `swaplab bench` killed with SIGKILL at random
# points, TRIALS times (default 100): after `swaplab bench --cleanup`,
# /proc/swaps, the zram devices and their sizes, zswap's parameters, THP,
# the mounts, loop devices and swap files equal the state before, every
# time.  One more trial kills the bench inside the zram hot_add window
# (SWAPBENCH_FAULT=zram-hot-add: after the device exists, before its id is
# journalled).  Small sizes, so a trial takes a second or two.  Needs root
# and the test lock (make fault-test and tests/run.sh hold it).  TAP.
set -u
. "$(dirname "$0")/../integration/lib.sh"
SWAPLAB=$(realpath "${SWAPLAB:-build/swaplab}")
TRIALS=${TRIALS:-100}
need_root
[ -e /sys/class/zram-control/hot_add ] || skip_all "no zram in this kernel"

state() { # everything a bench may change
	tail -n +2 /proc/swaps
	for d in /sys/block/zram*; do [ -e "$d/disksize" ] && echo "$d $(cat "$d/disksize")"; done
	grep -H . /sys/module/zswap/parameters/* 2>/dev/null
	cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
	grep -H . /sys/kernel/mm/transparent_hugepage/hugepages-*/enabled 2>/dev/null
	awk '{ print "mount", $1, $2, $3 }' /proc/mounts | sort
	losetup -a 2>/dev/null | grep -i swaplab
	ls /var/tmp/swaplab-*.swap 2>/dev/null
	ls -d /sys/fs/cgroup/swaplab* 2>/dev/null
	ls "$statedir" 2>/dev/null | grep -vx lock  # the journal and its temporaries
}
statedir=${SWAPLAB_STATE_DIR:-/run/swaplab}
plan=(--backend zram,zswap --sizes 8M --procs 1,2 --runs 1 --quiet --json)
before=$(state)

# How long a whole run takes: the kills land anywhere from its start to its end.
t0=$(date +%s%N)
"$SWAPLAB" bench "${plan[@]}" >"$tmpdir/full.jsonl" 2>"$tmpdir/full.err"
ok $? "a whole run succeeds ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
full_ms=$(( ($(date +%s%N) - t0) / 1000000 + 50 ))
check "and restores everything itself" [ "$(state)" = "$before" ]

restored() { # <description>: --cleanup, then compare
	"$SWAPLAB" bench --cleanup >"$tmpdir/cleanup.out" 2>&1
	local st=$? now
	now=$(state)
	if [ $st = 0 ] && [ "$now" = "$before" ]; then ok 0 "$1"; return 0; fi
	ok 1 "$1 (cleanup exit $st)"
	sed 's/^/#   cleanup: /' "$tmpdir/cleanup.out"
	diff <(echo "$before") <(echo "$now") | sed 's/^/#   /'
	"$SWAPLAB" bench --cleanup >/dev/null 2>&1  # leave the machine as it was
	return 1
}

# TRIALS kills: a run that ended before its kill does not count (and
# the kills stop at 3 x TRIALS runs, should runs be that short).
killed=0 finished=0 i=0
while [ "$killed" -lt "$TRIALS" ] && [ "$i" -lt $((3 * TRIALS)) ]; do
	i=$((i + 1))
	delay=$(( RANDOM * 32768 + RANDOM ))
	delay=$(( delay % full_ms ))
	"$SWAPLAB" bench "${plan[@]}" >"$tmpdir/run.jsonl" 2>"$tmpdir/run.err" &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# 137: it died of the SIGKILL (kill can succeed on a process that is exiting).
	if [ $? = 137 ]; then killed=$((killed + 1)); else finished=$((finished + 1)); fi
	# The bench's own children (workers, load) die with it or are reaped by --cleanup's swapoff.
	restored "run $i: SIGKILL after ${delay} ms, state restored by --cleanup"
done
check "$killed runs killed by SIGKILL ($finished finished before their kill)" [ "$killed" -ge "$TRIALS" ]

# The hot_add window: the device exists, its id is not in the journal yet.
zram_before=$(ls -d /sys/block/zram* 2>/dev/null | wc -l)
SWAPBENCH_FAULT=zram-hot-add "$SWAPLAB" bench --backend zram --sizes 8M --runs 1 --quiet \
	>"$tmpdir/w.out" 2>&1
st=$?
check "hot_add window: killed by SIGKILL there (exit $st)" [ $st = 137 ]
check "hot_add window: a zram device was left behind" \
	[ "$(ls -d /sys/block/zram* 2>/dev/null | wc -l)" -gt "$zram_before" ]
check "hot_add window: the journal holds the intent" grep -q '^zram_pending' "${SWAPLAB_STATE_DIR:-/run/swaplab}/state"
restored "hot_add window: --cleanup removes the device"

# A kill between writing the journal's temporary and renaming it leaves
# state.tmp.<pid>; the next bench to take the lock removes it.  A planted
# one (as such a kill leaves it) shows that state() sees it.
mkdir -p "$statedir"
printf 'pid 99999\nzram_pending -\n' >"$statedir/state.tmp.99999"
check "a journal temporary left by a kill is seen" [ "$(state)" != "$before" ]
restored "--cleanup removes a journal temporary a kill left"
finish
