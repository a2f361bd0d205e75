#!/usr/bin/env bash
# 52-submit-apply.sh - a submitted revision goes on to `swaplab kernel
# worktree` (git am onto a base): the stored patches apply and give the
# tree they were made from, and a series that does not apply to the base
# is an error naming the patch, with no worktree or branch left behind.
# Uses a small git tree and a private SWAPLAB_HOME; no swap state.
. "$(dirname "$0")/lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SWAPLAB=${SWAPLAB:-$TOP/build/swaplab}
command -v git >/dev/null || skip_all "git is not installed"
"$SWAPLAB" kernel worktree --help >/dev/null 2>&1 || skip_all "this build has no 'swaplab kernel worktree'"

export SWAPLAB_PATCHES_DIR=$tmpdir/kp SWAPLAB_HOME=$tmpdir/home
mkdir -p "$SWAPLAB_PATCHES_DIR" "$SWAPLAB_HOME"
export GIT_AUTHOR_NAME="Test Author" GIT_AUTHOR_EMAIL=author@example.org
export GIT_COMMITTER_NAME="Test Author" GIT_COMMITTER_EMAIL=author@example.org

repo=$tmpdir/linux
git init -q "$repo"
printf 'static int slots;\nstatic int freed;\n\nvoid slot_free(void)\n{\n\tfreed++;\n}\n' >"$repo/zram.c"
git -C "$repo" add zram.c && git -C "$repo" commit -qm "base" && git -C "$repo" tag base
# Series A: two commits on base.
git -C "$repo" checkout -q -b a base
sed -i 's/\tfreed++;/\tfreed++;\n\tslots--;/' "$repo/zram.c" && git -C "$repo" commit -qam "zram: count slots on free"
printf '\nvoid slot_drain(void)\n{\n}\n' >>"$repo/zram.c" && git -C "$repo" commit -qam "zram: add slot_drain"
# Series B: changes the same lines differently, from base.
git -C "$repo" checkout -q -b b base
sed -i 's/\tfreed++;/\tfreed += 2;/' "$repo/zram.c" && git -C "$repo" commit -qam "zram: free two at a time"

"$SWAPLAB" submit --git-range "$repo" base..a >"$tmpdir/out" 2>&1
ok $? "series A submitted"
"$SWAPLAB" submit --git-range "$repo" base..b --series series-b >"$tmpdir/out" 2>&1
ok $? "series B submitted"
da=$SWAPLAB_PATCHES_DIR/zram-count-slots-on-free/v1
db=$SWAPLAB_PATCHES_DIR/series-b/v1

"$SWAPLAB" kernel worktree --tree "$repo" --base base --name a-v1 --patches "$da" \
	--dir "$tmpdir/wt-a" >"$tmpdir/out" 2>"$tmpdir/err"
ok $? "kernel worktree: the stored series applies to its base"
check "the worktree has the tree series A was made from" \
	test "$(git -C "$tmpdir/wt-a" rev-parse HEAD^{tree})" = "$(git -C "$repo" rev-parse a^{tree})"
check "two commits, in order" \
	test "$(git -C "$tmpdir/wt-a" log --format=%s base..HEAD | tr '\n' '|')" = "zram: add slot_drain|zram: count slots on free|"

# Series B onto A's tip: its only patch does not apply.
branches=$(git -C "$repo" branch --list | LC_ALL=C sort)
"$SWAPLAB" kernel worktree --tree "$repo" --base a --name b-on-a --patches "$db" \
	--dir "$tmpdir/wt-b" >"$tmpdir/out" 2>"$tmpdir/err"
st=$?
check "a patch that does not apply: an error (exit $st)" test "$st" != 0
check "the error names the patch" grep -q "0001-zram-free-two-at-a-time.patch\|zram: free two at a time" "$tmpdir/err"
check "no worktree left behind" test ! -e "$tmpdir/wt-b"
check "no branch left behind" test "$(git -C "$repo" branch --list | LC_ALL=C sort)" = "$branches"
check "the stored revision is untouched" test -f "$db/series.json" -a -f "$db/0001-zram-free-two-at-a-time.patch"
git -C "$repo" worktree remove --force "$tmpdir/wt-a" 2>/dev/null
finish
