#!/usr/bin/env bash
# Benchmark (not a test): one `connector run` GET on loopback against `node -e 0`,
# using ../shared/bench (server.mjs + petstore.swagger.json). Needs a built CLI
# (CONNECTOR_BIN, default bin/connector.js after `npm run build`).
# Prints median wall ms over RUNS and peak RSS (KB, /usr/bin/time %M) per tool.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=${BENCH_DIR:-$ROOT/../shared/bench}
BIN=${CONNECTOR_BIN:-$ROOT/bin/connector.js}
RUNS=${RUNS:-15}
TMP=$(mktemp -d)
KEY=bench-key
BENCH_KEY=$KEY node "$BENCH/server.mjs" > "$TMP/server.out" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$TMP/server.out" ] && break; sleep 0.1; done
PORT=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]).port)' "$TMP/server.out")
sed "s/127.0.0.1:PORT/127.0.0.1:$PORT/" "$BENCH/petstore.swagger.json" > "$TMP/petstore.json"
export CONNECTOR_HOME="$TMP/home" CONNECTOR_PETSTORE_DEFAULT_API_KEY=$KEY NO_COLOR=1
node "$BIN" import "$TMP/petstore.json" --name petstore >/dev/null 2>&1
node "$BIN" run petstore getPetById -p petId=1 > "$TMP/check.json"
grep -q '"id"' "$TMP/check.json" || { echo "connector run did not return a pet" >&2; exit 1; }

measure() { # name, argv...
  local name=$1; shift
  local times=() rss=()
  for _ in 1 2 3; do "$@" >/dev/null 2>&1; done
  for _ in $(seq "$RUNS"); do
    local s=$EPOCHREALTIME
    "$@" >/dev/null 2>&1
    local e=$EPOCHREALTIME
    times+=("$(echo "($e - $s) * 1000" | bc)")
  done
  for _ in 1 2 3 4 5; do rss+=("$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1)"); done
  local med; med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  local r; r=$(printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %.1f | %.1f |\n' "$name" "$med" "$(echo "$r / 1024" | bc -l)"
}
echo '| workload | median wall ms | peak RSS MB |'
echo '|---|---:|---:|'
measure 'node -e 0' node -e 0
measure 'curl GET /v2/pet/1' curl -s -H "api_key: $KEY" -H 'Accept: application/json' "http://127.0.0.1:$PORT/v2/pet/1"
measure 'connector run getPetById' node "$BIN" run petstore getPetById -p petId=1
