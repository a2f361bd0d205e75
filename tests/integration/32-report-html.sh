#!/usr/bin/env bash
# The HTML report in a real headless browser (Debian's chromium): the
# page is self-contained (no script, no external resource); rendered at
# 1200 px it has every cell in the forest plot and in the tables, marks
# coloured by direction (faster green, slower red: in the DOM and in the
# screenshot's pixels), readable legends (full label names), and nothing
# wider than the window.  The series page has every cell across
# revisions and the change points of the JSON model.  The screenshots
# stay in $BUILD/report-html*.png to be looked at.  No swap state is
# touched.
. "$(dirname "$0")/lib.sh"
browser=$(command -v chromium || command -v chromium-browser) || skip_all "chromium not installed"
gen() { python3 "$TOP/tests/integration/gen-samples.py" "$@"; }
db=$tmpdir/lab.db
shots=${BUILD:-build}
mkdir -p "$shots"

# Three boots a side, interleaved: zram much faster, zswap 64MB 8% slower.
for k in 1 2 3; do
	gen --seed $((10 + k)) --mode lognormal --runs 5 --started "2026-05-01T1$k:00:00Z" \
		zram:64M:1=14.11 zram:128M:1=29.45 zram:256M:1=57.01 zram:256M:2=94.75 zram:256M:3=154.64 \
		zswap:64M:1=37.83 zswap:256M:1=150.78 zswap:256M:2=186.56 >"$tmpdir/base-$k.jsonl"
	gen --seed $((20 + k)) --mode lognormal --runs 5 --started "2026-05-01T1$k:30:00Z" \
		--kernel-release 6.18.0-zsdefer zram:64M:1=2.18 zram:128M:1=4.48 zram:256M:1=9.08 \
		zram:256M:2=54.11 zram:256M:3=104.83 zswap:64M:1=40.86 zswap:256M:1=150.9 \
		zswap:256M:2=186.0 >"$tmpdir/patched-$k.jsonl"
	"$SWAPLAB" db import "$tmpdir/base-$k.jsonl" --db "$db" --label base-6.18.0-rc4-long-label >/dev/null &&
		"$SWAPLAB" db import "$tmpdir/patched-$k.jsonl" --db "$db" \
			--label 'demo-zram-deferred-free-v3-patched<x>' >/dev/null
	ok $? "import boot $k of base and patched"
done
labels=(--base base-6.18.0-rc4-long-label --patched 'demo-zram-deferred-free-v3-patched<x>')
"$SWAPLAB" report --db "$db" "${labels[@]}" --format html -o "$tmpdir/report.html"
ok $? "report --format html -o"
"$SWAPLAB" report --db "$db" "${labels[@]}" --format json >"$tmpdir/r.json"
ok $? "report --format json"
html=$tmpdir/report.html
check "no script" bash -c "! grep -qi '<script' '$html'"
check "no external resource" bash -c "! grep -Eiq '(src|href)=\"?[a-z]+:|<link|@import|url\\(' '$html'"
check "the label is escaped" grep -q 'demo-zram-deferred-free-v3-patched&lt;x&gt;' "$html"

run_browser() { # args...
	local ud
	ud=$(mktemp -d "$tmpdir/chromium.XXXXXX")
	timeout 300 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$ud" "$@" 2>>"$tmpdir/chromium.log"
}
# A copy with a probe: the browser writes what it laid out into the DOM
# (the page itself has no script).
probe() { # in out
	sed 's|</body>|<script>window.addEventListener("load",function(){var w=document.documentElement.clientWidth,m=0,bad=[];document.querySelectorAll("body *").forEach(function(e){var r=e.getBoundingClientRect();if(r.width\&\&r.right>m)m=r.right;if(r.width\&\&r.right>w+0.5\&\&bad.length<5)bad.push(e.tagName+"."+e.className)});var b=document.body;b.setAttribute("data-client",w);b.setAttribute("data-scroll",document.documentElement.scrollWidth);b.setAttribute("data-right",Math.ceil(m));b.setAttribute("data-over",bad.join(" "));var c=[];document.querySelectorAll("g.cell circle").forEach(function(e){c.push(e.closest("g").className.baseVal.split(" ")[1]+"="+getComputedStyle(e).fill)});b.setAttribute("data-fills",c.join(";"));var l=[];document.querySelectorAll("ul.legend li").forEach(function(e){if(e.scrollWidth>e.clientWidth+1)l.push(e.textContent)});b.setAttribute("data-cut",l.join(";"))})</script></body>|' "$1" >"$2"
}
probe "$html" "$tmpdir/probe.html"
run_browser --window-size=1200,900 --virtual-time-budget=5000 --dump-dom "file://$tmpdir/probe.html" >"$tmpdir/dom.html"
ok $? "chromium --dump-dom at 1200 px"
cat >"$tmpdir/check.py" <<'EOF'
import html.parser, json, sys
dom, model = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.body = {}; self.cells = []; self.rows = []; self.marks = []
        self.legend = []; self.inli = False; self.svgs = 0; self.series = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); cls = a.get("class", "").split()
        if tag == "body": self.body = a
        if tag == "g" and "cell" in cls: self.cells.append((a.get("data-cell"), cls[1]))
        if tag == "tr" and "row" in cls and "fio" not in cls: self.rows.append((a.get("data-cell"), cls[1]))
        if tag == "td" and "mark" in cls: self.marks.append(cls[1])
        if tag == "svg": self.svgs += 1
        if tag == "li" and self.lasttag_ul: self.inli = True; self.legend.append("")
        if tag == "div" and "series-cell" in cls: self.series.append(a.get("data-cell"))
        self.lasttag_ul = tag == "ul" and "legend" in cls or (tag in ("li", "span") and getattr(self, "lasttag_ul", False))
    def handle_endtag(self, tag):
        if tag == "li": self.inli = False
        if tag == "ul": self.lasttag_ul = False
    def handle_data(self, d):
        if self.inli: self.legend[-1] += d
p = P(); p.lasttag_ul = False; p.feed(dom)
def name(x):
    sz = x["size_bytes"] >> 20
    return "%s%s %dMB %dp" % (x["backend"], "" if x["load"] == "none" else "/" + x["load"], sz, x["procs"])
last = max([x.get("revision", 0) for x in model["rows"]] or [0])
want = {name(x): x["verdict"]["direction"] for x in model["rows"] if x["compared"] and x.get("revision", 0) == last}
forest = dict(p.cells)
rows = {}
for c, d in p.rows: rows.setdefault(c, set()).add(d)
fails = []
if forest != want: fails.append("forest %s != model %s" % (forest, want))
if set(rows) != set(want) or any(rows[c] != {want[c]} for c in want if c in rows and len(sys.argv) < 4):
    fails.append("table rows %s != model" % rows)
b = p.body
if int(b.get("data-scroll", 99999)) > int(b.get("data-client", 0)) or int(b.get("data-right", 99999)) > int(b.get("data-client", 0)):
    fails.append("overflow: client %s scroll %s right %s (%s)" % (b.get("data-client"), b.get("data-scroll"), b.get("data-right"), b.get("data-over")))
fills = {}
for f in filter(None, b.get("data-fills", "").split(";")):
    d, c = f.split("="); fills.setdefault(d, set()).add(c)
colours = {"faster": "rgb(26, 127, 55)", "slower": "rgb(207, 34, 46)"}
for d, c in colours.items():
    if d in want.values() and fills.get(d, set()) - {c, "rgb(255, 255, 255)"} or (d in want.values() and c not in fills.get(d, set())):
        fails.append("%s points drawn %s, not %s" % (d, fills.get(d), c))
if b.get("data-cut"): fails.append("legend entries cut: %s" % b.get("data-cut"))
labels = [model["base"]["label"]] + [x["label"] for x in model["patched"]]
if not all(any(l in e for e in p.legend) for l in labels): fails.append("legends lack a full label: %s" % p.legend[:6])
print("# forest %d cells, %d table rows, %d svgs, widths %s/%s/%s, fills %s" % (len(forest), len(p.rows), p.svgs,
      b.get("data-client"), b.get("data-scroll"), b.get("data-right"), {k: sorted(v) for k, v in fills.items()}))
if len(sys.argv) > 3:
    cps = sum(1 for x in model["rows"] if "change_point" in x)
    cells = {name(x) for x in model["rows"]}
    if set(p.series) != cells: fails.append("series cells %s != %s" % (p.series, cells))
    if dom.count('class="changepoint"') != len({name(x) for x in model["rows"] if "change_point" in x}):
        fails.append("change points drawn %d, model %d" % (dom.count('class="changepoint"'), cps))
for f in fails: print("# " + f)
sys.exit(1 if fails else 0)
EOF
check "DOM at 1200 px: every cell in the forest plot and the tables, coloured by direction, no overflow, full legends" \
	python3 "$tmpdir/check.py" "$tmpdir/dom.html" "$tmpdir/r.json"
check "the model has faster and slower rows (the colour check is not vacuous)" \
	bash -c "grep -q '\"direction\":\"faster\"' '$tmpdir/r.json' && grep -q '\"direction\":\"slower\"' '$tmpdir/r.json'"
check "plots: latency by size, drain and CPU beside it, process scaling" \
	bash -c "grep -q 'munmap() by VMA size' '$html' && grep -q 'drain and CPU after munmap' '$html' && grep -q 'munmap() by processes' '$html'"
check "the y axis spans the data: zswap 256MB 2p's plot does not start at 0" python3 - "$html" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
fig = s[s.index("zswap, 1 process: munmap() by VMA size"):]
fig = fig[:fig.index("</svg>")]
ticks = [float(t) for t in re.findall(r'class="ytick">([0-9.]+)<', fig)]
sys.exit(0 if ticks and min(ticks) > 0 else 1)
EOF

run_browser --window-size=1200,1600 --hide-scrollbars --virtual-time-budget=5000 \
	--screenshot="$shots/report-html.png" "file://$html" >/dev/null
ok $? "chromium --screenshot ($shots/report-html.png)"
cat >"$tmpdir/png.py" <<'EOF'
# Decodes the PNG (zlib + scanline filters, stdlib only) and counts pixels
# of the mark colours: faster #1a7f37, slower #cf222e.
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
raw, stride, prev, counts = zlib.decompress(idat), w * bpp, bytearray(w * bpp), [0, 0]
want = [(0x1a, 0x7f, 0x37), (0xcf, 0x22, 0x2e)]
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
    for x in range(0, stride, bpp):
        for k, rgb in enumerate(want):
            if all(abs(line[x + j] - rgb[j]) <= 10 for j in range(3)): counts[k] += 1
    prev = line
print(*counts)
sys.exit(0 if counts[0] > 200 and counts[1] > 50 else 1)
EOF
python3 "$tmpdir/png.py" "$shots/report-html.png" >"$tmpdir/png.check"
ok $? "the screenshot shows green (faster) and red (slower) marks (pixels: $(cat "$tmpdir/png.check"))"

# The series page: every cell across revisions, change points from the model.
# v1 is the patched runs above, v2 measures like v1, v3-v5 make zram twice as slow.
for k in 1 2 3; do
	"$SWAPLAB" db import "$tmpdir/base-$k.jsonl" --db "$tmpdir/s.db" --series zsd --revision 1 --kind base >/dev/null &&
	"$SWAPLAB" db import "$tmpdir/patched-$k.jsonl" --db "$tmpdir/s.db" --series zsd --revision 1 --kind patched >/dev/null
	ok $? "series boot $k: base and v1"
	for v in 2 3 4 5; do
		if [ $v = 2 ]; then f=1; else f=2; fi
		gen --seed $((30 + 10 * v + k)) --mode lognormal --runs 3 --started "2026-05-0${v}T1$k:00:00Z" \
			--kernel-release 6.18.0-v$v $(for c in zram:64M:1=2.2 zram:128M:1=4.5 zram:256M:1=9.1 \
				zram:256M:2=54 zram:256M:3=105; do echo "${c%=*}=$(awk -v m="${c#*=}" -v f=$f 'BEGIN { print m * f }')"; done) \
			zswap:64M:1=40.9 zswap:256M:1=151 zswap:256M:2=186 >"$tmpdir/v$v-$k.jsonl" &&
		"$SWAPLAB" db import "$tmpdir/v$v-$k.jsonl" --db "$tmpdir/s.db" --series zsd --revision $v --kind patched >/dev/null ||
			echo "# v$v boot $k failed"
	done
done
"$SWAPLAB" report --db "$tmpdir/s.db" --series zsd --format html -o "$tmpdir/series.html" &&
	"$SWAPLAB" report --db "$tmpdir/s.db" --series zsd --format json >"$tmpdir/series.json"
ok $? "report --series --format html and json"
probe "$tmpdir/series.html" "$tmpdir/sprobe.html"
run_browser --window-size=1200,900 --virtual-time-budget=5000 --dump-dom "file://$tmpdir/sprobe.html" >"$tmpdir/sdom.html"
check "series DOM: every cell across revisions, the model's change points, no overflow" \
	python3 "$tmpdir/check.py" "$tmpdir/sdom.html" "$tmpdir/series.json" series
check "series: the model found where v3 regressed" grep -q '"change_point":{"direction":"slower"' "$tmpdir/series.json"
run_browser --window-size=1200,3000 --hide-scrollbars --virtual-time-budget=5000 \
	--screenshot="$shots/report-html-series.png" "file://$tmpdir/series.html" >/dev/null
ok $? "chromium --screenshot of the series page ($shots/report-html-series.png)"
finish
