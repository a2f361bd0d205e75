#!/usr/bin/env bash
# 62-bisect-reference.sh - `swaplab bisect --direction faster` over the
# reference series (issue 13's second test): from the pinned 6.12 base to
# v2's last patch, the first commit that makes zram 64M single-process
# munmap faster by more than 20% must be v2's zram patch (2/3), not the
# zsmalloc framework before it (1/3, no user yet) nor the zswap one after.
# The commits are v2's patches applied with a fixed committer and dates,
# as 60-reference-series.sh makes them, so their kernels are cached.
# Slow (boots of three kernels): make test-bisect, or SWAPLAB_BISECT=1.
. "$(dirname "$0")/lib.sh"
need_root
[ -n "${SWAPLAB_BISECT:-}" ] ||
	skip_all "slow (about 20 boots): run with 'make test-bisect' (or SWAPLAB_BISECT=1)"
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86 not installed"
export SWAPLAB_HOME=${SWAPLAB_HOME:-/var/lib/swaplab}
tree=$("$SWAPLAB" kernel tree --base 6.12 2>/dev/null) || skip_all "cannot make the pinned 6.12 base"
pinned=$(git -C "$tree" rev-parse "debian/6.12.118-1_deb12u1^{commit}")
wt=$tmpdir/wt
trap 'git -C "$tree" worktree remove -f "$wt" 2>/dev/null; git -C "$tree" worktree prune; rm -rf "$tmpdir"' EXIT
git -C "$tree" worktree add -q --detach "$wt" "$pinned"
for p in $(ls "$TOP"/kernel-patches/zsmalloc-deferred-free/v2/0*.patch | grep -v 0000-cover-letter); do
	env GIT_COMMITTER_NAME="swaplab test" GIT_COMMITTER_EMAIL=test@swaplab \
		git -C "$wt" am -q --committer-date-is-author-date "$p" || { ok 1 "v2 applies"; finish; exit 1; }
done
head=$(git -C "$wt" rev-parse HEAD)
zram=$(git -C "$wt" rev-parse HEAD~1)
"$SWAPLAB" bisect --tree "$tree" --good "$pinned" --bad "$head" --metric zram/64M/1 \
	--direction faster --threshold 20 --runs 5 --max-boots 8 --db "$tmpdir/lab.db" \
	>"$tmpdir/out" 2>"$tmpdir/err"
st=$?
ok $st "bisect --direction faster over v2 exits 0"
[ $st = 0 ] || tail -n 15 "$tmpdir/err" | sed 's/^/#   /'
sed 's/^/#   /' "$tmpdir/out" | head -n 12
check "it names v2's zram patch as the first fast commit" \
	grep -q "^first fast commit: ${zram:0:12} (\"zram: defer slot free" "$tmpdir/out"
check "the evidence table has the four rows" \
	bash -c "grep -c '^  \(good end\|last good\|first bad\|bad end\) ' '$tmpdir/out' | grep -qx 4"
finish
