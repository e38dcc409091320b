#!/usr/bin/env bash
# validate-data against Great Expectations and DuckDB's SUMMARIZE: the same checks on the same
# files (flights 3M Parquet and CSV, and a BENCH_BIG_GB CSV). docs/bench.md.
#
#   bench/run.sh validate-data        (or bench/validate-data/run.sh)
#   BENCH_REPEAT (3), BENCH_BIG_GB (3), BENCH_GE_BIG (1; 0 skips GE on the big CSV),
#   BENCH_GE_MAX_GIB (20: GE is stopped past this RSS; 24 GiB machine, no swap)
source "$(dirname "$0")/../lib/lib.sh"
BIG_GB=${BENCH_BIG_GB:-3}
GE_MAX_GIB=${BENCH_GE_MAX_GIB:-20}
GE_BIG=${BENCH_GE_BIG:-1}
DIR=bench/validate-data
needs_build cli/dist/mlops.js
# Python venv with GE, duckdb, pandas, pyarrow.
bench_venv bench/.venv $DIR/requirements.txt

$PY $DIR/prepare.py node_modules/vega-datasets/data/flights-3m.parquet $DATA "$BIG_GB"
# Run a snapshot of the CLI bundle, so a rebuild during the run cannot mix builds, and note the
# DuckDB binding it pins (and fetches).
snapshot_build validate-data
CLI=$BUILD/cli/dist/mlops.js
DUCKDB_NODE=$(python3 -c 'import json; print(json.load(open("shared/native/pins.json"))["duckdb"]["linux-x64"]["version"])' 2>/dev/null || echo '?')
mkdir -p $OUT/ours
RAW=$OUT/validate-data.raw.tsv
printf 'dataset\tfile\ttool\trun\tseconds\trss_kib\tstatus\n' >$RAW

# set_cmd TOOL FILE DATASET: the command line of TOOL on FILE, in CMD.
set_cmd() {
  case $1 in
    ours) CMD=("$NODE" $CLI validate-data --data "$2" --schema $DIR/flights-schema.yml
      --profile "$OUT/ours/$3.profile.json" --report "$OUT/ours/$3.report.json") ;;
    ge) CMD=("$PY" $DIR/ge_validate.py "$2" "$GE_MAX_GIB") ;;
    summarize) CMD=("$PY" $DIR/summarize.py "$2") ;;
  esac
}

# measure DATASET FILE TOOL: REPEAT runs under /usr/bin/time, appended to $RAW.
measure() {
  local ds=$1 file=$2 tool=$3 i status
  for ((i = 1; i <= REPEAT; i++)); do
    set_cmd "$tool" "$file" "$ds"
    timed $OUT/logs/$ds.$tool.$i "${CMD[@]}"
    case $tool:$RC in
      *:0) status=ok ;;
      ge:3) status="over ${GE_MAX_GIB} GiB cap" ;;
      *:1) status="checks failed" ;;
      *) status="error (exit $RC)" ;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ds" "$file" "$tool" "$i" "$SECS" "$KIB" "$status" >>$RAW
    printf '%-10s %-9s run %d: %7.2f s %7d MiB  %s\n' "$ds" "$tool" "$i" "$SECS" $((KIB / 1024)) "$status" >&2
    [[ $status == ok ]] || break # a failure repeats: look at $OUT/logs
  done
}

# Warm-up, not measured: fetches our DuckDB binding, compiles .pyc, fills the page cache.
for tool in ours ge summarize; do
  set_cmd $tool $DATA/flights-3m.parquet warmup
  "${CMD[@]}" >$OUT/logs/warmup.$tool.out 2>&1 || echo "warm-up of $tool failed: $OUT/logs/warmup.$tool.out" >&2
done

big=$DATA/flights-big-${BIG_GB}gb.csv
for spec in "parquet-3m $DATA/flights-3m.parquet" "csv-3m $DATA/flights-3m.csv" "csv-${BIG_GB}gb $big"; do
  read -r ds file <<<"$spec"
  cat "$file" >/dev/null # into the page cache for every tool alike
  measure "$ds" "$file" ours
  if [[ $ds != csv-${BIG_GB}gb || $GE_BIG != 0 ]]; then measure "$ds" "$file" ge; fi
  measure "$ds" "$file" summarize
done

NODE_VERSION=$($NODE --version) DUCKDB_NODE=$DUCKDB_NODE $PY $DIR/table.py $RAW | tee $OUT/validate-data.md
