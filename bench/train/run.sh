#!/usr/bin/env bash
# The train action: first run (trains) against second run (cache hit), with the Node and the
# Python trainer of examples/weather, the action bundle run the way the runner runs it (with
# test/e2e/train.test.ts's inputs). docs/bench.md.
#
#   bench/run.sh train                (or bench/train/run.sh)
#   BENCH_REPEAT (3)
source "$(dirname "$0")/../lib/lib.sh"
needs_build actions/train/dist/index.js
scripts/install-python.sh >/dev/null # .tools/venv with the Python trainer's pins
snapshot_build train
TR_ACTION=$BUILD/actions/train/dist/index.js
# ONNX Runtime is fetched once into this persistent dir (the warm-up), never in a measured run.
TR_NATIVE=$DATA/native-cache
mkdir -p "$TR_NATIVE"

# tr_measure TRAINER RUN PHASE WS CACHE: the train action once under /usr/bin/time, appended to
# $TR_RAW; PHASE train expects cache-hit false, hit expects true.
tr_measure() {
  local trainer=$1 run=$2 phase=$3 ws=$4 cache=$5 hit status cmd_s command path=$PATH
  local log=$OUT/logs/train.$trainer.$run.$phase runner=$ws.runner
  case $trainer in
    node) command='node train.mjs' ;;
    python) command='python train.py' path=$ROOT/.tools/venv/bin:$PATH ;;
  esac
  PATH=$path timed $log bench/lib/run-action.sh "$NODE" "$TR_ACTION" "$ws" "$runner" "$TR_NATIVE" "$cache" \
    "command=$command" working-directory=weather params=params.json data=data/seattle-weather.csv \
    model=model.onnx metrics=metrics.json seed=7 timeout-minutes=10 cache=true tags=latest name= \
    publish=local:weather github-token= \
    $'code=**/*.py\n**/*.{js,mjs,cjs,ts}\n**/requirements*.txt\n**/pyproject.toml\n**/package.json'
  hit=$(grep -A1 '^cache-hit<<' "$runner/output" 2>/dev/null | tail -n 1 || true)
  # The training command's own seconds, as the manifest records them (the cache hit keeps the first's).
  cmd_s=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["durationSeconds"])' "$ws/weather/mlops-model.json" 2>/dev/null || echo '')
  if [[ $RC != 0 ]]; then status="error (exit $RC)"
  elif [[ $phase == train && $hit != false ]] || [[ $phase == hit && $hit != true ]]; then status="cache-hit was '$hit'"
  else status=ok; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$trainer" "$run" "$phase" "$SECS" "$KIB" "$hit" "$cmd_s" "$status" >>$TR_RAW
  printf '%-6s %-5s run %d: %6.2f s %5d MiB  cache-hit %s  %s\n' "$trainer" "$phase" "$run" "$SECS" $((KIB / 1024)) "$hit" "$status" >&2
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
