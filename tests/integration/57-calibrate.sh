#!/usr/bin/env bash
# 57-calibrate.sh - `swaplab calibrate` on the virtual board (QEMU, TCG):
# the lab's x86_64 kernel (built by 40-kernel-build.sh, or here) booted
# as two labels, 3 boots each, interleaved, with a short plan; what it
# stores (per cell: spread between and inside boots, false marks, the
# minimum detectable effect), `--show`, and the ways it refuses to start.
# QEMU guests do not touch the host's swap state; no QEMU is left.
. "$(dirname "$0")/lib.sh"
need_root
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86 is not installed"
[ -f /usr/src/linux-source-6.1.tar.xz ] || skip_all "linux-source-6.1 is not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
SWAPLAB=${SWAPLAB:-build/swaplab}
export SWAPLAB_HOME=${SWAPLAB_HOME:-/var/lib/swaplab}
db=$tmpdir/lab.db
field() { awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' "$2"; }
no_qemu_left() { ! pgrep -f "qemu-system-x86_64 .*$tmpdir" >/dev/null; }
q() { sqlite3 "$db" "$1"; }

tree=$("$SWAPLAB" kernel tree --source /usr/src/linux-source-6.1.tar.xz 2>/dev/null) &&
	"$SWAPLAB" kernel build --tree "$tree" --commit v6.1-debian --arch x86_64 >"$tmpdir/k.out" 2>"$tmpdir/k.err"
ok $? "the virtual board's kernel (built or reused)"
key=$(field key "$tmpdir/k.out")
release=$(field release "$tmpdir/k.out")
[ -n "$key" ] || { sed 's/^/# /' "$tmpdir/k.err" | tail -20; finish; exit 1; }

# --- usage errors: nothing booted, nothing stored ---------------------------
"$SWAPLAB" calibrate --artifact "$key" --db "$db" >/dev/null 2>"$tmpdir/e1"
ok $(($? != 129)) "without --device: usage error (129)"
"$SWAPLAB" calibrate --device qemu --artifact "$key" --boots 2 --db "$db" >/dev/null 2>"$tmpdir/e2"
ok $(($? != 129)) "--boots 2 is refused: fewer than 3 boots a label cannot be decided on"
"$SWAPLAB" calibrate --device qemu --artifact "$(printf '%064d' 0)" --db "$db" -q >/dev/null 2>"$tmpdir/e3"
ok $(($? != 1)) "an unknown artifact fails (exit 1)"
check "naming it" grep -q "no kernel artifact" "$tmpdir/e3"
check "and stores nothing" [ "$(q 'SELECT count(*) FROM run' 2>/dev/null || echo 0)" = 0 ]

# --- a short calibration ------------------------------------------------------
t0=$(date +%s)
"$SWAPLAB" calibrate --device qemu --artifact "$key" --boots 3 --db "$db" --workdir "$tmpdir/work" \
	-- --backend zram --sizes 16M,32M --procs 1 --runs 2 >"$tmpdir/cal.out" 2>"$tmpdir/cal.err"
st=$?
t1=$(date +%s)
ok $st "calibrate: 3 boots a label on the virtual board ($((t1 - t0)) s)"
[ $st = 0 ] || { sed 's/^/# /' "$tmpdir/cal.err" | tail -20; }
sed 's/^/# /' "$tmpdir/cal.out"
check "it prints a row per cell" [ "$(grep -Ec '^  zram (16|32)MB single ' "$tmpdir/cal.out")" = 2 ]
check "and the false-mark count" grep -Eq 'A/A false marks: [0-2] of 2 rows' "$tmpdir/cal.out"
check "one calibration stored for device qemu, 3 boots of 2 runs" \
	[ "$(q "SELECT d.name, c.boots, c.runs, c.rows, c.kernel FROM calibration c JOIN device d ON d.id = c.device_id")" = "qemu|3|2|2|$release" ]
check "its artifact and plan" [ "$(q 'SELECT artifact, plan FROM calibration')" = "$key|--backend zram --sizes 16M,32M --procs 1 --runs 2" ]
check "two cells, each with a spread between boots, inside them, and a minimum detectable effect" \
	[ "$(q 'SELECT count(*) FROM calibration_cell WHERE between_pct > 0 AND within_pct > 0 AND mde_pct > 0')" = 2 ]
la=$(q 'SELECT label_a FROM calibration'); lb=$(q 'SELECT label_b FROM calibration')
check "both labels hold 3 runs of the same kernel" \
	[ "$(q "SELECT l.name, count(*), group_concat(DISTINCT kb.release) FROM run r JOIN label l ON l.id = r.label_id JOIN kernel_build kb ON kb.id = r.kernel_build_id GROUP BY l.name ORDER BY l.name" | tr '\n' ' ')" = "$la|3|$release $lb|3|$release " ]
check "interleaved: A, B, A, B, A, B" \
	[ "$(q "SELECT substr(l.name, -1) FROM run r JOIN label l ON l.id = r.label_id ORDER BY r.started, r.id" | tr -d '\n')" = ABABAB ]
"$SWAPLAB" calibrate --show --db "$db" --json >"$tmpdir/show.json"
ok $? "--show --json"
check "--show: the stored calibration, as JSON" python3 - "$tmpdir/show.json" <<'PY'
import json, sys
c = [json.loads(l) for l in open(sys.argv[1])]
ok = len(c) == 1 and c[0]["device"] == "qemu" and c[0]["boots"] == 3 and len(c[0]["cells"]) == 2
ok = ok and all(x["mde_pct"] > 0 and x["between_pct"] > 0 for x in c[0]["cells"])
sys.exit(0 if ok else 1)
PY
"$SWAPLAB" report --db "$db" --base "$la" --patched "$lb" >"$tmpdir/aa.txt"
ok $? "the A/A labels make a report"
# lore's method lines, wrapped: joined again before matching
check "whose footer states the minimum detectable effect" \
	sh -c "tr '\\n' ' ' <'$tmpdir/aa.txt' | grep -Eq '(Smallest change these runs can show \\(80% power\\)|Detectable): zram [0-9]+%'"
check "no QEMU left" no_qemu_left
finish
