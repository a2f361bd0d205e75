# tests/lava/server.sh - a real LAVA server on 127.0.0.1 for the tests
# (sourced).  Nothing starts services on the test machines, so this starts
# everything itself, as unprivileged as LAVA allows, all state in one
# temporary directory:
#   PostgreSQL     initdb + postgres as user postgres, on a free port
#   lava-server    Django migrations, a superuser with a REST token, device
#                  type qemu, a worker and a qemu device whose dictionary
#                  extends lava-server's qemu.jinja2 with no_kvm
#   gunicorn       lava_server.wsgi on a free port
#   lava-scheduler the server's scheduler loop
#   lava-worker    the dispatcher's worker (runs lava-run as root for jobs)
# Every process is recorded by PID and stopped by lava_server_stop, which
# the caller puts in its EXIT trap.  Settings go through the environment
# (DATABASE_URL, SECRET_KEY, LAVA_SETTINGS_*), never /etc/lava-server.
#
# After lava_server_start: LAVA_URL, LAVA_TOKEN, LAVA_DIR are set.

LAVA_PIDS=()
LAVA_PG=

lava_free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

lava_log() { echo "# lava-server: $*" >&2; }

lava_server_stop() {
	lava_log "stopping ${LAVA_PIDS[*]}"
	local pid i
	for pid in "${LAVA_PIDS[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LAVA_PIDS[@]}"; do
		for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL -- "-$pid" 2>/dev/null
	done
	# The worker's jobs run lava-run, which runs qemu: both are children of
	# the worker's process group, stopped above; check for stragglers by PID.
	if [ -n "$LAVA_PG" ] && [ -f "$LAVA_DIR/pg/postmaster.pid" ]; then
		runuser -u postgres -- /usr/lib/postgresql/*/bin/pg_ctl -D "$LAVA_DIR/pg" -m immediate -w stop >/dev/null 2>&1
	fi
	LAVA_PIDS=()
	LAVA_PG=
}

# The server's settings, as an env(1) prefix (an array, not a function, so
# that "$!" of a background command is the server process itself).
lava_env_init() {
	LAVA_ENV=(env DJANGO_SETTINGS_MODULE=lava_server.settings.prod
		DATABASE_URL="postgres://lava@127.0.0.1:$LAVA_PG_PORT/lavaserver"
		SECRET_KEY="swaplab-test-$$"
		ALLOWED_HOSTS="127.0.0.1,localhost"
		LAVA_SETTINGS_DEVICES_PATH="$LAVA_DIR/devices"
		LAVA_SETTINGS_HEALTH_CHECKS_PATH="$LAVA_DIR/health-checks"
		LAVA_SETTINGS_MEDIA_ROOT="$LAVA_DIR/media/"
		LAVA_SETTINGS_DJANGO_LOGFILE="$LAVA_DIR/django.log"
		LAVA_SETTINGS_DISPATCHER_CONFIG_PATH="$LAVA_DIR/dispatcher.d"
		LAVA_YAML_SETTINGS_DEVICE_TYPES_PATHS='["/usr/share/lava-server/device-types"]'
		LAVA_YAML_SETTINGS_DEBUG=false
		PATH=/usr/sbin:/usr/bin:/sbin:/bin)
}
lava_env() { "${LAVA_ENV[@]}" "$@"; }

lava_wait_http() { # url seconds
	local i
	for i in $(seq 1 $(($2 * 5))); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.2
	done
	return 1
}

# lava_server_start <dir>: returns non-zero (with a message) on failure.
lava_server_start() {
	LAVA_DIR=$1
	local pgbin t0=$SECONDS
	pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	mkdir -p "$LAVA_DIR"/{devices,health-checks,media,dispatcher.d,worker,pgsock}
	chmod 755 "$LAVA_DIR"
	chown postgres "$LAVA_DIR/pgsock"

	# PostgreSQL, owned by postgres (it refuses root), trust on loopback.
	mkdir -p "$LAVA_DIR/pg" && chown postgres "$LAVA_DIR/pg"
	runuser -u postgres -- "$pgbin/initdb" -D "$LAVA_DIR/pg" -U lava -A trust -E UTF8 \
		>"$LAVA_DIR/initdb.log" 2>&1 || { lava_log "initdb failed"; cat "$LAVA_DIR/initdb.log" >&2; return 1; }
	LAVA_PG_PORT=$(lava_free_port)
	runuser -u postgres -- "$pgbin/pg_ctl" -D "$LAVA_DIR/pg" -l "$LAVA_DIR/pg/postgres.log" -w \
		-o "-h 127.0.0.1 -p $LAVA_PG_PORT -k $LAVA_DIR/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null || { lava_log "postgres did not start"; cat "$LAVA_DIR/pg/postgres.log" >&2; return 1; }
	LAVA_PG=1
	LAVA_PIDS+=("$(head -n 1 "$LAVA_DIR/pg/postmaster.pid")")
	lava_env_init
	"$pgbin/createdb" -h 127.0.0.1 -p "$LAVA_PG_PORT" -U lava lavaserver || return 1
	lava_log "postgres up on port $LAVA_PG_PORT ($((SECONDS - t0)) s)"

	lava_env lava-server manage migrate --noinput >"$LAVA_DIR/migrate.log" 2>&1 ||
		{ lava_log "migrate failed"; tail -n 30 "$LAVA_DIR/migrate.log" >&2; return 1; }
	lava_log "database migrated ($((SECONDS - t0)) s)"

	LAVA_TOKEN=$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(32))')
	lava_env lava-server manage users add --superuser --staff --passwd "p-$$" admin >/dev/null &&
	lava_env lava-server manage tokens add --user admin --secret "$LAVA_TOKEN" >/dev/null &&
	lava_env lava-server manage device-types add qemu >/dev/null || { lava_log "users/tokens/device types failed"; return 1; }
	local worker_token
	worker_token=$(lava_env lava-server manage workers add --health ACTIVE swaplab-worker | sed -n 's/^Token: //p')
	[ -n "$worker_token" ] || { lava_log "worker not added"; return 1; }
	printf '%s\n' "{% extends 'qemu.jinja2' %}" "{% set no_kvm = True %}" >"$LAVA_DIR/devices/qemu-01.jinja2"
	lava_env lava-server manage devices add --device-type qemu --worker swaplab-worker qemu-01 >/dev/null &&
	lava_env lava-server manage devices update --health GOOD qemu-01 >/dev/null ||
		{ lava_log "device not added"; return 1; }
	lava_log "users, token, worker and device added ($((SECONDS - t0)) s)"

	local port
	port=$(lava_free_port)
	LAVA_URL="http://127.0.0.1:$port"
	"${LAVA_ENV[@]}" setsid gunicorn3 lava_server.wsgi --bind "127.0.0.1:$port" --workers 2 \
		--timeout 120 --log-file "$LAVA_DIR/gunicorn.log" >"$LAVA_DIR/gunicorn.out" 2>&1 &
	LAVA_PIDS+=($!)
	"${LAVA_ENV[@]}" setsid lava-server manage lava-scheduler --level DEBUG \
		--log-file "$LAVA_DIR/scheduler.log" >"$LAVA_DIR/scheduler.out" 2>&1 &
	LAVA_PIDS+=($!)
	lava_wait_http "$LAVA_URL/api/v0.2/system/version/" 60 ||
		{ lava_log "gunicorn did not answer"; tail -n 30 "$LAVA_DIR/gunicorn.log" >&2; return 1; }
	setsid lava-worker --name swaplab-worker --url "$LAVA_URL/" --token "$worker_token" \
		--worker-dir "$LAVA_DIR/worker" --log-file "$LAVA_DIR/worker.log" --level DEBUG \
		>"$LAVA_DIR/worker.out" 2>&1 &
	LAVA_PIDS+=($!)
	lava_log "gunicorn, scheduler and worker started at $LAVA_URL ($((SECONDS - t0)) s)"
	export LAVA_URL LAVA_TOKEN LAVA_DIR
}
