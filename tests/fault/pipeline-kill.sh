#!/usr/bin/env bash
# tests/fault/pipeline-kill.sh - `swaplab pipeline` (MODE=watch: `swaplab
# watch --once`) killed with SIGKILL
# while it builds a kernel, while QEMU boots one, and at TRIALS random
# points (issue 14, item 6).  After each kill: no make and no QEMU of the
# killed run keep running; the next run removes the killed run's work
# directory, and a last run completes the revision; the database passes
# integrity_check and foreign_key_check.  A unique one-line patch makes
# the build a real one (ccache keeps it short); its artifact, worktree and
# branch are removed at the end.
#   make fault-test runs TRIALS=5; make test (59-pipeline-kill.sh) TRIALS=1.
. "$(dirname "$0")/../integration/lib.sh"
need_root
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86 not installed"
SWAPLAB=$(realpath "${SWAPLAB:-build/swaplab}")
TRIALS=${TRIALS:-5}
MODE=${MODE:-pipeline}
export SWAPLAB_HOME=${SWAPLAB_HOME:-/var/lib/swaplab}
tree=$("$SWAPLAB" kernel tree --source /usr/src/linux-source-6.1.tar.xz 2>/dev/null) || skip_all "no kernel tree (linux-source-6.1)"
base=v6.1-debian
token=kill$$x$(date +%s)
series=pipeline-kill-$token
db=$tmpdir/lab.db out=$tmpdir/out patches=$tmpdir/patches

# The patch: one comment line at the top of mm/zsmalloc.c.
mapfile -t ctx < <(git -C "$tree" show "$base:mm/zsmalloc.c" | head -n 3)
cat >"$tmpdir/p.mbox" <<EOF
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: swaplab test <test@example.org>
Date: Wed, 2 Dec 2026 12:00:00 +0000
Message-ID: <$token@example.org>
Subject: [PATCH] mm/zsmalloc: a comment for the kill test ($token)

---
 mm/zsmalloc.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/mm/zsmalloc.c b/mm/zsmalloc.c
--- a/mm/zsmalloc.c
+++ b/mm/zsmalloc.c
@@ -1,3 +1,4 @@
+/* $token */
 ${ctx[0]}
 ${ctx[1]}
 ${ctx[2]}
-- 
2.39.2
EOF
"$SWAPLAB" submit --mbox "$tmpdir/p.mbox" --series "$series" -v 1 --patches-dir "$patches" \
	--db "$db" >/dev/null 2>"$tmpdir/submit.err"
ok $? "a one-line revision submitted" || { sed 's/^/# /' "$tmpdir/submit.err"; finish; exit 1; }

cleanup_kernel() {
	local wt=$SWAPLAB_HOME/worktrees/$series-v1 d
	git -C "$tree" worktree remove --force "$wt" 2>/dev/null
	git -C "$tree" worktree prune 2>/dev/null
	git -C "$tree" branch -q -D "swaplab/$series/v1" 2>/dev/null
	for d in "$SWAPLAB_HOME"/artifacts/*/manifest.json; do
		grep -q "$token" "$d" 2>/dev/null && rm -rf "$(dirname "$d")"
	done
}
trap 'cleanup_kernel; rm -rf "$tmpdir"' EXIT

# MODE=watch: the same kills on `swaplab watch --once` taking the revision
# from a directory of mboxes (it runs the pipeline in its own process).
inbox=$tmpdir/inbox
mkdir -p "$inbox" && cp "$tmpdir/p.mbox" "$inbox/p.mbox"
# The command under test.  It is started directly (not through a shell
# function, whose subshell would be what $! names and the kill hits).
if [ "$MODE" = watch ]; then
	lab=("$SWAPLAB" watch --once --mbox-dir "$inbox" --patches-dir "$patches" --db "$db" --rounds 1
	     --tree "$tree" --out "$out" -- --backend zram --sizes 16M --procs 1 --runs 1)
else
	lab=("$SWAPLAB" pipeline --series "$series" -v 1 --patches-dir "$patches" --db "$db" --rounds 1
	     --tree "$tree" --out "$out" -- --backend zram --sizes 16M --procs 1 --runs 1)
fi
pipeline() { # in the background; sets pid
	"${lab[@]}" >"$tmpdir/p.out" 2>"$tmpdir/p.err" &
	pid=$!
}
wait_for() { # <pattern> <seconds> [<times>]: until stderr shows it (that
	# many times), or the run ended
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(grep -c -- "$1" "$tmpdir/p.err" 2>/dev/null)" -ge "${3:-1}" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# The processes of a run: its descendants (make and its compilers, QEMU),
# taken just before the kill.
descendants() { # <pid>
	local p kids
	kids=$(ps -e -o pid=,ppid= | awk -v p="$1" '$2 == p { print $1 }')
	for p in $kids; do echo "$p"; descendants "$p"; done
}
gone_within() { # <seconds> <pids...>: until none of them runs
	local i p t=$1 left; shift
	for ((i = 0; i < t * 10; i++)); do
		left=
		for p; do kill -0 "$p" 2>/dev/null && left+=" $p"; done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	for p in $left; do echo "#   left: $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"; done
	return 1
}
killed=()
comms() { # <pids...>: their program names; nothing for no pids (a bare
	# `ps` would list other processes of the machine, another lab's QEMU)
	[ $# -gt 0 ] && ps -o comm= -p "$(echo "$@" | tr ' ' ,)" 2>/dev/null
}
running_under() { # <pid> <program> <seconds>: until a descendant runs it
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		comms $(descendants "$1") | grep -q "^$2" && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# A kill waits for the program it is about (make, QEMU) to be running under
# the pipeline, then the extra seconds: a fixed delay after a log line raced
# a loaded machine (the initramfs was still being packed when it fired).
kill_at() { # <description> <pattern> <extra seconds> [<a program that must be running>
	# (or "")> [<times the pattern must have been seen>]
	pipeline
	if wait_for "$2" 900 "${5:-1}"; then
		[ -n "${4:-}" ] && running_under "$pid" "$4" 900
		sleep "$3"
		local kids
		kids=$(descendants "$pid")
		if kill -9 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			killed+=("$pid")
			ok 0 "$1: killed (pid $pid, $(echo $kids | wc -w) processes under it: $(comms $kids | sort -u | tr '\n' ' '))"
			[ -n "${4:-}" ] && check "$1: $4 was running" grep -q "^$4" <(comms $kids)
			check "$1: none of them left after 30 s" gone_within 30 $kids
		else
			wait "$pid"; ok $? "$1: the run finished before its kill"
		fi
	else
		wait "$pid"
		local st=$?
		if [ "$MODE" = watch ] && [ $st = 0 ] && grep -q '^0 queued, 0 running, 1 done' \
			<("$SWAPLAB" status --db "$db" 2>/dev/null); then
			ok 0 "$1: nothing left to run (an earlier trial's watch finished the revision)"
		else
			ok 1 "$1: the run never got there (exit $st)"; tail -n 5 "$tmpdir/p.err" | sed 's/^/#   /'
		fi
	fi
}
# watch prints no pipeline progress: its kills wait for "running" and then
# for the program itself.
if [ "$MODE" = watch ]; then
	p_build="watch: running" p_boot="watch: running" p_any="watch: running"
else
	p_build="build-patched: building" p_boot="run: round 1/1" p_any="apply:"
fi
kill_at "while building the patched kernel" "$p_build" 15 make
check "the build log shows make stopped by SIGTERM, not SIGKILL" \
	grep -qa "Terminated\|Deleting file" "$SWAPLAB_HOME"/build/x86_64-*/build.log
kill_at "while QEMU boots" "$p_boot" 1 qemu-system
# The second QEMU (patched) has ended: the run is imported and the reports
# written within the next second or two.
if [ "$MODE" != watch ]; then
	kill_at "while importing the runs and writing the reports" "qemu ended" 0 "" 2
	kill_at "a moment later (reports)" "qemu ended" 0.4 "" 2
fi
for ((t = 1; t <= TRIALS; t++)); do
	kill_at "random point $t" "$p_any" "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.1f", rand() * 20 }')"
done

"${lab[@]}" >"$tmpdir/p.out" 2>"$tmpdir/p.err"
st=$?
ok $st "the next run completes the revision"
[ $st = 0 ] || tail -n 20 "$tmpdir/p.err" | sed 's/^/#   /'
for p in "${killed[@]}"; do
	check "the work directory of killed run $p is gone" \
		bash -c "! ls -d /tmp/swaplab-pipeline.$p.* 2>/dev/null | grep -q ."
done
check "its report is written" [ -s "$out/$series/v1/report.txt" ]
check "integrity_check ok" [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
check "foreign_key_check empty" [ -z "$(sqlite3 "$db" 'PRAGMA foreign_key_check')" ]
if [ "$MODE" = watch ]; then
	"$SWAPLAB" status --db "$db" >"$tmpdir/status" 2>&1
	check "the queue: the revision done, nothing queued, running or failed" \
		grep -q '^0 queued, 0 running, 1 done, 0 failed$' "$tmpdir/status"
	check "the queue holds it once" [ "$(sqlite3 "$db" 'SELECT count(*) FROM queue')" = 1 ]
	runs=$(sqlite3 "$db" 'SELECT count(*) FROM run')
	"${lab[@]}" >"$tmpdir/p2.out" 2>"$tmpdir/p2.err"
	ok $? "another watch exits 0"
	check "and runs nothing: the revision is not run twice to completion" \
		[ "$(sqlite3 "$db" 'SELECT count(*) FROM run')" = "$runs" ]
fi
check "every stored run is complete (samples and an end)" [ "$(sqlite3 "$db" \
	"SELECT count(*) FROM run r WHERE NOT EXISTS
		(SELECT 1 FROM cell c JOIN sample s ON s.cell_id = c.id WHERE c.run_id = r.id)")" = 0 ]
finish
