#!/usr/bin/env bash
# layers.sh - the dependency rules hold on this tree, and the checker
# rejects a tree that breaks each kind of rule (so it can fail).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
echo "1..8"
out=$("$top/tests/check-layers.sh" "$top" 2>&1)
[ $? = 0 ] && echo "ok 1 - this tree keeps the layer rules" || { echo "not ok 1 - layer rules broken:"; echo "$out" | sed 's/^/# /'; }

t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
n=2
broken() { # description, file, line to append, expected message part
	rm -rf "$t/tree"; mkdir "$t/tree"
	(cd "$top" && cp -r common src bench db lab reports kernel-patches ci "$t/tree/")
	echo "$3" >> "$t/tree/$2"
	out=$("$top/tests/check-layers.sh" "$t/tree" 2>&1); st=$?
	if [ $st != 0 ] && grep -q "$4" <<<"$out"; then echo "ok $n - rejects $1"
	else echo "not ok $n - does not reject $1 (exit $st)"; echo "$out" | sed 's/^/# /'; fi
	n=$((n + 1))
}
broken "db including the command layer" db/query.c '#include "src/builtin.h"' 'db/ may not include src/builtin.h'
broken "curl outside the HTTP client" lab/qemu.c '#include <curl/curl.h>' 'belongs to common/http.c'
broken "sqlite3 outside db/" reports/report.c '#include <sqlite3.h>' 'belongs to db/'
broken "die() in a library" reports/lore.c 'static void f(void) { die("x"); }' 'die() outside the command layer'
broken "a non-libc header in the benchmark" bench/bench.c '#include "common/http.h"' 'the benchmark is libc only'
broken "libyaml outside lab/" kernel-patches/series.c '#include <yaml.h>' 'belongs to lab/'
broken "libyaml in the command layer" src/cmd_lava.c '#include <yaml.h>' 'belongs to lab/'
