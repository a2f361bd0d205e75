#!/usr/bin/env bash
# 48-lava-server.sh - the REST client against a real LAVA server started
# here on 127.0.0.1 (tests/lava/server.sh: PostgreSQL, lava-server under
# gunicorn, lava-scheduler, lava-worker; all stopped by PID on exit):
# `swaplab lava run` submits a qemu job with the lab's kernel and
# initramfs, follows it to Complete and brings the samples back;
# `status` and `results` read it again; a job whose artifact is missing
# ends Incomplete and is reported with LAVA's error type and message and
# retried when LAVA calls it an infrastructure error.  The token must not
# appear in anything swaplab printed or wrote.
. "$(dirname "$0")/lib.sh"
need_root
SWAPLAB=$(realpath "${SWAPLAB:-build/swaplab}")
TOP=${TOP:-$PWD}
for p in lava-server lava-worker lava-run gunicorn3 qemu-system-x86_64; do
	command -v $p >/dev/null || skip_all "$p is not installed (make deps)"
done
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || skip_all "postgresql is not installed (make deps)"
. "$TOP/tests/lava/kernel.sh"
lava_test_kernel || skip_all "no lab kernel: $LAVA_KERNEL_WHY"
. "$TOP/tests/lava/server.sh"
trap 'lava_server_stop; rm -rf "$tmpdir"' EXIT

chmod 711 "$tmpdir"  # postgres must reach its data directory
t0=$SECONDS
lava_server_start "$tmpdir/server"
ok $? "lava-server, scheduler, worker and PostgreSQL started ($((SECONDS - t0)) s)"
[ -n "${LAVA_URL:-}" ] || { finish; exit 1; }
export SWAPLAB_LAVA_URL=$LAVA_URL SWAPLAB_LAVA_TOKEN=$LAVA_TOKEN XDG_CONFIG_HOME=$tmpdir/xdg
unset SWAPLAB_LAVA_CONFIG SWAPLAB_LAVA_IDENTITY

t1=$SECONDS
"$SWAPLAB" lava run --device-type qemu --kernel "$LAVA_KERNEL" --memory 1024 --poll 1s --timeout 10m \
	--out "$tmpdir/job" -- --backend zram,zswap --sizes 64M --procs 1,2 --runs 1 \
	>"$tmpdir/run.out" 2>"$tmpdir/run.err"
st=$?
ok $st "a qemu job through the server completes ($((SECONDS - t1)) s)"
[ $st = 0 ] || { sed 's/^/# /' "$tmpdir/run.err" | tail -20; tail -n 20 "$LAVA_DIR/worker.log" | sed 's/^/# worker: /'; }
jsonl=$(cat "$tmpdir/run.out")
id=$(sed -n 's/.*LAVA job \([0-9]*\) submitted.*/\1/p' "$tmpdir/run.err" | head -n 1)
check "the job id is reported" test -n "$id"
check "6 samples came back" test "$(grep -c '"type":"sample"' "$jsonl" 2>/dev/null)" = 6
check "the stream ends with status ok" grep -q '"type":"end","status":"ok"' "$jsonl"
check "the server's test cases were kept beside the log" grep -q "zswap-64M-2p-run1-p1-munmap_ms" "$tmpdir/job/lava-job-$id-results.tsv"

"$SWAPLAB" lava status "$id" >"$tmpdir/status.out" 2>&1
check "status: Finished, Complete" grep -q "state Finished, health Complete, device qemu-01" "$tmpdir/status.out"
"$SWAPLAB" lava results --jsonl "$tmpdir/again.jsonl" "$id" >"$tmpdir/results.out" 2>"$tmpdir/results.err"
ok $? "results of the job"
check "the same samples, byte for byte" cmp -s "$jsonl" "$tmpdir/again.jsonl"
check "munmap figures as test cases with measurement and units" \
	grep -qP '^0_swaplab\tzram-64M-2p-run1-p0-munmap_ms\tpass\t[0-9.]+\tms$' "$tmpdir/results.out"
check "LAVA's job case passed" grep -qP '^lava\tjob\tpass' "$tmpdir/results.out"

# A generated job submitted as a file (lavacli would take the same file).
"$SWAPLAB" lava job --device-type qemu --kernel "$LAVA_KERNEL" --ramdisk "$tmpdir/job/lava-initramfs.cpio.gz" \
	-- --backend zram --sizes 64M --runs 1 >"$tmpdir/job.yaml" 2>/dev/null
"$SWAPLAB" lava submit "$tmpdir/job.yaml" >"$tmpdir/submit.out" 2>"$tmpdir/submit.err"
ok $? "lava submit of a job file"
id2=$(cat "$tmpdir/submit.out")
"$SWAPLAB" lava status --wait --poll 1s --timeout 5m "$id2" >"$tmpdir/status2.out" 2>&1
check "it runs to Complete" grep -q "health Complete" "$tmpdir/status2.out"

# An artifact the worker cannot fetch: Incomplete, LAVA's reason, no samples.
cp "$LAVA_KERNEL" "$tmpdir/vanishing-bzImage"
"$SWAPLAB" lava job --device-type qemu --kernel "$tmpdir/vanishing-bzImage" \
	--ramdisk "$tmpdir/job/lava-initramfs.cpio.gz" -- --backend zram --sizes 64M --runs 1 >"$tmpdir/bad.yaml"
rm -f "$tmpdir/vanishing-bzImage"
"$SWAPLAB" lava submit "$tmpdir/bad.yaml" >"$tmpdir/submit3.out" 2>&1
id3=$(cat "$tmpdir/submit3.out")
"$SWAPLAB" lava status --wait --poll 1s --timeout 5m "$id3" >"$tmpdir/status3.out" 2>&1
check "a job with a missing artifact ends Incomplete" grep -q "health Incomplete" "$tmpdir/status3.out"
"$SWAPLAB" lava results --jsonl "$tmpdir/bad.jsonl" "$id3" >"$tmpdir/results3.out" 2>"$tmpdir/results3.err"
check "results say so, with LAVA's error type and message" \
	grep -qE "Incomplete; (Infrastructure|Job) error: .+" "$tmpdir/results3.err"
check "and record nothing" test ! -e "$tmpdir/bad.jsonl"

if grep -qrF -- "$LAVA_TOKEN" "$tmpdir"/*.out "$tmpdir"/*.err "$tmpdir"/*.yaml "$tmpdir/job"; then
	ok 1 "the token is in something swaplab printed or wrote"
else
	ok 0 "the token is in nothing swaplab printed or wrote"
fi
lava_server_stop
check "every server process is gone" bash -c "! pgrep -f '$tmpdir/[s]erver' >/dev/null"
echo "# total $((SECONDS - t0)) s"
finish
