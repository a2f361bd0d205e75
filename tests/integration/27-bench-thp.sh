#!/usr/bin/env bash
# --thp: the VMA is backed by large folios of exactly the asked-for size,
# they are swapped out whole, and the per-size THP settings are restored.
. "$(dirname "$0")/lib.sh"
need_root
d=/sys/kernel/mm/transparent_hugepage
[ -e $d/hugepages-64kB/enabled ] || skip_all "no 64kB mTHP in this kernel"
before=$(grep -H . $d/enabled $d/hugepages-*/enabled)
"$SWAPLAB" bench --backend zram --sizes 32M --runs 2 --thp 64K --json --quiet >"$tmpdir/out.jsonl" 2>"$tmpdir/err"
ok $? "bench with --thp 64K exits 0"
sed 's/^/# /' "$tmpdir/err"
check "env records thp 64K" grep -q '"thp":"64K"' "$tmpdir/out.jsonl"
check "every 64K folio swapped out whole (512 per 32M VMA)" python3 -c "
import json,sys
s=[json.loads(l) for l in open('$tmpdir/out.jsonl') if '\"sample\"' in l]
sys.exit(0 if s and all(x['thp_swpout']==512 and x['thp_swpout_fallback']==0 for x in s) else 1)"
check "THP settings restored" [ "$(grep -H . $d/enabled $d/hugepages-*/enabled)" = "$before" ]
"$SWAPLAB" bench --sizes 32M --runs 1 --json --quiet >"$tmpdir/4k.jsonl" 2>/dev/null
check "default 4K run swaps no large folios" grep -q '"thp_swpout":0,' "$tmpdir/4k.jsonl"
finish
