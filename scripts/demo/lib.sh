# shellcheck shell=bash disable=SC2154  # out and mlops come from demo.sh
# Sourced by scripts/demo.sh: the processes and temp dirs the demo starts, stopped and removed on
# exit (by PID), and the image's model server started on a model.
started=()
temps=()
cleanup() {
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
  for dir in "${temps[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

# stop <pid>: SIGTERM (the server drains in-flight requests), wait for it, and forget it (its PID
# may belong to another process by the time the demo exits).
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local pid keep=()
  for pid in "${started[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  started=("${keep[@]}")
}

# serve <model-dir> <log> [prediction-log]: the server bundle of the image (what its entrypoint
# runs) on <model-dir>/model.onnx, on a free port of 127.0.0.1. Sets served_pid and served_url.
serve() {
  local dir="$1" log="$2" predictions="${3:-}"
  # Emptied here, not only by the child's redirection: the loop below must not read a URL an
  # earlier run left in it before the background child gets to truncate it.
  : > "$log"
  env MODEL_PATH="$dir/model.onnx" MODEL_MANIFEST="$dir/mlops-model.json" PORT=0 HOST=127.0.0.1 \
    ${predictions:+"PREDICTION_LOG=$predictions"} node actions/build-image/dist/server.mjs 2> "$log" &
  served_pid=$!
  started+=("$served_pid")
  served_url=""
  for _ in $(seq 1 300); do
    served_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)
    [ -n "$served_url" ] && return 0
    kill -0 "$served_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$log" >&2
  echo "error: the model server on $dir did not start" >&2
  exit 1
}

# output <file> <name>: one output of a step, from the JSON the CLI printed.
output() {
  node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]' "$1" "$2"
}

# build_image <tag> <outputs-file>: the champion's model-server image into the demo's OCI layout.
build_image() {
  mlops build-image \
    --model local:weather@champion \
    --image localhost/weather-server \
    --base-image scratch \
    --push false \
    --tags "$1" \
    --output "$out/image" > "$2"
  grep '"image"' "$2"
}
