#!/usr/bin/env bash
# 40-kernel-build.sh - real kernel trees and builds (ci/kbuild.c): the
# Debian base tree, `git am` worktrees, the small x86_64 virtual-board
# kernel built with ccache, artifacts reused by content, and the failures
# a lab must record rather than retry: a patch that does not apply, a
# patch that does not build, a fragment option that does not exist.
#
# The first run builds the base kernel from clean (a few minutes on two
# cores); later runs reuse it and build only a patched revision, which
# recompiles mm/zsmalloc.c in the shared build slot (seconds).
. "$(dirname "$0")/lib.sh"
need_root
[ -f /usr/src/linux-source-6.1.tar.xz ] || skip_all "linux-source-6.1 is not installed"
for p in git make gcc ccache bc flex bison; do
	command -v $p >/dev/null || skip_all "$p is not installed"
done
SWAPLAB=${SWAPLAB:-build/swaplab}
export SWAPLAB_HOME=${SWAPLAB_HOME:-/var/lib/swaplab}
token=it$$x$(date +%s%N)

tree=$("$SWAPLAB" kernel tree --source /usr/src/linux-source-6.1.tar.xz 2>"$tmpdir/tree.err")
ok $? "kernel tree: the Debian base tree exists or is made"
git -C "$tree" rev-parse -q --verify refs/tags/v6.1-debian >/dev/null
ok $? "the tree is tagged v6.1-debian"
again=$("$SWAPLAB" kernel tree --source /usr/src/linux-source-6.1.tar.xz 2>&1 >/dev/null)
check "kernel tree again: nothing to do" grep -q "already have" <<<"$again"
base=$(git -C "$tree" rev-parse v6.1-debian)

field() { awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' "$2"; }

# --- the base kernel: built once, then reused by content ------------------
"$SWAPLAB" kernel build --tree "$tree" --commit v6.1-debian --arch x86_64 >"$tmpdir/base.out" 2>"$tmpdir/base.err"
st=$?
ok $st "kernel build of the base x86_64 kernel"
[ $st = 0 ] || sed 's/^/# /' "$tmpdir/base.err" | tail -40
key=$(field key "$tmpdir/base.out")
image=$(field image "$tmpdir/base.out")
check "status ok" test "$(field status "$tmpdir/base.out")" = ok
check "the artifact holds a bzImage" test -s "$image"
check "the bzImage is a Linux kernel" grep -q "Linux kernel x86 boot executable" <(file "$image")
check "the commit is recorded" test "$(field commit "$tmpdir/base.out")" = "$base"
manifest=$SWAPLAB_HOME/artifacts/$key/manifest.json
check "manifest says ok" grep -q '"status": "ok"' "$manifest"
config=$(field config "$tmpdir/base.out")
for o in CONFIG_SWAP=y CONFIG_ZRAM=y CONFIG_ZSWAP=y CONFIG_ZSMALLOC=y CONFIG_ADVISE_SYSCALLS=y \
	 CONFIG_TRANSPARENT_HUGEPAGE=y CONFIG_SERIAL_8250_CONSOLE=y CONFIG_SLUB=y; do
	check "final config has $o" grep -qx "$o" "$config"
done
check "the key is sha256 hex" grep -qE '^[0-9a-f]{64}$' <<<"$key"

"$SWAPLAB" kernel build --tree "$tree" --commit "$base" --arch x86_64 >"$tmpdir/again.out" 2>&1
ok $? "the same request again"
check "is answered from the store" test "$(field reused "$tmpdir/again.out")" = yes
check "with the same artifact" test "$(field key "$tmpdir/again.out")" = "$key"
"$SWAPLAB" kernel show "$key" >"$tmpdir/show.out"
check "kernel show prints the artifact" test "$(field image "$tmpdir/show.out")" = "$image"

# --- patches: a mail that applies, one that breaks the build, one that conflicts
mkpatch() { # mkpatch <out> <subject> <sed expression on mm/zsmalloc.c>
	git -C "$tree" show v6.1-debian:mm/zsmalloc.c >"$tmpdir/a.c"
	sed "$3" "$tmpdir/a.c" >"$tmpdir/b.c"
	{
		echo "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
		echo "From: swaplab test <test@swaplab.invalid>"
		echo "Date: Thu, 1 Jan 2026 00:00:00 +0000"
		echo "Subject: [PATCH] $2"
		echo
		echo "test patch"
		echo "---"
		diff -u --label a/mm/zsmalloc.c --label b/mm/zsmalloc.c "$tmpdir/a.c" "$tmpdir/b.c"
		echo "-- "
		echo "2.39.5"
	} >"$1"
}
mkdir -p "$tmpdir/good" "$tmpdir/conflict"
mkpatch "$tmpdir/good/0001-comment.patch" "mm/zsmalloc: note $token" "\$a /* swaplab test $token */"
mkpatch "$tmpdir/conflict/0001-comment.patch" "mm/zsmalloc: note $token" "\$a /* swaplab test $token */"
mkpatch "$tmpdir/conflict/0002-clash.patch" "mm/zsmalloc: clash with 0001" "\$a /* another line */"

cleanup_wt() { # cleanup_wt <name>
	git -C "$tree" worktree remove --force "$SWAPLAB_HOME/worktrees/$1" 2>/dev/null
	git -C "$tree" branch -q -D "swaplab/$1" 2>/dev/null
}
cleanup_art() { # cleanup_art <key>: this run's unique artifacts only, never the base
	[ -n "$1" ] && [ "$1" != "$key" ] && rm -rf "${SWAPLAB_HOME:?}/artifacts/$1"
}
trap 'cleanup_wt good-$token; cleanup_art "${gkey:-}"; cleanup_art "${bkey:-}"; cleanup_art "${fkey:-}"; rm -rf "$tmpdir"' EXIT

"$SWAPLAB" kernel worktree --tree "$tree" --base v6.1-debian --name "good-$token" \
	--patches "$tmpdir/good" >"$tmpdir/wt.out" 2>"$tmpdir/wt.err"
ok $? "kernel worktree: git am of a good series"
wt=$(field worktree "$tmpdir/wt.out")
check "the worktree has the patch" grep -q "swaplab test $token" "$wt/mm/zsmalloc.c"
check "as a commit on top of the base" test "$(git -C "$wt" rev-parse HEAD~1)" = "$base"

"$SWAPLAB" kernel build --tree "$wt" --arch x86_64 >"$tmpdir/good.out" 2>"$tmpdir/good.err"
st=$?
ok $st "the patched revision builds"
[ $st = 0 ] || sed 's/^/# /' "$tmpdir/good.err" | tail -40
gkey=$(field key "$tmpdir/good.out")
check "into a new artifact" test -n "$gkey" -a "$gkey" != "$key"
check "not reused" test "$(field reused "$tmpdir/good.out")" = no
check "recording the patched commit" test "$(field commit "$tmpdir/good.out")" = "$(git -C "$wt" rev-parse HEAD)"
check "its kernel release names the commit" grep -q "g$(git -C "$wt" rev-parse --short=12 HEAD)" \
	<<<"$(field release "$tmpdir/good.out")"
echo "# patched rebuild took $(field build_seconds "$tmpdir/good.out")s"

"$SWAPLAB" kernel worktree --tree "$tree" --base v6.1-debian --name "conflict-$token" \
	--patches "$tmpdir/conflict" >"$tmpdir/c.out" 2>"$tmpdir/c.err"
ok $((! $?)) "a series whose second patch conflicts is refused"
check "the error names the failing patch file" grep -q "0002-clash.patch" "$tmpdir/c.err"
check "and its subject" grep -q "mm/zsmalloc: clash with 0001" "$tmpdir/c.err"
check "no worktree is left" test ! -e "$SWAPLAB_HOME/worktrees/conflict-$token"
git -C "$tree" rev-parse -q --verify "refs/heads/swaplab/conflict-$token" >/dev/null
ok $((! $?)) "no branch is left"

# The revision that does not compile is made with git plumbing (no third
# worktree checkout: worktrees are covered above, this is about the build).
git -C "$tree" show v6.1-debian:mm/zsmalloc.c | sed "\$a this is not C $token;" >"$tmpdir/broken.c"
bcommit=$(
	export GIT_INDEX_FILE=$tmpdir/index
	git -C "$tree" read-tree v6.1-debian &&
	blob=$(git -C "$tree" hash-object -w "$tmpdir/broken.c") &&
	git -C "$tree" update-index --cacheinfo "100644,$blob,mm/zsmalloc.c" &&
	t=$(git -C "$tree" write-tree) &&
	git -C "$tree" -c user.name=swaplab -c user.email=test@swaplab.invalid \
		commit-tree -p v6.1-debian -m "mm/zsmalloc: break the build $token" "$t")
ok $? "a revision that does not compile"
bwt=$tree
"$SWAPLAB" kernel build --tree "$bwt" --commit "$bcommit" --arch x86_64 >"$tmpdir/broken.out" 2>"$tmpdir/broken.err"
ok $((! $?)) "its build fails"
bkey=$(field key "$tmpdir/broken.out")
check "the error says it does not build" grep -q "does not build" "$tmpdir/broken.err"
check "the log tail names the broken file" grep -q "zsmalloc.c" "$tmpdir/broken.err"
check "the failure is recorded in a manifest" grep -q '"status": "failed"' "$SWAPLAB_HOME/artifacts/$bkey/manifest.json"
check "at the build stage, with the log's tail" grep -q '"log_tail": ".*zsmalloc' "$SWAPLAB_HOME/artifacts/$bkey/manifest.json"
"$SWAPLAB" kernel build --tree "$bwt" --commit "$bcommit" --arch x86_64 >"$tmpdir/broken2.out" 2>"$tmpdir/broken2.err"
ok $((! $?)) "asking again fails again"
check "without building: the recorded failure is returned" grep -q "not retried without --force" "$tmpdir/broken2.err"
check "same artifact" test "$(field key "$tmpdir/broken2.out")" = "$bkey"

# --- fragments: an option that does not exist, a line that is not Kconfig
printf '# test fragment\nCONFIG_SWAPLAB_NO_SUCH_OPTION_%s=y\n' "$token" >"$tmpdir/bad.config"
"$SWAPLAB" kernel build --tree "$tree" --commit v6.1-debian --arch x86_64 \
	--config-fragment "$tmpdir/bad.config" >"$tmpdir/frag.out" 2>"$tmpdir/frag.err"
ok $((! $?)) "a fragment with an unknown option fails"
fkey=$(field key "$tmpdir/frag.out")
check "naming the fragment, line and option" grep -q "bad.config:2: CONFIG_SWAPLAB_NO_SUCH_OPTION_$token=y did not stick" "$tmpdir/frag.err"
check "recorded as failed at the config stage" test "$(field stage "$tmpdir/frag.out")" = config
check "under its own key, not the base kernel's" test -n "$fkey" -a "$fkey" != "$key"
"$SWAPLAB" kernel show "$key" >"$tmpdir/show2.out"
check "the base artifact is still ok" test "$(field status "$tmpdir/show2.out")" = ok
printf 'CONFIG_ZRAM=maybe\n' >"$tmpdir/malformed.config"
"$SWAPLAB" kernel build --tree "$tree" --arch x86_64 --config-fragment "$tmpdir/malformed.config" \
	>"$tmpdir/mal.out" 2>"$tmpdir/mal.err"
ok $((! $?)) "a malformed fragment is refused"
check "with file and line" grep -q "malformed.config:1: CONFIG_ZRAM: expected y, m, n" "$tmpdir/mal.err"
check "before anything is recorded" test ! -s "$tmpdir/mal.out"

"$SWAPLAB" kernel build --tree "$tree" --arch riscv >/dev/null 2>"$tmpdir/arch.err"
ok $((! $?)) "an unsupported arch is refused"
finish
