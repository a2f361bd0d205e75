#!/usr/bin/env bash
# 41-initramfs.sh - the lab's guest initramfs (lab/initramfs.c): what the
# cpio holds, that it is the same bytes for the same inputs, modules from a
# directory or a kernel artifact's tarball, an optional baked-in plan, and
# refusing executables the guest could not run.
. "$(dirname "$0")/lib.sh"
SWAPLAB=${SWAPLAB:-build/swaplab}
SWAPBENCH=${SWAPBENCH:-build/swapbench}
command -v cpio >/dev/null || skip_all "cpio is not installed"
[ -x /bin/busybox ] || skip_all "busybox-static is not installed"

list() { zcat "$1" | cpio -itv --quiet 2>/dev/null; }

"$SWAPLAB" initramfs -o "$tmpdir/a.cpio.gz" -- --backend zram --sizes 16M,32M 2>"$tmpdir/err"
ok $? "initramfs with a baked-in plan"
list "$tmpdir/a.cpio.gz" >"$tmpdir/a.list"
for f in init bin/busybox bin/swapbench bin/sh etc/swaplab/plan dev/console; do
	check "holds $f" grep -qE " $f( ->.*)?\$" "$tmpdir/a.list"
done
check "/dev/console is the console device (5,1)" grep -qE '^c.* 5, +1 .* dev/console$' "$tmpdir/a.list"
check "/init is executable" grep -qE '^-rwxr-xr-x .* init$' "$tmpdir/a.list"
mkdir "$tmpdir/x"
(cd "$tmpdir/x" && zcat ../a.cpio.gz | cpio -id --quiet 2>/dev/null)
check "the plan is one argument per line" cmp -s "$tmpdir/x/etc/swaplab/plan" <(printf -- '--backend\nzram\n--sizes\n16M,32M\n')
check "swapbench is the one given" cmp -s "$tmpdir/x/bin/swapbench" "$SWAPBENCH"
check "/init is valid busybox sh" /bin/busybox sh -n "$tmpdir/x/init"
check "/init prints the stream between markers" grep -q 'SWAPLAB-JSONL-END' "$tmpdir/x/init"
check "/init silences printk before the stream" grep -q 'echo "1 4 1 7" > /proc/sys/kernel/printk' "$tmpdir/x/init"

"$SWAPLAB" initramfs -o "$tmpdir/b.cpio.gz" -- --backend zram --sizes 16M,32M 2>/dev/null
check "the same inputs give the same bytes" cmp -s "$tmpdir/a.cpio.gz" "$tmpdir/b.cpio.gz"
"$SWAPLAB" initramfs -o "$tmpdir/c.cpio.gz" 2>/dev/null
ok $? "initramfs without a plan"
list "$tmpdir/c.cpio.gz" | grep -q 'etc/swaplab/plan$'
ok $((! $?)) "has no plan file (the plan comes on the command line)"
"$SWAPLAB" initramfs --no-gzip -o "$tmpdir/d.cpio" 2>/dev/null
check "--no-gzip writes a plain newc cpio" test "$(head -c 6 "$tmpdir/d.cpio")" = 070701

# modules: a directory holding lib/modules/<release>, a release directory,
# and a tarball of one; only the swap stack and its dependencies go in
m=$tmpdir/mods/lib/modules/6.1.0-test
mkdir -p "$m/kernel/mm" "$m/kernel/drivers/block/zram" "$m/kernel/drivers/gpu" "$m/kernel/lib"
for f in kernel/mm/zsmalloc.ko kernel/drivers/block/zram/zram.ko kernel/lib/helper.ko \
	 kernel/drivers/gpu/big.ko; do
	echo "fake $f" >"$m/$f"
done
printf '%s\n' "kernel/mm/zsmalloc.ko:" "kernel/drivers/block/zram/zram.ko: kernel/mm/zsmalloc.ko kernel/lib/helper.ko" \
	"kernel/lib/helper.ko:" "kernel/drivers/gpu/big.ko: kernel/lib/helper.ko" >"$m/modules.dep"
echo "kernel/mm/zswap.ko" >"$m/modules.builtin"
"$SWAPLAB" initramfs --modules "$tmpdir/mods" -o "$tmpdir/m1.cpio.gz" 2>/dev/null
ok $? "initramfs with modules from a directory"
list "$tmpdir/m1.cpio.gz" >"$tmpdir/m1.list"
check "holds zram" grep -q ' lib/modules/6.1.0-test/kernel/drivers/block/zram/zram.ko$' "$tmpdir/m1.list"
check "and what it depends on" grep -q ' lib/modules/6.1.0-test/kernel/lib/helper.ko$' "$tmpdir/m1.list"
check "and zsmalloc" grep -q ' lib/modules/6.1.0-test/kernel/mm/zsmalloc.ko$' "$tmpdir/m1.list"
check "and modprobe's indexes" grep -q ' lib/modules/6.1.0-test/modules.builtin$' "$tmpdir/m1.list"
grep -q 'big.ko$' "$tmpdir/m1.list"
ok $((! $?)) "but not the modules the guest does not need"
"$SWAPLAB" initramfs --modules "$m" -o "$tmpdir/m3.cpio.gz" 2>/dev/null
ok $? "initramfs with modules from a release directory (/lib/modules/RELEASE)"
check "same contents" cmp -s "$tmpdir/m1.list" <(list "$tmpdir/m3.cpio.gz")
tar -C "$tmpdir/mods" -czf "$tmpdir/mods.tar.gz" lib
"$SWAPLAB" initramfs --modules "$tmpdir/mods.tar.gz" -o "$tmpdir/m2.cpio.gz" 2>/dev/null
ok $? "initramfs with modules from a tarball (a kernel artifact's modules.tar.gz)"
check "same contents" cmp -s "$tmpdir/m1.list" <(list "$tmpdir/m2.cpio.gz")
mkdir -p "$tmpdir/nomods/lib/modules/x"
"$SWAPLAB" initramfs --modules "$tmpdir/nomods" -o "$tmpdir/m4.cpio.gz" 2>"$tmpdir/m4.err"
ok $((! $?)) "a modules directory without modules.dep is refused"
check "saying so" grep -q "modules.dep" "$tmpdir/m4.err"

# what the guest could not run is refused, and nothing is written
"$SWAPLAB" initramfs --swapbench /bin/ls -o "$tmpdir/bad.cpio.gz" 2>"$tmpdir/bad.err"
ok $((! $?)) "a dynamically linked swapbench is refused"
check "saying why" grep -q "dynamically linked" "$tmpdir/bad.err"
check "no output left" test ! -e "$tmpdir/bad.cpio.gz"
if [ -x "${BUILD:-build}/arm64/swapbench" ]; then
	"$SWAPLAB" initramfs --swapbench "${BUILD:-build}/arm64/swapbench" -o "$tmpdir/bad2.cpio.gz" 2>"$tmpdir/bad2.err"
	ok $((! $?)) "an arm64 swapbench in an x86_64 initramfs is refused"
	check "saying it is for another machine" grep -q "another machine" "$tmpdir/bad2.err"
fi
"$SWAPLAB" initramfs --modules "$tmpdir/none" -o "$tmpdir/bad3.cpio.gz" 2>/dev/null
ok $((! $?)) "missing modules are an error"
"$SWAPLAB" initramfs --arch sparc -o "$tmpdir/bad4.cpio.gz" 2>/dev/null
ok $((! $?)) "an unsupported arch is refused"
check "no temporary files left" test -z "$(ls "$tmpdir" | grep -E '\.(cpio|gz|mod)\.[0-9]+$')"
finish
