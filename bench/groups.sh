#!/usr/bin/env bash
# Group scenarios: a message and a notice to a 10,001-member group (1,000 members
# online with callbacks, 9,000 offline), and 10,002 admin operations. botgrid runs
# pinned to one core, the generator and receiver to the other.
#
#   bench/groups.sh                # RUNS=3 runs of 5 rounds each
#   SYNC=normal bench/groups.sh
#   DATABASE=postgres://postgres@127.0.0.1/bench bench/groups.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-5}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SYNC=${SYNC:-full}
DATABASE=${DATABASE:-}
PORT=${PORT:-17910}

cargo build --release -q -p botgrid -p botgrid-bench
BIN=target/release
mkdir -p bench/results
RAW=bench/results/groups-$(date -u +%Y%m%dT%H%M%SZ).jsonl

for run in $(seq "$RUNS"); do
  WORK=$(mktemp -d)
  store=(--data "$WORK")
  if [ -n "$DATABASE" ]; then
    store+=(--database "$DATABASE")
    psql "$DATABASE" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
  fi
  "$BIN/groupbench" seed --out "$WORK"
  taskset -c "$SERVER_CPU" "$BIN/botgrid" serve "${store[@]}" --http "127.0.0.1:$PORT" --no-demo \
    --throttle-per-second 0 --sqlite-synchronous "$SYNC" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$PORT/api/bot.html" >/dev/null && break; sleep 0.1; done
  seeding=$( { /usr/bin/time -f %e "$BIN/botgrid" admin "${store[@]}" seed "$WORK/world.json" >/dev/null; } 2>&1 )
  out=$(taskset -c "$LOAD_CPU" "$BIN/groupbench" run --url "http://127.0.0.1:$PORT/api/bot.html" \
    --creds "$WORK/creds.json" --rounds "$ROUNDS")
  echo "{\"run\":$run,\"sync\":\"$SYNC\",\"seed_seconds\":$seeding,\"result\":$out}" >>"$RAW"
  echo "run $run: seed ${seeding}s $out" >&2
  kill $SERVER; wait $SERVER 2>/dev/null || true
  rm -rf "$WORK"
done

python3 - "$RAW" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = statistics.median
print("| scenario | committed: median (max) | last online member's callback: median (max) |")
print("|---|---|---|")
for kind in ["message", "notice"]:
    rs = [row["result"][kind] for row in rows]
    print("| group %s to %d members, %d online | %.1f ms (%.1f) | %.0f ms (%.0f) |" % (
        kind, rs[0]["members"], rs[0]["online_receivers"],
        med([x["committed_ms_median"] for x in rs]), max(x["committed_ms_max"] for x in rs),
        med([x["last_callback_ms_median"] for x in rs]), max(x["last_callback_ms_max"] for x in rs)))
a = [row["result"]["admin"] for row in rows]
print()
print("| admin operations | ops/s (median) | failures |")
print("|---|---|---|")
print("| %d setrole + group_invite + group_eject | %.0f | %d |" % (
    a[0]["operations"], med([x["ops_per_sec"] for x in a]), sum(x["failures"] for x in a)))
print()
print("seeding 14,335 avatars and the group: %.1f s (median)" % med([row["seed_seconds"] for row in rows]))
PY
echo "raw results: $RAW" >&2
