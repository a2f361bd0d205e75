#!/usr/bin/env bash
# The seed cover letter's four tables, reproduced: samples whose per-cell
# medians are the seed's Base and Patched figures go through `db import`
# and `report --format lore`, and every row must print the seed's
# figures exactly (61.82ms / 8.62ms / 7.17x ...), in lines of at most 72
# columns, with a footer naming the figure, interval, test, alpha,
# kernels and device.  No swap state is touched.
. "$(dirname "$0")/lib.sh"
gen() { python3 "$TOP/tests/integration/gen-samples.py" "$@"; }
db=$tmpdir/lab.db

# The seed's tables (../shared/seeds/003_bb4be0c8f25547f2.txt), verbatim.
cat >"$tmpdir/seed.txt" <<'EOF'
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
EOF
seed=$(ls "$TOP"/../shared/seeds/003_*.txt 2>/dev/null | head -n 1)
if [ -n "$seed" ]; then
	check "the fixture is the seed's text" python3 - "$seed" "$tmpdir/seed.txt" <<'EOF'
import sys
seed, fix = open(sys.argv[1]).read(), open(sys.argv[2]).read()
sys.exit(0 if all(l in seed for l in fix.splitlines() if l.strip()) else 1)
EOF
fi

# Cells "backend:size:procs=median_ms" of one side of one seed test.
cells() { # test base|patched
	awk -v t="$1" -v side="$2" '
		/^Test / { test = $2 + 0; backend = ($0 ~ /zswap/) ? "zswap" : "zram"
			   size = ""; if (match($0, /for [0-9]+MB/)) size = substr($0, RSTART + 4, RLENGTH - 4) }
		test == t && $NF ~ /x$/ {
			v = side == "base" ? $(NF - 2) : $(NF - 1); sub(/ms$/, "", v)
			if ($1 == "single") { s = size; p = 1 }
			else if ($1 == "multi") { s = size; p = $2 + 0 }
			else { s = $1; p = 1 }
			sub(/MB$/, "M", s)
			printf "%s:%s:%d=%s ", backend, s, p, v
		}' "$tmpdir/seed.txt"
}
# Tests 1+3 (modes at 256MB) and 2+4 (sizes) measure 256MB/1p differently:
# two experiments, two pairs of labels, as in the seed.  Each side is 3
# boots (interleaved: base at 10:00, 10:02, 10:04, patched a minute
# later), 1% apart, symmetric: the medians over runs stay the seed's.
b="--boots 3 --started 2026-05-01T10:00:00Z" p="--boots 3 --started 2026-05-01T10:01:00Z"
gen --seed 1 --runs 11 $b --device rpi4b --cpu-model Cortex-A72 --kernel-release 6.18.0-rc4 \
	$(cells 1 base) $(cells 3 base) >"$tmpdir/t13-base.jsonl"
gen --seed 2 --runs 11 $p --device rpi4b --cpu-model Cortex-A72 --kernel-release 6.18.0-rc4-zsdefer \
	$(cells 1 patched) $(cells 3 patched) >"$tmpdir/t13-patched.jsonl"
gen --seed 3 --runs 9 $b --device rpi4b --cpu-model Cortex-A72 --kernel-release 6.18.0-rc4 \
	$(cells 2 base) $(cells 4 base) >"$tmpdir/t24-base.jsonl"
gen --seed 4 --runs 9 $p --device rpi4b --cpu-model Cortex-A72 --kernel-release 6.18.0-rc4-zsdefer \
	$(cells 2 patched) $(cells 4 patched) >"$tmpdir/t24-patched.jsonl"
check "the generated cells cover the seed's 17 rows, both sides" \
	[ "$(for t in 1 2 3 4; do cells $t base; cells $t patched; done | wc -w)" = 34 ]
for f in t13-base t13-patched t24-base t24-patched; do
	"$SWAPLAB" db import "$tmpdir/$f.jsonl" --db "$db" --label "$f" >/dev/null
	ok $? "db import $f"
done
"$SWAPLAB" report --db "$db" --base t13-base --patched t13-patched --format lore >"$tmpdir/r13.txt"
ok $? "report (tests 1 and 3) exits 0"
"$SWAPLAB" report --db "$db" --base t24-base --patched t24-patched >"$tmpdir/r24.txt"
ok $? "report (tests 2 and 4) exits 0, lore is the default"

# Every seed row must appear with the same key, Base, Patched and Speedup.
compare() { # seed-test report-file report-test
	python3 - "$tmpdir/seed.txt" "$1" "$2" "$3" <<'EOF'
import re, sys
seed, want, rep, got_test = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def tables(text):
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"Test (\d+): (.*)", line)
        if m:
            cur = int(m.group(1)); out[cur] = {"title": m.group(2), "rows": []}
            continue
        m = re.match(r"  (single|multi \dp|\d+MB) +(\S+ms) +(\S+ms) +(\d+\.\d\dx)", line)
        if m and cur is not None and not out[cur].get("done"):
            out[cur]["rows"].append(m.groups())
        elif cur is not None and out[cur]["rows"] and not line.strip():
            out[cur]["done"] = True
    return out
s = tables(open(seed).read())[want]
r = tables(open(rep).read())[got_test]
ok = bool(s["rows"]) and s["title"] == r["title"] and s["rows"] == r["rows"]
if not ok:
    print("# seed:  ", s); print("# report:", r)
sys.exit(0 if ok else 1)
EOF
}
check "seed Test 1 (zram modes) reproduced: title and every figure" compare 1 "$tmpdir/r13.txt" 1
check "seed Test 3 (zswap modes) reproduced" compare 3 "$tmpdir/r13.txt" 2
check "seed Test 2 (zram sizes) reproduced" compare 2 "$tmpdir/r24.txt" 1
check "seed Test 4 (zswap sizes) reproduced" compare 4 "$tmpdir/r24.txt" 2
check "the seed's first row, exactly" grep -Eq '^  single +61\.82ms +8\.62ms +7\.17x \*' "$tmpdir/r13.txt"
check "the seed's header layout" grep -q '^  mode        Base       Patched     Speedup' "$tmpdir/r13.txt"
for f in r13 r24; do
	long=$(awk 'length($0) > 72' "$tmpdir/$f.txt" | wc -l)
	check "$f: no line wider than 72 columns ($long)" [ "$long" = 0 ]
done
check "rows carry a 95% interval" grep -Eq '^  single +61\.82ms .*\[[0-9.]+, [0-9.]+\] +33/33$' "$tmpdir/r13.txt"
check "drain / CPU table present" grep -q 'Drain base  Drain patched' "$tmpdir/r13.txt"
footer=$(tr '\n' ' ' <"$tmpdir/r13.txt" | tr -s ' ')
for want in "median over runs" "mean of its N processes' munmap() latencies" \
	"95% CI of the Base/Patched ratio from the same t test" \
	"alpha = 0.05 after Benjamini-Hochberg" "t test on log per-invocation medians" \
	"Base: 6.18.0-rc4 (label t13-base, 3 bench invocations)" \
	"Patched: 6.18.0-rc4-zsdefer (label t13-patched, 3 bench invocations)" \
	"Device: rpi4b (Cortex-A72, 4 CPUs, aarch64)"; do
	check "footer says: $want" grep -qF -- "$want" <<<"$footer"
done
check "no environment flag when only the kernel differs" bash -c "! grep -q '!' '$tmpdir/r13.txt'"
marks=$(grep -cE '^  (single|multi [0-9]p|[0-9]+MB) .*x \*' "$tmpdir/r13.txt" "$tmpdir/r24.txt" | awk -F: '{ s += $2 } END { print s }')
check "every seed row is marked (1.34x and more, 3 boots a side): $marks of 17" [ "$marks" = 17 ]

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
finish
