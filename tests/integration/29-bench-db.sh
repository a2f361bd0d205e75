#!/usr/bin/env bash
# `swaplab bench --db FILE --label NAME` stores the run through the same
# import as `swaplab db import`; an interrupted run stores nothing.
. "$(dirname "$0")/lib.sh"
need_root
db=$tmpdir/lab.db
"$SWAPLAB" bench --sizes 16M,32M --procs 1,2 --runs 2 --db "$db" --label base >/dev/null 2>"$tmpdir/err"
ok $? "bench --db --label exits 0"
check "it says what it stored" grep -q "stored 12 samples in '$db' under label 'base'" "$tmpdir/err"
"$SWAPLAB" db labels --db "$db" >"$tmpdir/labels"
check "the label lists one run of 12 samples" grep -Eq '^base +1 +12 ' "$tmpdir/labels"
"$SWAPLAB" db export --db "$db" --label base >"$tmpdir/export.jsonl"
check "the export is a complete stream" grep -q '"type":"end","status":"ok","samples":12' "$tmpdir/export.jsonl"
check "no temporary file left" [ -z "$(ls /tmp/swaplab-bench-* 2>/dev/null)" ]
sum=$(sqlite3 "$db" 'select count(*) from sample')
"$SWAPLAB" bench --sizes 32M --runs 100000 --db "$db" --label killed --quiet 2>"$tmpdir/err2" &
pid=$!
for _ in $(seq 200); do [ "$(tail -n +2 /proc/swaps | wc -l)" -gt 0 ] && break; sleep 0.05; done
sleep 0.5
kill -INT "$pid"; wait "$pid"; st=$?
check "interrupted bench exits 130 (got $st)" [ "$st" = 130 ]
check "it says nothing was stored" grep -q "nothing was stored" "$tmpdir/err2"
check "the database is unchanged" [ "$(sqlite3 "$db" 'select count(*) from sample')" = "$sum" ]
"$SWAPLAB" bench --sizes 16M --db "$db" >/dev/null 2>"$tmpdir/err3"
check "--db without --label is refused" grep -q -- "--db and --label go together" "$tmpdir/err3"
echo "not a database" >"$tmpdir/bad.db"
"$SWAPLAB" bench --sizes 16M --db "$tmpdir/bad.db" --label x >/dev/null 2>"$tmpdir/err4"
st=$?
check "a corrupt database is refused before the run (exit $st)" [ "$st" != 0 ]
check "the refusal names the file" grep -q "$tmpdir/bad.db" "$tmpdir/err4"
finish
