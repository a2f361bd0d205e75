#!/usr/bin/env bash
# The pipeline on the shipped demo series: applied to Debian's 6.1 tree,
# base and patched kernels built, booted on the virtual board interleaved
# (base, patched, base, patched), every run stored, the reports and a
# reply mail written.  And a revision that does not apply fails at
# "apply", naming the patch, with nothing built or stored.
. "$(dirname "$0")/lib.sh"
need_root
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86 not installed"
[ -e /usr/src/linux-source-6.1.tar.xz ] || [ -d "${SWAPLAB_HOME:-/var/lib/swaplab}/linux" ] ||
	skip_all "no linux-source-6.1"
db=$tmpdir/lab.db out=$tmpdir/out
"$SWAPLAB" pipeline --series demo-zram-deferred-free -v 1 --db "$db" --rounds 2 --out "$out" \
	-- --backend zram --sizes 16M,32M --procs 1 --runs 1 >"$tmpdir/stdout" 2>"$tmpdir/err"
st=$?
ok $st "pipeline on the demo series exits 0"
[ $st = 0 ] || tail -n 30 "$tmpdir/err" | sed 's/^/# /'
r=$out/demo-zram-deferred-free/v1
check "it prints where the lore report is" grep -qx "$r/report.txt" "$tmpdir/stdout"
for f in report.txt report.md report.html report.json report.lkp report.csv reply.eml; do
	check "$f written" [ -s "$r/$f" ]
done
check "lore report has the sizes table" grep -q 'Test 1: munmap latency for different sizes (zram, single process)' "$r/report.txt"
check "lore report has both sizes" bash -c "grep -q '^  16MB ' '$r/report.txt' && grep -q '^  32MB ' '$r/report.txt'"
check "lore report fits 72 columns" bash -c "! awk 'length > 72' '$r/report.txt' | grep -q ."
check "reply answers the cover letter" grep -qx 'In-Reply-To: <cover.1795315859.git.swaplab-demo@example.org>' "$r/reply.eml"
check "reply quotes the subject" grep -qx 'Subject: Re: \[RFC PATCH v1 0/2\] zram: defer slot free on swap entry release to a workqueue' "$r/reply.eml"
check "reply carries the table" grep -q 'Speedup' "$r/reply.eml"
check "reply opens with the summary paragraph (v1 ...)" bash -c "sed '1,/^\$/d' '$r/reply.eml' | sed '1,/^\$/d' | head -n 1 | grep -q '^v1[: ]'"
check "reply body fits 72 columns" bash -c "! sed '1,/^\$/d' '$r/reply.eml' | awk 'length > 72' | grep -q ."
check "lore report: at most 60 lines" [ "$(wc -l <"$r/report.txt")" -le 60 ]
"$SWAPLAB" db runs --db "$db" --json >"$tmpdir/runs.json"
check "2 base and 2 patched runs stored, interleaved" python3 - "$tmpdir/runs.json" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs.sort(key=lambda r: (r['started'], r['id']))
labels = [r['label'].rsplit('/', 1)[1] for r in runs]
print('# order:', labels)
kernels = {r['label'].rsplit('/', 1)[1]: r['kernel_release'] for r in runs}
print('# kernels:', kernels)
ok = labels == ['base', 'patched', 'base', 'patched'] and kernels['base'] != kernels['patched']
ok = ok and all(r['device'] == 'qemu' and r['build'] == 'demo-zram-deferred-free v1 ' + r['label'].rsplit('/', 1)[1] for r in runs)
sys.exit(0 if ok else 1)
PY

# A revision that does not apply.
mkdir -p "$tmpdir/bad"
cat >"$tmpdir/bad/bad.mbox" <<'MBOX'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Lab Test <lab@example.org>
Date: Thu, 21 May 2026 10:00:00 +0000
Subject: [PATCH] zram: touch a line that is not there
Message-ID: <bad-1@example.org>

This hunk's context does not exist in 6.1.
---
 drivers/block/zram/zram_drv.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/drivers/block/zram/zram_drv.c b/drivers/block/zram/zram_drv.c
--- a/drivers/block/zram/zram_drv.c
+++ b/drivers/block/zram/zram_drv.c
@@ -1,3 +1,3 @@
 this line is not in zram_drv.c
-neither is this one
+so the patch cannot apply
 nor this one
--
2.39.5

MBOX
"$SWAPLAB" submit --mbox "$tmpdir/bad/bad.mbox" --patches-dir "$tmpdir/patches" -q >/dev/null 2>&1
ok $? "the bad revision is accepted by the intake (it is a well-formed patch)"
runs_before=$(sqlite3 "$db" 'select count(*) from run')
"$SWAPLAB" pipeline --patches-dir "$tmpdir/patches" --series zram-touch-a-line-that-is-not-there -v 1 \
	--db "$db" --out "$out" >/dev/null 2>"$tmpdir/err2"
st=$?
check "a patch that does not apply fails the pipeline (exit $st)" [ "$st" = 1 ]
check "the failure is at 'apply' and names the patch" grep -q 'apply: patch .*0001-.*does not apply' "$tmpdir/err2"
sed 's/^/# /' "$tmpdir/err2" | head -5
check "nothing stored for it" [ "$(sqlite3 "$db" 'select count(*) from run')" = "$runs_before" ]
check "no report directory for it" [ ! -e "$out/zram-touch-a-line-that-is-not-there" ]
"$SWAPLAB" pipeline --series demo-zram-deferred-free -v 1 --device host --db "$db" >/dev/null 2>"$tmpdir/err3"
check "the host device is refused for A/B runs" grep -q 'host device runs only its own kernel' "$tmpdir/err3"
one_error() { [ "$(grep -c 'error:' "$1")" = 1 ] && grep -q -- "$2" "$1"; }
for cmd in pipeline watch; do
	"$SWAPLAB" $cmd --db >/dev/null 2>"$tmpdir/err4"
	st=$?
	check "$cmd --db without a value: exit status non-zero ($st)" [ "$st" != 0 ]
	check "$cmd --db without a value: one error, naming the option" \
		one_error "$tmpdir/err4" "option '--db' needs a value"
done
finish
