#!/usr/bin/python3
# tests/lava/mock_server.py - a loopback HTTP server that answers like a
# broken LAVA server, for the error-path tests of the REST client ONLY
# (the real path is tested against a real lava-server: tests/lava/server.sh).
# The first path element picks the failure:
#   /401/...      401 {"detail": "Invalid token."}
#   /500/...      500 with an HTML page that echoes the Authorization header
#   /badjson/...  200 with a body that is not JSON
#   /nofields/... 200 with JSON lacking what the client needs
#   /slow/...     answers after 5 s
#   /redirect/... 302 to another host (127.0.0.2, never contacted)
# Usage: mock_server.py PORTFILE TOKENFILE AUTHLOG
# Writes its port to PORTFILE; appends "token-ok"/"token-bad" per request to
# AUTHLOG (whether the Authorization header carried the expected token).
import http.server
import sys
import time

portfile, tokenfile, authlog = sys.argv[1:4]
token = open(tokenfile).read().strip()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body, ctype="application/json", headers=()):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        auth = self.headers.get("Authorization", "")
        with open(authlog, "a") as f:
            f.write("token-ok\n" if auth == "Token " + token else "token-bad\n")
        if self.command == "POST":
            n = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(n)
        mode = self.path.split("/")[1]
        if mode == "401":
            self.answer(401, '{"detail": "Invalid token."}')
        elif mode == "500":
            self.answer(500, "<h1>Server Error</h1> auth was: %s" % auth, "text/html")
        elif mode == "badjson":
            self.answer(200, "{\"id\": 1, \"state\": ")
        elif mode == "nofields":
            self.answer(200, '{"id": 1, "results": 3, "job_ids": []}')
        elif mode == "slow":
            time.sleep(5)
            self.answer(200, "{}")
        elif mode == "redirect":
            self.answer(302, "", headers=[("Location", "http://127.0.0.2:1/api/v0.2/jobs/1/")])
        else:
            self.answer(404, '{"detail": "Not found."}')

    do_GET = handle_any
    do_POST = handle_any


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
