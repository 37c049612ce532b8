#!/usr/bin/env bash
# Scenario "startup": a big store — 100,000 avatars and 1,000,000 stored IMs (each a
# direct_messages row and an event in the receiver's log) — then botgrid's start-up
# time (exec to the first `/healthz` 200) and its idle resident memory (VmRSS after
# 5 s idle, nobody connected), median of RUNS restarts; the same on an empty store. The
# store is filled through the API (SQLite synchronous=NORMAL to fill faster; start-ups
# use the default FULL).
#
#   bench/startup.sh
#   AVATARS=100000 MESSAGES=1000000 RUNS=5 bench/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

AVATARS=${AVATARS:-100000}
MESSAGES=${MESSAGES:-1000000}
RUNS=${RUNS:-5}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PORT=${PORT:-17960}

cargo build --release -q -p botgrid -p botgrid-bench
BIN=$PWD/target/release
mkdir -p bench/results
RAW=bench/results/startup-$(date -u +%Y%m%dT%H%M%SZ).jsonl
WORK=$(mktemp -d)
EMPTY=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK" "$EMPTY"; }
trap cleanup EXIT

serve() { # serve DATA [extra args]: starts botgrid in the background, sets SERVER
  local data=$1; shift
  taskset -c "$SERVER_CPU" "$BIN/botgrid" serve --data "$data" --http "127.0.0.1:$PORT" \
    --simplex "127.0.0.1:$((PORT + 1))" --no-demo --throttle-per-second 0 "$@" \
    >>"$data/server.out" 2>>"$data/server.err" &
  SERVER=$!
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }

python3 - "$WORK/world.json" "$AVATARS" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
avatars = [{"name": f"Crowd Member{i}"} for i in range(n)]
avatars += [{"name": "Bench Sender", "bot": True, "token": "bgt_startup_sender_0123456789abcdef"},
            {"name": "Bench Receiver", "bot": True, "token": "bgt_startup_receiver_0123456789abcd"}]
json.dump({"developers": [{"name": "startup", "api_key": "bgk_startup_developer_key_0001"}],
           "avatars": avatars}, open(path, "w"))
PY
"$BIN/botgrid" admin --data "$WORK" seed "$WORK/world.json" >/dev/null
serve "$WORK" --sqlite-synchronous normal
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
api() { curl -s "http://127.0.0.1:$PORT/api/bot.html" --data "apikey=bgk_startup_developer_key_0001&$1"; }
api "action=login&botname=Bench%20Sender&secret=bgt_startup_sender_0123456789abcdef" >/dev/null
api "action=login&botname=Bench%20Receiver&secret=bgt_startup_receiver_0123456789abcd" >/dev/null
sleep 1
echo "action=im&apikey=bgk_startup_developer_key_0001&botname=Bench%20Sender&secret=bgt_startup_sender_0123456789abcdef&slname=Bench%20Receiver&message=stored%20message%20number%20{n}" >"$WORK/bodies"
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM direct_messages').fetchone()[0])" "$WORK/botgrid.db"; }
while [ "$(count)" -lt "$MESSAGES" ]; do
  taskset -c "$LOAD_CPU" "$BIN/loadgen" --url "http://127.0.0.1:$PORT/api/bot.html" \
    --body-file "$WORK/bodies" --rate 0 --duration 20 --warmup 0 --connections 64 >/dev/null
  echo "stored: $(count)" >&2
done
stop
STORED=$(count)
SIZE=$(du -sm "$WORK/botgrid.db" | cut -f1)

measure() { # measure DATA LABEL
  local data=$1 label=$2
  for run in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N)
    serve "$data"
    until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.005; done
    t1=$(date +%s.%N)
    sleep 5
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
    stop
    echo "{\"store\":\"$label\",\"run\":$run,\"startup_s\":$(python3 -c "print($t1 - $t0)"),\"idle_rss_kb\":$rss,\"messages\":$STORED,\"db_mb\":$SIZE}" >>"$RAW"
  done
}
"$BIN/botgrid" admin --data "$EMPTY" developer create --name empty >/dev/null
measure "$EMPTY" empty
measure "$WORK" big

python3 - "$RAW" "$AVATARS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| store | start-up (exec to /healthz 200) | idle RSS |")
print("|---|---|---|")
for label, name in [("empty", "empty"), ("big", f"{int(sys.argv[2]):,} avatars, {rows[-1]['messages']:,} IMs ({rows[-1]['db_mb']} MB)")]:
    rs = [r for r in rows if r["store"] == label]
    print(f"| {name} | {statistics.median(r['startup_s'] for r in rs)*1000:.0f} ms | "
          f"{statistics.median(r['idle_rss_kb'] for r in rs)/1024:.1f} MB |")
print(f"\nmedians of {len(rows)//2} starts each")
PY
echo "raw results: $RAW" >&2
