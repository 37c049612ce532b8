#!/usr/bin/env bash
# ejabberd (the Debian package, see install.sh) for the side-by-side benchmark.
#
#   bench/peers/ejabberd.sh start DIR   # writes DIR/ejabberd.yml, starts ejabberd on
#                                       # loopback pinned to SERVER_CPU, prints JSON
#                                       # {"pid","startup_ms"} once /api/status answers 200
#   bench/peers/ejabberd.sh stop DIR    # stops it (SIGTERM, then SIGKILL)
#
# Ports: EJABBERD_HTTP_PORT (mod_http_api, default 18660), EJABBERD_C2S_PORT (18661),
# EJABBERD_COMPONENT_PORT (18662). The store (Mnesia) and logs live in DIR.
#
# The config is ours (written below), not the distribution's: one virtual host
# `localhost`, only the modules the scenarios use, every shaper and limit that could
# throttle the benchmark off or raised, no TLS (loopback only).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?start|stop}
DIR=${2:?DIR}
HTTP_PORT=${EJABBERD_HTTP_PORT:-18660}
C2S_PORT=${EJABBERD_C2S_PORT:-18661}
COMPONENT_PORT=${EJABBERD_COMPONENT_PORT:-18662}
SERVER_CPU=${SERVER_CPU:-0}
PY=${PY:-$HERE/.venv/bin/python}
# MAM (message archive) off by default: set EJABBERD_MAM=1 to archive every message
# (Mnesia backend), see README.md.
EJABBERD_MAM=${EJABBERD_MAM:-0}

case "$cmd" in
start)
  mkdir -p "$DIR/db" "$DIR/logs"
  DIR=$(cd "$DIR" && pwd)
  mam="" room_mam=false
  if [ "$EJABBERD_MAM" = 1 ]; then
    mam=$'  mod_mam:\n    db_type: mnesia\n    default: always\n'
    room_mam=true
  fi
  cat >"$DIR/ejabberd.yml" <<EOF
# Written by bench/peers/ejabberd.sh for the side-by-side benchmark.
hosts:
  - localhost
loglevel: warning
log_rotate_count: 0
auth_method: internal
# Messages and sessions in Mnesia (ejabberd's default store), under $DIR/db.
default_db: mnesia
# Long queues instead of disconnecting a slow reader (the generator).
max_fsm_queue: 10000000
listen:
  - port: $C2S_PORT
    ip: "127.0.0.1"
    module: ejabberd_c2s
    backlog: 4096
    max_stanza_size: 262144
    shaper: none
    access: c2s
    starttls: false
  - port: $COMPONENT_PORT
    ip: "127.0.0.1"
    module: ejabberd_service
    backlog: 4096
    shaper: none
    hosts:
      bench.localhost:
        password: benchsecret
  - port: $HTTP_PORT
    ip: "127.0.0.1"
    module: ejabberd_http
    backlog: 4096
    request_handlers:
      /api: mod_http_api
acl:
  loopback:
    ip:
      - 127.0.0.0/8
access_rules:
  c2s:
    allow: all
  local:
    allow: all
  muc_create:
    allow: all
# The HTTP API is open to loopback without authentication (it is the benchmark's
# sending path, like botgrid's and Synapse's HTTP APIs).
api_permissions:
  "loopback api":
    from:
      - mod_http_api
    who:
      ip: 127.0.0.1/8
    what: "*"
shaper_rules:
  max_user_sessions: 100000
  max_user_offline_messages: 1000000
  c2s_shaper: none
  s2s_shaper: none
modules:
  mod_admin_extra: {}
  mod_disco: {}
  mod_http_api: {}
  mod_muc:
    host: conference.localhost
    access: all
    access_create: muc_create
    access_persistent: muc_create
    access_admin: none
    max_users: 100000
    max_user_conferences: 100000
    # Presence broadcasts only matter while the benchmark's occupants join; a room
    # larger than this counts as crowded and skips them. Messages are not affected.
    max_users_presence: 50
    min_message_interval: 0
    min_presence_interval: 0
    history_size: 0
    default_room_options:
      persistent: true
      mam: $room_mam
      max_users: 100000
  mod_muc_admin: {}
  mod_offline:
    access_max_user_messages: max_user_offline_messages
  mod_roster: {}
$mam
EOF
  node="peerbench$$@localhost"
  # Run as root directly (not through ejabberdctl, which would `su` to the ejabberd
  # user): the PID printed is the BEAM itself, the one whose RSS is read. HOME is DIR so
  # the Erlang cookie is written there, not in root's home.
  env -i PATH="$PATH" HOME="$DIR" LANG=C.UTF-8 \
    EJABBERD_CONFIG_PATH="$DIR/ejabberd.yml" EJABBERD_LOG_PATH="$DIR/logs/ejabberd.log" \
    ERL_LIBS=/usr/lib/x86_64-linux-gnu ERL_CRASH_DUMP="$DIR/logs/erl_crash.dump" \
    ERL_MAX_PORTS=65536 ERL_MAX_ETS_TABLES=1400 \
    "$PY" "$HERE/peerbench.py" launch --ready "http://127.0.0.1:$HTTP_PORT/api/status" --post '{}' \
      --content-type application/json --pidfile "$DIR/pid" --log "$DIR/logs/stdout.log" -- \
      taskset -c "$SERVER_CPU" /usr/bin/erl -sname "$node" +K true +P 1000000 -noinput -noshell \
      -mnesia dir "\"$DIR/db\"" -s ejabberd
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
