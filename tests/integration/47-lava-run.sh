#!/usr/bin/env bash
# 47-lava-run.sh - a real LAVA qemu job with LAVA's standalone dispatcher:
# `swaplab lava run --dispatcher lava-run` writes the job, renders the
# device configuration from lava-server's qemu.jinja2 (no_kvm), builds the
# lab initramfs for the lab's kernel, runs lava-run, and reads the job log:
# the per-figure test cases and the full JSON Lines stream.  lava-run exits
# 0 even when a test case fails, so the outcome is judged from the log;
# the second job makes the board's swapbench fail on purpose (a VMA larger
# than its memory; a plan its parser refuses never leaves the host) and must be reported as a
# failure with nothing recorded.  When the results database is part of
# the build, the samples are imported and read back.
. "$(dirname "$0")/lib.sh"
need_root
SWAPLAB=$(realpath "${SWAPLAB:-build/swaplab}")
TOP=${TOP:-$PWD}
command -v lava-run >/dev/null || skip_all "lava-dispatcher is not installed (make deps)"
[ -f /usr/share/lava-server/device-types/qemu.jinja2 ] || skip_all "lava-server's device-type templates are not installed"
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86 is not installed"
. "$TOP/tests/lava/kernel.sh"
lava_test_kernel || skip_all "no lab kernel: $LAVA_KERNEL_WHY"

t0=$SECONDS
"$SWAPLAB" lava run --device-type qemu --dispatcher lava-run --kernel "$LAVA_KERNEL" \
	--kernel-label base --kernel-commit "${LAVA_KERNEL_COMMIT:-unknown}" --memory 1024 \
	--retries 0 --out "$tmpdir/job1" -- --backend zram,zswap --sizes 64M --procs 1,2 --runs 2 \
	>"$tmpdir/run1.out" 2>"$tmpdir/run1.err"
st=$?
ok $st "lava-run qemu job completes ($((SECONDS - t0)) s)"
[ $st = 0 ] || sed 's/^/# /' "$tmpdir/run1.err" | tail -20
jsonl=$(cat "$tmpdir/run1.out")
log=$(ls "$tmpdir"/job1/lava-run-*.log 2>/dev/null | head -n 1)
check "the samples file is printed" test -s "$jsonl"
check "the device configuration came from qemu.jinja2, without KVM" \
	bash -c "grep -q qemu-system-x86_64 '$tmpdir/job1/lava-device.yaml' && ! grep -q enable-kvm '$tmpdir/job1/lava-device.yaml'"
check "the kernel booted with the lab shell, no 'quiet'" \
	bash -c "grep -q 'swaplab.shell=1' '$tmpdir/job1/lava-job.yaml' && ! grep -qw quiet '$tmpdir/job1/lava-job.yaml'"
check "LAVA saw the kernel banner" grep -q 'Linux version' "$log"
samples=$(grep -c '"type":"sample"' "$jsonl" 2>/dev/null)
check "12 samples came back (2 backends x (1+2 procs) x 2 runs)" test "${samples:-0}" = 12
check "the stream ends with status ok" grep -q '"type":"end","status":"ok"' "$jsonl"
check "the run names its device" grep -q '"type":"env".*"device":"lava-qemu"' "$jsonl"
check "the kernel it ran is recorded" grep -q '"kernel_release":"6\.1' "$jsonl"
cases=$(grep -c '"lvl": "results", "msg": {"case": "zram-64M-2p-run[12]-p[01]-munmap_ms"' "$log")
check "LAVA recorded one munmap test case per process and run (4 for zram 2p)" test "$cases" = 4
check "with a measurement in ms" grep -q '"case": "zswap-64M-1p-run1-p0-munmap_ms".*"measurement": ! "[0-9.e-]*".*"units": "ms"' "$log"

# A malformed plan never reaches the board: refused on the host, before
# anything is built or written (lab_plan_check, issue 14).
"$SWAPLAB" lava run --device-type qemu --dispatcher lava-run --kernel "$LAVA_KERNEL" --memory 1024 \
	--retries 0 --out "$tmpdir/job0" -- --backend zram --sizes 64M --runs 0 \
	>"$tmpdir/run0.out" 2>"$tmpdir/run0.err"
st=$?
check "a plan swapbench's parser refuses fails on the host (exit $st)" test $st = 1
check "naming the value" grep -q "malformed number '0'" "$tmpdir/run0.err"
check "before anything is written" test ! -e "$tmpdir/job0"
# A plan that parses but the board's swapbench refuses (larger than its
# 1 GiB): lava-run still exits 0, the log says it failed.
"$SWAPLAB" lava run --device-type qemu --dispatcher lava-run --kernel "$LAVA_KERNEL" --memory 1024 \
	--retries 0 --out "$tmpdir/job2" -- --backend zram --sizes 4G --runs 1 \
	>"$tmpdir/run2.out" 2>"$tmpdir/run2.err"
st=$?
check "a failing benchmark is a failure (exit 1)" test $st = 1
check "saying why" grep -q "swapbench exit status" "$tmpdir/run2.err"
check "with nothing recorded" test ! -s "$tmpdir/run2.out" -a -z "$(ls "$tmpdir"/job2/*.jsonl 2>/dev/null)"
log2=$(ls "$tmpdir"/job2/lava-run-*.log | head -n 1)
check "although LAVA's own job passed" grep -q '"case": "job", "definition": "lava", "result": "pass"' "$log2"
check "and its swapbench test case failed" grep -q '"case": "swapbench", "definition": "0_swaplab".*"result": "fail"' "$log2"

# Into the results database, when it is part of this build.
if "$SWAPLAB" db --help >/dev/null 2>&1; then
	"$SWAPLAB" db import --db "$tmpdir/lab.db" "$jsonl" --label lava-base --device-kind lava \
		--job "$(basename "$jsonl" .jsonl)" >/dev/null 2>"$tmpdir/db.err"
	ok $? "samples imported into the database"
	"$SWAPLAB" db export --db "$tmpdir/lab.db" --label lava-base --format jsonl -o "$tmpdir/back.jsonl" 2>>"$tmpdir/db.err"
	check "the database gives back the 12 samples" test "$(grep -c '"type":"sample"' "$tmpdir/back.jsonl")" = 12
	check "of device lava-qemu" grep -q '"device":"lava-qemu"' "$tmpdir/back.jsonl"
else
	echo "# results database not in this build: import checked where db/ is merged"
fi
check "no qemu or lava-run left running" bash -c "! pgrep -f 'lava-run --job-id [s]waplab-' >/dev/null"
finish
