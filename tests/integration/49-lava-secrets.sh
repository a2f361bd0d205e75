#!/usr/bin/env bash
# 49-lava-secrets.sh - the LAVA token is in no other process's view of the
# command lines (/proc/*/cmdline) while swaplab talks to a server, nor in
# anything it prints (issue 14, item 7).  libcurl gets the token in memory
# (the Authorization header); nothing runs a curl binary with it.  The
# scanner is shown to see a token that is in a command line, so the test
# can fail.  Token from a 0600 lava.conf and from the environment.
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
cd "$tmpdir"
printf 'device_type: qemu\njob_name: x\n' >job.yaml

# Whether none of the files holds the token (grep's 2, a file missing, is not "none").
lacks_token() { grep -qaF -f "$tmpdir/token" -- "$@"; [ $? = 1 ]; }

# Reads every process's command line until $1 exists; prints the PIDs
# whose command line holds the token.  Bash builtins only: the token is
# never put on a command line by the scanner itself.
scan() {
	local stop=$1 p args
	while [ ! -e "$stop" ]; do
		for p in /proc/[0-9]*; do
			[ "${p#/proc/}" = "$BASHPID" ] && continue
			mapfile -d '' -t args 2>/dev/null <"$p/cmdline" || continue
			[[ "${args[*]}" == *"$token"* ]] && echo "${p#/proc/}: ${args[*]}"
		done
	done
}

# The scanner sees a token that is on a command line.
scan stop0 >seen0 & s=$!
sh -c 'sleep 1' "$token" & c=$!; sleep 0.5; : >stop0; wait $s; wait $c
check "the scanner sees a token on a command line" test -s seen0

export SWAPLAB_LAVA_TIMEOUT=2 XDG_CONFIG_HOME="$tmpdir/xdg"
unset SWAPLAB_LAVA_URL SWAPLAB_LAVA_TOKEN SWAPLAB_LAVA_CONFIG SWAPLAB_LAVA_IDENTITY
run_case() { # <description> swaplab-lava-args...
	local d=$1; shift
	rm -f stop; scan stop >seen & local s=$!
	"$SWAPLAB" lava "$@" >out 2>err
	: >stop; wait $s
	check "$d: the request reached the server" test -s auth.log
	if [ -s seen ]; then ok 1 "$d: the token is on a command line"; sed 's/^/#   /' seen
	else ok 0 "$d: the token is on no command line"; fi
	check "$d: no token in stdout or stderr" lacks_token out err
	: >auth.log
}

mkdir -p xdg/swaplab && chmod 700 xdg
printf 'url = http://127.0.0.1:%s/slow\ntoken = %s\n' "$port" "$token" >xdg/swaplab/lava.conf
chmod 600 xdg/swaplab/lava.conf
run_case "status, token from lava.conf, slow server" status 1
run_case "submit, token from lava.conf, slow server" submit job.yaml
rm xdg/swaplab/lava.conf
# The environment's token (exported: no command line carries it).
export SWAPLAB_LAVA_URL="http://127.0.0.1:$port/500" SWAPLAB_LAVA_TOKEN=$token
run_case "submit, token from the environment, 500 echoing it" submit job.yaml
check "the echoed token is masked in the message" grep -q 'Server Error' err

# Nor in the environment swaplab passes on: main() moves the token into
# memory and wipes it from its own environment block, so the programs it
# runs (lava-run, make, git, qemu) do not inherit it and
# /proc/<pid>/environ does not show it.  Read while swaplab waits for a
# slow server (the request is logged when it arrives).
in_environ() { # <pid>: whether /proc/<pid>/environ holds the token
	local env
	mapfile -d '' -t env 2>/dev/null <"/proc/$1/environ" || return 1
	[[ "${env[*]}" == *"$token"* ]]
}
sleep 3 & c=$!
# Until the child has exec'd sleep (before, its environ is bash's own).
for _ in $(seq 100); do [ "$(readlink /proc/$c/exe)" = "$(command -v sleep)" ] && break; sleep 0.02; done
check "the environ check sees a token a process inherited" in_environ $c
kill $c; wait $c 2>/dev/null
export SWAPLAB_LAVA_URL="http://127.0.0.1:$port/slow"
: >auth.log
"$SWAPLAB" lava submit job.yaml >out 2>err & c=$!
for _ in $(seq 100); do [ -s auth.log ] && break; sleep 0.05; done
check "slow submit, token from the environment: the request reached the server" test -s auth.log
check "token-ok: the token moved out of the environment still authenticates" grep -qx token-ok auth.log
check "swaplab's own environment block no longer holds the token" lacks_token /proc/$c/environ
wait $c
check "nor its output" lacks_token out err
finish
