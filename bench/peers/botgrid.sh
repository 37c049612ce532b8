#!/usr/bin/env bash
# botgrid (target/release/botgrid) for the side-by-side benchmark, started the way
# bench/im.sh and bench/groups.sh start it: throttles off, no demo world.
#
#   bench/peers/botgrid.sh start DIR [DATABASE_URL]  # starts on an empty store, pinned to
#                                                    # SERVER_CPU; prints JSON
#                                                    # {"pid","startup_ms"} once the API answers
#   bench/peers/botgrid.sh seed DIR [DATABASE_URL]   # seeds DIR/world.json (botgrid admin seed)
#   bench/peers/botgrid.sh stop DIR
#
# Port: BOTGRID_PORT (default 18650); SimpleX API on BOTGRID_SIMPLEX_PORT (18651).
# SYNC=full|normal is SQLite's durability (default full, as in bench/im.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cmd=${1:?start|seed|stop}
DIR=${2:?DIR}
DATABASE=${3:-}
PORT=${BOTGRID_PORT:-18650}
SIMPLEX_PORT=${BOTGRID_SIMPLEX_PORT:-18651}
SERVER_CPU=${SERVER_CPU:-0}
SYNC=${SYNC:-full}
PY=${PY:-$HERE/.venv/bin/python}
BIN=${BOTGRID_BIN:-$ROOT/target/release/botgrid}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
store=(--data "$DIR")
[ -n "$DATABASE" ] && store+=(--database "$DATABASE")

case "$cmd" in
start)
  "$PY" "$HERE/peerbench.py" launch --ready "http://127.0.0.1:$PORT/api/bot.html" --post '' \
    --pidfile "$DIR/pid" --log "$DIR/server.log" -- \
    taskset -c "$SERVER_CPU" "$BIN" serve "${store[@]}" --http "127.0.0.1:$PORT" \
      --simplex "127.0.0.1:$SIMPLEX_PORT" --no-demo --throttle-per-second 0 --sqlite-synchronous "$SYNC"
  ;;
seed)
  "$BIN" admin "${store[@]}" seed "$DIR/world.json" >/dev/null
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
  echo "usage: $0 start|seed|stop DIR [DATABASE_URL]" >&2; exit 2 ;;
esac
