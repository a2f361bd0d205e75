#!/usr/bin/env bash
# The real benchmark over a private zram device: 64M and 128M, one and two
# processes; the stream is complete and swap-filled, latency grows with size.
. "$(dirname "$0")/lib.sh"
need_root
[ -e /sys/class/zram-control/hot_add ] || skip_all "no zram in this kernel"
zram_before=$(ls -d /sys/block/zram* 2>/dev/null)
"$SWAPLAB" bench --backend zram --sizes 64M,128M --procs 1,2 --runs 3 --json --quiet \
	--out "$tmpdir/copy.jsonl" >"$tmpdir/out.jsonl" 2>"$tmpdir/err"
ok $? "bench exits 0"
check "--out holds the same stream as standard output" cmp -s "$tmpdir/out.jsonl" "$tmpdir/copy.jsonl"
check "the summary table went to standard error" grep -q 'munmap latency, median of runs' "$tmpdir/err"
sed 's/^/# /' "$tmpdir/err"
python3 "$TOP/tests/integration/check_bench.py" "$tmpdir/out.jsonl" zram 67108864,134217728 1,2 3
check "zram devices as before" [ "$(ls -d /sys/block/zram* 2>/dev/null)" = "$zram_before" ]
check "no swap left active" [ "$(tail -n +2 /proc/swaps | wc -l)" = 0 ]
finish
