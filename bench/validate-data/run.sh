#!/usr/bin/env bash
# validate-data against Great Expectations and DuckDB's SUMMARIZE: the same checks on the same
# files (flights 3M Parquet and CSV, and a BENCH_BIG_GB CSV), two suites (9 and 30 checks), the
# tools alternating in every round. docs/bench.md.
#
#   bench/run.sh validate-data        (or bench/validate-data/run.sh)
#   BENCH_REPEAT (3), BENCH_BIG_GB (3), BENCH_BIG_REPEAT (BENCH_REPEAT: rounds on the big CSV), BENCH_GE_BIG (1; 0 skips GE on the big CSV),
#   BENCH_GE_MAX_GIB (20: GE is stopped past this RSS; 24 GiB machine, no swap)
source "$(dirname "$0")/../lib/lib.sh"
BIG_GB=${BENCH_BIG_GB:-3}
GE_MAX_GIB=${BENCH_GE_MAX_GIB:-20}
GE_BIG=${BENCH_GE_BIG:-1}
BIG_REPEAT=${BENCH_BIG_REPEAT:-$REPEAT}
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
printf 'dataset\tfile\tsuite\ttool\trun\tseconds\tcpu\trss_kib\tstatus\n' >$RAW

# The suites: our schema and GE's expectations check the same things, one for one (30-check
# suite), or GE's 8 expectations cover our 9 checks (delay's min and max are one there).
schema_of() { case $1 in 9) echo $DIR/flights-schema.yml ;; 30) echo $DIR/flights-schema-30.yml ;; esac; }

# set_cmd TOOL FILE DATASET SUITE: the command line of TOOL on FILE, in CMD.
set_cmd() {
  case $1 in
    ours) CMD=("$NODE" $CLI validate-data --data "$2" --schema "$(schema_of $4)"
      --profile "$OUT/ours/$3.$4.profile.json" --report "$OUT/ours/$3.$4.report.json") ;;
    ge) CMD=("$PY" $DIR/ge_validate.py "$2" "$GE_MAX_GIB" "$4") ;;
    summarize) CMD=("$PY" $DIR/summarize.py "$2") ;;
  esac
}

# measure DATASET FILE SUITE TOOL RUN: one run under /usr/bin/time, appended to $RAW.
measure() {
  local ds=$1 file=$2 suite=$3 tool=$4 i=$5 status log=$OUT/logs/$1.$3.$4.$5
  set_cmd "$tool" "$file" "$ds" "$suite"
  timed $log "${CMD[@]}"
  case $tool:$RC in
    *:0) status=ok ;;
    ge:3) status="over ${GE_MAX_GIB} GiB cap" ;;
    *:1) status="checks failed" ;;
    *) status="error (exit $RC)" ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ds" "$file" "$suite" "$tool" "$i" "$SECS" "$CPU" "$KIB" "$status" >>$RAW
  printf '%-10s %-2s %-9s run %d: %7.2f s %7.2f CPU-s %7d MiB  %s\n' "$ds" "$suite" "$tool" "$i" "$SECS" "$CPU" $((KIB / 1024)) "$status" >&2
}

# Warm-up, not measured: fetches our DuckDB binding, compiles .pyc, fills the page cache.
for tool in ours ge summarize; do
  set_cmd $tool $DATA/flights-3m.parquet warmup 9
  "${CMD[@]}" >$OUT/logs/warmup.$tool.out 2>&1 || echo "warm-up of $tool failed: $OUT/logs/warmup.$tool.out" >&2
done

# Each round runs every tool once, alternating (ours, GE, ours, GE per suite, then SUMMARIZE,
# which checks nothing: one run a round), so load on the shared machine hits them alike.
big=$DATA/flights-big-${BIG_GB}gb.csv
for spec in "parquet-3m $DATA/flights-3m.parquet" "csv-3m $DATA/flights-3m.csv" "csv-${BIG_GB}gb $big"; do
  read -r ds file <<<"$spec"
  cat "$file" >/dev/null # into the page cache for every tool alike
  rounds=$REPEAT
  [[ $ds != csv-${BIG_GB}gb ]] || rounds=$BIG_REPEAT
  for ((i = 1; i <= rounds; i++)); do
    for suite in 9 30; do
      measure "$ds" "$file" $suite ours $i
      if [[ $ds != csv-${BIG_GB}gb || $GE_BIG != 0 ]]; then measure "$ds" "$file" $suite ge $i; fi
    done
    measure "$ds" "$file" - summarize $i
  done
done

NODE_VERSION=$($NODE --version) DUCKDB_NODE=$DUCKDB_NODE BIG=csv-${BIG_GB}gb $PY $DIR/table.py $RAW | tee $OUT/validate-data.md
