#!/usr/bin/env bash
# Scenario "im": one bot IMs another (both online, throttles off), at fixed offered
# loads and flat out, against botgrid and against a bare HTTP server (the ceiling).
# botgrid runs pinned to one core, the load generator to the other.
#
#   bench/im.sh                     # defaults below
#   RUNS=5 DURATION=15 bench/im.sh
#   SYNC=normal bench/im.sh         # SQLite without an fsync per commit
#   DATABASE=postgres://postgres@127.0.0.1/test bench/im.sh
#
# Prints a Markdown table of medians; raw JSON lines go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

RATES=${RATES:-"2000 5000 10000 0"}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SYNC=${SYNC:-full}
DATABASE=${DATABASE:-}
PORT=${PORT:-17900}
BASE_PORT=${BASE_PORT:-17901}

cargo build --release -q -p botgrid -p botgrid-bench
BIN=target/release
WORK=$(mktemp -d)
mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=bench/results/im-$STAMP.jsonl
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

store=(--data "$WORK")
if [ -n "$DATABASE" ]; then
  store+=(--database "$DATABASE")
  psql "$DATABASE" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
fi

taskset -c "$SERVER_CPU" "$BIN/botgrid" serve "${store[@]}" --http "127.0.0.1:$PORT" --no-demo \
  --throttle-per-second 0 --sqlite-synchronous "$SYNC" >"$WORK/server.out" 2>"$WORK/server.err" &
PIDS+=($!)
taskset -c "$SERVER_CPU" "$BIN/baseline" "127.0.0.1:$BASE_PORT" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/api/bot.html" >/dev/null && break; sleep 0.1; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
KEY=$("$BIN/botgrid" admin "${store[@]}" --json developer create --name bench | json '["api_key"]')
SENDER=$("$BIN/botgrid" admin "${store[@]}" --json avatar create "Bench Sender" --bot | json '["access_code"]')
RECEIVER=$("$BIN/botgrid" admin "${store[@]}" --json avatar create "Bench Receiver" --bot | json '["access_code"]')
api() { curl -s "http://127.0.0.1:$PORT/api/bot.html" --data "apikey=$KEY&$1"; }
api "action=login&botname=Bench%20Sender&secret=$SENDER" >/dev/null
api "action=login&botname=Bench%20Receiver&secret=$RECEIVER" >/dev/null
until api "action=status&botname=Bench%20Receiver&secret=$RECEIVER" | grep -q 'status=ONLINE'; do sleep 0.1; done
until api "action=status&botname=Bench%20Sender&secret=$SENDER" | grep -q 'status=ONLINE'; do sleep 0.1; done
echo "action=im&apikey=$KEY&botname=Bench%20Sender&secret=$SENDER&slname=Bench%20Receiver&message=hello%20number%20{n}" >"$WORK/bodies"

for target in botgrid baseline; do
  port=$PORT; [ "$target" = baseline ] && port=$BASE_PORT
  for rate in $RATES; do
    for run in $(seq "$RUNS"); do
      out=$(taskset -c "$LOAD_CPU" "$BIN/loadgen" --url "http://127.0.0.1:$port/api/bot.html" \
        --body-file "$WORK/bodies" --rate "$rate" --duration "$DURATION" --warmup "$WARMUP" \
        --connections "$CONNECTIONS")
      echo "{\"target\":\"$target\",\"run\":$run,\"sync\":\"$SYNC\",\"result\":$out}" >>"$RAW"
      echo "$target rate=$rate run=$run $out" >&2
    done
  done
done

python3 - "$RAW" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(target, rate, key):
    vals = [r["result"][key] for r in rows if r["target"] == target and r["result"]["offered_per_sec"] == rate]
    return statistics.median(vals) if vals else None
rates = sorted({r["result"]["offered_per_sec"] for r in rows}, key=lambda x: (x == 0, x))
print("| offered load | botgrid OK/s | botgrid p50 | botgrid p99 | baseline OK/s | baseline p50 | baseline p99 | throughput ratio |")
print("|---|---|---|---|---|---|---|---|")
for rate in rates:
    b, c = med("botgrid", rate, "ok_per_sec"), med("baseline", rate, "ok_per_sec")
    fmt = lambda us: f"{us/1000:.2f} ms"
    print(f"| {'max' if rate == 0 else f'{rate}/s'} | {b:.0f} | {fmt(med('botgrid', rate, 'p50_us'))} | "
          f"{fmt(med('botgrid', rate, 'p99_us'))} | {c:.0f} | {fmt(med('baseline', rate, 'p50_us'))} | "
          f"{fmt(med('baseline', rate, 'p99_us'))} | {b / c:.2f} |")
fails = sum(r["result"]["fail"] + r["result"]["errors"] for r in rows if r["target"] == "botgrid")
print(f"\nbotgrid FAIL replies or errors during measurement: {fails}")
PY
echo "raw results: $RAW" >&2
