#!/usr/bin/env bash
# 58-db-full-queue.sh - the database's disk full or read-only while
# `swaplab watch` updates the queue and while `swaplab report` writes its
# output (issue 14, item 6).  Each time: a clear error (what, where, why),
# a non-zero exit, and the queue as it was: no input marked as seen that
# was not queued, so nothing is lost; with space again the next watch takes
# the revision.  No kernel is built: the revision's run is asked of the
# host device, which refuses base/patched at once (stage run).  A tmpfs is
# mounted for the full disk and unmounted at the end.
. "$(dirname "$0")/lib.sh"
need_root
gen() { python3 "$TOP/tests/integration/gen-samples.py" "$@"; }
SWAPLAB=${SWAPLAB:-build/swaplab}
mbox=$TOP/tests/fixtures/intake/demo-zram-deferred-free-v1.mbox
full=$tmpdir/full inbox=$tmpdir/inbox empty=$tmpdir/empty
mkdir -p "$full" "$inbox" "$empty" && cp "$mbox" "$inbox/demo.mbox"
mount -t tmpfs -o size=4m swaplab-test-full "$full" || skip_all "cannot mount a tmpfs"
trap 'umount "$full" 2>/dev/null; rm -rf "$tmpdir"' EXIT
db=$full/lab.db
queue() { sqlite3 "$db" "SELECT * FROM queue; SELECT * FROM watch_seen" | sha256sum; }
watch() { # watch <inbox> : one scan and one pass, on the host device
	"$SWAPLAB" watch --once --db "$db" --patches-dir "$tmpdir/patches" --out "$tmpdir/out" \
		--rounds 1 --mbox-dir "$1" --device host -- --sizes 8M --runs 1
}

watch "$empty" >/dev/null 2>&1
ok $? "an empty database (a watch that found nothing)"
cp "$db" "$tmpdir/pristine.db"

# KiB left: 48 and 96 fail at the intake's revision row, before anything
# is queued; with 200 the revision is queued and its input marked seen
# (one transaction), and claiming it for the run fails.  Either way: no
# input seen without its revision queued, nothing left running.
for left in 48 96 200; do
	rm -f "$full"/*; cp "$tmpdir/pristine.db" "$db"; rm -rf "$tmpdir/patches"
	avail=$(df -k --output=avail "$full" | tail -n 1)
	dd if=/dev/zero of="$full/fill" bs=1k count=$((avail - left)) 2>/dev/null
	q=$(queue)
	watch "$inbox" >"$tmpdir/w.out" 2>"$tmpdir/w.err"
	st=$?
	check "disk full ($left KiB left): watch exits 2, an infrastructure error ($st)" [ "$st" = 2 ]
	check "disk full ($left KiB left): says the database is full" grep -q "database or disk is full" "$tmpdir/w.err"
	check "disk full ($left KiB left): says watch stopped and nothing was lost" \
		grep -q "watch: stopped: the database '$db' cannot be written" "$tmpdir/w.err"
	sed 's/^/#   /' "$tmpdir/w.err"
	rm -f "$full/fill"
	if [ $left -lt 200 ]; then
		check "disk full ($left KiB left): queue and seen inputs as before" [ "$(queue)" = "$q" ]
	else
		check "disk full ($left KiB left): the revision queued, not claimed" \
			[ "$(sqlite3 "$db" "SELECT state FROM queue")" = queued ]
	fi
	check "disk full ($left KiB left): no input seen without its revision queued" \
		[ "$(sqlite3 "$db" "SELECT count(*) FROM watch_seen s WHERE NOT EXISTS
			(SELECT 1 FROM queue q WHERE q.source = s.key)")" = 0 ]
	check "disk full ($left KiB left): integrity_check ok" [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
done
# With space again (the 200 KiB case left the revision's row and files):
# the same input is taken and queued, and its run is attempted.
watch "$inbox" >"$tmpdir/w.out" 2>"$tmpdir/w.err"
ok $? "with space again watch exits 0"
check "the revision was queued and run (failed at run: the host boots no kernel)" \
	[ "$(sqlite3 "$db" "SELECT state || ':' || stage FROM queue")" = "failed:run" ]
check "and its input is marked as taken" [ "$(sqlite3 "$db" "SELECT outcome FROM watch_seen")" = taken ]

# A read-only database (as an unprivileged user: root ignores modes).
ro=$tmpdir/ro
mkdir "$ro" && cp "$tmpdir/pristine.db" "$ro/lab.db" && chmod 755 "$tmpdir" "$ro" "$inbox" &&
	chmod 444 "$ro/lab.db" "$inbox/demo.mbox"
sum=$(sha256sum <"$ro/lab.db")
setpriv --reuid=nobody --regid=nogroup --clear-groups "$SWAPLAB" watch --once --db "$ro/lab.db" \
	--patches-dir "$ro/patches" --out "$ro/out" --rounds 1 --mbox-dir "$inbox" --device host \
	>"$tmpdir/w.out" 2>"$tmpdir/w.err"
st=$?
check "read-only database: watch exits non-zero ($st)" [ "$st" != 0 ]
check "read-only database: says so and names it" grep -q "database '$ro/lab.db' is read-only" "$tmpdir/w.err"
sed 's/^/#   /' "$tmpdir/w.err"
check "read-only database: unchanged" [ "$(sha256sum <"$ro/lab.db")" = "$sum" ]

# A report written onto a full disk: an error, no partial file, an older
# report of the same name untouched.
rdb=$tmpdir/report.db
gen --seed 3 --runs 3 zram:64M:1=10 >"$tmpdir/a.jsonl" && gen --seed 4 --runs 3 zram:64M:1=12 >"$tmpdir/b.jsonl"
"$SWAPLAB" db import "$tmpdir/a.jsonl" --db "$rdb" --label base >/dev/null &&
	"$SWAPLAB" db import "$tmpdir/b.jsonl" --db "$rdb" --label new >/dev/null
ok $? "a database to report from"
rm -f "$full"/*
echo "an older report" >"$full/report.html"
avail=$(df -k --output=avail "$full" | tail -n 1)
dd if=/dev/zero of="$full/fill" bs=1k count="$avail" 2>/dev/null
rsum=$(sqlite3 "$rdb" .dump | sha256sum)
"$SWAPLAB" report --db "$rdb" --base base --patched new --format html -o "$full/report.html" \
	>"$tmpdir/r.out" 2>"$tmpdir/r.err"
st=$?
check "report onto a full disk: exits non-zero ($st)" [ "$st" != 0 ]
check "report onto a full disk: says where and why" grep -q "$full/report.html.*No space left on device\|No space left on device.*$full/report.html" "$tmpdir/r.err"
sed 's/^/#   /' "$tmpdir/r.err"
check "report onto a full disk: the older report untouched" [ "$(cat "$full/report.html")" = "an older report" ]
check "report onto a full disk: no temporary left" [ -z "$(ls "$full" | grep -v '^fill$\|^report.html$')" ]
check "report onto a full disk: the database unchanged" [ "$(sqlite3 "$rdb" .dump | sha256sum)" = "$rsum" ]
rm -f "$full/fill"
"$SWAPLAB" report --db "$rdb" --base base --patched new --format html -o "$full/report.html" 2>/dev/null
ok $? "with space again the report is written"
check "and replaces the older one" grep -q "<html" "$full/report.html"

umount "$full"
check "the tmpfs is unmounted" sh -c '! grep -q " $1 " /proc/mounts' - "$full"
finish
