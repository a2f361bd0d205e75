#!/usr/bin/env bash
# The benchmark's real path (set-up, fill, page-out, munmap, drain, restore)
# under AddressSanitizer and UBSan, on both backends.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$SWAPLAB_ASAN" ] || skip_all "no ASan build ($SWAPLAB_ASAN)"
"$SWAPLAB_ASAN" bench --backend zram,zswap --sizes 16M,32M --procs 1,2 --runs 2 --json --quiet \
	>"$tmpdir/out.jsonl" 2>"$tmpdir/err"
ok $? "ASan/UBSan bench exits 0"
check "no sanitizer report" bash -c "! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$tmpdir/err'"
sed 's/^/# /' "$tmpdir/err" | head -20
check "complete stream with both backends" bash -c "tail -1 '$tmpdir/out.jsonl' | grep -q '\"status\":\"ok\",\"samples\":24'"
"$SWAPLAB_ASAN" bench --sizes 64G >/dev/null 2>"$tmpdir/err2"
st=$?
check "ASan error path exits non-zero (got $st)" [ "$st" != 0 ]
check "ASan error path has no sanitizer report" bash -c "! grep -q Sanitizer '$tmpdir/err2'"
finish
