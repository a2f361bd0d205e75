# tests/lava/kernel.sh - the lab's x86_64 kernel for the LAVA tests
# (sourced): the base kernel of the Debian tree built by ci/kbuild
# (`swaplab kernel build`), reused from the artifact store when it is
# already there (40-kernel-build.sh builds it first in `make test`).
# Sets LAVA_KERNEL (bzImage) and LAVA_KERNEL_COMMIT, or returns 1 with a
# reason in LAVA_KERNEL_WHY.
lava_test_kernel() {
	local tree out
	LAVA_KERNEL= LAVA_KERNEL_COMMIT= LAVA_KERNEL_WHY=
	if [ -n "${SWAPLAB_TEST_KERNEL:-}" ]; then
		LAVA_KERNEL=$SWAPLAB_TEST_KERNEL
		return 0
	fi
	[ -f /usr/src/linux-source-6.1.tar.xz ] || { LAVA_KERNEL_WHY="linux-source-6.1 is not installed"; return 1; }
	tree=$("$SWAPLAB" kernel tree --source /usr/src/linux-source-6.1.tar.xz 2>/dev/null) || { LAVA_KERNEL_WHY="swaplab kernel tree failed"; return 1; }
	out=$(nice "$SWAPLAB" kernel build --tree "$tree" --commit v6.1-debian --arch x86_64 2>/dev/null) ||
		{ LAVA_KERNEL_WHY="swaplab kernel build failed"; return 1; }
	LAVA_KERNEL=$(awk '$1 == "image" { print $2 }' <<<"$out")
	LAVA_KERNEL_COMMIT=$(awk '$1 == "commit" { print $2 }' <<<"$out")
	[ -s "$LAVA_KERNEL" ] || { LAVA_KERNEL_WHY="the kernel build gave no image"; return 1; }
}
