#!/usr/bin/env bash
# zswap's backing device where the filesystem cannot hold a swap file
# (tmpfs, as in an initramfs): the bench falls back to a loop device, and
# the loop device goes away with the run — also after SIGKILL + --cleanup.
. "$(dirname "$0")/lib.sh"
need_root
[ -e /sys/module/zswap/parameters/enabled ] || skip_all "no zswap in this kernel"
[ -e /dev/loop-control ] || skip_all "no loop devices"
mnt=$tmpdir/tmpfs
mkdir -p "$mnt"
mount -t tmpfs -o size=256M swaplab-test "$mnt" || skip_all "cannot mount tmpfs"
trap 'umount "$mnt" 2>/dev/null; rm -rf "$tmpdir"' EXIT
loops() { losetup -a 2>/dev/null | grep -c "$mnt" || true; }
"$SWAPLAB" bench --backend zswap --sizes 32M --runs 2 --backing-dir "$mnt" --json \
	>"$tmpdir/out.jsonl" 2>"$tmpdir/err"
ok $? "zswap over a tmpfs directory exits 0"
check "it said it used a loop device" grep -q 'using a loop device' "$tmpdir/err"
check "env records the loop backing" grep -q '"backing":"loop"' "$tmpdir/out.jsonl"
check "nothing fell through to the loop device" bash -c "! grep -q '\"pswpout\":[1-9]' '$tmpdir/out.jsonl'"
check "complete stream" grep -q '"type":"end","status":"ok"' "$tmpdir/out.jsonl"
check "no loop device left on the file" [ "$(loops)" = 0 ]
check "backing file removed" [ -z "$(ls -A "$mnt")" ]

"$SWAPLAB" bench --backend zswap --sizes 32M --runs 100000 --backing-dir "$mnt" --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do grep -q '^/dev/loop' /proc/swaps && break; sleep 0.05; done
check "a loop device is the swap device while running" grep -q '^/dev/loop' /proc/swaps
sleep 0.3
kill -KILL "$pid"; wait "$pid" 2>/dev/null
"$SWAPLAB" bench --cleanup >/dev/null 2>&1
ok $? "--cleanup after SIGKILL exits 0"
check "no swap left" [ "$(tail -n +2 /proc/swaps | wc -l)" = 0 ]
check "no loop device left after cleanup" [ "$(loops)" = 0 ]
check "tmpfs is not busy" umount "$mnt"
finish
