#!/usr/bin/env bash
# The real benchmark over zswap in front of a swap file of its own: nothing
# falls through to the file, zswap parameters are restored afterwards.
. "$(dirname "$0")/lib.sh"
need_root
[ -e /sys/module/zswap/parameters/enabled ] || skip_all "no zswap in this kernel"
params_before=$(grep -H . /sys/module/zswap/parameters/*)
"$SWAPLAB" bench --backend zswap --sizes 64M,128M --procs 1,2 --runs 3 --zswap-max-pool 30 \
	--json --quiet >"$tmpdir/out.jsonl" 2>"$tmpdir/err"
ok $? "bench exits 0"
sed 's/^/# /' "$tmpdir/err"
python3 "$TOP/tests/integration/check_bench.py" "$tmpdir/out.jsonl" zswap 67108864,134217728 1,2 3
check "env records the chosen max_pool_percent" grep -q '"max_pool_percent":30' "$tmpdir/out.jsonl"
check "zswap parameters restored" [ "$(grep -H . /sys/module/zswap/parameters/*)" = "$params_before" ]
check "backing swap file removed" [ -z "$(ls /var/tmp/swaplab-*.swap 2>/dev/null)" ]
check "no swap left active" [ "$(tail -n +2 /proc/swaps | wc -l)" = 0 ]
finish
