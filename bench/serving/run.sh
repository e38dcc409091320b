#!/usr/bin/env bash
# The model server under load (wrk, batch-1 Open Inference Protocol requests): ours against
# FastAPI + uvicorn + onnxruntime, a bare node:http server (constant JSON: Node's own floor) and
# the in-process session.run floor; servers pinned to core 0, wrk to core 1. docs/bench.md.
#
#   bench/run.sh serving              (or bench/serving/run.sh)
#   BENCH_REPEAT (3), BENCH_SERVING_SECONDS (10), BENCH_SERVING_CONCURRENCY ("1 16 64"),
#   BENCH_SERVING_FLOOR_SECONDS (5), BENCH_SERVING_BASELINE (an older server.mjs: adds `before`)
source "$(dirname "$0")/../lib/lib.sh"

SV_PID=''
# sv_start SERVER MODEL PORT: our server (the build-image bundle; `before`: the bundle named by
# BENCH_SERVING_BASELINE), the FastAPI one, or the bare node:http floor (answering ours' reply),
# pinned to core 0, started in the background; waits until it answers. Sets SV_PID.
sv_start() {
  local server=$1 model=$2 port=$3 k bundle=$SV_SERVER ready=/v2/health/ready
  case $server in
    ours | before) [[ $server == before ]] && bundle=$SV_BASELINE
      taskset -c 0 env MODEL_PATH=$SV_DIR/$model/model.onnx MODEL_NAME=weather PORT=$port HOST=127.0.0.1 \
        MLOPS_ONNXRUNTIME_BINDING=$PWD/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node \
        $NODE $bundle >>$OUT/logs/serving.$server.log 2>&1 & ;;
    bare) ready=/
      taskset -c 0 env PORT=$port REPLY=$SV_DIR/$model/answer.ours.json $NODE bench/serving/bare-server.mjs >>$OUT/logs/serving.$server.log 2>&1 & ;;
    fastapi) taskset -c 0 env MODEL_DIR=$SV_DIR/$model/unwrapped MODEL_NAME=weather \
        $SV_PY -m uvicorn fastapi_server:app --app-dir bench/serving --host 127.0.0.1 --port $port \
        --workers 1 --no-access-log --log-level warning >>$OUT/logs/serving.$server.log 2>&1 & ;;
  esac
  SV_PID=$!
  for ((k = 0; k < 300; k++)); do
    curl -sf -o /dev/null http://127.0.0.1:$port$ready && return 0
    kill -0 $SV_PID 2>/dev/null || { echo "$server did not start: $OUT/logs/serving.$server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$server not ready after 30 s: $OUT/logs/serving.$server.log" >&2
  exit 1
}
sv_stop() {
  stop_pid "$SV_PID"
  SV_PID=''
}

# sv_round MODEL SERVER RUN: a fresh server, one checked request, a 2 s warm-up, then wrk at each
# concurrency (pinned to core 1), each appended to $SV_RAW with the server's VmHWM after it and the
# CPU time (user + system, all threads) it spent per request: unlike req/s, that hardly depends on
# what else the machine runs.
sv_round() {
  local model=$1 server=$2 run=$3 port c rc json kib status url ticks
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url=http://127.0.0.1:$port/v2/models/weather/infer
  sv_start "$server" "$model" "$port"
  curl -sf -H 'content-type: application/json' --data @$SV_BODY $url >$SV_DIR/$model/answer.$server.json ||
    { echo "$server answered no 200 to $SV_BODY" >&2; sv_stop; exit 1; }
  grep -q '"label"' $SV_DIR/$model/answer.$server.json || { echo "$server: no label in $SV_DIR/$model/answer.$server.json" >&2; sv_stop; exit 1; }
  BODY=$SV_BODY taskset -c 1 wrk -t1 -c16 -d2s -s bench/serving/infer.lua $url >/dev/null
  for c in $SV_CONC; do
    rc=0
    ticks=$(sv_ticks)
    BODY=$SV_BODY taskset -c 1 wrk -t1 -c$c -d${SV_SECONDS}s --timeout 10s -s bench/serving/infer.lua $url \
      >$OUT/logs/serving.$model.$server.c$c.$run.out 2>&1 || rc=$?
    json=$(tail -n 1 $OUT/logs/serving.$model.$server.c$c.$run.out)
    ticks=$(($(sv_ticks) - ticks))
    kib=$(awk '/^VmHWM/ { print $2 }' /proc/$SV_PID/status)
    status=ok
    if [[ $rc != 0 || $json != '{'* ]]; then status="wrk error (exit $rc)"
    elif [[ $json != *'"non2xx":0,"socket_errors":0,"timeouts":0}' ]]; then status="errors: ${json##*\"non2xx\"}"; fi
    sv_row "$model" "$server" "$c" "$run" "$json" "$kib" "$status" "$ticks"
  done
  sv_stop
}
# sv_ticks: the server's CPU time so far (utime + stime, clock ticks).
sv_ticks() { awk '{ print $14 + $15 }' /proc/$SV_PID/stat; }

# sv_row MODEL SERVER CONCURRENCY RUN JSON RSS_KIB STATUS [CPU_TICKS]: one line of $SV_RAW.
sv_row() {
  local rate p50 p99 n cpu=''
  rate=$(grep -oE '"(req|calls)_per_s": ?[0-9.]+' <<<"$5" | grep -oE '[0-9.]+$' || echo 0)
  p50=$(grep -oE '"p50_us": ?[0-9.]+' <<<"$5" | grep -oE '[0-9.]+$' || echo 0)
  p99=$(grep -oE '"p99_us": ?[0-9.]+' <<<"$5" | grep -oE '[0-9.]+$' || echo 0)
  n=$(grep -oE '"requests": ?[0-9]+' <<<"$5" | grep -oE '[0-9]+$' || echo 0)
  [[ -n ${8:-} && $n -gt 0 ]] && cpu=$(awk -v t="$8" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$rate" "$p50" "$p99" "$6" "$7" "$cpu" >>$SV_RAW
  printf '%-6s %-11s c=%-3s run %d: %9.0f req/s  p50 %8.0f us  p99 %8.0f us  %4d MiB  CPU %6s us/req  %s\n' "$1" "$2" "$3" "$4" "$rate" "$p50" "$p99" $(($6 / 1024)) "${cpu:--}" "$7" >&2
}

# sv_floor MODEL RUN: the in-process floors, pinned to core 0: Node session.run and our
# ServedModel.infer (one process), Python session.run.
sv_floor() {
  local model=$1 run=$2 rc=0 line layer server kib
  taskset -c 0 $NODE $SV_FLOOR floor $SV_DIR/$model/model.onnx $SV_BODY $SV_FLOOR_SECONDS >$OUT/logs/serving.$model.floor.$run.out 2>&1 || rc=$?
  taskset -c 0 $SV_PY bench/serving/py_floor.py $SV_DIR/$model/unwrapped $SV_BODY $SV_FLOOR_SECONDS >>$OUT/logs/serving.$model.floor.$run.out 2>&1 || rc=$?
  [[ $rc == 0 ]] || { echo "floor failed: $OUT/logs/serving.$model.floor.$run.out" >&2; exit 1; }
  while read -r line; do
    [[ $line == '{'* ]] || continue
    layer=$(grep -oE '"layer": ?"[^"]*"' <<<"$line")
    case $layer in
      *'"session.run"') server=floor-run ;;
      *ServedModel.infer*) server=floor-infer ;;
      *python*) server=floor-py ;;
      *) continue ;;
    esac
    kib=$(grep -oE '"rss_kib": ?[0-9]+' <<<"$line" | grep -oE '[0-9]+$')
    sv_row "$model" $server - "$run" "$line" "$kib" ok
  done <$OUT/logs/serving.$model.floor.$run.out
}

root=$PWD
SV_DIR=$DATA/serving SV_SECONDS=${BENCH_SERVING_SECONDS:-10} SV_CONC=${BENCH_SERVING_CONCURRENCY:-1 16 64}
SV_FLOOR_SECONDS=${BENCH_SERVING_FLOOR_SECONDS:-5}
SV_PY=$SV_DIR/venv/bin/python SV_BODY=bench/serving/body.json SV_FLOOR=$DATA/serving-floor.mjs
# Servers in the order each round runs them (ours first: the bare floor answers with its reply);
# BENCH_SERVING_BASELINE=old-server.mjs adds `before`, an older bundle, for before/after in one run.
SV_SERVERS='ours bare fastapi' SV_BASELINE=''
if [[ -n ${BENCH_SERVING_BASELINE:-} ]]; then
  SV_BASELINE=$DATA/serving-baseline.mjs SV_SERVERS='before ours bare fastapi'
  cp "$BENCH_SERVING_BASELINE" $SV_BASELINE
fi
needs_build actions/build-image/dist/server.mjs
[[ -x /usr/bin/wrk ]] || { apt-get update -qq && apt-get install -y -qq wrk; }
scripts/install-python.sh >/dev/null # .tools/venv: the Python trainer's pins
mkdir -p $SV_DIR
# FastAPI, uvicorn, onnxruntime, numpy.
bench_venv $SV_DIR/venv bench/serving/requirements.txt
# A snapshot of the server bundle, so a rebuild during the run cannot mix builds.
snapshot_build serving
SV_SERVER=$BUILD/actions/build-image/dist/server.mjs
bundle_ts bench/serving/floor.ts $SV_FLOOR

# The two models of examples/weather (seed 1), and each one ZipMap-unwrapped for FastAPI.
mkdir -p $SV_DIR/node $SV_DIR/python
(cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=1 MLOPS_OUTPUT_DIR=$SV_DIR/node $NODE train.mjs &&
  MLOPS_PARAMS=params.json MLOPS_SEED=1 MLOPS_OUTPUT_DIR=$SV_DIR/python $root/.tools/venv/bin/python train.py) >$OUT/logs/serving.train.log 2>&1
for model in node python; do $NODE $SV_FLOOR unwrap $SV_DIR/$model/model.onnx $SV_DIR/$model/unwrapped >/dev/null; done

trap 'sv_stop' EXIT
SV_RAW=$OUT/serving.raw.tsv
printf 'model\tserver\tconcurrency\trun\treq_per_s\tp50_us\tp99_us\trss_kib\tstatus\tcpu_us\n' >$SV_RAW
for ((i = 1; i <= REPEAT; i++)); do
  for model in node python; do
    for server in $SV_SERVERS; do sv_round $model $server "$i"; done
    sv_floor $model "$i"
  done
done
# Both servers must give the same answer to the benchmark's request.
for model in node python; do
  python3 -c 'import json, sys
a, b = ({o["name"]: o["data"] for o in json.load(open(f))["outputs"]} for f in sys.argv[1:])
sys.exit(a.keys() != b.keys() or a["label"] != b["label"] or any(abs(x - y) > 1e-6 for x, y in zip(a["probabilities"], b["probabilities"])))' \
    $SV_DIR/$model/answer.ours.json $SV_DIR/$model/answer.fastapi.json ||
    echo "warning: ours and FastAPI answered differently: $SV_DIR/$model/answer.*.json" >&2
done

NODE_VERSION=$($NODE --version) PYTHON_VERSION=$($SV_PY --version) DURATION=$SV_SECONDS \
  ORT_VERSION=$($SV_PY -c 'import onnxruntime; print(onnxruntime.__version__)') \
  FASTAPI_VERSION=$($SV_PY -c 'import fastapi; print(fastapi.__version__)') \
  UVICORN_VERSION=$($SV_PY -c 'import uvicorn; print(uvicorn.__version__)') \
  WRK_VERSION=$(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2) \
  python3 bench/serving/table.py $SV_RAW | tee $OUT/serving.md
