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
check "stress-ng supplied it" grep -q '"load_tool":"stress-ng"' "$tmpdir/load.jsonl"

# Without stress-ng (as in a guest's initramfs) --load cpu is the bench's
# own spinners: one per CPU, all gone afterwards.  A copy under its own
# name tells its spinners from any other swaplab on the machine.
cp "$(realpath "$SWAPLAB")" "$tmpdir/sl-loadtest"
timeout 300 env PATH=/nonexistent "$tmpdir/sl-loadtest" bench --sizes 32M --runs 2 --load cpu --json --quiet \
	>"$tmpdir/spin.jsonl" 2>"$tmpdir/err" &
pid=$!
# The bench and its one worker are two processes; with the spinners there
# are nproc more while the timed phase runs.
want=$(( $(nproc) + 2 )) n=0 most=0
for ((i = 0; i < 300; i++)); do
	n=$(pgrep -c -x sl-loadtest)
	[ "$n" -gt "$most" ] && most=$n
	[ "$most" -ge "$want" ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.05
done
wait $pid
ok $? "bench --load cpu without stress-ng exits 0" || sed 's/^/# /' "$tmpdir/err"
check "a spinner per CPU ran beside the bench (at most $most processes, $(nproc) CPUs)" test "$most" -ge "$want"
check "env records the bench's own load" grep -q '"load":"cpu","load_tool":"swapbench"' "$tmpdir/spin.jsonl"
sleep 0.3
check "no spinner left running" bash -c "! pgrep -x sl-loadtest >/dev/null"
PATH=/nonexistent "$tmpdir/sl-loadtest" bench --sizes 32M --runs 1 --load mem >/dev/null 2>"$tmpdir/err"
ok $(( $? == 0 )) "--load mem without stress-ng is refused"
check "and says why" grep -q -- "--load mem needs stress-ng" "$tmpdir/err"
finish
