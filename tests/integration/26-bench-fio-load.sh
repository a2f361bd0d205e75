#!/usr/bin/env bash
# The fio throughput suite on a private zram device, and stress-ng
# background load during the timed phase: both real programs, both gone
# when the bench is done.
. "$(dirname "$0")/lib.sh"
need_root
command -v fio >/dev/null || skip_all "fio not installed"
command -v stress-ng >/dev/null || skip_all "stress-ng not installed"
"$SWAPLAB" bench --suite fio --fio-size 32M --json --quiet >"$tmpdir/fio.jsonl" 2>"$tmpdir/err"
ok $? "fio suite exits 0"
sed 's/^/# /' "$tmpdir/err"
check "fio records for 4 jobs" [ "$(grep -c '"type":"fio"' "$tmpdir/fio.jsonl")" = 4 ]
check "fio bandwidth is positive" python3 -c "
import json,sys
r=[json.loads(l) for l in open('$tmpdir/fio.jsonl') if '\"fio\"' in l]
sys.exit(0 if all(x['bw_bytes']>0 and x['iops']>0 for x in r) else 1)"
check "fio stream complete" bash -c "tail -1 '$tmpdir/fio.jsonl' | grep -q '\"status\":\"ok\"'"
"$SWAPLAB" bench --sizes 32M --runs 2 --load cpu --json --quiet >"$tmpdir/load.jsonl" 2>"$tmpdir/err"
ok $? "bench under stress-ng cpu load exits 0"
check "env records the load" grep -q '"load":"cpu"' "$tmpdir/load.jsonl"
check "no stress-ng left running" bash -c "! pgrep -x stress-ng >/dev/null"
check "no fio left running" bash -c "! pgrep -x fio >/dev/null"
finish
