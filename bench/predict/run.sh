#!/usr/bin/env bash
# Batch inference, 1M rows: `mlops predict` (Parquet in, Parquet out: id, prediction, one
# probability column per class) against Python onnxruntime + pandas doing the same (read Parquet,
# predict, write Parquet) on the same model and rows; ours also on 100k rows (peak memory must
# not grow with the rows). Median wall time and peak RSS of BENCH_REPEAT runs. docs/bench.md.
#
#   bench/predict/run.sh          (or bench/run.sh predict)
source "$(dirname "$0")/../lib/lib.sh"
ROWS=${BENCH_PREDICT_ROWS:-1000000}
BATCH=${BENCH_PREDICT_BATCH:-4096}
DIR=bench/predict DATA=$DATA/predict
PY=.tools/venv/bin/python
needs_build cli/dist/mlops.js
# The trainer's and the tests' pinned Python (scikit-learn, skl2onnx, onnxruntime 1.30.0, pandas, pyarrow).
"$PY" -c 'import onnxruntime, pandas, pyarrow, skl2onnx' 2>/dev/null || scripts/install-python.sh
mkdir -p $DATA

# The model: the example's skl2onnx random forest (ZipMap), trained once; the rows: prepare.py.
if [[ ! -f $DATA/model/model.onnx ]]; then
  mkdir -p $DATA/model
  (cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=0 MLOPS_OUTPUT_DIR=$DATA/model $ROOT/$PY train.py) >$OUT/logs/predict.train.log 2>&1
fi
for n in 100000 "$ROWS"; do
  [[ -f $DATA/rows-$n.parquet ]] || $PY $DIR/prepare.py examples/weather/data/seattle-weather.csv "$n" $DATA/rows-$n.parquet
done
snapshot_build predict
CLI=$BUILD/cli/dist/mlops.js

RAW=$OUT/predict.raw.tsv
printf 'rows\ttool\trun\tseconds\trss_kib\tstatus\n' >$RAW
# measure ROWS TOOL RUN: one run under /usr/bin/time, appended to $RAW.
measure() {
  local n=$1 tool=$2 run=$3 status out=$DATA/out-$2-$1.parquet
  local log=$OUT/logs/predict.$tool.$n.$run
  rm -f $out
  case $tool in
    ours) timed $log $NODE $CLI predict --model $DATA/model/model.onnx --data $DATA/rows-$n.parquet \
      --output $out --key-columns id --probabilities true --batch-size $BATCH ;;
    python) timed $log $PY $DIR/py_predict.py $DATA/model/model.onnx $DATA/rows-$n.parquet $out $BATCH ;;
  esac
  status=ok && [[ $RC == 0 && -f $out ]] || status="error (exit $RC)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "$run" "$SECS" "$KIB" "$status" >>$RAW
  printf '%8s rows %-6s run %d: %6.2f s %6d MiB  %s\n' "$n" "$tool" "$run" "$SECS" $((KIB / 1024)) "$status" >&2
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
