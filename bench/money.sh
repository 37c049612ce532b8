#!/usr/bin/env bash
# Scenario "money": 1,000 bots with L$100 each make 10,000 payments of L$1-50 to each
# other, 256 at a time (some find the payer short: those must fail whole), then repeat
# 500 that went through with the same `custom` (which must pay nothing more). Checks that every balance adds up (the sum of balances is what was granted,
# and `botgrid admin money audit` finds every balance equal to its ledger) and that the
# repeats made no ledger rows. The baseline is the bare HTTP server answering
# `result=OK`, driven by the same generator. botgrid on one core, the generator on the
# other.
#
#   bench/money.sh
#   RUNS=5 TRANSFERS=20000 bench/money.sh
#   SYNC=normal bench/money.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
AVATARS=${AVATARS:-1000}
MONEY=${MONEY:-100}
TRANSFERS=${TRANSFERS:-10000}
CONCURRENCY=${CONCURRENCY:-256}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SYNC=${SYNC:-full}
PORT=${PORT:-17930}
BASE_PORT=${BASE_PORT:-17931}

cargo build --release -q -p botgrid -p botgrid-bench
BIN=target/release
mkdir -p bench/results
RAW=bench/results/money-$(date -u +%Y%m%dT%H%M%SZ).jsonl

taskset -c "$SERVER_CPU" "$BIN/baseline" "127.0.0.1:$BASE_PORT" 2>/dev/null &
BASE=$!
trap 'kill $BASE 2>/dev/null || true' EXIT

for run in $(seq "$RUNS"); do
  WORK=$(mktemp -d)
  "$BIN/moneybench" seed --out "$WORK" --avatars "$AVATARS" --money "$MONEY"
  taskset -c "$SERVER_CPU" "$BIN/botgrid" serve --data "$WORK" --http "127.0.0.1:$PORT" --no-demo \
    --throttle-per-second 0 --sqlite-synchronous "$SYNC" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER=$!
  trap 'kill $SERVER $BASE 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/api/bot.html" >/dev/null && break; sleep 0.1; done
  "$BIN/botgrid" admin --data "$WORK" seed "$WORK/world.json" >/dev/null
  out=$(taskset -c "$LOAD_CPU" "$BIN/moneybench" run --url "http://127.0.0.1:$PORT/api/bot.html" \
    --creds "$WORK/creds.json" --transfers "$TRANSFERS" --concurrency "$CONCURRENCY")
  audit=$("$BIN/botgrid" admin --data "$WORK" --json money audit)
  base=$(taskset -c "$LOAD_CPU" "$BIN/moneybench" run --url "http://127.0.0.1:$BASE_PORT/api/bot.html" \
    --creds "$WORK/creds.json" --transfers "$TRANSFERS" --concurrency "$CONCURRENCY" --baseline)
  echo "{\"run\":$run,\"sync\":\"$SYNC\",\"botgrid\":$out,\"audit\":$audit,\"baseline\":$base}" >>"$RAW"
  echo "run $run: $out audit $audit" >&2
  kill $SERVER; wait $SERVER 2>/dev/null || true
  rm -rf "$WORK"
done

python3 - "$RAW" "$AVATARS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
avatars = int(sys.argv[2])
med = lambda f: statistics.median(f(r) for r in rows)
ms = lambda us: f"{us/1000:.2f} ms"
print("| payments | botgrid payments/s | p50 | p99 | went / short of money | baseline/s | ratio |")
print("|---|---|---|---|---|---|---|")
b, c = med(lambda r: r["botgrid"]["per_sec"]), med(lambda r: r["baseline"]["per_sec"])
print(f"| {rows[0]['botgrid']['transfers']} | {b:.0f} | {ms(med(lambda r: r['botgrid']['p50_us']))} | "
      f"{ms(med(lambda r: r['botgrid']['p99_us']))} | {med(lambda r: r['botgrid']['ok']):.0f} / "
      f"{med(lambda r: r['botgrid']['insufficient']):.0f} | {c:.0f} | {b / c:.2f} |")
bad = []
for r in rows:
    g, a = r["botgrid"], r["audit"]
    if not g.get("books_balance") or not a.get("balanced"):
        bad.append(f"run {r['run']}: books do not balance")
    if g["other_failures"]:
        bad.append(f"run {r['run']}: {g['other_failures']} unexpected failures")
    if g["repeats_ok"] != g["repeats"]:
        bad.append(f"run {r['run']}: {g['repeats'] - g['repeats_ok']} repeats failed")
    if a["transfers"] != avatars + g["ok"]:
        bad.append(f"run {r['run']}: {a['transfers']} ledger rows, expected {avatars + g['ok']}")
print()
print("Every run: " + ("sum of balances = L$ granted, every balance = its ledger, repeats "
      "answered OK and made no ledger row." if not bad else "; ".join(bad)))
PY
echo "raw results: $RAW" >&2
