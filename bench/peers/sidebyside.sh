#!/usr/bin/env bash
# Side by side: botgrid (SQLite and PostgreSQL), ejabberd and Matrix Synapse under the
# same scenarios, driven by the same generator (bench/peers/peerbench.py). Not run by CI.
#
#   bench/peers/install.sh                   # once: ejabberd, Synapse venv
#   bench/peers/sidebyside.sh                # defaults below
#   RUNS=1 N=500 M=20 GROUP_SIZES="10 100" bench/peers/sidebyside.sh   # a quick check
#   TARGETS="botgrid-sqlite ejabberd" bench/peers/sidebyside.sh
#
# Scenarios, each server on a fresh store:
#   start  time from exec to the first successful HTTP answer, and VmRSS after IDLE s
#          idle (empty store, nothing connected); STARTS fresh starts.
#   im     user A sends N messages to user B over CONCURRENCY connections (after WARMUP
#          unmeasured ones); sends/s accepted, and send-to-receipt latency at B.
#   group  a sender posts M messages to a group of each size in GROUP_SIZES, at most
#          WINDOW of them not yet received by every observed member; messages/s, and
#          the time until the last observed member received each one.
# Each scenario runs RUNS times; the tables give medians. IM_BUDGET / GROUP_BUDGET cap a
# run's sending time in seconds (the slowest server would otherwise take many minutes);
# the tables say how many messages were measured.
#
# The server under test runs on core SERVER_CPU, the generator on core LOAD_CPU
# (taskset). Raw JSON lines go to bench/results/sidebyside-*.jsonl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-3}
STARTS=${STARTS:-$RUNS}
IDLE=${IDLE:-5}
N=${N:-20000}   # 1:1 messages; at 10,000/s fewer would measure a fraction of a second
WARMUP=${WARMUP:-200}
CEILING_N=${CEILING_N:-20000}   # the ceiling needs more than a fraction of a second
CONCURRENCY=${CONCURRENCY:-64}
M=${M:-200}
GROUP_SIZES=${GROUP_SIZES-"10 100 1000"}   # empty: no group scenario
WINDOW=${WINDOW:-4}
IM_BUDGET=${IM_BUDGET:-20}
GROUP_BUDGET=${GROUP_BUDGET:-15}
SYNAPSE_SYNCERS=${SYNAPSE_SYNCERS:-100}
# Synapse's 1,000-member room takes minutes to set up (1,000 registrations and joins)
# and then moves well under one message a second: left out unless asked for.
SYNAPSE_MAX_GROUP=${SYNAPSE_MAX_GROUP:-100}
# Group admin operations: role change, eject and invite of each of ADMIN members (0: skip).
ADMIN=${ADMIN:-1000}
# Synapse's members must join first (a few a second): a smaller group unless asked for.
SYNAPSE_MAX_ADMIN=${SYNAPSE_MAX_ADMIN:-100}
TIMEOUT=${TIMEOUT:-60}
TARGETS=${TARGETS:-"ceiling botgrid-sqlite botgrid-postgres ejabberd synapse"}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SYNC=${SYNC:-full}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
WORKROOT=${WORKROOT:-$HERE/.run}
export SERVER_CPU SYNC

PY=$HERE/.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "run bench/peers/install.sh first" >&2; exit 1
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  # Another cargo may be building the same target folder: let it finish first.
  while pgrep -f "cargo build" >/dev/null; do sleep 5; done
  cargo build --release -q -p botgrid -p botgrid-bench
fi
BIN=$ROOT/target/release

mkdir -p bench/results "$WORKROOT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$ROOT/bench/results/sidebyside-$STAMP.jsonl
WORK=$(mktemp -d "$WORKROOT/$STAMP.XXXX")
CMDLINE="RUNS=$RUNS STARTS=$STARTS N=$N CEILING_N=$CEILING_N CONCURRENCY=$CONCURRENCY M=$M GROUP_SIZES=\"$GROUP_SIZES\" WINDOW=$WINDOW IM_BUDGET=$IM_BUDGET GROUP_BUDGET=$GROUP_BUDGET SYNAPSE_SYNCERS=$SYNAPSE_SYNCERS SYNAPSE_MAX_GROUP=$SYNAPSE_MAX_GROUP ADMIN=$ADMIN SYNAPSE_MAX_ADMIN=$SYNAPSE_MAX_ADMIN TARGETS=\"$TARGETS\"${EJABBERD_MAM:+ EJABBERD_MAM=$EJABBERD_MAM}${SYNC:+ SYNC=$SYNC} bench/peers/sidebyside.sh"

# What is running, so that everything is stopped on any exit.
CURRENT=()   # "kind dir [db]"
BASELINE_PID=
stop_current() {
  if [ ${#CURRENT[@]} -gt 0 ]; then
    read -r kind dir db <<<"${CURRENT[0]} ${CURRENT[1]} ${CURRENT[2]:-}"
    "$HERE/$kind.sh" stop "$dir" || true
    if [ -n "$db" ]; then dropdb -h 127.0.0.1 -U postgres --if-exists "$db" || true; fi
    CURRENT=()
  fi
  if [ -n "$BASELINE_PID" ]; then kill "$BASELINE_PID" 2>/dev/null || true; wait "$BASELINE_PID" 2>/dev/null || true; BASELINE_PID=; fi
}
cleanup() {
  stop_current
  [ -z "${KEEP:-}" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%T)] $*" >&2; }
record() { echo "$1" >>"$RAW"; }

# Starts target $1 on a fresh store in $2; sets CURRENT; prints the launch JSON.
start_target() {
  local target=$1 dir=$2 db=""
  mkdir -p "$dir"
  case "$target" in
  botgrid-sqlite)
    CURRENT=(botgrid "$dir")
    "$HERE/botgrid.sh" start "$dir" ;;
  botgrid-postgres)
    db="bench_peers_$$_$RANDOM"
    createdb -h 127.0.0.1 -U postgres "$db"
    CURRENT=(botgrid "$dir" "$db")
    "$HERE/botgrid.sh" start "$dir" "$PG/$db" ;;
  ejabberd)
    CURRENT=(ejabberd "$dir")
    "$HERE/ejabberd.sh" start "$dir" ;;
  synapse)
    CURRENT=(synapse "$dir")
    # The config is generated before the clock starts (keys, log config).
    "$HERE/synapse.sh" start "$dir" ;;
  esac
}

gen() {  # the generator, pinned
  taskset -c "$LOAD_CPU" "$PY" "$HERE/peerbench.py" "$@"
}

common=(--runs "$RUNS" --n "$N" --warmup "$WARMUP" --concurrency "$CONCURRENCY" --m "$M"
        --sizes "$GROUP_SIZES" --window "$WINDOW" --timeout "$TIMEOUT"
        --im-budget "$IM_BUDGET" --group-budget "$GROUP_BUDGET" --out "$RAW")

for target in $TARGETS; do
  if [ "$target" = ceiling ]; then
    # The generator against a bare HTTP server (bench's `baseline`, the same hyper stack
    # as botgrid, answering result=OK): the most 1:1 sends/s this generator can make.
    [ -x "$BIN/baseline" ] || { log "no $BIN/baseline, skipping the ceiling"; continue; }
    log "ceiling: the generator against a bare HTTP server"
    taskset -c "$SERVER_CPU" "$BIN/baseline" 127.0.0.1:18680 >/dev/null 2>&1 &
    BASELINE_PID=$!
    for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18680/ && break; sleep 0.05; done
    gen run --server ceiling --label ceiling --port 18680 "${common[@]}" --sizes "" --n "$CEILING_N" >/dev/null
    stop_current
    continue
  fi

  # Start-up and idle memory, on an empty store each time.
  for run in $(seq "$STARTS"); do
    dir="$WORK/$target-start-$run"
    if [ "$target" = synapse ]; then
      # Generating the config (signing key) is not start-up: do it before the clock.
      "$PY" -m synapse.app.homeserver --generate-config --server-name localhost --report-stats no \
        --config-path "$(mkdir -p "$dir" && cd "$dir" && pwd)/homeserver.yaml" --data-directory "$dir" >/dev/null
    fi
    start_target "$target" "$dir" >"$dir.launch"   # not in $(…): CURRENT must be set here
    out=$(cat "$dir.launch")
    pid=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["pid"])' "$out")
    rss=$("$PY" "$HERE/peerbench.py" rss --pid "$pid" --idle "$IDLE")
    line=$("$PY" -c 'import json,sys; a=json.loads(sys.argv[2]); b=json.loads(sys.argv[3]); print(json.dumps({"target":sys.argv[1],"scenario":"start","run":int(sys.argv[4]),"startup_ms":a["startup_ms"],"idle_rss_kb":b["vmrss_kb"]}))' "$target" "$out" "$rss" "$run")
    record "$line"
    log "$line"
    stop_current
    rm -rf "$dir" "$dir.launch"
  done

  # The load scenarios, on one fresh server.
  dir="$WORK/$target-load"
  log "$target: starting for the load scenarios"
  start_target "$target" "$dir" >/dev/null
  case "$target" in
  botgrid-*)
    "$PY" "$HERE/peerbench.py" botgrid-world --out "$dir/world.json" --sizes "$GROUP_SIZES" \
      --admin "$ADMIN" --runs "$RUNS"
    if [ "$target" = botgrid-postgres ]; then
      "$HERE/botgrid.sh" seed "$dir" "$PG/${CURRENT[2]}"
    else
      "$HERE/botgrid.sh" seed "$dir"
    fi
    gen run --server botgrid --label "$target" --port "${BOTGRID_PORT:-18650}" "${common[@]}" --admin "$ADMIN" >&2 ;;
  ejabberd)
    gen run --server ejabberd --label ejabberd --port "${EJABBERD_HTTP_PORT:-18660}" \
      --c2s-port "${EJABBERD_C2S_PORT:-18661}" --component-port "${EJABBERD_COMPONENT_PORT:-18662}" \
      "${common[@]}" --admin "$ADMIN" >&2 ;;
  synapse)
    gen run --server synapse --label synapse --port "${SYNAPSE_PORT:-18670}" \
      --shared-secret "${SYNAPSE_SHARED_SECRET:-peerbench-shared-secret}" \
      --synapse-syncers "$SYNAPSE_SYNCERS" "${common[@]}" \
      --admin "$(( ADMIN < SYNAPSE_MAX_ADMIN ? ADMIN : SYNAPSE_MAX_ADMIN ))" \
      --sizes "$(for s in $GROUP_SIZES; do [ "$s" -le "$SYNAPSE_MAX_GROUP" ] && printf '%s ' "$s"; done)" >&2 ;;
  esac
  stop_current
  rm -rf "$dir"
done

# Versions, for the report.
VERSIONS=$(
  echo "botgrid $("$BIN/botgrid" --version 2>/dev/null | awk '{print $NF}') ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
  echo "ejabberd $(dpkg-query -W -f '${Version}' ejabberd 2>/dev/null) (Debian), Erlang/OTP $(erl -noshell -eval 'io:format("~s",[erlang:system_info(otp_release)]), halt().' 2>/dev/null)"
  echo "Synapse $("$PY" -c 'from importlib.metadata import version; print(version("matrix-synapse"))') (PyPI), Python $("$PY" -c 'import sys; print(sys.version.split()[0])')"
  echo "PostgreSQL $(psql -h 127.0.0.1 -U postgres -Atc 'show server_version' 2>/dev/null | awk '{print $1}')"
)
MACHINE="$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB, Linux $(uname -r)"

"$PY" "$HERE/report.py" "$RAW" --command "$CMDLINE" --versions "$VERSIONS" --machine "$MACHINE" \
  --server-cpu "$SERVER_CPU" --load-cpu "$LOAD_CPU" --sync "$SYNC"
log "raw results: $RAW"
