#!/usr/bin/env bash
# 50-submit.sh - `swaplab submit` from an mbox (plain and gzip'd), a git
# format-patch directory and a git range of a small repository the test
# makes: what is stored, that git am takes it, that re-submitting the same
# patches is recognised, and that bad input is a clear error that leaves
# the patches directory exactly as it was.  No swap state is touched.
. "$(dirname "$0")/lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SWAPLAB=${SWAPLAB:-$TOP/build/swaplab}
FX=$TOP/tests/fixtures/intake
command -v git >/dev/null || skip_all "git is not installed"
command -v gzip >/dev/null || skip_all "gzip is not installed"

kp=$tmpdir/kp
export SWAPLAB_PATCHES_DIR=$kp
mkdir -p "$kp"
store() { (cd "$kp" && find . | LC_ALL=C sort); }
export GIT_AUTHOR_NAME="Test Author" GIT_AUTHOR_EMAIL=author@example.org
export GIT_COMMITTER_NAME="Test Author" GIT_COMMITTER_EMAIL=author@example.org

submit() { # runs swaplab submit, output in $tmpdir/out and $tmpdir/err, status in $st
	"$SWAPLAB" submit "$@" >"$tmpdir/out" 2>"$tmpdir/err"; st=$?
}
has() { grep -qF -- "$1" "$tmpdir/out" "$tmpdir/err"; }
show() { sed 's/^/#   /' "$tmpdir/out" "$tmpdir/err"; }

# --- an mbox: cover letter + 3 patches
submit --mbox "$FX/series-cover3.mbox"
ok $st "submit --mbox stores the revision"
d=$kp/mm-initialise-b-everywhere/v2
check "output says what was stored and where" \
	has "stored mm-initialise-b-everywhere v2: 3 patches + cover letter in $d"
check "cover letter and patches stored as git format-patch files" \
	test -f "$d/0000-cover-letter.patch" -a -f "$d/0001-mm-initialise-b1.patch" -a \
	-f "$d/0002-mm-initialise-b2.patch" -a -f "$d/0003-mm-initialise-b3-in-a-subject-that-is-long-enough-to.patch"
check "series.json is JSON with the version, base commit and content hash" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["series"] == "mm-initialise-b-everywhere" and m["version"] == 2 and not m["rfc"]
assert m["base_commit"] == "0123456789abcdef0123456789abcdef01234567"
assert len(m["content_hash"]) == 64 and len(m["patches"]) == 3
assert [p["message_id"] for p in m["patches"]] == ["p1.v2@example.org", "p2.v2@example.org", "p3.v2@example.org"]
assert m["cover"]["message_id"] == "cover.v2@example.org"
' "$d/series.json"
check "no temporary directory left behind" test -z "$(find "$kp" -name '.intake-*')"

before=$(store)
submit --mbox "$FX/series-cover3.mbox"
check "re-submit: recognised, exit 0" test "$st" = 0
check "re-submit: 'already submitted as <series> v<N>'" has "already submitted as mm-initialise-b-everywhere v2"
check "re-submit: nothing added" test "$(store)" = "$before"

# --- a gzip'd lore-style thread with replies
gzip -c "$FX/thread-rfc-v3.mbox" >"$tmpdir/t.mbox.gz"
submit --mbox "$tmpdir/t.mbox.gz"
ok $st "submit --mbox of a gzip'd thread with replies"
check "RFC v3, 4 patches + cover" \
	has "stored mm-zsmalloc-per-cpu-deferred-free-to-accelerate-swap-entry v3 (RFC): 4 patches + cover letter"
check "replies were not stored" \
	test "$(ls "$kp/mm-zsmalloc-per-cpu-deferred-free-to-accelerate-swap-entry/v3" | wc -l)" = 6

# --- a small kernel-like git tree for --dir and --git-range
repo=$tmpdir/tree
git init -q "$repo"
printf 'int a;\nint b;\nint c;\n' >"$repo/swap.c"
git -C "$repo" add swap.c && git -C "$repo" commit -qm "base" && git -C "$repo" tag base
for i in 1 2 3; do
	printf 'int x%s;\n' "$i" >>"$repo/swap.c"
	git -C "$repo" commit -qam "swap: add x$i

From the start x$i was missing."
done
git -C "$repo" format-patch -q --cover-letter --base=base -o "$tmpdir/fp" base..HEAD
submit --dir "$tmpdir/fp"
check "format-patch dir with git's template cover subject: clear error" \
	sh -c '[ "$1" = 1 ] && grep -q "template subject" "$2"' - "$st" "$tmpdir/err"
sed -i 's/\*\*\* SUBJECT HERE \*\*\*/swap: add the x variables/' "$tmpdir/fp/0000-cover-letter.patch"
submit --dir "$tmpdir/fp"
ok $st "submit --dir of git format-patch output"
check "dir: 3 patches + cover letter, v1" has "stored swap-add-the-x-variables v1: 3 patches + cover letter"
check "dir: base-commit taken from the cover letter" \
	grep -q "\"base_commit\": \"$(git -C "$repo" rev-parse base)\"" "$kp/swap-add-the-x-variables/v1/series.json"

# The stored files are what git am takes, and give the same tree.
git clone -q "$repo" "$tmpdir/am"
git -C "$tmpdir/am" checkout -q base
git -C "$tmpdir/am" am -q "$kp"/swap-add-the-x-variables/v1/000[1-9]-*.patch
check "git am applies the stored patches" test "$?" = 0
check "the applied tree is the original tree" \
	test "$(git -C "$tmpdir/am" rev-parse HEAD^{tree})" = "$(git -C "$repo" rev-parse HEAD^{tree})"
check "authorship and commit message survive" \
	sh -c 'git -C "$1" log -1 --format="%an <%ae>%n%b" | grep -q "^From the start x3 was missing."' - "$tmpdir/am"

# A git range with the same patches is the same revision.
before=$(store)
submit --git-range "$repo" base..HEAD
check "git range of the same commits: already submitted (exit $st)" \
	sh -c '[ "$1" = 0 ] && grep -q "already submitted as swap-add-the-x-variables v1" "$2"' - "$st" "$tmpdir/out"
check "git range re-submit: nothing added" test "$(store)" = "$before"
submit --git-range "$repo" base..HEAD~1 -v 2 --series swap-x
ok $st "submit --git-range of other commits, -v 2, --series"
check "git range: stored as swap-x v2 with 2 patches" has "stored swap-x v2: 2 patches in $kp/swap-x/v2"
check "git range: subjects carry v2" grep -q '"subject": "\[PATCH v2 1/2\] swap: add x1"' "$kp/swap-x/v2/series.json"
printf 'int y;\n' >>"$repo/swap.c"; git -C "$repo" commit -qam "swap: add y"
submit --git-range "$repo" HEAD~1..HEAD
check "[PATCH] without N/M from a 1-commit range: 1 patch (exit $st)" has "stored swap-add-y v1: 1 patch in"

# --- bad input: clear error, exit 1, the store untouched
before=$(store)
expect_error() { # description pattern args...
	local d=$1 pat=$2; shift 2
	submit "$@"
	if [ "$st" = 1 ] && grep -qF -- "$pat" "$tmpdir/err" && [ "$(store)" = "$before" ]; then
		ok 0 "$d"
	else
		ok 1 "$d (exit $st)"; show
	fi
}
expect_error "missing patch 2/3" "patch 2/3 missing" --mbox "$FX/missing-2of3.mbox"
expect_error "duplicate patch 2/3" "patch 2/3 appears twice" --mbox "$FX/duplicate-2of3.mbox"
expect_error "a patch mail without a diff" "is not a patch" --mbox "$FX/not-a-patch.mbox"
expect_error "mbox truncated in a hunk" "is cut short" --mbox "$FX/truncated-hunk.mbox"
expect_error "mbox truncated in the headers" "ends inside its headers" --mbox "$FX/truncated-headers.mbox"
expect_error "malformed header" "malformed mail header" --mbox "$FX/malformed-header.mbox"
expect_error "not an mbox" "not an mbox" --mbox "$FX/garbage.mbox"
expect_error "multipart patch mail" "MIME multipart is not supported" --mbox "$FX/multipart.mbox"
expect_error "two revisions in one mbox" "pick one with --revision" --mbox "$FX/two-versions.mbox"
head -c 300 "$tmpdir/t.mbox.gz" >"$tmpdir/cut.mbox.gz"
expect_error "truncated gzip" "truncated gzip data" --mbox "$tmpdir/cut.mbox.gz"
expect_error "missing file" "cannot read" --mbox "$tmpdir/nope.mbox"
mkdir -p "$tmpdir/empty"
expect_error "directory without *.patch" "holds no *.patch files" --dir "$tmpdir/empty"
expect_error "git range that is not A..B" "malformed git range" --git-range "$repo" HEAD
expect_error "git range of unknown commits" "git format-patch" --git-range "$repo" nosuch..HEAD
expect_error "empty git range" "has no commits" --git-range "$repo" HEAD..HEAD
expect_error "not a git tree" "git format-patch" --git-range "$tmpdir/empty" a..b
expect_error "other patches under an existing <series>/v<N>" "exists already and holds other patches" \
	--mbox "$FX/base64-body.mbox" --series swap-add-y
expect_error "invalid --series" "invalid series name" --mbox "$FX/base64-body.mbox" --series ../x
check "still no temporary directory left behind" test -z "$(find "$kp" -name '.intake-*')"

usage_error() { # description args...
	local d=$1; shift
	submit "$@"
	if [ "$st" = 129 ] && [ -s "$tmpdir/err" ]; then ok 0 "$d"; else ok 1 "$d (exit $st)"; show; fi
}
usage_error "no input" --series x
usage_error "two inputs" --mbox a --dir b
usage_error "--lore-url without --msgid" --mbox a --lore-url http://127.0.0.1/
usage_error "unknown option" --mbox a --frobnicate
usage_error "--revision 0" --mbox a -v 0
usage_error "--git-range with one argument" --git-range "$repo"
usage_error "--git-range with an option as the range" --git-range "$repo" --x..y

# --- --db: the revision is recorded in the lab database too
if command -v sqlite3 >/dev/null; then
	db=$tmpdir/lab.db
	submit --mbox "$FX/encoded-single.mbox" --db "$db"
	ok $st "submit --db stores and records"
	check "output says it was recorded" has "recorded zram-fix-the-slot-free-for-zrich v1 in $db"
	q() { sqlite3 "$db" "select s.name||'|'||ifnull(s.subject,'')||'|'||r.version||'|'||ifnull(r.message_id,'') from revision r join series s on s.id = r.series_id order by s.name"; }
	check "series and revision rows" test "$(q)" = "zram-fix-the-slot-free-for-zrich|zram: fix the “slot” free for Zürich|1|enc@example.org"
	submit --mbox "$FX/encoded-single.mbox" --db "$db"
	check "re-submit with --db: no second row" test "$st" = 0 -a "$(q | wc -l)" = 1
	submit --mbox "$FX/series-cover3.mbox" --db "$db"
	check "a revision stored earlier without --db is recorded when submitted again" \
		sh -c '[ "$1" = 0 ] && grep -q "already submitted" "$2"' - "$st" "$tmpdir/out"
	check "its row carries the cover letter's message-id" \
		grep -qx "mm-initialise-b-everywhere|mm: initialise b everywhere|2|cover.v2@example.org" <(q)
	before=$(store)
	submit --mbox "$FX/two-versions.mbox" -v 2 --db "$tmpdir/no/such/dir/lab.db"
	check "an unusable --db: exit 1 and nothing stored" test "$st" = 1 -a "$(store)" = "$before"
fi

# --- the repository's kernel-patches/ is the default store (dry run: writes nothing)
(
	unset SWAPLAB_PATCHES_DIR
	"$SWAPLAB" submit -n --mbox "$FX/demo-zram-deferred-free-v1.mbox" >"$tmpdir/out" 2>"$tmpdir/err"
)
check "default store: the demo series is already in the repository's kernel-patches/" \
	has "already submitted as demo-zram-deferred-free v1 ($TOP/kernel-patches/demo-zram-deferred-free/v1)"

# --- the command path under ASan/UBSan (leaks, overflows)
if [ -x "${SWAPLAB_ASAN:-}" ]; then
	export SWAPLAB_PATCHES_DIR=$tmpdir/kp-asan
	"$SWAPLAB_ASAN" submit --mbox "$tmpdir/t.mbox.gz" >"$tmpdir/out" 2>"$tmpdir/err"
	ok $? "ASan: submit of a gzip'd thread"
	"$SWAPLAB_ASAN" submit --mbox "$tmpdir/t.mbox.gz" >"$tmpdir/out" 2>"$tmpdir/err"
	ok $? "ASan: re-submit"
	"$SWAPLAB_ASAN" submit --git-range "$repo" base..HEAD >"$tmpdir/out" 2>"$tmpdir/err"
	ok $? "ASan: git range"
	"$SWAPLAB_ASAN" submit --mbox "$FX/truncated-hunk.mbox" >"$tmpdir/out" 2>"$tmpdir/err"
	check "ASan: error path exits 1 cleanly" test $? = 1
fi
finish
