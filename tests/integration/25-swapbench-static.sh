#!/usr/bin/env bash
# swapbench is one static binary that needs nothing but the kernel: it runs
# from an empty root (a chroot holding only the binary) with the same
# options and output as `swaplab bench`.
. "$(dirname "$0")/lib.sh"
need_root
check "swapbench exists" [ -x "$SWAPBENCH" ]
check "swapbench is statically linked" bash -c "file '$SWAPBENCH' | grep -q 'statically linked'"
check "swapbench has no dynamic section" bash -c "! readelf -d '$SWAPBENCH' 2>/dev/null | grep -q NEEDED"
"$SWAPBENCH" --help >"$tmpdir/help"
check "--help works" grep -q -- '--backend' "$tmpdir/help"
"$SWAPBENCH" --db x.db >/dev/null 2>"$tmpdir/err"
check "swapbench refuses --db, pointing at db import" grep -q "swaplab db import" "$tmpdir/err"
# An empty root with only the binary and the kernel's filesystems.
root=$tmpdir/root
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run"
cp "$SWAPBENCH" "$root/swapbench"
mount -t proc proc "$root/proc" && mount --rbind /sys "$root/sys" && mount --rbind /dev "$root/dev"
trap 'umount -R "$root/dev" 2>/dev/null; umount -R "$root/sys" 2>/dev/null; umount "$root/proc" 2>/dev/null; rm -rf "$tmpdir"' EXIT
chroot "$root" /swapbench --backend zram --sizes 16M --runs 2 --json --quiet >"$tmpdir/out.jsonl" 2>"$tmpdir/err"
ok $? "swapbench runs in a root holding nothing else"
sed 's/^/# /' "$tmpdir/err"
check "its stream is complete" bash -c "tail -1 '$tmpdir/out.jsonl' | grep -q '\"status\":\"ok\",\"samples\":2'"
check "it names itself in the env record" grep -q '"tool":"swapbench ' "$tmpdir/out.jsonl"
umount -R "$root/dev"; umount -R "$root/sys"; umount "$root/proc"
finish
