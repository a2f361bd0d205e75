# mk/kernel.mk - kernel trees and builds (ci/), the guest initramfs and
# the virtual board (lab/qemu.c).
#
#   make arm64-guest     the arm64 guest's static pieces: build/arm64/swapbench
#                        (cross-compiled) and $(SWAPLAB_HOME)/arm64/busybox
#                        (from Debian's busybox-static:arm64)
#   make test-arm64      the arm64 kernel build + virt boot, and every patch of
#                        the reference series built for arm64 (slow: a separate
#                        target, not part of `make test`)

DEPS += linux-source-6.1 bc bison flex libelf-dev libssl-dev cpio xz-utils gzip \
	ccache busybox-static qemu-system-x86 qemu-system-arm git \
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross

# mk/*.mk are included before the Makefile's `all`: keep it the default.
.DEFAULT_GOAL := all

SWAPLAB_HOME ?= /var/lib/swaplab
ARM64_CC ?= aarch64-linux-gnu-gcc

.PHONY: arm64-guest test-arm64

# The static benchmark for arm64 guests (virt, Raspberry Pi 4B).
$(BUILD)/arm64/swapbench: $(BENCH_SRC) bench/swapbench.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(ARM64_CC) $(ALL_CFLAGS) -DSWAPBENCH_STATIC -static -o $@ $(BENCH_SRC) bench/swapbench.c -lm

# Debian's static busybox for arm64, unpacked from its .deb (needs the
# arm64 architecture in dpkg so apt can fetch it).
$(SWAPLAB_HOME)/arm64/busybox:
	@mkdir -p $(SWAPLAB_HOME)/arm64/deb
	dpkg --print-foreign-architectures | grep -qx arm64 || \
	  { dpkg --add-architecture arm64 && apt-get update -qq; }
	cd $(SWAPLAB_HOME)/arm64/deb && apt-get download -q busybox-static:arm64
	dpkg-deb -x $(SWAPLAB_HOME)/arm64/deb/busybox-static_*_arm64.deb $(SWAPLAB_HOME)/arm64/deb/root
	cp $(SWAPLAB_HOME)/arm64/deb/root/bin/busybox $@.tmp && mv $@.tmp $@

arm64-guest: $(BUILD)/arm64/swapbench $(SWAPLAB_HOME)/arm64/busybox

test-arm64: all arm64-guest
	SWAPLAB_ARM64=1 BUILD=$(BUILD) SWAPLAB=$$PWD/$(BUILD)/swaplab SWAPBENCH=$$PWD/$(BUILD)/swapbench \
	  bash tests/integration/44-arm64-virt.sh
	SWAPLAB_ARM64=1 BUILD=$(BUILD) SWAPLAB=$$PWD/$(BUILD)/swaplab SWAPBENCH=$$PWD/$(BUILD)/swapbench \
	  TOP=$$PWD flock /run/lock/swaplab-tests.lock bash tests/integration/60-reference-series.sh
