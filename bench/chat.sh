#!/usr/bin/env bash
# Scenario "chat": 100 bots stand 1 m apart in one region, each with a chat_message
# callback; they take turns saying 500 lines on channel 0, 8 at a time, and each line
# reaches the 99 others. Reports lines/s, deliveries/s and fan-out latency (sending a
# line to its last delivery). The baseline is the bare HTTP server answering
# `result=OK` to the same requests (no deliveries: the ceiling for lines/s). botgrid on
# one core, the generator and the callback receiver on the other.
#
#   bench/chat.sh
#   RUNS=5 LINES=1000 bench/chat.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
LINES=${LINES:-500}
CONCURRENCY=${CONCURRENCY:-8}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SYNC=${SYNC:-full}
PORT=${PORT:-17940}
BASE_PORT=${BASE_PORT:-17941}

cargo build --release -q -p botgrid -p botgrid-bench
BIN=target/release
mkdir -p bench/results
RAW=bench/results/chat-$(date -u +%Y%m%dT%H%M%SZ).jsonl

taskset -c "$SERVER_CPU" "$BIN/baseline" "127.0.0.1:$BASE_PORT" 2>/dev/null &
BASE=$!
trap 'kill $BASE 2>/dev/null || true' EXIT

for run in $(seq "$RUNS"); do
  WORK=$(mktemp -d)
  "$BIN/chatbench" seed --out "$WORK"
  taskset -c "$SERVER_CPU" "$BIN/botgrid" serve --data "$WORK" --http "127.0.0.1:$PORT" --no-demo \
    --throttle-per-second 0 --sqlite-synchronous "$SYNC" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER=$!
  trap 'kill $SERVER $BASE 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/api/bot.html" >/dev/null && break; sleep 0.1; done
  "$BIN/botgrid" admin --data "$WORK" seed "$WORK/world.json" >/dev/null
  out=$(taskset -c "$LOAD_CPU" "$BIN/chatbench" run --url "http://127.0.0.1:$PORT/api/bot.html" \
    --creds "$WORK/creds.json" --lines "$LINES" --concurrency "$CONCURRENCY")
  base=$(taskset -c "$LOAD_CPU" "$BIN/loadgen" --url "http://127.0.0.1:$BASE_PORT/api/bot.html" \
    --body-file <(echo "action=say_chat_channel&channel=0&message=line%20{n}") --rate 0 \
    --duration 5 --warmup 1 --connections "$CONCURRENCY")
  echo "{\"run\":$run,\"sync\":\"$SYNC\",\"botgrid\":$out,\"baseline\":$base}" >>"$RAW"
  echo "run $run: $out" >&2
  kill $SERVER; wait $SERVER 2>/dev/null || true
  rm -rf "$WORK"
done

python3 - "$RAW" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = lambda f: statistics.median(f(r) for r in rows)
b, c = med(lambda r: r["botgrid"]["lines_per_sec"]), med(lambda r: r["baseline"]["ok_per_sec"])
print("| avatars | lines | botgrid lines/s | deliveries/s | fan-out p50 | fan-out p99 | baseline lines/s | ratio |")
print("|---|---|---|---|---|---|---|---|")
print(f"| {rows[0]['botgrid']['avatars']} | {rows[0]['botgrid']['lines']} | {b:.0f} | "
      f"{med(lambda r: r['botgrid']['deliveries_per_sec']):.0f} | "
      f"{med(lambda r: r['botgrid']['fanout_ms_p50']):.1f} ms | {med(lambda r: r['botgrid']['fanout_ms_p99']):.1f} ms | "
      f"{c:.0f} | {b / c:.3f} |")
bad = [r["run"] for r in rows if r["botgrid"]["deliveries"] != r["botgrid"]["expected_deliveries"]
       or r["botgrid"]["failures"]]
print()
print("Every line reached all 99 others in every run." if not bad else f"Missing deliveries or failures in runs {bad}.")
PY
echo "raw results: $RAW" >&2
