#!/usr/bin/env bash
# `swaplab compare` on generated boots: each exit status `git bisect run`
# reads (0 unchanged, 1 changed, 125 undecided, 129 usage), either
# direction, a missing cell or label, --json; then `git bisect run`
# driving it over a history where one commit made the cell slower and
# one has no data (skipped).  No swap state is touched.
. "$(dirname "$0")/lib.sh"
gen() { python3 "$TOP/tests/integration/gen-samples.py" "$@"; }
db=$tmpdir/lab.db
seed=1
# label <label> <boots> <median ms>: that many invocations of 5 runs, 2% apart
label() {
	local k
	for k in $(seq "$2"); do
		seed=$((seed + 1))
		gen --seed $seed --runs 5 --mode lognormal --spread 0.02 zram:256M:1="$3" >"$tmpdir/g.jsonl"
		"$SWAPLAB" db import "$tmpdir/g.jsonl" --db "$db" --label "$1" >/dev/null || return 1
	done
}
label base 5 100 && label same 5 100 && label slow 5 130 && label fast 5 60 && label two 2 130
ok $? "generated labels imported"
cmp() { "$SWAPLAB" compare --db "$db" --metric zram/256M/1 "$@" >"$tmpdir/out" 2>"$tmpdir/err"; }

cmp --base base --patched slow
ok $(($? != 1)) "30% slower: exit 1 (changed)"
check "the line says so, with the change, its interval, n and the rule" grep -Eq \
	'^changed: zram/256M/1 \+[0-9.]+% \[\+[0-9.]+%, \+[0-9.]+%\] \(95% CI\), n = 5/5 invocations \(25/25 runs\) base/patched; the whole interval is above \+5% .*t test' "$tmpdir/out"
cmp --base base --patched same
ok $(($? != 0)) "the same kernel: exit 0 (unchanged)"
check "unchanged: the whole interval below +5%" grep -q '^unchanged: zram/256M/1 .*below +5%' "$tmpdir/out"
cmp --base base --patched fast
ok $(($? != 0)) "faster, watching slower: exit 0 (an improvement is not a regression)"
cmp --base base --patched fast --direction faster
ok $(($? != 1)) "faster, watching faster: exit 1"
cmp --base base --patched slow --threshold 50
ok $(($? != 0)) "30% slower against --threshold 50: exit 0"
cmp --base base --patched two
ok $(($? != 125)) "2 invocations a side: exit 125 (undecided)"
check "saying why" grep -q '^undecided: .*fewer than 3 invocations a side' "$tmpdir/out"
"$SWAPLAB" compare --db "$db" --metric zram/512M/1 --base base --patched slow >"$tmpdir/out" 2>"$tmpdir/err"
ok $(($? != 125)) "a cell not in the data: exit 125"
check "the message names the cell" grep -q 'no runs of cell zram/512M/1' "$tmpdir/err"
cmp --base base --patched nosuch
ok $(($? != 125)) "an unknown label: exit 125"
check "the message names the label" grep -q "no runs labelled 'nosuch'" "$tmpdir/err"
"$SWAPLAB" compare --db "$db" --metric zram/256/1 --base base --patched slow >"$tmpdir/out" 2>"$tmpdir/err"
ok $(($? != 129)) "a size without its unit: exit 129"
check "one error line naming the spec" [ "$(wc -l <"$tmpdir/err")" = 1 ] && grep -q "malformed cell 'zram/256/1'" "$tmpdir/err"
"$SWAPLAB" compare --db "$db" --base base --patched slow >"$tmpdir/out" 2>"$tmpdir/err"
ok $(($? != 129)) "no --metric: exit 129"
cmp --base base --patched slow --direction sideways
ok $(($? != 129)) "a bad --direction: exit 129"
cmp --base base --patched slow --json
ok $(($? != 1)) "--json: the same exit status"
check "--json: one object with the outcome, n and the interval" python3 - "$tmpdir/out" <<'PY'
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
ok = len(o) == 1 and o[0]["outcome"] == "changed" and o[0]["inv_base"] == 5
ok = ok and o[0]["change_lo_pct"] > 5 and o[0]["change_lo_pct"] <= o[0]["change_pct"] <= o[0]["change_hi_pct"]
sys.exit(0 if ok else 1)
PY

# git bisect run over a history of 7 commits: c5 made the cell 30% slower,
# c3 has no data (125: skipped; git tries it first, the middle), the
# others before c5 as fast as c0.
repo=$tmpdir/repo
git init -q "$repo" && git -C "$repo" config user.email t@example.org && git -C "$repo" config user.name t
for i in 0 1 2 3 4 5 6; do
	echo $i >"$repo/f" && git -C "$repo" add f && git -C "$repo" commit -qm "c$i"
	c=$(git -C "$repo" rev-parse HEAD)
	case $i in 3) ;; 0|1|2|4) label "$c" 4 100 ;; *) label "$c" 4 130 ;; esac
done
good=$(git -C "$repo" rev-list --reverse HEAD | head -1)
( cd "$repo" && git bisect start HEAD "$good" >/dev/null &&
  git bisect run sh -c "\"\$0\" compare --db '$db' --metric zram/256M/1 --base $good --patched \$(git rev-parse HEAD)" \
	"$SWAPLAB" >"$tmpdir/bisect.log" 2>&1 )
check "git bisect run names c5 as the first bad commit" grep -q "is the first bad commit" "$tmpdir/bisect.log"
check "it is c5" sh -c "grep -A6 'is the first bad commit' '$tmpdir/bisect.log' | grep -q '    c5'"
check "the commit without data was skipped" grep -q "undecided: zram/256M/1, no data" "$tmpdir/bisect.log"
git -C "$repo" bisect reset -q >/dev/null 2>&1
finish
