#!/usr/bin/env bash
# 46-lava-http.sh - the LAVA REST client's error paths over real HTTP on
# loopback: 401, 500, a reply that is not JSON, one that lacks the fields,
# a server too slow for the timeout, a refused connection, a redirect to
# another host.  Each must fail with a clear message, record nothing (no
# samples file), and never show the token: not on stdout, stderr or in
# any file the command wrote.  The server here is a scripted stand-in
# (tests/lava/mock_server.py) used only for failures a real server will
# not produce on demand; 48-lava-server.sh runs the real one.
. "$(dirname "$0")/lib.sh"
SWAPLAB=$(realpath "${SWAPLAB:-build/swaplab}")
TOP=${TOP:-$PWD}
[ -x /usr/bin/python3 ] || skip_all "python3 is not installed"

token="swaplab-secret-$$-$(date +%s%N)"
echo "$token" >"$tmpdir/token"
/usr/bin/python3 "$TOP/tests/lava/mock_server.py" "$tmpdir/port" "$tmpdir/token" "$tmpdir/auth.log" &
mock=$!
trap 'kill $mock 2>/dev/null; wait $mock 2>/dev/null; rm -rf "$tmpdir"' EXIT
for i in $(seq 1 50); do [ -s "$tmpdir/port" ] && break; sleep 0.1; done
port=$(cat "$tmpdir/port")
[ -n "$port" ] || { ok 1 "mock server started"; finish; exit 1; }
refused=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

export SWAPLAB_LAVA_TOKEN=$token SWAPLAB_LAVA_TIMEOUT=2 XDG_CONFIG_HOME=$tmpdir/xdg
unset SWAPLAB_LAVA_CONFIG SWAPLAB_LAVA_IDENTITY
cd "$tmpdir"
printf 'device_type: qemu\njob_name: x\n' >job.yaml

expect_fail() { # expect_fail <mode|url> <description> <message part> <swaplab lava args...>
	local base=$1 d=$2 m=$3; shift 3
	case $base in http*) ;; *) base=http://127.0.0.1:$port/$base ;; esac
	rm -f out.jsonl
	SWAPLAB_LAVA_URL=$base "$SWAPLAB" lava "$@" >stdout 2>stderr
	local st=$?
	last=$st
	if [ $st != 0 ] && grep -q -- "$m" stderr; then ok 0 "$d"; else
		ok 1 "$d (exit $st)"; sed 's/^/#   /' stderr; fi
	if grep -qF -- "$token" stdout stderr $(ls out.jsonl 2>/dev/null); then
		ok 1 "$d: the token leaked"; else ok 0 "$d: no token in the output"; fi
	check "$d: nothing recorded" test ! -e out.jsonl
}

expect_fail 401 "status, 401" "authentication failed (HTTP 401" status 1
check "a refused token is a failure, not retried (exit $last = 1)" [ "$last" = 1 ]
expect_fail 401 "submit, 401" "check the token from SWAPLAB_LAVA_TOKEN" submit job.yaml
expect_fail 500 "results, 500 echoing the header" "server error (HTTP 500" results --jsonl out.jsonl 1
check "a 5xx is an infrastructure failure (exit $last = 2)" [ "$last" = 2 ]
expect_fail badjson "status, malformed JSON" "not JSON" status 1
expect_fail nofields "submit, reply without job_ids" "no job id" submit job.yaml
expect_fail nofields "results, reply without the fields" "has no 'state'" results --jsonl out.jsonl 1
expect_fail slow "status, server slower than the timeout" "no complete reply within 2000 ms" status 1
check "a timeout is an infrastructure failure (exit $last = 2)" [ "$last" = 2 ]
expect_fail "http://127.0.0.1:$refused" "status, connection refused" "cannot connect" status 1
check "so is a refused connection (exit $last = 2)" [ "$last" = 2 ]
expect_fail "http://127.0.0.1:$refused" "submit, connection refused" "cannot connect" submit job.yaml
check "for submit too (exit $last = 2)" [ "$last" = 2 ]
expect_fail redirect "status, redirect to another host" "not followed: another host" status 1
expect_fail "http://me:$token@127.0.0.1:$port/401" "credentials in the URL" "credentials in the URL" status 1

check "the token was sent as 'Authorization: Token ...' every time" \
	bash -c "grep -q token-ok auth.log && ! grep -q token-bad auth.log"

# A token file readable by others is refused before anything is sent.
mkdir -p xdg/swaplab
printf 'url = http://127.0.0.1:%s/401\ntoken = %s\n' "$port" "$token" >xdg/swaplab/lava.conf
chmod 644 xdg/swaplab/lava.conf
: >auth.log
unset SWAPLAB_LAVA_TOKEN
"$SWAPLAB" lava status 1 >stdout 2>stderr
check "a 0644 token file is refused" grep -q "mode 0644.*chmod 600" stderr
check "and no request was made" test ! -s auth.log
check "without showing the token" bash -c "! grep -qF -- '$token' stdout stderr"
chmod 600 xdg/swaplab/lava.conf
"$SWAPLAB" lava status 1 >stdout 2>stderr
check "a 0600 token file is used" grep -q "HTTP 401" stderr
check "the token from the file was sent" grep -q token-ok auth.log
finish
