#!/usr/bin/env bash
# Bad input to `swaplab db` and `swaplab report`: a malformed JSONL line,
# a sample with a missing field, a cut-short stream, a duplicate run, an
# unknown label, a database of a newer schema, a read-only file, a corrupt
# file, and an import killed half-way.  Each gets a clear error naming the
# file (and line), a non-zero exit, and the database exactly as before
# (compared by a full SQL dump).  No swap state is touched.
. "$(dirname "$0")/lib.sh"
gen() { python3 "$TOP/tests/integration/gen-samples.py" "$@"; }
db=$tmpdir/lab.db
dump() { sqlite3 "$db" .dump | sha256sum; }

gen --seed 1 --runs 3 zram:64M:1=10 zram:64M:2=20 >"$tmpdir/good.jsonl"
"$SWAPLAB" db import "$tmpdir/good.jsonl" --db "$db" --label base >/dev/null
ok $? "a good file imports"
before=$(dump)

# bad_import <description> <file> <expected message (grep -E)>
bad_import() {
	local what=$1 file=$2 want=$3
	"$SWAPLAB" db import "$file" --db "$db" --label other >"$tmpdir/out" 2>"$tmpdir/err"
	local st=$?
	check "$what: exit status non-zero ($st)" [ "$st" != 0 ]
	check "$what: message '$want'" grep -Eq -- "$want" "$tmpdir/err"
	check "$what: database unchanged" [ "$(dump)" = "$before" ]
}
mk() { gen --seed "$1" --runs 3 zram:64M:1=10 zram:64M:2=20 >"$tmpdir/$2.jsonl"; }

mk 2 m1; sed -i '4s/.*/{"type":"sample","backend":"zram",/' "$tmpdir/m1.jsonl"
bad_import "malformed JSON" "$tmpdir/m1.jsonl" "m1\.jsonl:4: malformed JSON: offset"
mk 3 m2; sed -i '5s/"munmap_ns":[0-9]*,//' "$tmpdir/m2.jsonl"
bad_import "sample without munmap_ns" "$tmpdir/m2.jsonl" "m2\.jsonl:5: sample has no 'munmap_ns'"
mk 3 m2z; sed -i '5s/"munmap_ns":[0-9]*,/"munmap_ns":0,/' "$tmpdir/m2z.jsonl"
bad_import "munmap_ns 0" "$tmpdir/m2z.jsonl" "m2z\.jsonl:5: munmap_ns is 0: a munmap\(\) time must be positive"
mk 3 m2n; sed -i '5s/"munmap_ns":[0-9]*,/"munmap_ns":-5,/' "$tmpdir/m2n.jsonl"
bad_import "munmap_ns negative" "$tmpdir/m2n.jsonl" "m2n\.jsonl:5: sample's 'munmap_ns' is negative"
mk 3 m2o; sed -i -e '5s/"munmap_ns":[0-9]*,/"munmap_ns":9000000000000000000,/' -e '6s/"munmap_ns":[0-9]*,/"munmap_ns":9000000000000000000,/' "$tmpdir/m2o.jsonl"
bad_import "munmap_ns sum past 2^63" "$tmpdir/m2o.jsonl" "m2o\.jsonl:6: the munmap_ns of zram 64M 2p run 1 add up past 2\^63 ns"
mk 4 m3; sed -i '3s/"size_bytes":[0-9]*/"size_bytes":"64M"/' "$tmpdir/m3.jsonl"
bad_import "field of the wrong type" "$tmpdir/m3.jsonl" "m3\.jsonl:3: sample's 'size_bytes' must be an integer, not a string"
mk 5 m4; sed -i '$d' "$tmpdir/m4.jsonl"
bad_import "stream without its end line" "$tmpdir/m4.jsonl" "m4\.jsonl: the stream ends at line 10 without the 'end' line"
mk 6 m5; sed -i '$s/"status":"ok"/"status":"interrupted","message":"SIGINT"/' "$tmpdir/m5.jsonl"
bad_import "interrupted run" "$tmpdir/m5.jsonl" "m5\.jsonl:11: the run ended with status 'interrupted': SIGINT"
mk 7 m6; sed -i '6d' "$tmpdir/m6.jsonl"
bad_import "a process missing from a run" "$tmpdir/m6.jsonl" "m6\.jsonl:10: zram 64M 2p run 1 has 1 of its 2 processes"
mk 8 m7; sed -i '1s/"schema":1/"schema":2/' "$tmpdir/m7.jsonl"
bad_import "env of another schema" "$tmpdir/m7.jsonl" "m7\.jsonl:1: env has schema 2"
mk 9 m8; sed -i '1s/"kernel_release":"[^"]*",//' "$tmpdir/m8.jsonl"
bad_import "env without kernel_release" "$tmpdir/m8.jsonl" "m8\.jsonl:1: env has no 'kernel_release'"
mk 10 m9; head -n 5 "$tmpdir/m9.jsonl" | tail -n 1 >>"$tmpdir/m9.jsonl"
bad_import "line after the end" "$tmpdir/m9.jsonl" "m9\.jsonl:12: 'sample' line before the run's 'env' line"
bad_import "the same run again" "$tmpdir/good.jsonl" "good\.jsonl:1: run [0-9a-f]{32} is already in '.*lab\.db' \(label 'base'"
bad_import "an empty file" /dev/null "/dev/null: no runs in it"
bad_import "a missing file" "$tmpdir/nope.jsonl" "cannot open '.*nope\.jsonl'"

"$SWAPLAB" db import "$tmpdir/good.jsonl" --db "$db" --label base --replace >/dev/null
ok $? "--replace re-imports the same run"
check "--replace keeps one copy" [ "$(sqlite3 "$db" 'select count(*) from run')" = 1 ]
before=$(dump)

# Unknown labels.
"$SWAPLAB" report --db "$db" --base base --patched nosuch >"$tmpdir/out" 2>"$tmpdir/err"
st=$?
check "report: unknown label exits non-zero ($st)" [ "$st" != 0 ]
check "report: the message names the label, the database and the known labels" \
	grep -q "no runs labelled 'nosuch' in '$db' (labels: base)" "$tmpdir/err"
check "report: nothing on standard output" [ ! -s "$tmpdir/out" ]
"$SWAPLAB" db export --db "$db" --label nosuch >"$tmpdir/out" 2>"$tmpdir/err"
check "export: unknown label refused" grep -q "no runs labelled 'nosuch'" "$tmpdir/err"
"$SWAPLAB" report --db "$db" --base base --patched base --format pdf >/dev/null 2>"$tmpdir/err"
check "report: unknown format refused" grep -q "format' must be lore, lkp, markdown, html, csv or json" "$tmpdir/err"
"$SWAPLAB" report --db "$db" --base base --patched base -o "$tmpdir/sub/none.txt" 2>"$tmpdir/err"
check "report -o into a missing directory fails and says so" grep -q "none.txt" "$tmpdir/err"
check "database unchanged by the reads" [ "$(dump)" = "$before" ]

# A database of a newer schema.
cp "$db" "$tmpdir/newer.db"
sqlite3 "$tmpdir/newer.db" 'PRAGMA user_version = 99'
for cmd in "db labels" "db import $tmpdir/good.jsonl --label x" "report --base base --patched base"; do
	# shellcheck disable=SC2086
	"$SWAPLAB" $cmd --db "$tmpdir/newer.db" >/dev/null 2>"$tmpdir/err"
	st=$?
	check "newer schema, '$cmd': exit $st, message names the file and versions" \
		grep -q "database '$tmpdir/newer.db' has schema version 99, newer than this swaplab's" "$tmpdir/err"
done
check "newer schema: file untouched" [ "$(sqlite3 "$tmpdir/newer.db" 'PRAGMA user_version')" = 99 ]

# Corrupt files: not SQLite at all, and a truncated database.
head -c 3000 /dev/urandom >"$tmpdir/corrupt.db"
sum=$(sha256sum <"$tmpdir/corrupt.db")
"$SWAPLAB" db import "$tmpdir/good.jsonl" --db "$tmpdir/corrupt.db" --label x >/dev/null 2>"$tmpdir/err"
st=$?
check "corrupt file: import exits non-zero ($st)" [ "$st" != 0 ]
check "corrupt file: message names it" grep -q "corrupt.db.*not a database" "$tmpdir/err"
check "corrupt file: left as it was" [ "$(sha256sum <"$tmpdir/corrupt.db")" = "$sum" ]
"$SWAPLAB" report --db "$tmpdir/corrupt.db" --base a --patched b >/dev/null 2>"$tmpdir/err"
check "corrupt file: report refuses it" grep -q "corrupt.db.*not a database" "$tmpdir/err"
sqlite3 "$tmpdir/other.db" 'CREATE TABLE t(x); INSERT INTO t VALUES (1)'
"$SWAPLAB" db import "$tmpdir/good.jsonl" --db "$tmpdir/other.db" --label x >/dev/null 2>"$tmpdir/err"
check "someone else's SQLite file is refused" grep -q "is an SQLite database but not a swaplab one" "$tmpdir/err"
check "... and not modified" [ "$(sqlite3 "$tmpdir/other.db" 'select count(*) from sqlite_schema')" = 1 ]
size=$(stat -c %s "$db")
head -c $((size / 2)) "$db" >"$tmpdir/trunc.db"
"$SWAPLAB" report --db "$tmpdir/trunc.db" --base base --patched base >/dev/null 2>"$tmpdir/err"
st=$?
check "truncated database: report fails cleanly ($st, no crash)" [ "$st" = 1 ]
check "truncated database: message names it" grep -q "trunc.db" "$tmpdir/err"

# A read-only database (as an unprivileged user: root ignores file modes).
ro=$tmpdir/ro
mkdir "$ro" && cp "$db" "$ro/lab.db" && chmod 755 "$tmpdir" "$ro" && chmod 444 "$ro/lab.db"
cp "$tmpdir/good.jsonl" "$ro/" && chmod 444 "$ro/good.jsonl"
gen --seed 77 --runs 3 zram:64M:1=10 >"$ro/new.jsonl" && chmod 444 "$ro/new.jsonl"
sum=$(sha256sum <"$ro/lab.db")
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody "$SWAPLAB" db import "$ro/new.jsonl" --db "$ro/lab.db" --label x >/dev/null 2>"$tmpdir/err"
st=$?
check "read-only file: import exits non-zero ($st)" [ "$st" != 0 ]
check "read-only file: message says so and names it" grep -q "database '$ro/lab.db' is read-only" "$tmpdir/err"
check "read-only file: unchanged" [ "$(sha256sum <"$ro/lab.db")" = "$sum" ]
as_nobody "$SWAPLAB" report --db "$ro/lab.db" --base base --patched base >"$tmpdir/ro.txt" 2>"$tmpdir/err"
ok $? "read-only file: a report still works"
check "read-only file: the report has its table" grep -q '^Test 1:' "$tmpdir/ro.txt"

# An import killed half-way (SIGKILL while it waits for more input, its
# transaction open): the database is exactly as before.
before=$(dump)
gen --seed 11 --runs 2000 zram:64M:1=10 zram:64M:2=20 >"$tmpdir/big.jsonl"
mkfifo "$tmpdir/fifo"
"$SWAPLAB" db import "$tmpdir/fifo" --db "$db" --label killed >/dev/null 2>&1 &
pid=$!
exec 7>"$tmpdir/fifo"
# head returns once the importer has read all but a pipe buffer of it.
head -n 5000 "$tmpdir/big.jsonl" >&7
sleep 0.5
check "killed import: the importer was still running" kill -0 "$pid"
kill -KILL "$pid"; wait "$pid" 2>/dev/null; st=$?
exec 7>&-
check "killed import: it died from SIGKILL ($st)" [ "$st" = 137 ]
check "killed import: database as before" [ "$(dump)" = "$before" ]
check "killed import: no label 'killed'" [ "$(sqlite3 "$db" "select count(*) from label where name = 'killed'")" = 0 ]
check "killed import: integrity_check ok" [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ]
"$SWAPLAB" db import "$tmpdir/big.jsonl" --db "$db" --label big >/dev/null
ok $? "the same stream imports afterwards"
# The disk full during an import (issue 14): a small tmpfs filled to the
# last block.  A clear error, nothing stored, the database as it was.
if [ "$(id -u)" = 0 ]; then
	full=$tmpdir/full; mkdir "$full"
	if mount -t tmpfs -o size=4m swaplab-test-full "$full"; then
		trap 'umount "$full" 2>/dev/null; rm -rf "$tmpdir"' EXIT
		fdb=$full/lab.db
		"$SWAPLAB" db import "$tmpdir/good.jsonl" --db "$fdb" --label base >/dev/null
		ok $? "disk full: a first import fits"
		fsum=$(sqlite3 "$fdb" .dump | sha256sum)
		# Full to the last block (opening fails), then with 256 KiB left
		# (the import runs and its commit fails).
		for left in 0 256; do
			avail=$(df -k --output=avail "$full" | tail -n 1)
			dd if=/dev/zero of="$full/fill" bs=1k count=$((avail - left)) 2>/dev/null
			"$SWAPLAB" db import "$tmpdir/big.jsonl" --db "$fdb" --label big >/dev/null 2>"$tmpdir/full.err"
			st=$?
			check "disk full ($left KiB left): import exits non-zero ($st)" [ "$st" != 0 ]
			check "disk full ($left KiB left): the message says so" grep -q "database or disk is full" "$tmpdir/full.err"
			sed "s/^/#   /" "$tmpdir/full.err"
			rm -f "$full/fill"
			check "disk full ($left KiB left): the database as before" [ "$(sqlite3 "$fdb" .dump | sha256sum)" = "$fsum" ]
			check "disk full ($left KiB left): nothing stored (no label big)" \
				[ "$(sqlite3 "$fdb" "select count(*) from label where name = 'big'")" = 0 ]
			check "disk full ($left KiB left): integrity_check ok" [ "$(sqlite3 "$fdb" 'PRAGMA integrity_check')" = ok ]
		done
		"$SWAPLAB" db import "$tmpdir/big.jsonl" --db "$fdb" --label big >/dev/null 2>&1
		ok $? "disk full: with space again the same import succeeds"
		umount "$full"
	else
		ok 1 "disk full: cannot mount a tmpfs"
	fi
fi
finish
