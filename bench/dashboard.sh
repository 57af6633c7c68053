#!/usr/bin/env bash
# The dashboard's cost, measured: start-up of the packaged jar with and without the dashboard's
# static files (spring.web.resources.add-mappings=false turns them off), and each page's first
# render in headless Chromium with 50 experiments stored (10 run to the end on a tiny synthetic
# data set, 40 cancelled while queued). Needs target/mnemos.jar (./mvnw -q -DskipTests package),
# chromium + chromium-driver, curl and jq. Usage: bench/dashboard.sh [repeats, default 3]
# RENDER_ONLY=1 reuses the experiments a previous run stored and measures only the first renders.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${1:-3}
WORK=target/dashboard-bench
PORT=18089
DRIVER_PORT=19515
BASE=http://127.0.0.1:$PORT
[ -n "${RENDER_ONLY:-}" ] || { rm -rf "$WORK" && mkdir -p "$WORK"; }
SERVER=""
DRIVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  [ -n "$DRIVER" ] && kill "$DRIVER" 2>/dev/null || true
}
trap cleanup EXIT

# starts the jar; ELAPSED = seconds from launch to /actuator/health UP
start() {
  local started=$(date +%s.%N)
  java -Dai.djl.offline=true -jar target/mnemos.jar --server.port=$PORT \
    --mnemos.embedded-db.dir=$WORK/pgdata --mnemos.embedded-db.port=0 --mnemos.embedded-db.fsync=false \
    --mnemos.artifacts.dir=$WORK/artifacts --mnemos.limits.max-concurrent-runs-per-key=100 "$@" > "$WORK/server.log" 2>&1 &
  SERVER=$!
  until curl -sf $BASE/actuator/health | grep -q UP; do
    kill -0 $SERVER 2>/dev/null || { tail -20 "$WORK/server.log" >&2; exit 1; }
    sleep 0.2
  done
  ELAPSED=$(echo "$(date +%s.%N) - $started" | bc)
}
stop() {
  kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
  SERVER=""
}

SPEC='{"name":"bench %d","seed":%d,"dataset":{"name":"synthetic","syntheticClasses":10,"syntheticTrainPerClass":20,
 "syntheticTestPerClass":5,"syntheticImageSize":8,"syntheticChannels":1},"protocol":{"initialClasses":4,"increment":3},
 "model":{"backbone":"mlp","hiddenUnits":[16]},"method":{"name":"%s"},"memory":{"perClass":4},
 "training":{"iterations":5,"batchSize":16,"optimizer":{"name":"adam","lr":0.001}}}'
if [ -z "${RENDER_ONLY:-}" ]; then
start
for i in $(seq 1 50); do
  method=$([ $((i % 2)) = 0 ] && echo replay || echo icarl)
  id=$(printf "$SPEC" $i $i $method | curl -sf -X POST $BASE/api/v1/experiments -H 'Content-Type: application/json' -d @- | jq -r .id)
  [ "$i" -gt 10 ] && curl -sf -X POST $BASE/api/v1/experiments/$id/cancel > /dev/null
done
until [ "$(curl -sf "$BASE/api/v1/experiments?status=SUCCEEDED&limit=100" | jq '.items | length')" = 10 ]; do sleep 1; done
stop

declare -a with without
for r in $(seq 1 "$REPEATS"); do
  start; with+=("$ELAPSED"); stop
  start --spring.web.resources.add-mappings=false; without+=("$ELAPSED"); stop
done
echo "start-up to health UP, s (with dashboard): ${with[*]}"
echo "start-up to health UP, s (without its static files): ${without[*]}"
fi

start
chromedriver --port=$DRIVER_PORT > "$WORK/chromedriver.log" 2>&1 &
DRIVER=$!
sleep 1
W=http://127.0.0.1:$DRIVER_PORT
session=$(curl -sf -X POST $W/session -H 'Content-Type: application/json' -d "{\"capabilities\":{\"alwaysMatch\":{\"goog:chromeOptions\":{
  \"binary\":\"/usr/bin/chromium\",\"args\":[\"--headless\",\"--no-sandbox\",\"--disable-gpu\",\"--disable-quic\",\"--no-first-run\",
  \"--disable-background-networking\",\"--disable-component-update\",\"--disable-sync\",\"--user-data-dir=$(mktemp -d)\",
  \"--window-size=1280,900\"]}}}}" | jq -r .value.sessionId)
runs=$(curl -sf "$BASE/api/v1/experiments?status=SUCCEEDED&limit=2" | jq -r '.items[].id')
first=$(echo "$runs" | head -1)
pages=("/#/" "/#/experiments/$first" "/#/experiments/$first/gallery" "/#/compare?ids=$(echo $runs | tr ' ' ,)" "/#/submit")
# warm the JVM's handlers once, as a user's second visit would find them
curl -sf $BASE/ > /dev/null
for page in "${pages[@]}"; do
  times=()
  for r in $(seq 1 "$REPEATS"); do
    curl -sf -X POST $W/session/$session/url -H 'Content-Type: application/json' -d "{\"url\":\"about:blank\"}" > /dev/null
    curl -sf -X POST $W/session/$session/url -H 'Content-Type: application/json' -d "{\"url\":\"$BASE$page\"}" > /dev/null
    ms=null
    until [ "$ms" != null ]; do
      ms=$(curl -sf -X POST $W/session/$session/execute/sync -H 'Content-Type: application/json' \
        -d '{"script":"return document.getElementById(\"view\").dataset.ready === \"true\" ? window.mnemosRenders[0].ms : null","args":[]}' | jq .value)
    done
    times+=("$ms")
  done
  echo "first render, ms, $page: ${times[*]}"
done
curl -sf -X DELETE $W/session/$session > /dev/null
