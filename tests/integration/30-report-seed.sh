#!/usr/bin/env bash
# The seed cover letter's tables, reproduced by `report --format lore`:
# samples whose per-cell medians are the seed's Base and Patched figures
# (three boots a side, interleaved) go through `db import` and `report`,
# and every row must print the seed's figures exactly (61.82ms / 8.62ms /
# 7.17x ...), no cell's figures twice, under a four-line header naming
# the device, the kernels, the backend setup and n, with at most four
# method lines, every line at most 72 columns.  Fed Test 1 and Test 2 as
# one experiment, the report is exactly two zram tables (plus the drain
# table).  No swap state is touched.
. "$(dirname "$0")/lib.sh"
gen() { python3 "$TOP/tests/integration/gen-samples.py" "$@"; }
db=$tmpdir/lab.db

# The seed's tables (../shared/seeds/003_bb4be0c8f25547f2.txt), verbatim.
cat >"$tmpdir/seed.txt" <<'SEED'
Test 1: munmap latency for 256MB swap-filled VMA (zram backend)

  mode        Base       Patched     Speedup
  single      61.82ms    8.62ms      7.17x
  multi 2p    94.75ms    54.11ms     1.75x
  multi 3p    154.64ms   104.83ms    1.48x

Test 2: munmap latency for different sizes (zram, single process)

  Size       Base         Patched     Speedup
  64MB       14.11ms      2.18ms      6.47x
  128MB      29.45ms      4.48ms      6.57x
  192MB      43.85ms      6.62ms      6.62x
  256MB      57.01ms      9.08ms      6.28x
  512MB      115.13ms     55.58ms     2.07x
  1024MB     229.66ms     153.28ms    1.50x

Test 3: munmap latency for 256MB swap-filled VMA (zswap backend)

  mode        Base       Patched     Speedup
  single      152.14ms   51.26ms     2.97x
  multi 2p    186.56ms   105.42ms    1.77x
  multi 3p    205.83ms   153.32ms    1.34x

Test 4: munmap latency for different sizes (zswap, single process)

  Size       Base         Patched     Speedup
  64MB       37.83ms      13.26ms     2.85x
  128MB      75.11ms      26.73ms     2.81x
  256MB      150.78ms     52.97ms     2.85x
  512MB      303.04ms     130.38ms    2.32x
  1024MB     599.95ms     287.10ms    2.09x
SEED
seed=$(ls "$TOP"/../shared/seeds/003_*.txt /work/shared/seeds/003_*.txt 2>/dev/null | head -n 1)
if [ -n "$seed" ]; then
	check "the fixture is the seed's text" python3 - "$seed" "$tmpdir/seed.txt" <<'PY'
import sys
seed, fix = open(sys.argv[1]).read(), open(sys.argv[2]).read()
sys.exit(0 if all(l in seed for l in fix.splitlines() if l.strip()) else 1)
PY
fi

# Cells "backend:size:procs=median_ms" of one side of one seed test.
cells() { # test base|patched [skip-size]
	awk -v t="$1" -v side="$2" -v skip="${3:-}" '
		/^Test / { test = $2 + 0; backend = ($0 ~ /zswap/) ? "zswap" : "zram"
			   size = ""; if (match($0, /for [0-9]+MB/)) size = substr($0, RSTART + 4, RLENGTH - 4) }
		test == t && $NF ~ /x$/ {
			v = side == "base" ? $(NF - 2) : $(NF - 1); sub(/ms$/, "", v)
			if ($1 == "single") { s = size; p = 1 }
			else if ($1 == "multi") { s = size; p = $2 + 0 }
			else { s = $1; p = 1 }
			if (s == skip) next
			sub(/MB$/, "M", s)
			printf "%s:%s:%d=%s ", backend, s, p, v
		}' "$tmpdir/seed.txt"
}
# Three boots a side, interleaved (base, patched, base, ...): the middle
# boot's runs centre on the seed's median, the others 5% below and above
# it (their runs all below / above it), so the median over runs is the
# seed's figure exactly and so is the ratio of the boots' geometric means.
experiment() { # name seed cells-base cells-patched
	local name=$1 s=$2 k f side cellv p
	for k in 0 1 2; do
		for side in base patched; do
			if [ $side = base ]; then cellv=$3 p=0; else cellv=$4 p=1; fi
			f=$(echo $k | awk '{ print 0.95 + 0.05 * $1 }')
			# shellcheck disable=SC2046
			gen --seed $((s * 10 + k * 2 + p)) --runs 11 --spread 0.03 \
				--device rpi4b --cpu-model Cortex-A72 --started "2026-05-01T1$k:0$([ $side = base ] && echo 0 || echo 5):00Z" \
				--kernel-release "6.18.0-rc4$([ $side = patched ] && echo -zsdefer)" \
				$(for c in $cellv; do echo "${c%=*}=$(awk -v m="${c#*=}" -v f="$f" 'BEGIN { printf "%.6f", m * f }')"; done) \
				>"$tmpdir/$name-$side-$k.jsonl" || return 1
			"$SWAPLAB" db import "$tmpdir/$name-$side-$k.jsonl" --db "$db" --label "$name-$side" >/dev/null || return 1
		done
	done
}
# Tests 1+3 (modes at 256MB) and 2+4 (sizes) measure 256MB/1p differently:
# two experiments, two pairs of labels, as in the seed.
check "import tests 1 and 3 (3 boots a side)" experiment t13 1 "$(cells 1 base) $(cells 3 base)" "$(cells 1 patched) $(cells 3 patched)"
check "import tests 2 and 4" experiment t24 2 "$(cells 2 base) $(cells 4 base)" "$(cells 2 patched) $(cells 4 patched)"
# Test 1 and Test 2 as one experiment: 256MB single is Test 1's.
check "import tests 1 and 2 as one experiment" experiment t12 3 "$(cells 1 base) $(cells 2 base 256MB)" "$(cells 1 patched) $(cells 2 patched 256MB)"
check "the generated cells cover the seed's 17 rows, both sides" \
	[ "$(for t in 1 2 3 4; do cells $t base; cells $t patched; done | wc -w)" = 34 ]
"$SWAPLAB" report --db "$db" --base t13-base --patched t13-patched --format lore >"$tmpdir/r13.txt"
ok $? "report (tests 1 and 3) exits 0"
"$SWAPLAB" report --db "$db" --base t24-base --patched t24-patched >"$tmpdir/r24.txt"
ok $? "report (tests 2 and 4) exits 0, lore is the default"
"$SWAPLAB" report --db "$db" --base t12-base --patched t12-patched >"$tmpdir/r12.txt"
ok $? "report (tests 1 and 2 in one) exits 0"

# Every seed row must appear with the same key, Base, Patched and Speedup.
cat >"$tmpdir/tables.py" <<'PY'
import re
def tables(text):
    """Test N -> title and rows (key, base, patched, speedup, rest); references too."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"Test (\d+): (.*)", line)
        if m:
            cur = int(m.group(1)); out[cur] = {"title": m.group(2), "rows": [], "refs": []}
            continue
        if cur is None or out[cur].get("done"):
            continue
        m = re.match(r"  (single|multi \dp|\d+MB(?: \dp)?) +(\S+ms) +(\S+ms) +(\d+\.\d\dx)(.*)", line)
        r = re.match(r"  (\d+MB|single|multi \dp) +see Test (\d+)$", line)
        if m:
            out[cur]["rows"].append(m.groups())
        elif r:
            out[cur]["refs"].append((r.group(1), int(r.group(2))))
        elif out[cur]["rows"] and not line.strip():
            out[cur]["done"] = True
    return out
PY
compare() { # seed-test report-file report-test [size the report refers instead]
	python3 - "$tmpdir/seed.txt" "$1" "$2" "$3" "${4:-}" <<'PY'
import sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
from tables import tables
seed, want, rep, got_test, ref = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
s = tables(open(seed).read())[want]
r = tables(open(rep).read())[got_test]
srows = [x[:4] for x in s["rows"] if x[0] != ref]
ok = bool(s["rows"]) and s["title"] == r["title"] and srows == [x[:4] for x in r["rows"]]
ok = ok and (not ref or [x[0] for x in r["refs"]] == [ref])
if not ok:
    print("# seed:  ", s); print("# report:", r)
sys.exit(0 if ok else 1)
PY
}
check "seed Test 1 (zram modes) reproduced: title and every figure" compare 1 "$tmpdir/r13.txt" 1
check "seed Test 3 (zswap modes) reproduced" compare 3 "$tmpdir/r13.txt" 2
check "seed Test 2 (zram sizes) reproduced" compare 2 "$tmpdir/r24.txt" 1
check "seed Test 4 (zswap sizes) reproduced" compare 4 "$tmpdir/r24.txt" 2
check "one experiment: Test 1 as the seed's" compare 1 "$tmpdir/r12.txt" 1
check "one experiment: Test 2 as the seed's, 256MB referring to Test 1" compare 2 "$tmpdir/r12.txt" 2 256MB
check "one experiment: exactly two tests" [ "$(grep -c '^Test [0-9]*:' "$tmpdir/r12.txt")" = 2 ]
check "the seed's first row, exactly, marked faster" \
	grep -Eq '^  single      61\.82ms    8\.62ms      7\.17x    -86\.1%  [0-9.]+-[0-9.]+ +faster$' "$tmpdir/r13.txt"
check "the seed's header layout" grep -q '^  mode        Base       Patched     Speedup  Change  ' "$tmpdir/r13.txt"
for f in r13 r24 r12; do
	long=$(awk 'length($0) > 72' "$tmpdir/$f.txt" | wc -l)
	check "$f: no line wider than 72 columns ($long)" [ "$long" = 0 ]
	check "$f: no cell's figures twice" python3 - "$tmpdir/$f.txt" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
from tables import tables
seen, bad = set(), 0
for no, t in tables(open(sys.argv[1]).read()).items():
    backend = "zswap" if "zswap" in t["title"] else "zram"
    m = re.search(r"for (\d+MB) swap", t["title"])
    for key, *_ in t["rows"]:
        if key == "single": cell = (backend, m.group(1), 1)
        elif key.startswith("multi"): cell = (backend, m.group(1), int(key[6]))
        else:
            size, _, p = key.partition(" ")
            cell = (backend, size, int(p[:-1]) if p else 1)
        bad += cell in seen
        seen.add(cell)
sys.exit(0 if seen and not bad else 1)
PY
	check "$f: four header lines, then a blank line" python3 - "$tmpdir/$f.txt" "$f" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
n = {"r13": "11", "r24": "11", "r12": "11"}[sys.argv[2]]
want = ["Device:  rpi4b: Cortex-A72 x4 (aarch64), 8.0 GB RAM",
        "Kernels: base 6.18.0-rc4, patched 6.18.0-rc4-zsdefer",
        "Setup:   zram lzo-rle; zswap lzo, pool 20%; THP never; fill varied 3:1" if sys.argv[2] != "r12"
        else "Setup:   zram lzo-rle; THP never; fill varied 3:1",
        "n:       3 boots x %s runs per side" % n, ""]
if lines[:5] != want:
    print("# got:", lines[:5])
sys.exit(0 if lines[:5] == want else 1)
PY
	check "$f: at most four method lines, naming method, correction and detectable effect" python3 - "$tmpdir/$f.txt" <<'PY'
import sys
text = open(sys.argv[1]).read().rstrip("\n")
tail = text.split("\n\n")[-1].splitlines()
body = " ".join(tail)
ok = len(tail) <= 4 and "t test" in body and "Benjamini-Hochberg" in body and "alpha 0.05" in body
ok = ok and ("Detectable:" in body or "Smallest change" in body)
if not ok:
    print("# method lines:", tail)
sys.exit(0 if ok else 1)
PY
done
check "drain / CPU / peak pool: one table per backend" \
	[ "$(grep -c '^After munmap (z[a-z]*), base -> patched' "$tmpdir/r13.txt")" = 2 ]
check "the drain table has every cell of the backend once" \
	[ "$(awk '/^After munmap \(zram\)/ { f = 1; next } f && /^$/ && ++b == 2 { exit } f' "$tmpdir/r13.txt" | grep -c '^  256MB [123]p ')" = 3 ]
check "no environment flag when only the kernel differs" bash -c "! grep -q '!' '$tmpdir/r13.txt'"
marks=$(grep -cE '^  (single|multi [0-9]p|[0-9]+MB) .*x .* faster$' "$tmpdir/r13.txt" "$tmpdir/r24.txt" | awk -F: '{ s += $2 } END { print s }')
check "every seed row is marked faster (1.34x and more, 3 boots a side): $marks of 17" [ "$marks" = 17 ]

# One boot a side: the same figures, but nothing can be decided.
gen --seed 5 --runs 11 --device rpi4b --kernel-release 6.18.0-rc4 $(cells 1 base) >"$tmpdir/one-base.jsonl"
gen --seed 6 --runs 11 --device rpi4b --kernel-release 6.18.0-rc4-zsdefer $(cells 1 patched) >"$tmpdir/one-patched.jsonl"
"$SWAPLAB" db import "$tmpdir/one-base.jsonl" --db "$db" --label one-base >/dev/null &&
	"$SWAPLAB" db import "$tmpdir/one-patched.jsonl" --db "$db" --label one-patched >/dev/null &&
	"$SWAPLAB" report --db "$db" --base one-base --patched one-patched --format json >"$tmpdir/one.json"
ok $? "a report of one boot a side"
check "one boot a side: 7.17x shown, no mark, no interval" python3 - "$tmpdir/one.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
row = [w for w in r["rows"] if w["procs"] == 1][0]
sys.exit(0 if round(row["speedup"], 2) == 7.17 and not row["significant"] and row.get("ci") is None else 1)
EOF
"$SWAPLAB" report --db "$db" --base one-base --patched one-patched >"$tmpdir/one.txt"
check "one boot a side, lore: the seed's row, its change, no interval, no mark" \
	grep -Eq '^  single      61\.82ms    8\.62ms      7\.17x    -86\.1%  -$' "$tmpdir/one.txt"
finish
