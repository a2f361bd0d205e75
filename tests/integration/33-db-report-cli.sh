#!/usr/bin/env bash
# `swaplab db` and `swaplab report` end to end on generated streams:
# listing, export (re-importable, CSV), series links, every report format,
# --figure max, --backend, environment flags, the marks on an A/A pair
# (unmarked) and a 10% shift either way (faster, slower; 4 boots of 10
# runs a side), the fio suite and loaded runs compared in every format,
# a series on 3 boots.  No swap state is touched.
. "$(dirname "$0")/lib.sh"
gen() { python3 "$TOP/tests/integration/gen-samples.py" "$@"; }
db=$tmpdir/lab.db

gen --seed 1 --runs 5 --fio --thp-swpout zram:64M:1=10 zram:64M:3=30 zswap:64M:1=20 >"$tmpdir/a.jsonl"
gen --seed 2 --runs 5 --kernel-release 6.18.0-p zram:64M:1=5 zram:64M:3=20 zswap:64M:1=15 >"$tmpdir/b.jsonl"
"$SWAPLAB" db import "$tmpdir/a.jsonl" --db "$db" --label base >"$tmpdir/out"
ok $? "import exits 0"
check "import says what it stored" grep -q "a.jsonl: 1 run, 25 samples -> 'base' in $db" "$tmpdir/out"
cat "$tmpdir/b.jsonl" | "$SWAPLAB" db import - --db "$db" --label patched >/dev/null
ok $? "import from standard input"
"$SWAPLAB" db labels --db "$db" >"$tmpdir/labels"
check "labels: base with 1 run and 25 samples" grep -Eq '^base +1 +25 ' "$tmpdir/labels"
check "labels: kernels and device" grep -Eq '^patched .* 6\.18\.0-p / host$' "$tmpdir/labels"
"$SWAPLAB" db labels --db "$db" --json | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]'
ok $? "labels --json is JSON Lines"
"$SWAPLAB" db runs --db "$db" --label base >"$tmpdir/runs"
check "runs lists the run uuid" grep -q "$(head -c 200 "$tmpdir/a.jsonl" | grep -o '"run_uuid":"[0-9a-f]*"' | cut -d'"' -f4)" "$tmpdir/runs"
"$SWAPLAB" db runs --db "$db" --label nosuch >/dev/null 2>"$tmpdir/err"
check "runs of an unknown label is an error" grep -q "no runs labelled 'nosuch'" "$tmpdir/err"
"$SWAPLAB" db info --db "$db" >"$tmpdir/info"
check "info: schema and counts" grep -Eq '^samples +50$' "$tmpdir/info"

# Export: the same stream back (as JSON values), importable again; CSV per sample.
"$SWAPLAB" db export --db "$db" --label base -o "$tmpdir/exp.jsonl"
ok $? "export -o"
check "export holds the same lines as the import (env verbatim, fio, thp fields)" python3 - "$tmpdir/a.jsonl" "$tmpdir/exp.jsonl" <<'EOF'
import json, sys
a, b = ([json.dumps(json.loads(l), sort_keys=True) for l in open(f)] for f in sys.argv[1:])
sys.exit(0 if sorted(a) == sorted(b) else 1)
EOF
"$SWAPLAB" db import "$tmpdir/exp.jsonl" --db "$tmpdir/copy.db" --label base >/dev/null
ok $? "the export imports into another database"
"$SWAPLAB" report --db "$db" --base base --patched patched --format csv >"$tmpdir/r1.csv"
"$SWAPLAB" db import "$tmpdir/b.jsonl" --db "$tmpdir/copy.db" --label patched >/dev/null
"$SWAPLAB" report --db "$tmpdir/copy.db" --base base --patched patched --format csv >"$tmpdir/r2.csv"
check "the copy reports the same numbers" cmp -s "$tmpdir/r1.csv" "$tmpdir/r2.csv"
"$SWAPLAB" db export --db "$db" --label base --format csv >"$tmpdir/exp.csv"
check "CSV export: header and one line per sample" python3 - "$tmpdir/exp.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ok = len(rows) == 25 and rows[0]["label"] == "base" and all(r["munmap_ns"] for r in rows)
ok = ok and {r["drain_ns"] != "" for r in rows} == {True} and "thp_swpout" in rows[0]
sys.exit(0 if ok else 1)
EOF

# Two imports into a new database at once: one creates the schema, the
# other waits for the write lock; both runs are stored.
gen --seed 41 --runs 400 zram:64M:1=10 zram:64M:2=20 >"$tmpdir/c1.jsonl"
gen --seed 42 --runs 400 zram:64M:1=10 zram:64M:2=20 >"$tmpdir/c2.jsonl"
"$SWAPLAB" db import "$tmpdir/c1.jsonl" --db "$tmpdir/conc.db" --label c1 >/dev/null 2>"$tmpdir/c1.err" &
p1=$!
"$SWAPLAB" db import "$tmpdir/c2.jsonl" --db "$tmpdir/conc.db" --label c2 >/dev/null 2>"$tmpdir/c2.err" &
p2=$!
wait $p1; s1=$?; wait $p2; s2=$?
check "concurrent imports both succeed ($s1 $s2)" [ "$s1$s2" = 00 ]
sed 's/^/# /' "$tmpdir/c1.err" "$tmpdir/c2.err"
check "concurrent imports: 2 runs, 2400 samples" \
	[ "$(sqlite3 "$tmpdir/conc.db" 'select count(*), sum(samples) from run')" = "2|2400" ]

# The report's figures: a 3-process run's figure is the mean of its
# processes; --figure max takes the slowest.
"$SWAPLAB" report --db "$db" --base base --patched patched --format json >"$tmpdir/r.json"
ok $? "report --format json"
check "json: per-run figure of the 3p cell is the mean, median over runs is 30.00ms" python3 - "$tmpdir/r.json" "$tmpdir/a.jsonl" <<'EOF'
import json, sys, statistics
r = json.load(open(sys.argv[1]))
row = [x for x in r["rows"] if x["backend"] == "zram" and x["procs"] == 3][0]
runs = {}
for l in open(sys.argv[2]):
    s = json.loads(l)
    if s["type"] == "sample" and s["backend"] == "zram" and s["procs"] == 3:
        runs.setdefault(s["run"], []).append(s["munmap_ns"])
means = sorted(sum(v) / len(v) for v in runs.values())
slow = sorted(max(v) for v in runs.values())
ok = row["base"]["runs_ns"] == means and row["base"]["median_ns"] == 30e6
ok = ok and row["base"]["slowest_median_ns"] == statistics.median(slow)
ok = ok and r["figure"] == "mean" and "alpha = 0.05" in r["test"] and r["alpha"] == 0.05
sys.exit(0 if ok else 1)
EOF
"$SWAPLAB" report --db "$db" --base base --patched patched --figure max >"$tmpdir/max.txt"
check "--figure max: the table says slowest process" grep -q 'munmap latency of the slowest process' "$tmpdir/max.txt"
check "--figure max: 3p base figure is the slowest process's median" \
	grep -Eq "^  multi 3p +$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); x=[x for x in r["rows"] if x["procs"]==3][0]; print("%.2f" % (x["base"]["slowest_median_ns"]/1e6))' "$tmpdir/r.json")ms" "$tmpdir/max.txt"
"$SWAPLAB" report --db "$db" --base base --patched patched --backend zswap >"$tmpdir/zswap.txt"
check "--backend zswap: only zswap tables" bash -c "grep -q zswap '$tmpdir/zswap.txt' && ! grep -q '(zram' '$tmpdir/zswap.txt'"
"$SWAPLAB" report --db "$db" --base base --patched patched --format markdown >"$tmpdir/r.md"
check "markdown: a pipe table per test" [ "$(grep -c '^| mode | Base | Patched | Speedup | Change | [0-9.]*% CI | p / adj. p | boots | mark |' "$tmpdir/r.md")" = 1 ]
check "markdown: an unmarked row says why" grep -q '| (fewer than 3 invocations' "$tmpdir/r.md"
check "csv: one line per cell plus header" [ "$(wc -l <"$tmpdir/r1.csv")" = 4 ]
check "csv: parses, names the test and interval" python3 - "$tmpdir/r1.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sys.exit(0 if all(r["ci_method"] == "hodges-lehmann" and r["test"].startswith("mann-whitney")
                  and float(r["alpha"]) == 0.05 for r in rows) else 1)
EOF

# Environments that differ beyond the kernel are flagged, per backend.
gen --seed 3 --runs 5 --cpus 2 --zram-comp zstd zram:64M:1=5 zswap:64M:1=15 >"$tmpdir/c.jsonl"
"$SWAPLAB" db import "$tmpdir/c.jsonl" --db "$db" --label other-box >/dev/null
"$SWAPLAB" report --db "$db" --base base --patched other-box >"$tmpdir/env.txt"
check "env: rows flagged with !" grep -Eq '^  64MB +.*x .*!$' "$tmpdir/env.txt"
check "env: footer lists cpus" grep -q '^! cpus: base 4; patched 2' "$tmpdir/env.txt"
check "env: footer lists the zram compressor for zram rows" grep -q '^! zram.comp (zram rows): base lzo-rle; patched zstd' "$tmpdir/env.txt"
"$SWAPLAB" report --db "$db" --base base --patched other-box --format json >"$tmpdir/env.json"
check "env: zswap rows flagged for cpus too, not for the zram compressor only" python3 - "$tmpdir/env.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
d = {(x["field"], x["backend"]) for x in r["environment_differences"]}
ok = ("cpus", None) in d and ("zram.comp", "zram") in d and all(x["env_differs"] for x in r["rows"] if x["compared"])
sys.exit(0 if ok else 1)
EOF

# Two plans in one label (make run's two pipelines): the plan on the kernel
# command line and the zram size derived from it differ within each side,
# not between them - no environment is flagged, and n counts a cell's boots.
k=9100
for side in tp-base tp-patched; do
	k=$((k + 2))
	gen --seed $k --runs 3 --boots 3 --cmdline "console=ttyS0 swaplab.plan=QUFB" \
		--zram-disksize $((1 << 30)) zram:256M:1=50 >"$tmpdir/$side-a.jsonl"
	gen --seed $((k + 1)) --runs 3 --boots 3 --cmdline "console=ttyS0 swaplab.plan=QkJC" \
		--zram-disksize $((2 << 30)) zram:512M:1=100 >"$tmpdir/$side-b.jsonl"
	for f in a b; do "$SWAPLAB" db import "$tmpdir/$side-$f.jsonl" --db "$db" --label $side >/dev/null; done
done
"$SWAPLAB" report --db "$db" --base tp-base --patched tp-patched >"$tmpdir/tp.txt"
check "two plans a side: nothing flagged" bash -c "! grep -q '!' '$tmpdir/tp.txt'"
check "two plans a side: n counts a cell's boots (3), not the side's (6)" grep -q '^n: *3 boots x 3 runs per side' "$tmpdir/tp.txt"
gen --seed 9199 --runs 3 --boots 3 --cmdline "console=ttyS0 swaplab.plan=QUFB" \
	--zram-disksize $((3 << 30)) zram:256M:1=50 >"$tmpdir/tp-other.jsonl"
"$SWAPLAB" db import "$tmpdir/tp-other.jsonl" --db "$db" --label tp-other >/dev/null
"$SWAPLAB" report --db "$db" --base tp-base --patched tp-other >"$tmpdir/tp2.txt"
check "a zram size the other side never had is flagged" grep -q '^! zram.disksize_bytes' "$tmpdir/tp2.txt"

# A/A is not marked; a 10% shift with a 5% spread is, as faster, and
# the same shift the other way round as slower (4 boots of 10 runs a side).
for k in 1 2 3 4; do
	gen --seed $((100 + k)) --runs 10 --mode lognormal --spread 0.05 zram:256M:1=61.82 >"$tmpdir/aa1-$k.jsonl"
	gen --seed $((110 + k)) --runs 10 --mode lognormal --spread 0.05 zram:256M:1=61.82 >"$tmpdir/aa2-$k.jsonl"
	gen --seed $((120 + k)) --runs 10 --mode lognormal --spread 0.05 zram:256M:1=68.00 >"$tmpdir/shift-$k.jsonl"
	for f in aa1 aa2 shift; do "$SWAPLAB" db import "$tmpdir/$f-$k.jsonl" --db "$db" --label "$f" >/dev/null; done
done
"$SWAPLAB" report --db "$db" --base aa1 --patched aa2 >"$tmpdir/aa.txt"
check "A/A: not marked" grep -Eq '^  256MB +[0-9.]+ms +[0-9.]+ms +[0-9.]+x +[-+][0-9.]+% +[0-9.]+-[0-9.]+$' "$tmpdir/aa.txt"
check "A/A: its interval holds 1" python3 -c '
import re,sys; m=re.search(r"  256MB .* ([0-9.]+)-([0-9.]+)$", open(sys.argv[1]).read(), re.M); sys.exit(0 if float(m.group(1)) <= 1 <= float(m.group(2)) else 1)' "$tmpdir/aa.txt"
"$SWAPLAB" report --db "$db" --base shift --patched aa1 >"$tmpdir/shift.txt"
check "10% shift: marked faster" grep -Eq '^  256MB +[0-9.]+ms +[0-9.]+ms +1\.[01][0-9]x +-[0-9.]+% +[0-9.]+-[0-9.]+ +faster$' "$tmpdir/shift.txt"
"$SWAPLAB" report --db "$db" --base aa1 --patched shift >"$tmpdir/slow.txt"
check "the other way round: marked slower" grep -Eq '^  256MB +[0-9.]+ms +[0-9.]+ms +0\.9[0-9]x +\+[0-9.]+% +[0-9.]+-[0-9.]+ +slower$' "$tmpdir/slow.txt"
"$SWAPLAB" report --db "$db" --base aa1 --patched shift --format html >"$tmpdir/slow.html"
check "html: the slower row is coloured as slower" grep -q '<tr class="row slower"' "$tmpdir/slow.html"

# Everything measured is compared: the fio suite base against patched, and
# runs under stress-ng load in tables of their own, never pooled with idle ones.
for k in 1 2 3; do
	gen --seed $((200 + k)) --runs 3 --fio --fio-bw $((2000 + k)) --started "2026-05-02T1$k:00:00Z" \
		zram:64M:1=10 >"$tmpdir/lb-$k.jsonl"
	gen --seed $((210 + k)) --runs 3 --fio --fio-bw $((1500 + k)) --started "2026-05-02T1$k:30:00Z" \
		--kernel-release 6.18.0-p zram:64M:1=5 >"$tmpdir/lp-$k.jsonl"
	gen --seed $((220 + k)) --runs 3 --load cpu --started "2026-05-02T1$k:10:00Z" zram:64M:1=40 >"$tmpdir/lbc-$k.jsonl"
	gen --seed $((230 + k)) --runs 3 --load cpu --started "2026-05-02T1$k:40:00Z" \
		--kernel-release 6.18.0-p zram:64M:1=39 >"$tmpdir/lpc-$k.jsonl"
	for f in lb lbc; do "$SWAPLAB" db import "$tmpdir/$f-$k.jsonl" --db "$db" --label lbase >/dev/null; done
	for f in lp lpc; do "$SWAPLAB" db import "$tmpdir/$f-$k.jsonl" --db "$db" --label lpatched >/dev/null; done
done
for f in lore json csv markdown lkp html; do
	"$SWAPLAB" report --db "$db" --base lbase --patched lpatched --format $f >"$tmpdir/load.$f" ||
		echo "# report --format $f failed"
done
check "load: idle and cpu-load runs are rows of their own (3 runs x 3 boots each)" python3 - "$tmpdir/load.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
rows = {x["load"]: x for x in r["rows"]}
ok = set(rows) == {"none", "cpu"} and all(x["base"]["n"] == 9 and x["patched"]["n"] == 9 for x in rows.values())
ok = ok and abs(rows["none"]["base"]["median_ns"] - 10e6) < 1e6 and abs(rows["cpu"]["base"]["median_ns"] - 40e6) < 4e6
ok = ok and {t["load"] for t in r["tables"]} == {"none", "cpu"}
sys.exit(0 if ok else 1)
EOF
check "load: lore has a table under cpu load" bash -c "tr '\n' ' ' <'$tmpdir/load.lore' | tr -s ' ' | grep -q 'Test 2: munmap latency for 64MB swap-filled VMA (zram, single process, under cpu load) '"
check "load: the idle table comes first" grep -q '^Test 1: munmap latency for 64MB swap-filled VMA (zram, single process)$' "$tmpdir/load.lore"
check "load: the lkp names say so" grep -q 'swaplab.zram.load-cpu.64M.1p.munmap_ms$' "$tmpdir/load.lkp"
check "fio: compared base against patched (-25% bandwidth, marked slower)" python3 - "$tmpdir/load.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
f = [x for x in r["fio"] if x["job"] == "seqread.fio"][0]
ok = f["base"]["n"] == 3 and f["patched"]["n"] == 3
ok = ok and abs(f["bw_bytes"]["change_pct"] + 25) < 0.2 and f["bw_bytes"]["direction"] == "slower"
ok = ok and f["lat_mean_ns"]["change_pct"] > 30 and f["lat_mean_ns"]["direction"] == "slower"
sys.exit(0 if ok else 1)
EOF
check "fio: lore table" grep -Eq '^  seqread MB/s +2002\.0 +1502\.0 +-25\.0% +slower$' "$tmpdir/load.lore"
check "fio: markdown row" grep -q '| seqread | bandwidth (MB/s) | 2002.0 | 1502.0 | -25.0%' "$tmpdir/load.markdown"
check "fio: csv row" grep -q '^fio,swaplab.fio.seqread.bw_MBps,none,' "$tmpdir/load.csv"
check "fio: lkp row" grep -Eq '^ +2002.00 +-25.0% +1502.00 +swaplab.fio.seqread.bw_MBps$' "$tmpdir/load.lkp"
check "fio: html row" grep -q '<tr class="row fio slower"><td>seqread</td><td>bandwidth (MB/s)</td>' "$tmpdir/load.html"
check "fio: the summary names the slower fio bandwidth" grep -q 'fio seqread bandwidth (-25.0%)' "$tmpdir/load.json"

# A series: v1 base and patched, v2 patched (falls back to v1's base), v3 regresses.
# Three boots each.
for k in 1 2 3; do
	gen --seed $((20 + 10 * k)) --runs 7 --mode lognormal zram:64M:1=14 >"$tmpdir/sb-$k.jsonl"
	gen --seed $((21 + 10 * k)) --runs 7 --mode lognormal zram:64M:1=2.2 >"$tmpdir/s1-$k.jsonl"
	gen --seed $((22 + 10 * k)) --runs 7 --mode lognormal zram:64M:1=2.1 >"$tmpdir/s2-$k.jsonl"
	gen --seed $((23 + 10 * k)) --runs 7 --mode lognormal zram:64M:1=3.0 >"$tmpdir/s3-$k.jsonl"
	"$SWAPLAB" db import "$tmpdir/sb-$k.jsonl" --db "$db" --series zsdefer --revision v1 --kind base \
		--commit abc123 --config-fingerprint cfg1 >/dev/null || break
	for v in 1 2 3; do
		"$SWAPLAB" db import "$tmpdir/s$v-$k.jsonl" --db "$db" --series zsdefer --revision $v --kind patched \
			--config-fingerprint cfg1 >/dev/null || break 2
	done
done
ok $? "import a series (labels default to series-vN-kind)"
check "runs show the series links" grep -q 'zsdefer v3 patched' <("$SWAPLAB" db runs --db "$db")
"$SWAPLAB" report --db "$db" --series zsdefer >"$tmpdir/series.txt"
ok $? "report --series"
check "series: one row per revision" [ "$(grep -Ec '^ +(64MB +)?v[123] .*[0-9]x' "$tmpdir/series.txt")" = 3 ]
check "series: v3's regression against v2 is marked slower" grep -Eq '^ +v3 .* \+[0-9.]+% slower$' "$tmpdir/series.txt"
check "series: the kernels line names the revisions" grep -Eq '^Kernels: base 6\.18\.0 \(abc123\), v1 .*v3 ' "$tmpdir/series.txt"
check "series: fits 72 columns" [ "$(awk 'length($0) > 72' "$tmpdir/series.txt" | wc -l)" = 0 ]
"$SWAPLAB" report --db "$db" --series nosuch >/dev/null 2>"$tmpdir/err"
check "series: unknown series is an error" grep -q "no series 'nosuch'" "$tmpdir/err"
"$SWAPLAB" db import "$tmpdir/s1-1.jsonl" --db "$db" --series zsdefer --kind patched >/dev/null 2>"$tmpdir/err"
check "import: a series needs a revision" grep -q "needs a revision" "$tmpdir/err"
finish
