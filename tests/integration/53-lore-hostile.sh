#!/usr/bin/env bash
# 53-lore-hostile.sh - `swaplab submit --msgid` against a hostile
# public-inbox server (issue 14): one that stalls after the headers, one
# that sends an endless gzip stream, one whose gzip'd body inflates to far
# more than any mbox (a gzip bomb).  Each ends within bounded time and
# memory with a clear error, and nothing is stored.  The server is
# stopped by its PID.
. "$(dirname "$0")/lib.sh"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SWAPLAB=${SWAPLAB:-$TOP/build/swaplab}
command -v python3 >/dev/null || skip_all "python3 is not installed"
[ -x /usr/bin/time ] || skip_all "/usr/bin/time is not installed"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
kp=$tmpdir/kp; export SWAPLAB_PATCHES_DIR=$kp; mkdir -p "$kp"
store() { (cd "$kp" && find . | LC_ALL=C sort); }

cat >"$tmpdir/server.py" <<'PY'
# /stall/...: headers, then nothing.  /endless/...: a gzip stream without
# end.  /bomb/...: a valid gzip of 2 GiB of mbox text (about 10 MiB sent).
# /big/...: 2 GiB of plain mbox text, announced by Content-Length.
# Raw deflate blocks ended by a full flush are byte-identical each time,
# so one block is compressed once and sent again and again.
import http.server, os, struct, sys, time, zlib
portfile = sys.argv[1]
chunk = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody\n" * 20000
z = zlib.compressobj(1, zlib.DEFLATED, -15)
block = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
final = z.flush(zlib.Z_FINISH)
header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
nblocks = (2 << 30) // len(chunk)
crc = 0
for _ in range(nblocks):
    crc = zlib.crc32(chunk, crc)
trailer = struct.pack("<II", crc, (nblocks * len(chunk)) & 0xffffffff)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        mode = self.path.split("/")[1]
        self.send_response(200)
        if mode == "big":
            self.send_header("Content-Type", "application/mbox")
            self.send_header("Content-Length", str(nblocks * len(chunk)))
            self.end_headers()
            try:
                for _ in range(nblocks):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.send_header("Content-Type", "application/gzip")
        self.end_headers()
        try:
            self.wfile.write(header)
            if mode == "stall":
                self.wfile.flush()
                time.sleep(3600)
            n = 0
            while mode == "endless" or n < nblocks:
                self.wfile.write(block)
                n += 1
            self.wfile.write(final + trailer)
        except (BrokenPipeError, ConnectionResetError):
            pass
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
python3 "$tmpdir/server.py" "$tmpdir/port" 2>"$tmpdir/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$tmpdir"' EXIT
for _ in $(seq 100); do [ -s "$tmpdir/port" ] && break; sleep 0.05; done
[ -s "$tmpdir/port" ] || { cat "$tmpdir/server.err"; skip_all "the test HTTP server did not start"; }
base=http://127.0.0.1:$(cat "$tmpdir/port")
before=$(store)

hostile() { # <description> <mode> <message part> <max seconds>
	local d=$1 mode=$2 pat=$3 max=$4 st s kb
	SWAPLAB_LORE_TIMEOUT=5 /usr/bin/time -f "%e %M" -o "$tmpdir/time" \
		timeout 120 "$SWAPLAB" submit --msgid "a@x" --lore-url "$base/$mode" >"$tmpdir/out" 2>"$tmpdir/err"
	st=$?
	read -r s kb < <(tail -n 1 "$tmpdir/time")
	check "$d: fails (exit $st)" [ "$st" = 1 ]
	check "$d: says why" grep -q -- "$pat" "$tmpdir/err"
	sed 's/^/#   /' "$tmpdir/err"
	check "$d: within $max s ($s s)" awk -v s="$s" -v m="$max" 'BEGIN { exit !(s <= m) }'
	check "$d: within 700 MiB of memory ($((kb / 1024)) MiB)" [ "$kb" -le $((700 * 1024)) ]
	check "$d: nothing stored" [ "$(store)" = "$before" ]
}
hostile "a server that stalls" stall "imed out\|timeout\|within" 15
hostile "an endless gzip stream" endless "larger than" 60
hostile "a gzip bomb (2 GiB of mbox)" bomb "more than 512 MiB" 60
hostile "a 2 GiB plain mbox" big "larger than\|too large\|exceeds" 60

# A 2 GiB mbox file (sparse): refused before it is read.
truncate -s 2G "$tmpdir/big.mbox"
/usr/bin/time -f "%e %M" -o "$tmpdir/time" "$SWAPLAB" submit --mbox "$tmpdir/big.mbox" >"$tmpdir/out" 2>"$tmpdir/err"
st=$?
read -r s kb < <(tail -n 1 "$tmpdir/time")
check "a 2 GiB mbox file: fails (exit $st)" [ "$st" = 1 ]
check "a 2 GiB mbox file: says why" grep -q "larger than 512 MiB is refused" "$tmpdir/err"
sed 's/^/#   /' "$tmpdir/err"
check "a 2 GiB mbox file: within 64 MiB of memory ($((kb / 1024)) MiB)" [ "$kb" -le $((64 * 1024)) ]
check "a 2 GiB mbox file: nothing stored" [ "$(store)" = "$before" ]
rm -f "$tmpdir/big.mbox"

kill "$server" && wait "$server" 2>/dev/null
check "server stopped" sh -c '! kill -0 "$1" 2>/dev/null' - "$server"
finish
