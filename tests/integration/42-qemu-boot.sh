#!/usr/bin/env bash
# 42-qemu-boot.sh - the `qemu` device (lab/qemu.c): boots the lab's small
# x86_64 kernel (built by 40-kernel-build.sh, or here if missing) with the
# lab's initramfs under TCG, runs a small plan and brings the samples back
# over the serial console; and the ways a run ends badly - a plan the
# benchmark rejects, an image that is not a kernel, a guest that hangs, a
# guest that halts instead of exiting - each with its status, and never a
# QEMU left running.
. "$(dirname "$0")/lib.sh"
need_root
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86 is not installed"
[ -f /usr/src/linux-source-6.1.tar.xz ] || skip_all "linux-source-6.1 is not installed"
SWAPLAB=${SWAPLAB:-build/swaplab}
SWAPBENCH=${SWAPBENCH:-build/swapbench}
export SWAPLAB_HOME=${SWAPLAB_HOME:-/var/lib/swaplab}

field() { awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' "$2"; }
not() { ! "$@"; }
no_qemu_left() { ! pgrep -f "qemu-system-x86_64 .*$tmpdir" >/dev/null; }

tree=$("$SWAPLAB" kernel tree --source /usr/src/linux-source-6.1.tar.xz 2>/dev/null) &&
	"$SWAPLAB" kernel build --tree "$tree" --commit v6.1-debian --arch x86_64 >"$tmpdir/k.out" 2>"$tmpdir/k.err"
ok $? "the virtual board's kernel (built or reused)"
key=$(field key "$tmpdir/k.out")
release=$(field release "$tmpdir/k.out")
[ -n "$key" ] || { sed 's/^/# /' "$tmpdir/k.err" | tail -20; finish; exit 1; }

run() { # run <name> <swaplab run args...>: sets st, leaves files in $tmpdir/<name>
	local name=$1; shift
	"$SWAPLAB" run --device qemu --artifact "$key" --workdir "$tmpdir/$name" \
		--out "$tmpdir/$name.jsonl" "$@" >"$tmpdir/$name.out" 2>"$tmpdir/$name.err"
	st=$?
}

# --- the real plan -------------------------------------------------------
if "$SWAPBENCH" --help 2>&1 | grep -q -- --backend; then
	run plan -- --backend zram --sizes 16M,32M --procs 1 --runs 2
	ok $st "a zram plan runs on the virtual board"
	[ $st = 0 ] || { sed 's/^/# /' "$tmpdir/plan.err"; tail -30 "$tmpdir/plan/console.log" | sed 's/^/# console: /'; }
	check "the stream ends with status ok" grep -q '"type":"end".*"status":"ok"' "$tmpdir/plan.jsonl"
	check "4 samples: 2 sizes x 1 process x 2 runs" test "$(grep -c '"type":"sample"' "$tmpdir/plan.jsonl")" = 4
	check "the samples say which device" grep -q '"device":"qemu"' "$tmpdir/plan.jsonl"
	check "and which kernel" grep -q "\"kernel_release\":\"$release\"" "$tmpdir/plan.jsonl"
	check "every sample was paged out to zram" \
		test -z "$(grep '"type":"sample"' "$tmpdir/plan.jsonl" | grep '"swap_bytes":0,')"
	check "the console shows the kernel banner (no 'quiet')" grep -q "Linux version" "$tmpdir/plan/console.log"
	check "the kernel command line has no quiet" not grep -qw quiet "$tmpdir/plan/qemu.log"
	check "no QEMU left" no_qemu_left
	run dbrun --db "$tmpdir/lab.db" --label it-qemu --kind base -- --backend zram --sizes 16M --procs 1 --runs 1
	ok $st "a run stored in the results database (--db)"
	"$SWAPLAB" db runs --db "$tmpdir/lab.db" --label it-qemu >"$tmpdir/runs.out" 2>&1
	check "under its label, with the device and the kernel" grep -q "qemu.*$release\|$release.*qemu" "$tmpdir/runs.out"
	sqlite3 "$tmpdir/lab.db" "SELECT commit_sha, config_fingerprint FROM kernel_build" >"$tmpdir/kb.out" 2>&1
	check "linked to the kernel build's commit and config" \
		grep -q "$(field commit "$tmpdir/k.out")|$(sha256sum <"$(field config "$tmpdir/k.out")" | cut -d' ' -f1)" "$tmpdir/kb.out"
else
	n=$((n + 1)); echo "ok $n - a zram plan runs on the virtual board # SKIP swapbench is still a placeholder"
fi

# --- Debian's own kernel, with its zram/zsmalloc modules in the initramfs --
debian=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)
if [ -n "$debian" ] && "$SWAPBENCH" --help 2>&1 | grep -q -- --backend; then
	rel=${debian#/boot/vmlinuz-}
	"$SWAPLAB" run --device qemu --name qemu-debian --kernel "$debian" --modules "/lib/modules/$rel" \
		--workdir "$tmpdir/debian" --out "$tmpdir/debian.jsonl" \
		-- --backend zram --sizes 16M --runs 1 --drain-timeout 2s >/dev/null 2>"$tmpdir/debian.err"
	st=$?
	ok $st "Debian's kernel ($rel) runs a plan with zram as a module"
	[ $st = 0 ] || { sed 's/^/# /' "$tmpdir/debian.err"; tail -20 "$tmpdir/debian/console.log" | sed 's/^/# console: /'; }
	check "the samples name that kernel" grep -q "\"kernel_release\":\"$rel\"" "$tmpdir/debian.jsonl"
	check "and the device" grep -q '"device":"qemu-debian"' "$tmpdir/debian.jsonl"
	check "no QEMU left" no_qemu_left
fi

# --- a plan the benchmark rejects: failed, not retried ---------------------
run reject -- --sizes 16M --no-such-option
ok $((st != 1)) "a plan the benchmark rejects ends 'failed' (exit 1, got $st)"
check "saying swapbench failed in the guest" grep -q "swapbench exited with status" "$tmpdir/reject.err"
check "its error is on the console" grep -q "swapbench" "$tmpdir/reject/console.log"
check "no samples written" test ! -e "$tmpdir/reject.jsonl"
check "the device files are kept" test -s "$tmpdir/reject/console.log"
check "no QEMU left" no_qemu_left

# --- not a kernel: infrastructure error --------------------------------------
head -c 2000000 /dev/urandom >"$tmpdir/junk.img"
"$SWAPLAB" run --device qemu --kernel "$tmpdir/junk.img" --workdir "$tmpdir/junk" --option timeout=20s \
	--out "$tmpdir/junk.jsonl" -- --sizes 16M >"$tmpdir/junk.out" 2>"$tmpdir/junk.err"
ok $((! ($? == 2))) "an image that is not a kernel is an infrastructure error (exit 2)"
check "saying qemu did not boot it" grep -Eq "did not boot|printed nothing|timed out" "$tmpdir/junk.err"
check "no QEMU left" no_qemu_left

# --- a guest that hangs: killed at the deadline -----------------------------
t0=$(date +%s)
run hang --option timeout=8s --option append=rdinit=/bin/sh -- --sizes 16M
t1=$(date +%s)
ok $((! (st == 2))) "a hanging guest is an infrastructure error (exit 2, got $st)"
check "saying it timed out" grep -q "timed out after 8s" "$tmpdir/hang.err"
check "within the deadline plus the kill grace" test $((t1 - t0)) -lt 20
check "no QEMU left" no_qemu_left

# --- a guest that halts instead of rebooting: stopped after its last word ----
run halt --option timeout=60s --option append=swaplab.end=halt -- --sizes 16M --no-such-option
ok $((st != 1)) "a guest that halts after its run is stopped and its result kept (exit 1 as above, got $st)"
check "well before the deadline" not grep -q "timed out" "$tmpdir/halt.err"
check "no QEMU left" no_qemu_left

"$SWAPLAB" run --device qemu --arch arm64 --kernel "$(field image "$tmpdir/k.out")" --out "$tmpdir/x.jsonl" \
	-- --sizes 16M >/dev/null 2>"$tmpdir/arch.err"
ok $((! ($? == 128))) "an x86_64 kernel on the arm64 board is refused before booting"
check "saying which arch the image is" grep -q "is an x86_64 kernel but the device is arm64" "$tmpdir/arch.err"
"$SWAPLAB" run --device qemu --out "$tmpdir/x.jsonl" -- --sizes 16M >/dev/null 2>"$tmpdir/nokernel.err"
ok $((! ($? == 128))) "the qemu device without a kernel is a usage error"
check "saying it needs an image" grep -q "boots a given kernel" "$tmpdir/nokernel.err"
"$SWAPLAB" run --device qemu --artifact "$key" --option colour=red --out "$tmpdir/x.jsonl" -- --sizes 16M \
	>/dev/null 2>"$tmpdir/opt.err"
ok $((! ($? == 128))) "an unknown device option is refused"
check "naming it" grep -q "no option 'colour'" "$tmpdir/opt.err"

# --- the accelerator: KVM only when it really runs a guest ------------------
# This machine's default: one line saying why TCG (no /dev/kvm, or a hang).
check "the default run said which accelerator and why" grep -q "qemu: .*: using TCG" "$tmpdir/reject.err"
# A fake QEMU whose KVM hangs (as on hosts where /dev/kvm exists and guests
# never run), and one whose KVM works: for the probe it exits as the probe
# firmware makes a real KVM guest exit; for the boot it runs the real QEMU
# under TCG, so the plan still runs and the label can be checked.
real=$(command -v qemu-system-x86_64)
cat >"$tmpdir/fake-qemu" <<EOF
#!/bin/sh
case " \$* " in
*" -bios "*) [ "\$FAKE_KVM" = works ] && exit 3; exec sleep 3599 ;;
esac
for a; do shift; case "\$a" in kvm) a=tcg ;; host) a=qemu64 ;; esac; set -- "\$@" "\$a"; done
exec $real "\$@"
EOF
chmod +x "$tmpdir/fake-qemu"
t0=$(date +%s)
FAKE_KVM=hangs run kvmhang --option qemu="$tmpdir/fake-qemu" -- --backend zram --sizes 16M --runs 1
ok $st "a KVM that hangs: the run still completes ($(( $(date +%s) - t0 )) s with the 5 s probe)"
check "on TCG, saying KVM did not run the test guest" grep -q "KVM did not run a test guest within 5 s.*using TCG" "$tmpdir/kvmhang.err"
check "QEMU got -accel tcg" grep -q -- "-accel tcg" "$tmpdir/kvmhang/qemu.log"
check "the samples say device qemu (TCG)" grep -q '"device":"qemu"' "$tmpdir/kvmhang.jsonl"
check "the hung probe was killed" not pgrep -f '^sleep 3599$'
FAKE_KVM=works run kvmok --option qemu="$tmpdir/fake-qemu" -- --backend zram --sizes 16M --runs 1
ok $st "a KVM that runs the test guest: the run completes"
check "QEMU gets the host's CPU and -accel kvm" grep -q -- "-cpu host -accel kvm " "$tmpdir/kvmok/qemu.log"
check "and no TCG line" not grep -q "using TCG" "$tmpdir/kvmok.err"
check "the samples say device qemu-kvm" grep -q '"device":"qemu-kvm"' "$tmpdir/kvmok.jsonl"
run kvmforced --option qemu="$tmpdir/fake-qemu" --option accel=tcg -- --backend zram --sizes 16M --runs 1
ok $st "accel=tcg: the run completes"
check "accel=tcg: no probe, no line" not grep -q "using TCG\|KVM" "$tmpdir/kvmforced.err"
finish
