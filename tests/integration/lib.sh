# tests/integration/lib.sh - helpers for integration tests (sourced).
# Tests print TAP lines; exit 77 means skipped (feature missing outside CI).
set -u
n=0 failed=0
ok() { # ok <status> <description>
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
check() { # check <description> <command...>
	local d=$1; shift
	if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}
skip_all() { echo "# SKIP $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }
finish() { echo "1..$n"; [ "$failed" = 0 ]; }
# SWAPLAB_TEST_TMPDIR: where the tests' directories go (default /tmp).
tmpdir=$(mktemp -d "${SWAPLAB_TEST_TMPDIR:-/tmp}/swaplab-it.XXXXXX")
# KEEP=1 keeps the test's files (to look at a report it wrote); remove them after.
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmpdir"' EXIT
