#!/usr/bin/env bash
# check-layers.sh - the dependency rules of docs/architecture.md, checked
# on the sources instead of repeated in review.
#
#   tests/check-layers.sh [DIR]     DIR: a source tree (default: this one)
#
# Prints one line per broken rule (file:line: what and why) and exits 1,
# or exits 0 when every rule holds.  The layers, top to bottom (a folder
# may include its own headers and those of the layers below it):
#
#   src/                            the command layer
#   ci/                             orchestration: pipeline, watch, kernel builds
#   lab/ reports/ kernel-patches/   devices, reports, patch intake
#   db/ bench/                      the results database, the benchmark
#   common/                         util, json, options, sha256, sbuf, HTTP
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

files=$(find common src bench db lab reports kernel-patches ci -name '*.[ch]' 2>/dev/null | sort)
exec awk '
BEGIN {
	# Which folders each folder may include from.
	allowed["common"] = " common "
	allowed["bench"] = " bench common "
	allowed["db"] = " db common "
	allowed["lab"] = " lab db bench common "
	allowed["reports"] = " reports db common "
	allowed["kernel-patches"] = " kernel-patches db common "
	allowed["ci"] = " ci lab reports kernel-patches db bench common "
	allowed["src"] = " src ci lab reports kernel-patches db bench common "
	# Each external library belongs to one module.
	owner["curl/"] = "common/http.c"
	owner["sqlite3.h"] = "db/"
	owner["zlib.h"] = "kernel-patches/"
	owner["yaml.h"] = "lab/"
	# The benchmark links statically against libc only.
	benchok["common/util.h"] = 1
	benchok["common/json.h"] = 1
	benchok["common/utf8.h"] = 1
	benchok["common/parse-options.h"] = 1
	bad = 0
}
function report(msg) { print FILENAME ":" FNR ": " msg; bad = 1 }
FNR == 1 { dir = FILENAME; sub(/\/.*/, "", dir); incomment = 0 }
{
	line = $0
	# Strip comments (block comments may span lines) and string literals
	# for the call checks; #include lines are read as they are.
	code = line
	if (incomment) {
		if (code ~ /\*\//) { sub(/^.*\*\//, "", code); incomment = 0 } else code = ""
	}
	gsub(/\/\*([^*]|\*[^\/])*\*\//, "", code)
	if (code ~ /\/\*/) { sub(/\/\*.*$/, "", code); incomment = 1 }
	sub(/\/\/.*$/, "", code)
	gsub(/"([^"\\]|\\.)*"/, "\"\"", code)
}
line ~ /^[ \t]*#[ \t]*include[ \t]*"/ {
	inc = line
	sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
	if (inc !~ /\//) {
		report("#include \"" inc "\": name headers from the top (\"common/util.h\")")
		next
	}
	target = inc; sub(/\/.*/, "", target)
	if (index(allowed[dir], " " target " ") == 0)
		report(dir "/ may not include " inc " (allowed:" allowed[dir] ")")
	if (dir == "bench" && target == "common" && !(inc in benchok))
		report("the benchmark is libc only; " inc " is not")
	next
}
line ~ /^[ \t]*#[ \t]*include[ \t]*</ {
	for (h in owner)
		if (index(line, "<" h) && index(FILENAME, owner[h]) != 1)
			report("<" h "> belongs to " owner[h] " only")
	next
}
# Only the command layer decides to exit; the allocators die_oom() in
# common/util.c is the one exception.
dir != "src" && FILENAME !~ /^common\/util\.[ch]$/ {
	if (code ~ /(^|[^_[:alnum:]])die\(/)
		report("die() outside the command layer: return error() and let src/ exit")
	if (code ~ /(^|[^_[:alnum:]])exit\(/)
		report("exit() outside the command layer: return an error instead")
}
END { exit bad }
' $files
