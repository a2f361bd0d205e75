#!/usr/bin/env bash
# Bad input and bad environments: a clear error, a non-zero exit, and the
# system untouched.
. "$(dirname "$0")/lib.sh"
need_root
state() { tail -n +2 /proc/swaps; ls -d /sys/block/zram* 2>/dev/null; grep -H . /sys/module/zswap/parameters/*; }
before=$(state)
expect_error() { # description pattern args...
	local d=$1 pat=$2; shift 2
	"$SWAPLAB" bench "$@" >"$tmpdir/out" 2>"$tmpdir/err"; local st=$?
	if [ "$st" != 0 ] && grep -q -- "$pat" "$tmpdir/err" && [ "$(state)" = "$before" ]; then
		ok 0 "$d"
	else
		ok 1 "$d (exit $st)"; sed 's/^/#   /' "$tmpdir/err"
	fi
}
expect_error "malformed size" "malformed size '64Q'" --sizes 64Q
expect_error "unknown backend" "unknown backend 'zfs'" --backend zfs
expect_error "unknown zram compressor" "unknown zram compressor 'nope'" --zram-comp nope
expect_error "unknown zswap compressor" "unknown zswap compressor 'nope'" --backend zswap --zswap-comp nope
expect_error "sizes larger than memory" "do not fit in memory" --sizes 64G
expect_error "sizes larger than the swap device" "do not fit in the swap device" --sizes 64M --swap-size 32M
expect_error "pool too small for zswap" "do not fit in zswap's pool" --backend zswap --sizes 1G --procs 3 --zswap-max-pool 1
expect_error "size not a page multiple" "not a multiple of the page size" --sizes 10000
expect_error "missing backing directory" "cannot use '/nonexistent'" --backend zswap --sizes 16M --backing-dir /nonexistent
touch "$tmpdir/exists.jsonl"
expect_error "--out never overwrites a file" "cannot create '$tmpdir/exists.jsonl': File exists" --sizes 16M --out "$tmpdir/exists.jsonl"
expect_error "mTHP size the kernel lacks" "no 3072kB mTHP size" --thp 3M
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SWAPLAB" bench --sizes 16M >"$tmpdir/out" 2>"$tmpdir/err"
	st=$?
	check "not root: refused (exit $st)" [ "$st" != 0 ]
	check "not root: says so" grep -q "'swaplab bench' needs root" "$tmpdir/err"
fi
# Two benchmarks at once: the second is refused while the first runs.
"$SWAPLAB" bench --sizes 64M --runs 50 --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ "$(tail -n +2 /proc/swaps | wc -l)" -gt 0 ] && break; sleep 0.05; done
"$SWAPLAB" bench --sizes 16M --runs 1 >"$tmpdir/out" 2>"$tmpdir/err"; st=$?
check "a second concurrent bench is refused (exit $st)" [ "$st" != 0 ]
check "it names the lock holder" grep -q "another benchmark (pid $pid)" "$tmpdir/err"
kill -TERM "$pid"; wait "$pid"
check "system state untouched by every error" [ "$(state)" = "$before" ]
"$SWAPLAB" bench --sizes 64M --dry-run --json >"$tmpdir/dry" 2>&1
check "--dry-run checks the plan and changes nothing" [ "$(state)" = "$before" ]
finish
