#!/usr/bin/env bash
# Scenario "simplex": chat clients on the SimpleX WebSocket API. Each client connection
# creates its own chat user; with `send`, every command is a committed direct message
# to a receiver user on a connection of its own, whose `newChatItems` events are counted.
# Runs against botgrid and against a bare WebSocket server that answers `cmdOk` (the
# ceiling). botgrid runs pinned to one core, the load generator to the other.
#
#   bench/simplex.sh
#   RUNS=5 DURATION=10 bench/simplex.sh
#   CASES="send:10:5000 send:10:0" bench/simplex.sh      # command:clients:rate (0 = max)
#
# Prints a Markdown table of medians; raw JSON lines go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

CASES=${CASES:-"user:1:0 user:10:0 user:100:0 send:1:0 send:10:0 send:100:0 send:10:5000"}
RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SYNC=${SYNC:-full}
PORT=${PORT:-17910}
WS_PORT=${WS_PORT:-17911}
BASE_PORT=${BASE_PORT:-17912}

cargo build --release -q -p botgrid -p botgrid-bench
BIN=target/release
WORK=$(mktemp -d)
mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=bench/results/simplex-$STAMP.jsonl
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

taskset -c "$SERVER_CPU" "$BIN/botgrid" serve --data "$WORK" --http "127.0.0.1:$PORT" \
  --simplex "127.0.0.1:$WS_PORT" --no-demo --throttle-per-second 0 \
  --sqlite-synchronous "$SYNC" >"$WORK/server.out" 2>"$WORK/server.err" &
PIDS+=($!)
taskset -c "$SERVER_CPU" "$BIN/wsbench" baseline "127.0.0.1:$BASE_PORT" &
PIDS+=($!)
for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/api/bot.html" >/dev/null && break; sleep 0.1; done

for case in $CASES; do
  IFS=: read -r command clients rate <<<"$case"
  for target in botgrid baseline; do
    port=$WS_PORT; [ "$target" = baseline ] && port=$BASE_PORT
    for run in $(seq "$RUNS"); do
      out=$(taskset -c "$LOAD_CPU" "$BIN/wsbench" load --url "ws://127.0.0.1:$port" \
        --clients "$clients" --rate "$rate" --command "$command" \
        --duration "$DURATION" --warmup "$WARMUP")
      echo "{\"target\":\"$target\",\"run\":$run,\"sync\":\"$SYNC\",\"result\":$out}" >>"$RAW"
      echo "$target $case run=$run $out" >&2
    done
  done
done

python3 - "$RAW" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = []
for r in rows:
    k = (r["result"]["command"], r["result"]["clients"], r["result"]["offered_per_sec"])
    if k not in keys:
        keys.append(k)
def med(target, k, field):
    vals = [r["result"][field] for r in rows if r["target"] == target and
            (r["result"]["command"], r["result"]["clients"], r["result"]["offered_per_sec"]) == k]
    return statistics.median(vals)
ms = lambda us: f"{us/1000:.2f} ms"
print("| command | clients | offered | botgrid cmds/s | p50 | p99 | events/s | event p50 | event p99 | baseline cmds/s | baseline p99 | ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for k in keys:
    cmd, clients, rate = k
    b, c = med("botgrid", k, "ok_per_sec"), med("baseline", k, "ok_per_sec")
    ev = f"{med('botgrid', k, 'events_per_sec'):.0f} | {ms(med('botgrid', k, 'event_p50_us'))} | {ms(med('botgrid', k, 'event_p99_us'))}" if cmd == "send" else "– | – | –"
    print(f"| `{cmd}` | {clients} | {'max' if rate == 0 else f'{rate}/s'} | {b:.0f} | {ms(med('botgrid', k, 'p50_us'))} | "
          f"{ms(med('botgrid', k, 'p99_us'))} | {ev} | {c:.0f} | {ms(med('baseline', k, 'p99_us'))} | {b / c:.2f} |")
errs = sum(r["result"]["errors"] for r in rows if r["target"] == "botgrid")
print(f"\nbotgrid chatCmdError answers during measurement: {errs}")
PY
echo "raw results: $RAW" >&2
