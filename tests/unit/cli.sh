#!/usr/bin/env bash
# cli.sh - the command line behaves the same for every command and
# sub-verb (issue 9): the table of commands comes from `swaplab --help`
# and each command's verbs from `swaplab <command> --help`, so a new
# command or verb is tested without touching this file.  For each one:
#
#   --help              exit 0, the help on stdout naming the command,
#                       nothing on stderr
#   --no-such-option    exit 129, one line on stderr naming the option
#   --OPT (no value)    exit 129, one line on stderr naming the option;
#                       OPT is --db, else the first option the generated
#                       help lists with a value
#
# Only --help and usage errors are run: they come before any root check,
# database or host access, so this needs no root and changes nothing (it
# runs in an empty directory and checks that it stays empty).  The table
# runs on the plain build and, when it is built, on the ASan/UBSan one
# (leaks on the error paths fail it).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
plain=${SWAPLAB:-$top/${BUILD:-build}/swaplab}
asan=${SWAPLAB_ASAN:-$top/${BUILD:-build}/asan/swaplab}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
mkdir "$t/cwd" "$t/home"
export HOME=$t/home SWAPLAB_HOME=$t/home/lab SWAPLAB_PATCHES_DIR=$t/home/patches
# Nothing below may reach a server; an unroutable one if it tried.
export SWAPLAB_LAVA_URL=http://127.0.0.1:9/ SWAPLAB_LORE_URL=http://127.0.0.1:9/

n=0 failed=0
ok() { # status description
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $tag$2"; else echo "not ok $n - $tag$2"; failed=$((failed + 1)); fi
}
show() { # what went wrong
	echo "#   exit $st; stdout: $(head -c 300 "$t/out" | head -n 3 | tr '\n' '|')"
	echo "#   stderr: $(head -c 300 "$t/err" | head -n 3 | tr '\n' '|')"
}
run() { # args... -> $st, $t/out, $t/err
	(cd "$t/cwd" && timeout 20 "$SWAPLAB" "$@" </dev/null >"$t/out" 2>"$t/err")
	st=$?
}
# The names listed under "<heading>:" in a help text on stdin.
listed() { awk -v h="$1:" '$0 == h { on = 1; next } on && /^$/ { exit } on && /^   [a-z]/ { print $1 }'; }
union() { printf '%s\n' "$@" | awk 'NF && !seen[$0]++'; }

table() {
# The commands, and the floor the binary must at least list.
run --help
commands=$(listed commands <"$t/out")
ok $([ "$st" = 0 ] && [ -n "$commands" ]; echo $?) "'swaplab --help' lists the commands"
floor="bench db kernel initramfs run lava report submit pipeline watch status calibrate"
for c in $floor; do
	grep -qx "$c" <<<"$commands" || { ok 1 "'swaplab --help' lists '$c'"; }
done
commands=$(union $commands $floor)

# The verbs of each command that has verbs (known ones as a floor too).
declare -A floor_verbs=(
	[db]="import labels runs export info"
	[kernel]="tree worktree build show"
	[lava]="job submit status results run"
)
targets=()
for c in $commands; do
	run "$c" --help
	verbs=$(listed verbs <"$t/out")
	for v in ${floor_verbs[$c]:-}; do
		grep -qx "$v" <<<"$verbs" || { ok 1 "'swaplab $c --help' lists the verb '$v'"; show; }
	done
	verbs=$(union $verbs ${floor_verbs[$c]:-})
	if [ -z "$verbs" ]; then
		targets+=("$c")
		continue
	fi
	# The command itself: help, an unknown verb, no verb.
	ok $([ "$st" = 0 ] && [ -s "$t/out" ] && [ ! -s "$t/err" ] && grep -q "swaplab $c" "$t/out"; echo $?) \
		"$c --help: exit 0, the verbs on stdout, nothing on stderr"
	run "$c" no-such-verb
	ok $([ "$st" = 129 ] && [ "$(wc -l <"$t/err")" = 1 ] && grep -q "no-such-verb" "$t/err"; echo $?) \
		"$c no-such-verb: exit 129, one error line naming it"
	[ "$st" = 129 ] || show
	run "$c"
	ok $([ "$st" = 129 ] && [ -s "$t/err" ] && [ ! -s "$t/out" ]; echo $?) \
		"$c without a verb: exit 129, the verbs on stderr"
	for v in $verbs; do targets+=("$c $v"); done
done

# The first option the generated help lists with a value (--db first).
value_option() {
	local o
	o=$(awk '/^    (-[A-Za-z], |    )--[a-z0-9-]+ [^ ]/ { sub(/^ *(-[A-Za-z], )?/, ""); print $1 }' "$t/out")
	if grep -qx -- --db <<<"$o"; then echo --db; else head -n 1 <<<"$o"; fi
}

for target in "${targets[@]}"; do
	read -ra cmd <<<"$target"
	run "${cmd[@]}" --help
	help_ok=$([ "$st" = 0 ] && [ -s "$t/out" ] && [ ! -s "$t/err" ] && grep -q "swaplab $target" "$t/out"; echo $?)
	ok "$help_ok" "$target --help: exit 0, help naming 'swaplab $target' on stdout, nothing on stderr"
	[ "$help_ok" = 0 ] || show
	opt=$(value_option)
	generated=$(grep -q '^    -h, --help  ' "$t/out"; echo $?)

	run "${cmd[@]}" --no-such-option
	ok $([ "$st" = 129 ] && [ "$(wc -l <"$t/err")" = 1 ] && grep -q -- "--no-such-option" "$t/err"; echo $?) \
		"$target --no-such-option: exit 129, one error line naming it"
	[ "$st" = 129 ] && [ "$(wc -l <"$t/err")" = 1 ] || show

	if [ -z "$opt" ] && [ "$generated" != 0 ]; then
		ok 1 "$target: a missing value (no option with a value found: the help is not the generated one)"
		continue
	elif [ -z "$opt" ]; then
		n=$((n + 1)); echo "ok $n - $tag$target: a missing value # SKIP its help lists no option with a value"
		continue
	fi
	run "${cmd[@]}" "$opt"
	ok $([ "$st" = 129 ] && [ "$(wc -l <"$t/err")" = 1 ] && grep -q -- "'$opt' needs a value" "$t/err"; echo $?) \
		"$target $opt (no value): exit 129, one error line naming $opt"
	[ "$st" = 129 ] && [ "$(wc -l <"$t/err")" = 1 ] || show
done

# Requirements are checked after the options: as a user, a command that
# needs root is refused (128) for valid options, after its usage errors.
if [ "$(id -u)" != 0 ]; then
	run bench --dry-run
	ok $([ "$st" = 128 ] && [ "$(wc -l <"$t/err")" = 1 ] && grep -q "needs root" "$t/err"; echo $?) \
		"bench --dry-run as a user: refused, exit 128, one line saying it needs root"
	[ "$st" = 128 ] || show
else
	n=$((n + 1)); echo "ok $n - ${tag}bench refused without root # SKIP running as root"
fi

ok $([ -z "$(ls -A "$t/cwd")" ]; echo $?) "nothing was written in the working directory (no lab.db)"
}

for SWAPLAB in "$plain" "$asan"; do
	[ "$SWAPLAB" = "$asan" ] && tag="[asan] " || tag=""
	if [ ! -x "$SWAPLAB" ]; then
		[ "$SWAPLAB" = "$asan" ] && continue
		ok 1 "$SWAPLAB is built"
		continue
	fi
	table
done
echo "1..$n"
[ "$failed" = 0 ]
