#!/usr/bin/env bash
# bisect-cli.sh - `swaplab bisect`'s refusals and its database side, fast:
# no kernel is built or booted.  Usage errors exit 129 (a malformed
# metric, --device host, two modes, --step with two revisions); ends that
# are not good-before-bad and an empty database exit 1; --step refuses
# with 128 (so `git bisect run` stops) when it cannot make a session.
# A toy git repository stands for the kernel tree.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SWAPLAB=$PWD/$BUILD/swaplab
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
is() { ok $(( $1 != $2 )) "$3 (exit $1, want $2)"; }
tmp=$(mktemp -d "${SWAPLAB_TEST_TMPDIR:-/tmp}/swaplab-bisect-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git init -q "$tmp/t" && for i in 1 2 3 4; do
	echo $i >"$tmp/t/f" && git -C "$tmp/t" add f &&
	git -C "$tmp/t" -c user.name=t -c user.email=t@example.org commit -qm "c$i"
done
b() { "$SWAPLAB" bisect --tree "$tmp/t" --db "$tmp/lab.db" -q "$@" >"$tmp/out" 2>"$tmp/err"; }

b --good HEAD~3 --bad HEAD --metric zram/16/1; is $? 129 "a metric without a size unit"
grep -q "malformed cell 'zram/16/1'" "$tmp/err"; ok $? "the message names the metric"
b --good HEAD~3 --bad HEAD --metric zram/16M/1 --device host; is $? 129 "--device host cannot bisect"
b --good HEAD~3 --bad HEAD --metric zram/16M/1 --device board; is $? 129 "an unknown device"
b --status --resume; is $? 129 "two modes"
b --good HEAD~3 --bad HEAD; is $? 129 "--metric missing"
b --step HEAD~1 HEAD --good HEAD~3 --bad HEAD --metric zram/16M/1; is $? 129 "--step with two revisions"
b --good HEAD --bad HEAD~3 --metric zram/16M/1; is $? 1 "good after bad"
grep -q "must be an ancestor" "$tmp/err"; ok $? "says the good end must be an ancestor of the bad one"
b --good nosuch --bad HEAD --metric zram/16M/1; is $? 1 "a revision that is not there"
b --status; is $? 1 "--status with no session"
b --resume; is $? 1 "--resume with no session"
b --step --good HEAD --bad HEAD~3 --metric zram/16M/1; is $? 128 "--step that cannot make a session: 128, git bisect run stops"
if command -v sqlite3 >/dev/null; then
	test "$(sqlite3 "$tmp/lab.db" 'SELECT count(*) FROM bisect')" = 0; ok $? "no session stored by any of them"
	test "$(sqlite3 "$tmp/lab.db" 'PRAGMA user_version')" = 5; ok $? "the database is at schema 5"
fi
echo "1..$n"
exit $failed
