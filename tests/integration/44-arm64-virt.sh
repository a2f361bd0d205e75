#!/usr/bin/env bash
# 44-arm64-virt.sh - the arm64 kernel (ci/config/arm64.config: QEMU virt +
# Raspberry Pi 4B), cross-built, and a plan on QEMU's virt machine with a
# Cortex-A72, the local stand-in for the Pi.  Slow (a cold arm64 build
# takes many minutes on two cores, and TCG emulates a foreign CPU), so it
# is not part of `make test`: run it with `make test-arm64`, which also
# makes the arm64 guest pieces (`make arm64-guest`).
. "$(dirname "$0")/lib.sh"
need_root
[ "${SWAPLAB_ARM64:-}" = 1 ] || skip_all "slow: run with 'make test-arm64' (or SWAPLAB_ARM64=1)"
command -v aarch64-linux-gnu-gcc >/dev/null || skip_all "gcc-aarch64-linux-gnu is not installed"
command -v qemu-system-aarch64 >/dev/null || skip_all "qemu-system-arm is not installed"
SWAPLAB=${SWAPLAB:-build/swaplab}
export SWAPLAB_HOME=${SWAPLAB_HOME:-/var/lib/swaplab}
[ -x "${BUILD:-build}/arm64/swapbench" ] || skip_all "no build/arm64/swapbench: make arm64-guest"
[ -x "$SWAPLAB_HOME/arm64/busybox" ] || skip_all "no arm64 busybox: make arm64-guest"

field() { awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' "$2"; }

tree=$("$SWAPLAB" kernel tree --source /usr/src/linux-source-6.1.tar.xz 2>/dev/null) &&
	"$SWAPLAB" kernel build --tree "$tree" --commit v6.1-debian --arch arm64 >"$tmpdir/k.out" 2>"$tmpdir/k.err"
st=$?
ok $st "the arm64 kernel builds (or is reused)"
[ $st = 0 ] || { sed 's/^/# /' "$tmpdir/k.err" | tail -40; finish; exit 1; }
key=$(field key "$tmpdir/k.out")
check "an arm64 Image" grep -q "Linux kernel ARM64 boot executable" <(file "$(field image "$tmpdir/k.out")")
check "the Raspberry Pi 4B device tree" grep -q "Device Tree Blob" <(file "$(field dtb "$tmpdir/k.out")")
tar -tzf "$(field modules "$tmpdir/k.out")" >"$tmpdir/mods.list"
ok $? "a modules tarball"
check "of this kernel release" grep -q "^lib/modules/$(field release "$tmpdir/k.out")/modules.dep$" "$tmpdir/mods.list"
for o in CONFIG_ARCH_BCM2835=y CONFIG_MMC_SDHCI_IPROC=y CONFIG_BCMGENET=y CONFIG_ROOT_NFS=y \
	 CONFIG_SERIAL_AMBA_PL011_CONSOLE=y CONFIG_ZRAM=y CONFIG_ZSWAP=y; do
	check "config has $o" grep -qx "$o" "$(field config "$tmpdir/k.out")"
done

"$SWAPLAB" run --device qemu --artifact "$key" --workdir "$tmpdir/run" --out "$tmpdir/s.jsonl" \
	-- --backend zram,zswap --sizes 16M --procs 1 --runs 1 >"$tmpdir/r.out" 2>"$tmpdir/r.err"
st=$?
ok $st "a zram + zswap plan on QEMU virt, Cortex-A72"
[ $st = 0 ] || { sed 's/^/# /' "$tmpdir/r.err"; tail -30 "$tmpdir/run/console.log" | sed 's/^/# console: /'; }
check "the guest was arm64" grep -q '"arch":"aarch64"' "$tmpdir/s.jsonl"
check "two samples" test "$(grep -c '"type":"sample"' "$tmpdir/s.jsonl")" = 2
check "ending ok" grep -q '"type":"end","status":"ok"' "$tmpdir/s.jsonl"
check "no QEMU left" test -z "$(pgrep -f "qemu-system-aarch64 .*$tmpdir")"
finish
