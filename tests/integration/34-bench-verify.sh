#!/usr/bin/env bash
# bench --verify on the running kernel: every byte survives swap-out, the
# munmap of chunks, the reuse of their freed slots and swap-in, on zram and
# zswap with two processes; the host is restored; and the check can fail:
# with the test-only SWAPLAB_VERIFY_CORRUPT a flipped byte fails the run
# (exit 1) naming the process, page, offset, expected and found bytes.
. "$(dirname "$0")/lib.sh"
need_root
[ -e /sys/class/zram-control/hot_add ] || skip_all "no zram in this kernel"
[ -e /sys/module/zswap/parameters/enabled ] || skip_all "no zswap in this kernel"
unset SWAPLAB_VERIFY_CORRUPT
host() { # what the run must leave as it found it
	tail -n +2 /proc/swaps
	ls -d /sys/block/zram* 2>/dev/null
	for d in /sys/block/zram*; do [ -e "$d/disksize" ] && echo "$d $(cat "$d/disksize")"; done
	grep -H . /sys/module/zswap/parameters/*
	ls /var/tmp/swaplab-*.swap /run/swaplab/state 2>/dev/null
}
before=$(host)

# jq-free JSON checks: check_json FILE PYTHON-EXPRESSION-OVER-recs
check_json() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by = lambda t: [r for r in recs if r["type"] == t]
ok = eval(sys.argv[2])
if not ok:
    print("# failed: " + sys.argv[2])
sys.exit(0 if ok else 1)
EOF
}

"$SWAPLAB" bench --verify --backend zram,zswap --sizes 16M,32M --procs 2 --runs 2 --json \
	>"$tmpdir/ok.jsonl" 2>"$tmpdir/ok.err"
ok $? "--verify on zram and zswap, 2 processes, passes (exit 0)"
sed 's/^/# /' "$tmpdir/ok.err" | tail -n 12
f=$tmpdir/ok.jsonl
check "stream ends ok" check_json "$f" 'recs[-1] == {"type": "end", "status": "ok", "samples": 0}'
check "env says verify" check_json "$f" 'recs[0]["type"] == "env" and recs[0]["verify"] is True and "verify_corrupt" not in recs[0]'
check "no sample and no mismatch records" check_json "$f" 'not by("sample") and not by("mismatch")'
check "a verify record per backend, size, run and process (16), all ok" \
	check_json "$f" 'len(by("verify")) == 16 and all(r["ok"] and r["mismatched_pages"] == 0 for r in by("verify"))'
check "both backends and both processes checked" \
	check_json "$f" '{(r["backend"], r["proc"]) for r in by("verify")} == {("zram",0),("zram",1),("zswap",0),("zswap",1)}'
check "every page of the region checked" \
	check_json "$f" 'all(r["pages"] * 4096 == r["size_bytes"] for r in by("verify"))'
check "chunks were unmapped and pages rewritten in every process" \
	check_json "$f" 'all(r["unmapped_pages"] > 0 and r["rewritten_pages"] > 0 and r["pageouts"] == 4 for r in by("verify"))'
check "the backend took the pages written" \
	check_json "$f" 'all(r["backend_pages"] >= 0.95 * sum(q["written_pages"] for q in by("verify") if (q["backend"], q["size_bytes"], q["run"]) == (r["backend"], r["size_bytes"], r["run"])) for r in by("verify"))'
check "32M x2 wrote more pages than the device has slots (freed slots reused)" \
	check_json "$f" 'all(r["backend_pages"] > r["swap_slots"] for r in by("verify") if r["size_bytes"] == 32 << 20)'
check "the summary line says every byte matched" grep -q 'verify: every byte matched: 8 runs' "$tmpdir/ok.err"
check "host state restored" [ "$(host)" = "$before" ]

"$SWAPBENCH" --verify --backend zram --sizes 16M --procs 2 --runs 1 >"$tmpdir/sb.out" 2>&1
ok $? "static swapbench --verify passes"
check "swapbench prints the summary" grep -q 'every byte matched' "$tmpdir/sb.out"

if [ -x "${SWAPLAB_ASAN:-}" ]; then
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
		"$SWAPLAB_ASAN" bench --verify --backend zram --sizes 16M --procs 2 --runs 1 --quiet \
		>/dev/null 2>"$tmpdir/asan.err"
	ok $? "--verify under ASan/UBSan passes"
	check "... without a sanitizer report" bash -c "! grep -Eq 'Sanitizer|runtime error' '$tmpdir/asan.err'"
fi

# The proof that the check can fail: one flipped byte after swap-in.
for be in zram zswap; do
	SWAPLAB_VERIFY_CORRUPT=1:77 "$SWAPLAB" bench --verify --backend "$be" --sizes 16M --procs 2 \
		--runs 3 --json >"$tmpdir/bad-$be.jsonl" 2>"$tmpdir/bad-$be.err"
	st=$?
	sed 's/^/# /' "$tmpdir/bad-$be.err" | grep -i 'verify' | head -n 3
	check "$be: a flipped byte fails the run with exit 1" [ "$st" = 1 ]
	check "$be: the error names process, page, offset, expected and found bytes" \
		grep -Eq "run 1: process 1 page 77 offset 48: expected ([0-9a-f]{2} ){15}[0-9a-f]{2}, found ([0-9a-f]{2} ){15}[0-9a-f]{2} \(1 of the page's bytes differ; expected generation [0-3], found this process's page 77 generation [0-3]\)" "$tmpdir/bad-$be.err"
	f=$tmpdir/bad-$be.jsonl
	check "$be: one mismatch record: process 1, page 77, offset 48, the byte flipped" \
		check_json "$f" 'len(by("mismatch")) == 1 and [(m["proc"], m["page"], m["offset"], m["differing_bytes"], int(m["expected"][:2], 16) ^ int(m["found"][:2], 16), m["expected"][2:] == m["found"][2:]) for m in by("mismatch")] == [(1, 77, 48, 1, 0xff, True)]'
	check "$be: verify records say which process failed" \
		check_json "$f" 'sorted((r["proc"], r["ok"], r["mismatched_pages"]) for r in by("verify")) == [(0, True, 0), (1, False, 1)]'
	check "$be: the run stopped at the first failing run" check_json "$f" '{r["run"] for r in by("verify")} == {1}'
	check "$be: the stream ends with status failed" \
		check_json "$f" 'recs[-1]["type"] == "end" and recs[-1]["status"] == "failed"'
	check "$be: env records the injection" check_json "$f" 'recs[0]["verify_corrupt"] == "1:77"'
	check "$be: host state restored after the failure" [ "$(host)" = "$before" ]
done

SWAPLAB_VERIFY_CORRUPT=9999 "$SWAPLAB" bench --verify --sizes 16M --runs 1 >/dev/null 2>"$tmpdir/range.err"
check "a page beyond the region is refused" [ $? = 1 ]
check "... saying so" grep -q 'page 9999 is beyond the 4096 pages' "$tmpdir/range.err"
"$SWAPLAB" bench --verify --fill zero --sizes 16M --runs 1 >/dev/null 2>"$tmpdir/zero.err"
check "--verify --fill zero is refused" [ $? = 1 ]
check "... saying why" grep -q 'differs in every page' "$tmpdir/zero.err"
"$SWAPLAB" bench --verify --db "$tmpdir/x.db" --label x --sizes 16M >/dev/null 2>&1
check "--verify --db is a usage error" [ $? = 129 ]
check "... that created no database" [ ! -e "$tmpdir/x.db" ]
check "host state restored at the end" [ "$(host)" = "$before" ]
finish
