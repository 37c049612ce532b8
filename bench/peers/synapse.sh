#!/usr/bin/env bash
# Matrix Synapse (PyPI, in bench/peers/.venv, see install.sh) for the side-by-side
# benchmark.
#
#   bench/peers/synapse.sh start DIR   # generates a config in DIR, adds ours on top,
#                                      # starts Synapse on loopback pinned to SERVER_CPU,
#                                      # prints JSON {"pid","startup_ms"} once
#                                      # /_matrix/client/versions answers 200
#   bench/peers/synapse.sh stop DIR
#
# Port: SYNAPSE_PORT (default 18670). Store: SQLite (Synapse's default) in DIR.
# Users are registered with the shared secret below (admin API), see peerbench.py.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?start|stop}
DIR=${2:?DIR}
PORT=${SYNAPSE_PORT:-18670}
SERVER_CPU=${SERVER_CPU:-0}
PY=${PY:-$HERE/.venv/bin/python}
SECRET=${SYNAPSE_SHARED_SECRET:-peerbench-shared-secret}
LOGLEVEL=${SYNAPSE_LOGLEVEL:-WARNING}

case "$cmd" in
start)
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  if [ ! -f "$DIR/homeserver.yaml" ]; then
    (cd "$DIR" && "$PY" -m synapse.app.homeserver --generate-config --server-name localhost \
      --report-stats no --config-path "$DIR/homeserver.yaml" --data-directory "$DIR" >/dev/null)
  fi
  # Our settings, layered over the generated file (later -c files win per top-level key).
  cat >"$DIR/bench.yaml" <<EOF
# Written by bench/peers/synapse.sh for the side-by-side benchmark.
server_name: localhost
pid_file: $DIR/homeserver.pid
listeners:
  - port: $PORT
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: $DIR/homeserver.db
log_config: $DIR/bench.log.config
media_store_path: $DIR/media_store
report_stats: false
trusted_key_servers: []
suppress_key_server_warning: true
# Users are made with the shared-secret admin API; no open registration.
enable_registration: false
registration_shared_secret: "$SECRET"
# Password hashing only costs at registration and login (setup, not measured).
bcrypt_rounds: 4
# Presence is not part of the scenarios; disabled as operators do for load.
presence:
  enabled: false
# Every rate limit out of the way.
rc_message: {per_second: 1000000, burst_count: 1000000}
rc_registration: {per_second: 1000000, burst_count: 1000000}
rc_registration_token_validity: {per_second: 1000000, burst_count: 1000000}
rc_login:
  address: {per_second: 1000000, burst_count: 1000000}
  account: {per_second: 1000000, burst_count: 1000000}
  failed_attempts: {per_second: 1000000, burst_count: 1000000}
rc_admin_redaction: {per_second: 1000000, burst_count: 1000000}
rc_joins:
  local: {per_second: 1000000, burst_count: 1000000}
  remote: {per_second: 1000000, burst_count: 1000000}
rc_joins_per_room: {per_second: 1000000, burst_count: 1000000}
rc_3pid_validation: {per_second: 1000000, burst_count: 1000000}
rc_invites:
  per_room: {per_second: 1000000, burst_count: 1000000}
  per_user: {per_second: 1000000, burst_count: 1000000}
  per_issuer: {per_second: 1000000, burst_count: 1000000}
rc_third_party_invite: {per_second: 1000000, burst_count: 1000000}
rc_key_requests: {per_second: 1000000, burst_count: 1000000}
rc_media_create: {per_second: 1000000, burst_count: 1000000}
rc_presence:
  per_user: {per_second: 1000000, burst_count: 1000000}
rc_delayed_event_mgmt: {per_second: 1000000, burst_count: 1000000}
rc_room_creation: {per_second: 1000000, burst_count: 1000000}
rc_reports: {per_second: 1000000, burst_count: 1000000}
EOF
  cat >"$DIR/bench.log.config" <<EOF
version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: $DIR/homeserver.log
root:
  level: $LOGLEVEL
  handlers: [file]
disable_existing_loggers: false
EOF
  cd "$DIR"
  "$PY" "$HERE/peerbench.py" launch --ready "http://127.0.0.1:$PORT/_matrix/client/versions" \
    --pidfile "$DIR/pid" --log "$DIR/stdout.log" -- \
    taskset -c "$SERVER_CPU" "$PY" -m synapse.app.homeserver \
      -c "$DIR/homeserver.yaml" -c "$DIR/bench.yaml"
  ;;
stop)
  [ -f "$DIR/pid" ] || exit 0
  pid=$(cat "$DIR/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$DIR/pid"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
