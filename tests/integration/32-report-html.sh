#!/usr/bin/env bash
# The HTML report in a real headless browser (Debian's chromium): the
# page is self-contained (no script, no external resource), the browser's
# DOM has every table row and the SVG plot lines, and a screenshot shows
# the base and patched lines in their colours.  No swap state is touched.
. "$(dirname "$0")/lib.sh"
browser=$(command -v chromium || command -v chromium-browser) || skip_all "chromium not installed"
gen() { python3 "$TOP/tests/integration/gen-samples.py" "$@"; }
db=$tmpdir/lab.db

gen --seed 1 --mode lognormal zram:64M:1=14.11 zram:128M:1=29.45 zram:256M:1=57.01 \
	zram:256M:2=94.75 zswap:64M:1=37.83 zswap:256M:1=150.78 >"$tmpdir/base.jsonl"
gen --seed 2 --mode lognormal --kernel-release 6.18.0-zsdefer zram:64M:1=2.18 \
	zram:128M:1=4.48 zram:256M:1=9.08 zram:256M:2=54.11 zswap:64M:1=13.26 \
	zswap:256M:1=52.97 >"$tmpdir/patched.jsonl"
"$SWAPLAB" db import "$tmpdir/base.jsonl" --db "$db" --label base >/dev/null &&
	"$SWAPLAB" db import "$tmpdir/patched.jsonl" --db "$db" --label 'patched<v3>' >/dev/null
ok $? "import base and patched"
"$SWAPLAB" report --db "$db" --base base --patched 'patched<v3>' --format html -o "$tmpdir/report.html"
ok $? "report --format html -o"
html=$tmpdir/report.html
check "no script" bash -c "! grep -qi '<script' '$html'"
check "no external resource" bash -c "! grep -Eiq '(src|href)=|<link|@import|url\\(' '$html'"
check "the label is escaped" grep -q 'patched&lt;v3&gt;' "$html"

# Rows the report should have: one per table row (tables from the JSON form).
"$SWAPLAB" report --db "$db" --base base --patched 'patched<v3>' --format json >"$tmpdir/r.json"
rows=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(len(t["rows"]) for t in r["tables"]))' "$tmpdir/r.json")
plots=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len({(x["backend"],x["procs"]) for x in r["rows"]}))' "$tmpdir/r.json")
check "the model has rows ($rows) and plots ($plots)" test "$rows" -ge 6 -a "$plots" = 3

run_browser() { # args...
	local ud
	ud=$(mktemp -d "$tmpdir/chromium.XXXXXX")
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$ud" "$@" 2>>"$tmpdir/chromium.log"
}
run_browser --dump-dom "file://$html" >"$tmpdir/dom.html"
ok $? "chromium --dump-dom"
python3 - "$tmpdir/dom.html" "$rows" "$plots" >"$tmpdir/dom.check" <<'EOF'
import html.parser, sys
dom, want_rows, want_plots = open(sys.argv[1]).read(), int(sys.argv[2]), int(sys.argv[3])
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = 0; self.cells = 0; self.svgs = 0
        self.lines = {"base": 0, "patched": 0}; self.points = 0; self.bad_paths = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); cls = a.get("class", "").split()
        if tag == "tr" and "row" in cls: self.rows += 1
        if tag == "td": self.cells += 1
        if tag == "svg": self.svgs += 1
        if tag == "circle" and "point" in cls: self.points += 1
        if tag == "path" and "line" in cls:
            for k in self.lines:
                if k in cls: self.lines[k] += 1
            d = a.get("d", "")
            if not (d.startswith("M") and all(c in "ML0123456789., -" for c in d)):
                self.bad_paths += 1
p = P(); p.feed(dom)
print(p.rows, p.svgs, p.lines["base"], p.lines["patched"], p.points, p.bad_paths)
ok = (p.rows == want_rows and p.svgs == want_plots and p.lines["base"] == want_plots
      and p.lines["patched"] == want_plots and p.points >= 2 * want_rows // 2 and p.bad_paths == 0)
sys.exit(0 if ok else 1)
EOF
ok $? "the rendered DOM has $rows table rows, $plots SVG plots with base and patched paths ($(cat "$tmpdir/dom.check"))"
check "the rendered DOM has the speedup column" grep -q '<th>Speedup</th>' "$tmpdir/dom.html"

run_browser --window-size=1100,2600 --screenshot="$tmpdir/shot.png" "file://$html" >/dev/null
ok $? "chromium --screenshot"
python3 - "$tmpdir/shot.png" >"$tmpdir/png.check" <<'EOF'
# Decodes the PNG (zlib + scanline filters, stdlib only) and counts pixels
# of the plot lines' colours: base #1f5fa8, patched #c8311f.
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
i = 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    out.append(line); prev = line
def count(rgb):
    n = 0
    for line in out:
        for x in range(0, len(line), bpp):
            if all(abs(line[x + k] - rgb[k]) <= 12 for k in range(3)): n += 1
    return n
base, patched = count((0x1f, 0x5f, 0xa8)), count((0xc8, 0x31, 0x1f))
print(base, patched)
sys.exit(0 if base > 150 and patched > 150 else 1)
EOF
ok $? "the screenshot shows the base and patched lines (pixels: $(cat "$tmpdir/png.check"))"

# --series pages plot every revision.
"$SWAPLAB" db import "$tmpdir/base.jsonl" --db "$tmpdir/s.db" --series zsd --revision 1 --kind base >/dev/null
gen --seed 3 --mode lognormal --kernel-release 6.18.0-v2 zram:64M:1=2.6 zram:128M:1=5.2 \
	zram:256M:1=10.5 zram:256M:2=55 zswap:64M:1=14 zswap:256M:1=55 >"$tmpdir/v2.jsonl"
"$SWAPLAB" db import "$tmpdir/patched.jsonl" --db "$tmpdir/s.db" --series zsd --revision 1 --kind patched >/dev/null &&
	"$SWAPLAB" db import "$tmpdir/v2.jsonl" --db "$tmpdir/s.db" --series zsd --revision 2 --kind patched >/dev/null
ok $? "import a two-revision series"
"$SWAPLAB" report --db "$tmpdir/s.db" --series zsd --format html -o "$tmpdir/series.html"
ok $? "report --series --format html"
run_browser --dump-dom "file://$tmpdir/series.html" >"$tmpdir/sdom.html"
check "series DOM: a line per revision in every plot" \
	[ "$(grep -o 'class="line patched v2"' "$tmpdir/sdom.html" | wc -l)" = "$plots" ]
check "series DOM: vs prev column" grep -q '<th>vs prev</th>' "$tmpdir/sdom.html"
finish
