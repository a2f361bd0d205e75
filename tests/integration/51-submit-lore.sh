#!/usr/bin/env bash
# 51-submit-lore.sh - `swaplab submit --msgid` against a public-inbox-like
# server the test runs on 127.0.0.1 (a small Python HTTP server serving
# <msgid>/t.mbox.gz files the test gzips): a thread fetched and stored,
# the message-id of any patch of the series finds the same revision, and
# 404, 500, HTML, corrupt gzip, a non-mbox, a dead server and a bad URL are
# clear errors that store nothing.  The server is stopped by its PID.
. "$(dirname "$0")/lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SWAPLAB=${SWAPLAB:-$TOP/build/swaplab}
FX=$TOP/tests/fixtures/intake
command -v python3 >/dev/null || skip_all "python3 is not installed"
command -v gzip >/dev/null || skip_all "gzip is not installed"
# libcurl would send loopback requests to a proxy if one were configured.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1

kp=$tmpdir/kp
export SWAPLAB_PATCHES_DIR=$kp
mkdir -p "$kp"
store() { (cd "$kp" && find . | LC_ALL=C sort); }
www=$tmpdir/www
cover=20260508060724.3810904-1-x@example.com
p2=20260508060724.3810904-3-x@example.com
mkdir -p "$www/all/$cover" "$www/all/$p2" "$www/all/html@x" "$www/all/cut@x" \
	"$www/all/text@x" "$www/all/m1@example.org" "$www/all/other@x"
gzip -c "$FX/thread-rfc-v3.mbox" >"$www/all/$cover/t.mbox.gz"
cp "$www/all/$cover/t.mbox.gz" "$www/all/$p2/t.mbox.gz"
cp "$www/all/$cover/t.mbox.gz" "$www/all/other@x/t.mbox.gz"
printf '<html><body>Welcome to lore</body></html>\n' >"$www/all/html@x/t.mbox.gz"
head -c 200 "$www/all/$cover/t.mbox.gz" >"$www/all/cut@x/t.mbox.gz"
echo "just some text, not mail" | gzip -c >"$www/all/text@x/t.mbox.gz"
gzip -c "$FX/missing-2of3.mbox" >"$www/all/m1@example.org/t.mbox.gz"

cat >"$tmpdir/server.py" <<'EOF'
# Serves files under a root like public-inbox serves t.mbox.gz; paths under
# /fail/ answer HTTP 500.  Writes its port to a file, logs request paths.
import http.server, os, sys, urllib.parse
root, portfile, logfile = sys.argv[1:4]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(logfile, "a") as f:
            f.write(self.path + "\n")
        if self.path.startswith("/fail/"):
            self.send_error(500, "Internal Server Error")
            return
        p = os.path.join(root, urllib.parse.unquote(self.path).lstrip("/"))
        if ".." in self.path or not os.path.isfile(p):
            self.send_error(404, "Not Found")
            return
        data = open(p, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
EOF
python3 "$tmpdir/server.py" "$www" "$tmpdir/port" "$tmpdir/requests" 2>"$tmpdir/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$tmpdir"' EXIT
for _ in $(seq 100); do [ -s "$tmpdir/port" ] && break; sleep 0.05; done
[ -s "$tmpdir/port" ] || { cat "$tmpdir/server.err"; skip_all "the test HTTP server did not start"; }
url=http://127.0.0.1:$(cat "$tmpdir/port")/all

submit() { "$SWAPLAB" submit "$@" >"$tmpdir/out" 2>"$tmpdir/err"; st=$?; }
has() { grep -qF -- "$1" "$tmpdir/out" "$tmpdir/err"; }
show() { sed 's/^/#   /' "$tmpdir/out" "$tmpdir/err"; }

submit --msgid "$cover" --lore-url "$url"
ok $st "submit --msgid fetches the thread and stores the series"
d=$kp/mm-zsmalloc-per-cpu-deferred-free-to-accelerate-swap-entry/v3
check "RFC v3: 4 patches + cover letter, replies left out" \
	has "stored mm-zsmalloc-per-cpu-deferred-free-to-accelerate-swap-entry v3 (RFC): 4 patches + cover letter in $d"
check "requested <url>/<msgid>/t.mbox.gz" grep -qxF "/all/$cover/t.mbox.gz" "$tmpdir/requests"
check "the source URL is in series.json" grep -qF "\"source\": \"lore:$url/$cover/t.mbox.gz\"" "$d/series.json"
check "patches ordered 1..4 although mailed 1,3,2,4" \
	test "$(ls "$d" | tr '\n' ' ')" = "0000-cover-letter.patch 0001-zsmalloc-part-1.patch 0002-zsmalloc-part-2.patch 0003-zsmalloc-part-3.patch 0004-zsmalloc-part-4.patch series.json "

before=$(store)
SWAPLAB_LORE_URL=$url submit --msgid "<$p2>"
check "a patch's <message-id> via SWAPLAB_LORE_URL: already submitted (exit $st)" \
	sh -c '[ "$1" = 0 ] && grep -q "already submitted as mm-zsmalloc-per-cpu-deferred-free-to-accelerate-swap-entry v3" "$2"' \
	- "$st" "$tmpdir/out"
check "SWAPLAB_LORE_URL was used" grep -qxF "/all/$p2/t.mbox.gz" "$tmpdir/requests"
check "nothing added" test "$(store)" = "$before"

expect_error() { # description pattern args...
	local d=$1 pat=$2; shift 2
	submit "$@"
	if [ "$st" = 1 ] && grep -qF -- "$pat" "$tmpdir/err" && [ "$(store)" = "$before" ]; then
		ok 0 "$d"
	else
		ok 1 "$d (exit $st)"; show
	fi
}
expect_error "unknown message-id: HTTP 404" "(HTTP 404)" --msgid nosuch@x --lore-url "$url"
expect_error "server error: HTTP 500" "HTTP 500" --msgid a@x --lore-url "http://127.0.0.1:$(cat "$tmpdir/port")/fail"
expect_error "an HTML page instead of gzip" "not a gzip'd mbox" --msgid html@x --lore-url "$url"
expect_error "truncated gzip body" "truncated gzip data" --msgid cut@x --lore-url "$url"
expect_error "gzip'd text that is not an mbox" "not an mbox" --msgid text@x --lore-url "$url"
expect_error "a thread with a patch missing" "patch 2/3 missing" --msgid m1@example.org --lore-url "$url"
expect_error "a message-id not in the thread served for it" "message <other@x> is not in it" \
	--msgid other@x --lore-url "$url"
expect_error "--revision other than the message's" "is a v3 mail, not v1" --msgid "$cover" \
	--lore-url "$url" -v 1
expect_error "a URL that is not http(s)" "only http:// and https://" --msgid a@x --lore-url ftp://127.0.0.1/all
expect_error "a message-id with blanks" "invalid message-id" --msgid "a b@x" --lore-url "$url"

# A dead server: connection refused, reported as such.
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$tmpdir/deadport"
expect_error "nothing listening" "127.0.0.1" --msgid a@x --lore-url "http://127.0.0.1:$(cat "$tmpdir/deadport")/all"

kill "$server" && wait "$server" 2>/dev/null
check "server stopped" sh -c '! kill -0 "$1" 2>/dev/null' - "$server"
finish
