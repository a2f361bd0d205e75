#!/usr/bin/env bash
# 43-run-host.sh - `swaplab run` and the `host` device (lab/host.c): the
# plan passes through to the static swapbench on this machine's kernel and
# the samples come back with the device's label; bad use is refused before
# anything runs.  The real run is one tiny zram cell (16M, one run).
. "$(dirname "$0")/lib.sh"
SWAPLAB=${SWAPLAB:-build/swaplab}
SWAPBENCH=${SWAPBENCH:-build/swapbench}

"$SWAPLAB" run --device host --kernel /boot/vmlinuz --out "$tmpdir/x.jsonl" -- --sizes 16M \
	>/dev/null 2>"$tmpdir/k.err"
ok $((! ($? == 128))) "the host device cannot boot a kernel"
check "and says to use qemu" grep -q "use --device qemu" "$tmpdir/k.err"
"$SWAPLAB" run --device toaster --out "$tmpdir/x.jsonl" -- --sizes 16M >/dev/null 2>"$tmpdir/d.err"
ok $((! ($? == 128))) "an unknown device kind is refused"
check "naming the kinds" grep -q "host, qemu or lava" "$tmpdir/d.err"
"$SWAPLAB" run --device host --out "$tmpdir/x.jsonl" >/dev/null 2>"$tmpdir/p.err"
ok $((! ($? == 129))) "no plan is a usage error"
"$SWAPLAB" run --device host -- --sizes 16M >/dev/null 2>&1
ok $((! ($? == 129))) "no --out is a usage error"
"$SWAPLAB" run --device host --option swapbench=/nonexistent --out "$tmpdir/x.jsonl" -- --sizes 16M \
	>/dev/null 2>"$tmpdir/s.err"
ok $((! ($? == 128))) "a missing swapbench is refused"
check "no output written by refused runs" test ! -e "$tmpdir/x.jsonl"

need_root
"$SWAPBENCH" --help 2>&1 | grep -q -- --backend || skip_all "swapbench is still a placeholder"
"$SWAPLAB" run --device host --name host-it --workdir "$tmpdir/w" --out "$tmpdir/h.jsonl" \
	-- --backend zram --sizes 16M --procs 1 --runs 1 >"$tmpdir/h.out" 2>"$tmpdir/h.err"
st=$?
ok $st "a tiny zram plan on the running kernel"
[ $st = 0 ] || sed 's/^/# /' "$tmpdir/h.err" "$tmpdir/w/host.log" 2>/dev/null | tail -20
check "one sample" test "$(grep -c '"type":"sample"' "$tmpdir/h.jsonl")" = 1
check "labelled with the device name" grep -q '"device":"host-it"' "$tmpdir/h.jsonl"
check "of this kernel" grep -q "\"kernel_release\":\"$(uname -r)\"" "$tmpdir/h.jsonl"
check "ending ok" grep -q '"type":"end","status":"ok"' "$tmpdir/h.jsonl"
check "swapbench's progress is in the device log" test -s "$tmpdir/w/host.log"
"$SWAPLAB" run --device host --workdir "$tmpdir/w2" --out "$tmpdir/h2.jsonl" \
	-- --backend zram --sizes 16M --runs 1 --no-such-option >/dev/null 2>"$tmpdir/h2.err"
ok $((! ($? == 1))) "a plan swapbench rejects ends 'failed' (exit 1)"
check "no samples file for it" test ! -e "$tmpdir/h2.jsonl"
finish
