#!/usr/bin/env bash
# The dashboard's cost, measured: start-up of the packaged jar with and without the dashboard's
# static files (spring.web.resources.add-mappings=false turns them off), and each page's first
# render in headless Chromium with 50 experiments stored (10 run to the end on a tiny synthetic
# data set, 40 cancelled while queued). Needs target/mnemos.jar (./mvnw -q -DskipTests package),
# chromium + chromium-driver, curl, jq and bc. Usage: bench/dashboard.sh [repeats, default 3]
# RENDER_ONLY=1 reuses the experiments a previous run stored and measures only the first renders.
# MNEMOS_JAR=path runs another copy of the jar (so that the worktree can be rebuilt meanwhile);
# DASHBOARD_BENCH_DIR and DASHBOARD_BENCH_PORT move its work directory and ports.
# Every wait is bounded; progress goes to stderr, figures to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${1:-3}
JAR=${MNEMOS_JAR:-target/mnemos.jar}
WORK=${DASHBOARD_BENCH_DIR:-target/dashboard-bench}
PORT=${DASHBOARD_BENCH_PORT:-18089}
DRIVER_PORT=$((PORT + 1426))
BASE=http://127.0.0.1:$PORT
W=http://127.0.0.1:$DRIVER_PORT
START_TIMEOUT=${START_TIMEOUT:-300}  # s, launch to health UP (a loaded 2-core machine took ~120 s)
RUNS_TIMEOUT=${RUNS_TIMEOUT:-600}    # s, for the 10 short runs to end
RENDER_TIMEOUT=${RENDER_TIMEOUT:-60} # s, per page load
SERVER=""
DRIVER=""
SESSION=""
CHROME_DIR=$(mktemp -d)

log() { echo "[$(date +%T)] $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }
# every HTTP call has a deadline: nothing the script waits on can hang it
http() { curl -sf --max-time 30 "$@"; }

cleanup() {
  [ -n "$SESSION" ] && curl -s --max-time 10 -X DELETE "$W/session/$SESSION" > /dev/null 2>&1 || true
  [ -n "$DRIVER" ] && kill "$DRIVER" 2>/dev/null || true
  rm -rf "$CHROME_DIR"
  [ -n "$SERVER" ] && stop || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in java curl jq bc chromedriver; do
  command -v "$tool" > /dev/null || fail "$tool is not installed (see bench/README.md)"
done
[ -f "$JAR" ] || fail "$JAR is missing: ./mvnw -q -DskipTests package"
for port in "$PORT" "$DRIVER_PORT"; do
  ! curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$port/" || fail "port $port is in use (an earlier run left a server?); set DASHBOARD_BENCH_PORT"
done
if [ -n "${RENDER_ONLY:-}" ]; then
  [ -d "$WORK/pgdata" ] || fail "RENDER_ONLY needs the experiments of an earlier full run in $WORK"
else
  rm -rf "$WORK" && mkdir -p "$WORK"
fi

# starts the jar; ELAPSED = seconds from launch to /actuator/health UP
start() {
  local started deadline
  started=$(date +%s.%N)
  deadline=$(($(date +%s) + START_TIMEOUT))
  java -Dai.djl.offline=true -jar "$JAR" --server.port=$PORT \
    --mnemos.embedded-db.dir=$WORK/pgdata --mnemos.embedded-db.port=0 --mnemos.embedded-db.fsync=false \
    --mnemos.artifacts.dir=$WORK/artifacts --mnemos.limits.max-concurrent-runs-per-key=100 "$@" > "$WORK/server.log" 2>&1 &
  SERVER=$!
  until curl -s --max-time 5 $BASE/actuator/health 2>/dev/null | grep -q '"status":"UP"'; do
    kill -0 $SERVER 2>/dev/null || { tail -20 "$WORK/server.log" >&2; SERVER=""; fail "the server exited during start-up"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -20 "$WORK/server.log" >&2; fail "no health UP within ${START_TIMEOUT}s (START_TIMEOUT)"; }
    sleep 0.2
  done
  ELAPSED=$(echo "$(date +%s.%N) - $started" | bc)
}
# graceful stop, then a kill after 60 s
stop() {
  kill "$SERVER" 2>/dev/null || true
  for _ in $(seq 1 600); do
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER" 2>/dev/null; then
    log "the server did not stop within 60 s; killing it"
    kill -9 "$SERVER" 2>/dev/null || true
  fi
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}
count() { http "$BASE/api/v1/experiments?status=$1&limit=100" | jq '.items | length'; }

SPEC='{"name":"bench %d","seed":%d,"dataset":{"name":"synthetic","syntheticClasses":10,"syntheticTrainPerClass":20,
 "syntheticTestPerClass":5,"syntheticImageSize":8,"syntheticChannels":1},"protocol":{"initialClasses":4,"increment":3},
 "model":{"backbone":"mlp","hiddenUnits":[16]},"method":{"name":"%s"},"memory":{"perClass":4},
 "training":{"iterations":5,"batchSize":16,"optimizer":{"name":"adam","lr":0.001}}}'
if [ -z "${RENDER_ONLY:-}" ]; then
  log "starting $JAR to store 50 experiments"
  start
  log "up after ${ELAPSED}s; submitting"
  for i in $(seq 1 50); do
    method=$([ $((i % 2)) = 0 ] && echo replay || echo icarl)
    response=$(printf "$SPEC" $i $i $method | curl -s --max-time 30 -X POST $BASE/api/v1/experiments \
      -H 'Content-Type: application/json' -d @- -w '\n%{http_code}')
    [ "$(tail -1 <<< "$response")" = 201 ] || fail "submitting experiment $i: $response"
    id=$(head -1 <<< "$response" | jq -r .id)
    if [ "$i" -gt 10 ]; then http -X POST $BASE/api/v1/experiments/$id/cancel > /dev/null; fi
  done
  deadline=$(($(date +%s) + RUNS_TIMEOUT))
  while [ "$(count SUCCEEDED)" != 10 ]; do
    [ "$(count FAILED)" = 0 ] || fail "a run failed: $(http "$BASE/api/v1/experiments?status=FAILED&limit=1" | jq -c '.items[0].error')"
    [ "$(date +%s)" -lt "$deadline" ] || fail "the 10 runs did not all succeed within ${RUNS_TIMEOUT}s (RUNS_TIMEOUT): $(count SUCCEEDED) did"
    sleep 1
  done
  log "10 runs succeeded, 40 cancelled"
  stop

  declare -a with without
  for r in $(seq 1 "$REPEATS"); do
    start; with+=("$ELAPSED"); stop
    start --spring.web.resources.add-mappings=false; without+=("$ELAPSED"); stop
    log "start-up $r of $REPEATS: ${with[-1]}s with the dashboard, ${without[-1]}s without"
  done
  echo "start-up to health UP, s (with dashboard): ${with[*]}"
  echo "start-up to health UP, s (without its static files): ${without[*]}"
fi

log "starting the server and chromedriver for the first renders"
start
chromedriver --port=$DRIVER_PORT > "$WORK/chromedriver.log" 2>&1 &
DRIVER=$!
for _ in $(seq 1 100); do
  [ "$(curl -s --max-time 2 $W/status | jq -r .value.ready 2>/dev/null)" = true ] && break
  kill -0 $DRIVER 2>/dev/null || fail "chromedriver exited: $(tail -5 "$WORK/chromedriver.log")"
  sleep 0.1
done
SESSION=$(curl -s --max-time 60 -X POST $W/session -H 'Content-Type: application/json' -d "{\"capabilities\":{\"alwaysMatch\":{
  \"timeouts\":{\"pageLoad\":$((RENDER_TIMEOUT * 1000)),\"script\":10000},\"goog:chromeOptions\":{
  \"binary\":\"/usr/bin/chromium\",\"args\":[\"--headless\",\"--no-sandbox\",\"--disable-gpu\",\"--disable-quic\",\"--no-first-run\",
  \"--disable-background-networking\",\"--disable-component-update\",\"--disable-sync\",\"--user-data-dir=$CHROME_DIR\",
  \"--window-size=1280,900\"]}}}}" | jq -r '.value.sessionId // empty')
[ -n "$SESSION" ] || fail "chromedriver could not start Chromium: $(tail -5 "$WORK/chromedriver.log")"
runs=$(http "$BASE/api/v1/experiments?status=SUCCEEDED&limit=2" | jq -r '.items[].id')
[ "$(wc -w <<< "$runs")" = 2 ] || fail "fewer than 2 succeeded runs are stored in $WORK"
first=${runs%%$'\n'*}  # no pipe into head: under pipefail its early exit can end the script (SIGPIPE)
pages=("/#/" "/#/experiments/$first" "/#/experiments/$first/gallery" "/#/compare?ids=$(echo $runs | tr ' ' ,)" "/#/submit")
# warm the JVM's handlers once, as a user's second visit would find them
http $BASE/ > /dev/null
navigate() { http --max-time $((RENDER_TIMEOUT + 10)) -X POST $W/session/$SESSION/url -H 'Content-Type: application/json' -d "{\"url\":\"$1\"}" > /dev/null; }
for page in "${pages[@]}"; do
  times=()
  for r in $(seq 1 "$REPEATS"); do
    navigate about:blank
    navigate "$BASE$page"
    deadline=$(($(date +%s) + RENDER_TIMEOUT))
    ms=null
    while [ "$ms" = null ]; do
      [ "$(date +%s)" -lt "$deadline" ] || fail "$page did not render within ${RENDER_TIMEOUT}s: $(http -X POST $W/session/$SESSION/execute/sync \
        -H 'Content-Type: application/json' -d '{"script":"return document.getElementById(\"view\").innerText.slice(0, 300)","args":[]}' | jq -r .value)"
      ms=$(http -X POST $W/session/$SESSION/execute/sync -H 'Content-Type: application/json' \
        -d '{"script":"const v = document.getElementById(\"view\"); return v && v.dataset.ready === \"true\" && window.mnemosRenders.length ? window.mnemosRenders[0].ms : null","args":[]}' | jq .value)
      [ "$ms" != null ] || sleep 0.05
    done
    error=$(http -X POST $W/session/$SESSION/execute/sync -H 'Content-Type: application/json' \
      -d '{"script":"const e = document.querySelector(\"#view > .error[role=alert]:not([hidden])\"); return e ? e.textContent : null","args":[]}' | jq -r .value)
    [ "$error" = null ] || fail "$page rendered an error: $error"
    times+=("$ms")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
  echo "first render, ms, $page: ${times[*]} (median $median)"
done
