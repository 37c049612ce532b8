#!/usr/bin/env bash
# Scenario "receiver faults": 50,000 IMs at 500/s to a bot whose callback receiver fails
# 20 % of POSTs (HTTP 500), stalls 5 % for 30 s, and is down for 60 s (port closed) from
# second 30. Reports the share delivered, repeats (which must carry the same event id),
# how long the backlog took to drain after the receiver came back, and botgrid's RSS
# before, during and after the outage. botgrid on one core, the generator and receiver
# on the other. Delivery is configured for overlap (`in_flight = 64`: with 5 % of POSTs
# stalling until the 2 s timeout, one-at-a-time delivery cannot keep up with 500/s), and
# retries back off to at most 30 s (default 5 min) so the unlucky tail drains in minutes.
#
#   bench/faults.sh
#   RUNS=3 EVENTS=50000 RATE=500 bench/faults.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-1}
EVENTS=${EVENTS:-50000}
RATE=${RATE:-500}
DOWN_AT=${DOWN_AT:-30}
DOWN_FOR=${DOWN_FOR:-60}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PORT=${PORT:-17950}

cargo build --release -q -p botgrid -p botgrid-bench
BIN=$PWD/target/release
mkdir -p bench/results
RAW=bench/results/faults-$(date -u +%Y%m%dT%H%M%SZ).jsonl

for run in $(seq "$RUNS"); do
  WORK=$(mktemp -d)
  "$BIN/faultbench" seed --out "$WORK"
  cat >"$WORK/botgrid.toml" <<TOML
[throttle]
per_second = 0
[presence]
login_delay_ms = 100
[callbacks]
timeout_ms = 2000
max_retry_ms = 30000
in_flight = 64
per_receiver = 64
TOML
  "$BIN/botgrid" admin --data "$WORK" seed "$WORK/world.json" >/dev/null
  (cd "$WORK" && exec taskset -c "$SERVER_CPU" "$BIN/botgrid" serve --data "$WORK" \
    --http "127.0.0.1:$PORT" --simplex "127.0.0.1:$((PORT + 1))" --no-demo \
    >"$WORK/server.out" 2>"$WORK/server.err") &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  out=$(taskset -c "$LOAD_CPU" "$BIN/faultbench" run --url "http://127.0.0.1:$PORT/api/bot.html" \
    --creds "$WORK/creds.json" --pid "$SERVER" --events "$EVENTS" --rate "$RATE" \
    --down-at "$DOWN_AT" --down-for "$DOWN_FOR")
  echo "{\"run\":$run,\"result\":$out}" >>"$RAW"
  echo "run $run: $out" >&2
  kill $SERVER; wait $SERVER 2>/dev/null || true
  rm -rf "$WORK"
done

python3 - "$RAW" <<'PY'
import json, statistics, sys
rows = [json.loads(l)["result"] for l in open(sys.argv[1])]
med = lambda k: statistics.median(r[k] for r in rows)
print("| IMs answered OK | delivered | repeats (same id) | messages with two ids | POSTs | 500s / stalls / dropped while down | drained after recovery | RSS before / during / after outage |")
print("|---|---|---|---|---|---|---|---|")
print(f"| {med('answered_ok'):.0f} | {med('delivered_pct'):.2f} % | {med('repeats_same_id'):.0f} | "
      f"{med('messages_with_two_ids'):.0f} | {med('posts'):.0f} | {med('failed_500'):.0f} / {med('stalled'):.0f} / "
      f"{med('dropped_while_down'):.0f} | {med('drained_s_after_recovery'):.1f} s | "
      f"{med('rss_mb_before'):.1f} / {med('rss_mb_during'):.1f} / {med('rss_mb_after'):.1f} MB |")
print(f"\n{len(rows)} run(s), medians; sending took {med('sending_s'):.1f} s.")
PY
echo "raw results: $RAW" >&2
