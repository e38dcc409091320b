#!/usr/bin/env bash
# evaluate-gate's scoring and metrics: raw onnxruntime-node against our scoreAll, and the whole
# evaluation (candidate + baseline, 0 and BENCH_EG_RESAMPLES resamples) against Python
# onnxruntime + scikit-learn + a numpy paired bootstrap, alternating in one run. docs/bench.md.
#
#   bench/run.sh evaluate-gate        (or bench/evaluate-gate/run.sh)
#   BENCH_REPEAT (3), BENCH_EG_ROWS (1000000), BENCH_EG_ROW_ROWS (50000), BENCH_EG_RESAMPLES (1000),
#   BENCH_EG_SCORING (1; 0 measures only the whole evaluation)
source "$(dirname "$0")/../lib/lib.sh"
needs_build actions/evaluate-gate/dist/index.js

# eg_label ROWS: 1000000 -> 1m, 50000 -> 50k.
eg_label() {
  if (($1 % 1000000 == 0)); then echo "$(($1 / 1000000))m"; elif (($1 % 1000 == 0)); then echo "$(($1 / 1000))k"; else echo "$1"; fi
}

# eg_measure BENCH MODEL DATASET BATCH TOOL RUN CMD...: one run under /usr/bin/time, appended to
# $EG_RAW with the JSON line the command prints last.
eg_measure() {
  local bench=$1 model=$2 ds=$3 batch=$4 tool=$5 run=$6 status json
  shift 6
  local log=$OUT/logs/evaluate-gate.$bench.$model.$ds.$batch.$tool.$run
  timed $log "$@"
  json=$(tail -n 1 $log.out)
  if [[ $RC == 0 && $json == '{'* ]]; then status=ok; else status="error (exit $RC)"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$bench" "$model" "$ds" "$batch" "$tool" "$run" "$SECS" "$KIB" "$status" "$json" "$CPU" >>$EG_RAW
  printf '%-8s %-6s %-11s %4s %-13s run %d: %7.2f s %7.2f CPU-s %5d MiB  %s\n' "$bench" "$model" "$ds" "$batch" "$tool" "$run" "$SECS" "$CPU" $((KIB / 1024)) "$status" >&2
}

# eg_score MODEL DATASET BATCH TOOL RUN: one scoring measurement (bench/evaluate-gate/bench.ts
# floor|ours, bench/evaluate-gate/py_eval.py for python and python-zipmap).
eg_score() {
  local model=$1 ds=$2 batch=$3 tool=$4 run=$5 file=$EG_DIR/$1/model.onnx
  local data=$EG_DIR/weather-${2#*-}.${2%%-*}
  case $tool in
    floor | ours) eg_measure score "$model" "$ds" "$batch" "$tool" "$run" $NODE $EG_ENTRY "$tool" "$file" "$data" "$batch" ;;
    # The forest as prepareModel runs it (ZipMap unwrapped), or as shipped.
    python) [[ $model == forest ]] && file=$EG_DIR/forest/model-unwrapped.onnx
      eg_measure score "$model" "$ds" "$batch" "$tool" "$run" $EG_PY bench/evaluate-gate/py_eval.py "$file" "$data" "$batch" ;;
    python-zipmap) eg_measure score "$model" "$ds" "$batch" "$tool" "$run" $EG_PY bench/evaluate-gate/py_eval.py "$file" "$data" "$batch" zipmap ;;
  esac
}

rows=${BENCH_EG_ROWS:-1000000} row_rows=${BENCH_EG_ROW_ROWS:-50000} resamples=${BENCH_EG_RESAMPLES:-1000}
EG_DIR=$DATA/evaluate-gate EG_ENTRY=$DATA/evaluate-gate.mjs
big=$(eg_label "$rows") small=$(eg_label "$row_rows")
mkdir -p $EG_DIR
# Python venv with onnxruntime and scikit-learn.
bench_venv $EG_DIR/venv bench/evaluate-gate/requirements.txt
EG_PY=$PY
scripts/install-python.sh >/dev/null # .tools/venv with the Python trainer's pins

# The models: examples/weather's trainers, seed 1 (deterministic: the same bytes every time).
(cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=1 MLOPS_OUTPUT_DIR=$EG_DIR/logreg "$NODE" train.mjs >/dev/null)
(cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=1 MLOPS_OUTPUT_DIR=$EG_DIR/forest $ROOT/.tools/venv/bin/python train.py >/dev/null)

# Our code, bundled: bench/evaluate-gate/bench.ts.
bundle_ts bench/evaluate-gate/bench.ts $EG_ENTRY
# Data: the 1,461 weather rows repeated in order to $rows rows (CSV and Parquet) and to
# $row_rows (Parquet, for batch size 1); the forest with ZipMap unwrapped, for Python.
$NODE $EG_ENTRY prepare examples/weather/data/seattle-weather.csv $EG_DIR "$rows" "$row_rows" $EG_DIR/forest/model.onnx >/dev/null
mv $EG_DIR/weather-big.parquet $EG_DIR/weather-$big.parquet
mv $EG_DIR/weather-big.csv $EG_DIR/weather-$big.csv
mv $EG_DIR/weather-small.parquet $EG_DIR/weather-$small.parquet

# Warm-up, not measured: every tool once on the small file (binaries into the page cache, .pyc).
EG_RAW=$EG_DIR/warmup.tsv
: >$EG_RAW
for tool in floor ours python python-zipmap; do eg_score forest parquet-$small 1024 $tool 0; done
grep -v "	ok	" $EG_RAW >&2 && { echo "warm-up failed: $OUT/logs/evaluate-gate.*.0.err" >&2; exit 1; }

EG_RAW=$OUT/evaluate-gate.raw.tsv
printf 'bench\tmodel\tdataset\tbatch\ttool\trun\tseconds\trss_kib\tstatus\tjson\tcpu_seconds\n' >$EG_RAW
for ((i = 1; i <= REPEAT; i++)); do
  if [[ ${BENCH_EG_SCORING:-1} != 0 ]]; then
    for spec in "parquet-$big 1024" "csv-$big 1024" "parquet-$small 1"; do
      read -r ds batch <<<"$spec"
      cat $EG_DIR/weather-${ds#*-}.${ds%%-*} >/dev/null # into the page cache for every tool alike
      for model in logreg forest; do
        for tool in floor ours python; do eg_score $model "$ds" "$batch" $tool "$i"; done
      done
    done
    eg_score forest parquet-$big 1024 python-zipmap "$i"
  fi
  # The whole evaluation, forest as candidate and logreg as baseline, without and with the
  # intervals, ours and Python's, alternating in one run so the ratios share the machine's load.
  for n in 0 "$resamples"; do
    eg_measure evaluate forest parquet-$big 1024 "ours-$n" "$i" $NODE $EG_ENTRY evaluate $EG_DIR/forest/model.onnx $EG_DIR/logreg/model.onnx $EG_DIR/weather-$big.parquet 1024 "$n"
    eg_measure evaluate forest parquet-$big 1024 "python-$n" "$i" $EG_PY bench/evaluate-gate/py_eval.py evaluate $EG_DIR/forest/model-unwrapped.onnx $EG_DIR/logreg/model.onnx $EG_DIR/weather-$big.parquet 1024 "$n"
  done
done

NODE_VERSION=$($NODE --version) PYTHON_VERSION=$($EG_PY --version) \
  ORT_NODE_VERSION=$($NODE -p 'require("./node_modules/onnxruntime-node/package.json").version') \
  DUCKDB_NODE=$($NODE -p 'require("./node_modules/@duckdb/node-api/package.json").version') \
  ORT_PY_VERSION=$($EG_PY -c 'import onnxruntime; print(onnxruntime.__version__)') \
  SKLEARN_VERSION=$($EG_PY -c 'import sklearn; print(sklearn.__version__)') RESAMPLES=$resamples \
  FILES="1,461 weather rows repeated in order: parquet-$big and csv-$big ($(stat -c %s $EG_DIR/weather-$big.parquet | awk '{printf "%.1f", $1 / 1048576}') and $(stat -c %s $EG_DIR/weather-$big.csv | awk '{printf "%.1f", $1 / 1048576}') MiB) at batch 1024, parquet-$small at batch 1 (one row per session.run)" \
  python3 bench/evaluate-gate/table.py $EG_RAW | tee $OUT/evaluate-gate.md
