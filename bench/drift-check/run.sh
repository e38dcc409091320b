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
source "$(dirname "$0")/../lib/lib.sh"
PY=$ROOT/.tools/venv/bin/python # the test venv: evidently 0.7.23, pandas, pyarrow (scripts/install-evidently.sh)
DIR=$ROOT/bench/drift-check DATA=$DATA/drift-check
WIDE_REPEAT=${BENCH_DRIFT_WIDE_REPEAT:-1}
SHAPES=${BENCH_DRIFT_SHAPES:-1000000x20 100000x1000}
needs_build actions/drift-check/dist/index.js actions/validate-data/dist/index.js
scripts/install-python.sh >/dev/null && scripts/install-evidently.sh >/dev/null
mkdir -p $OUT/logs $OUT/drift-check
# Snapshots of the bundles, so a rebuild during the run cannot mix builds; DuckDB's binding is
# fetched once into a persistent native cache (the warm-up), never in a measured run.
TAG=${BENCH_DRIFT_TAG:+.$BENCH_DRIFT_TAG}
snapshot_build drift-check$TAG
NATIVE=$DATA/native-cache
# Per invocation: the runner's files.
RUNNER=$DATA/runner$TAG

# action NAME WORKSPACE INPUT=VALUE...: the action bundle through the runner protocol.
action() {
  local name=$1 ws=$2
  shift 2
  bench/lib/run-action.sh "$NODE" $BUILD/actions/$name/dist/index.js "$ws" $RUNNER $NATIVE $RUNNER/cache "$@"
}

# measure SHAPE TOOL RUN CMD...: one run under /usr/bin/time, appended to $RAW.
measure() {
  local shape=$1 tool=$2 run=$3 status=ok log
  shift 3
  log=$OUT/logs/drift-check.$shape.$tool.$run
  timed $log "$@"
  [[ $RC == 0 ]] || status="error (exit $RC)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$shape" "$tool" "$run" "$SECS" "$CPU" "$KIB" "$status" >>$RAW
  printf '%-13s %-9s run %d: %8.2f s wall %8.2f s CPU %7d MiB  %s\n' "$shape" "$tool" "$run" "$SECS" "$CPU" $((KIB / 1024)) "$status" >&2
  [[ $status == ok ]] || { echo "see $log.err" >&2; exit 1; }
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
    measure $shape profile $i bench/lib/run-action.sh "$NODE" $BUILD/actions/drift-check/dist/index.js $ws $RUNNER $NATIVE $RUNNER/cache reference=profile.json current=current.parquet fail-on=never report=profile.report.json
    measure $shape raw $i bench/lib/run-action.sh "$NODE" $BUILD/actions/drift-check/dist/index.js $ws $RUNNER $NATIVE $RUNNER/cache reference=profile.json reference-data=reference.parquet current=current.parquet fail-on=never report=raw.report.json
    measure $shape evidently $i $PY $DIR/evidently_preset.py $ws/reference.parquet $ws/current.parquet $ws/evidently.json
  done
  for f in profile.report raw.report evidently; do cp $ws/$f.json $OUT/drift-check/$shape.${f%.report}.json; done
done
NODE_VERSION=$($NODE --version) EVIDENTLY_VERSION=$($PY -c 'import importlib.metadata as m; print(m.version("evidently"))') \
  $PY $DIR/table.py $RAW $OUT/drift-check | tee $OUT/drift-check$TAG.md
