#!/usr/bin/env bash
# 45-lava-job.sh - `swaplab lava job` for both device types, checked by
# LAVA's own validator (lava-common's schema, strict), for every shape the
# lab generates: qemu (tmpfs, ramdisk with LAVA's overlay, swapbench
# appended or not), bcm2711-rpi-4-b with a ramdisk and with an NFS root.
# Also: the steps of the inline test definition parse in busybox sh and
# dash, and bad input is refused with a message and no output.
. "$(dirname "$0")/lib.sh"
SWAPLAB=$(realpath "${SWAPLAB:-build/swaplab}")
TOP=${TOP:-$PWD}
/usr/bin/python3 -c 'import lava_common.schemas' 2>/dev/null || skip_all "lava-common is not installed (make deps)"

cd "$tmpdir"
for f in bzImage Image bcm2711-rpi-4-b.dtb initramfs.cpio.gz rootfs.tar.xz modules.tar.xz swapbench; do
	echo "$f" >"$f"
done
plan=(-- --backend zram,zswap --sizes 64M,256M,1G --procs 1,2,4 --runs 5 --load cpu)
base=http://files.lab.example/swaplab

"$SWAPLAB" lava job --device-type qemu --kernel bzImage --ramdisk initramfs.cpio.gz "${plan[@]}" >qemu.yaml
ok $? "qemu job"
"$SWAPLAB" lava job --device-type qemu --arch arm64 --kernel Image --ramdisk initramfs.cpio.gz \
	--swapbench swapbench --kvm --memory 4096 --cpus 4 --kernel-label patched "${plan[@]}" >qemu-arm64.yaml
ok $? "qemu arm64 job with swapbench appended"
"$SWAPLAB" lava job --device-type bcm2711-rpi-4-b --kernel Image --dtb bcm2711-rpi-4-b.dtb \
	--ramdisk initramfs.cpio.gz --artifact-url "$base" --name rpi4-01 "${plan[@]}" >rpi4-ramdisk.yaml
ok $? "bcm2711-rpi-4-b ramdisk job"
"$SWAPLAB" lava job --device-type bcm2711-rpi-4-b --kernel Image --dtb bcm2711-rpi-4-b.dtb \
	--modules modules.tar.xz --rootfs rootfs.tar.xz --swapbench swapbench --artifact-url "$base" \
	--kernel-args "cma=64M" --job-timeout 180m --priority high "${plan[@]}" >rpi4-nfs.yaml
ok $? "bcm2711-rpi-4-b NFS job"

/usr/bin/python3 "$TOP/tests/lava/validate.py" qemu.yaml qemu-arm64.yaml rpi4-ramdisk.yaml rpi4-nfs.yaml >validate.out 2>&1
ok $? "all four pass LAVA's validator"
sed 's/^/# /' validate.out

check "rpi4: u-boot, tftp, the bcm2711 dtb from the artifact URL" \
	grep -q "\"$base/bcm2711-rpi-4-b.dtb\"" rpi4-ramdisk.yaml
check "rpi4: no 'quiet' anywhere" bash -c '! grep -qw quiet rpi4-*.yaml qemu*.yaml'
check "qemu: no KVM unless asked" grep -q "no_kvm: true" qemu.yaml
check "qemu arm64 with --kvm: no no_kvm" bash -c '! grep -q no_kvm qemu-arm64.yaml'

# The inline test definition's steps, as LAVA writes them into run.sh.
/usr/bin/python3 - qemu.yaml >steps.sh <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
test = [a["test"] for a in d["actions"] if "test" in a][0]
print("\n".join(test["definitions"][0]["repository"]["run"]["steps"]))
PY
check "the test definition has its steps" grep -q "lava-test-case" steps.sh
check "steps parse in busybox sh" busybox sh -n steps.sh
check "steps parse in dash" dash -n steps.sh

# Bad input: an error, nothing on stdout.
bad_case() { # bad_case <description> <expected message part> <args...>
	local d=$1 m=$2; shift 2
	"$SWAPLAB" lava job "$@" >bad.out 2>bad.err
	local st=$?
	if [ $st != 0 ] && [ ! -s bad.out ] && grep -q -- "$m" bad.err; then ok 0 "$d"; else
		ok 1 "$d"; sed 's/^/#   /' bad.err; fi
}
bad_case "quiet refused" "quiet" --device-type qemu --kernel bzImage --ramdisk initramfs.cpio.gz --kernel-args quiet
bad_case "rpi4 without dtb" "device tree" --device-type bcm2711-rpi-4-b --kernel Image --ramdisk initramfs.cpio.gz
bad_case "missing file" "cannot be read" --device-type qemu --kernel nope --ramdisk initramfs.cpio.gz
bad_case "unknown device type" "unknown LAVA device type" --device-type beaglebone --kernel bzImage
bad_case "unknown option" "unknown option" --device-type qemu --frobnicate 1
# The plan is read by the benchmark's own parser before anything is
# printed, sent or built (issue 14): job, submit and run alike.
bad_case "plan: unknown option and too many procs" "unknown option '--bogus-option'" \
	--device-type qemu --kernel bzImage --ramdisk initramfs.cpio.gz -- --bogus-option --procs 999
bad_case "plan: too many procs" "from 1 to 64" \
	--device-type qemu --kernel bzImage --ramdisk initramfs.cpio.gz -- --procs 999
bad_case "plan: --cleanup runs nothing" "makes no benchmark run" \
	--device-type qemu --kernel bzImage --ramdisk initramfs.cpio.gz -- --cleanup
bad_case "plan: --db is swaplab's" "makes no benchmark run" \
	--device-type qemu --kernel bzImage --ramdisk initramfs.cpio.gz -- --backend zram --db=x.db
# submit: nothing listens on the server's port, so any request would fail differently.
SWAPLAB_LAVA_URL=http://127.0.0.1:9 SWAPLAB_LAVA_TOKEN=t "$SWAPLAB" lava submit --device-type qemu \
	--kernel bzImage --ramdisk initramfs.cpio.gz -- --sizes 1X >sub.out 2>sub.err
st=$?
check "submit refuses the plan before sending" bash -c "[ $st != 0 ] && [ ! -s sub.out ] && grep -q 'the plan is not one swapbench accepts' sub.err && ! grep -qi 'connect\|http' sub.err"
"$SWAPLAB" lava run --device-type qemu --dispatcher lava-run --kernel bzImage --out run-out -- --runs 0 >run.out 2>run.err
st=$?
check "run refuses the plan before building or booting" bash -c "[ $st != 0 ] && [ ! -e run-out ] && grep -q 'the plan is not one swapbench accepts' run.err"
finish
