#!/usr/bin/env bash
# Continuous mode: `swaplab watch --once` takes revisions from a directory of
# mboxes, a maildir and a git ref into the queue and runs them; a failing
# revision is recorded and does not stop the others; nothing is taken
# twice; a revision left 'running' by a killed watcher is queued again;
# `swaplab status` shows it all.
. "$(dirname "$0")/lib.sh"
need_root
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86 not installed"
[ -e /usr/src/linux-source-6.1.tar.xz ] || [ -d "${SWAPLAB_HOME:-/var/lib/swaplab}/linux" ] ||
	skip_all "no linux-source-6.1"
db=$tmpdir/lab.db out=$tmpdir/out patches=$tmpdir/patches inbox=$tmpdir/inbox
mkdir -p "$inbox"
cp "$TOP/tests/fixtures/intake/demo-zram-deferred-free-v1.mbox" "$inbox/demo.mbox"
cat >"$inbox/bad.mbox" <<'MBOX'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Lab Test <lab@example.org>
Date: Thu, 21 May 2026 10:00:00 +0000
Subject: [PATCH] mm: a patch for another tree
Message-ID: <watch-bad-1@example.org>

---
 mm/not-in-6.1.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/mm/not-in-6.1.c b/mm/not-in-6.1.c
--- a/mm/not-in-6.1.c
+++ b/mm/not-in-6.1.c
@@ -1,3 +1,3 @@
 a
-b
+c
 d
--
2.39.5

MBOX
echo "not mail at all" >"$inbox/junk.mbox"
# The demo series is stored under its lab name first (as `make run` does), so
# the watcher recognises it and reuses its worktree and kernels.
"$SWAPLAB" submit --mbox "$TOP/tests/fixtures/intake/demo-zram-deferred-free-v1.mbox" \
	--series demo-zram-deferred-free --patches-dir "$patches" -q >/dev/null 2>&1
ok $? "demo series submitted under its lab name"
watch() { "$SWAPLAB" watch --once --db "$db" --patches-dir "$patches" --out "$out" --rounds 1 "$@" \
	-- --backend zram --sizes 16M --procs 1 --runs 1; }
watch --mbox-dir "$inbox" >"$tmpdir/w1.out" 2>"$tmpdir/w1.err"
ok $? "watch --once exits 0 although one revision fails and one input is junk"
"$SWAPLAB" status --db "$db" >"$tmpdir/status1"
sed 's/^/# /' "$tmpdir/status1"
check "status: one done, one failed" grep -q '^0 queued, 0 running, 1 done, 1 failed$' "$tmpdir/status1"
check "the demo series is done with a report" grep -Eq 'demo-zram-deferred-free +v1 +done .*/out/demo-zram-deferred-free/v1$' "$tmpdir/status1"
check "the foreign patch failed at apply" grep -Eq 'mm-a-patch-for-another-tree +v1 +failed +apply' "$tmpdir/status1"
check "the junk input was reported" grep -q 'junk.mbox' "$tmpdir/w1.err"
check "the report exists" [ -s "$out/demo-zram-deferred-free/v1/report.txt" ]
check "and the series' change points (none yet: one revision, one boot a side)" \
	grep -q '^no change point' "$out/demo-zram-deferred-free/v1/changes.txt"
runs=$(sqlite3 "$db" 'select count(*) from run')
check "one base and one patched run stored" [ "$runs" = 2 ]

# Nothing new: nothing runs.  The same series from a maildir (one mail a
# file, with a reply) is recognised as already submitted.
md=$tmpdir/maildir; mkdir -p "$md/new" "$md/cur" "$md/tmp"
python3 - "$TOP/tests/fixtures/intake/demo-zram-deferred-free-v1.mbox" "$md/new" <<'PY'
import sys, mailbox
for i, m in enumerate(mailbox.mbox(sys.argv[1])):
    open('%s/%d.mail' % (sys.argv[2], i), 'wb').write(m.as_bytes())
reply = b"From: Reviewer <r@example.org>\nSubject: Re: [RFC PATCH v1 0/2] zram: defer slot free\n" \
        b"Message-ID: <reply-1@example.org>\nIn-Reply-To: <cover.1795315859.git.swaplab-demo@example.org>\n" \
        b"References: <cover.1795315859.git.swaplab-demo@example.org>\n\nLooks interesting.\n"
open('%s/99.mail' % sys.argv[2], 'wb').write(reply)
PY
watch --mbox-dir "$inbox" --maildir "$md" >"$tmpdir/w2.out" 2>"$tmpdir/w2.err"
ok $? "second watch exits 0"
check "nothing new was run" [ "$(sqlite3 "$db" 'select count(*) from run')" = "$runs" ]
check "the queue did not grow" [ "$(sqlite3 "$db" 'select count(*) from queue')" = 2 ]
check "the maildir thread was recognised as the stored revision" grep -q 'already submitted as demo-zram-deferred-free v1' "$tmpdir/w2.err"

# A git ref: its range becomes a revision; moving the ref makes v2.
g=$tmpdir/git; git init -q "$g"; git -C "$g" config user.email t@example.org; git -C "$g" config user.name T
echo a >"$g/f"; git -C "$g" add f; git -C "$g" commit -qm base; git -C "$g" tag base
echo b >"$g/f"; git -C "$g" commit -qam "f: b"
watch --git "$g" --ref HEAD --base base --series gitwatch >/dev/null 2>"$tmpdir/w3.err"
check "a git ref revision is queued and run (it fails at apply: another tree)" \
	bash -c "'$SWAPLAB' status --db '$db' | grep -Eq 'gitwatch +v1 +failed +apply'"
echo c >"$g/f"; git -C "$g" commit -qam "f: c"
watch --git "$g" --ref HEAD --base base --series gitwatch >/dev/null 2>"$tmpdir/w4.err"
check "moving the ref makes v2" bash -c "'$SWAPLAB' status --db '$db' | grep -Eq 'gitwatch +v2 +failed +apply'"

# A revision left 'running' by a killed watcher is queued again.
sqlite3 "$db" "update queue set state='running' where series='gitwatch' and version=2"
watch --mbox-dir "$inbox" >/dev/null 2>"$tmpdir/w5.err"
check "the watcher says it requeued it" grep -q 'left running by an earlier watcher queued again' "$tmpdir/w5.err"
check "and ran it again" bash -c "[ \"\$(sqlite3 '$db' \"select attempts from queue where series='gitwatch' and version=2\")\" = 2 ]"
"$SWAPLAB" status --db "$db" --json >"$tmpdir/status.json"
check "status --json is one object per revision" python3 -c "
import json,sys
r=[json.loads(l) for l in open('$tmpdir/status.json')]
sys.exit(0 if len(r)==4 and {x['state'] for x in r}=={'done','failed'} else 1)"
"$SWAPLAB" watch --once --db "$db" >/dev/null 2>"$tmpdir/w6.err"
check "watch without a source is refused" grep -q 'nothing to watch' "$tmpdir/w6.err"
finish
