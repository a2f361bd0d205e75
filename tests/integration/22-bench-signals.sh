#!/usr/bin/env bash
# Restoration: SIGINT and SIGTERM during a run restore everything before the
# bench exits; after SIGKILL the journal lets `--cleanup`, or the next run,
# restore it.
. "$(dirname "$0")/lib.sh"
need_root
[ -e /sys/class/zram-control/hot_add ] || skip_all "no zram in this kernel"
state() {
	tail -n +2 /proc/swaps; ls -d /sys/block/zram* 2>/dev/null
	grep -H . /sys/module/zswap/parameters/* 2>/dev/null; grep -c ' debugfs ' /proc/mounts
	ls /var/tmp/swaplab-*.swap 2>/dev/null
}
before=$(state)
journal=${SWAPLAB_STATE_DIR:-/run/swaplab}/state

# Starts a long bench in the background and waits until its swap is active.
start_bench() { # backend
	"$SWAPLAB" bench --backend "$1" --sizes 64M --runs 100000 --quiet --json \
		>"$tmpdir/$1.jsonl" 2>"$tmpdir/$1.err" &
	pid=$!
	for _ in $(seq 200); do
		[ "$(tail -n +2 /proc/swaps | wc -l)" -gt 0 ] && grep -q '"type":"sample"' "$tmpdir/$1.jsonl" && return 0
		sleep 0.05
	done
	return 1
}

for sig_backend in INT:zram TERM:zswap; do
	sig=${sig_backend%:*} backend=${sig_backend#*:}
	check "$backend bench is running and swapping" start_bench "$backend"
	check "$backend state changed while running" [ "$(state)" != "$before" ]
	kill -s "$sig" "$pid"
	wait "$pid"; st=$?
	check "SIG$sig: exit status 130 (got $st)" [ "$st" = 130 ]
	check "SIG$sig: $backend state restored" [ "$(state)" = "$before" ]
	check "SIG$sig: stream ends 'interrupted'" grep -q '"type":"end","status":"interrupted"' "$tmpdir/$backend.jsonl"
	check "SIG$sig: journal removed" [ ! -e "$journal" ]
done

# SIGKILL: nothing can run in the bench; --cleanup restores from the journal.
check "zram bench running for SIGKILL" start_bench zram
kill -KILL "$pid"; wait "$pid" 2>/dev/null
sleep 0.5
check "after SIGKILL the zram device is left behind" [ "$(state)" != "$before" ]
check "after SIGKILL the journal is there" [ -s "$journal" ]
"$SWAPLAB" bench --cleanup >"$tmpdir/cleanup.out" 2>&1
ok $? "--cleanup exits 0"
check "--cleanup restored everything" [ "$(state)" = "$before" ]
check "--cleanup says what it did" grep -q 'restoring' "$tmpdir/cleanup.out"
check "journal removed by --cleanup" [ ! -e "$journal" ]

# SIGKILL of a zswap run: the next run restores it before it starts.
check "zswap bench running for SIGKILL" start_bench zswap
kill -KILL "$pid"; wait "$pid" 2>/dev/null
sleep 0.5
check "after SIGKILL zswap is left enabled" grep -q Y /sys/module/zswap/parameters/enabled
"$SWAPLAB" bench --backend zram --sizes 16M --runs 1 --quiet >"$tmpdir/next.out" 2>&1
st=$?
ok $st "the next run succeeds"
[ $st = 0 ] || sed 's/^/# /' "$tmpdir/next.out"
check "the next run restored the killed run's state first" grep -q 'restoring what an interrupted' "$tmpdir/next.out"
check "state restored after the next run" [ "$(state)" = "$before" ]
finish
