#!/usr/bin/env bash
# Run the train action bundle once, the way the runner does (as test/harness/runner.ts does):
# `node ACTION_JS` with INPUT_* variables, GITHUB_* context and fresh GITHUB_OUTPUT /
# GITHUB_STEP_SUMMARY / GITHUB_EVENT_PATH files. The inputs are test/e2e/train.test.ts's.
#
# usage: run-action.sh NODE ACTION_JS WORKSPACE CACHE_DIR NATIVE_CACHE RUNNER_DIR TRAINER
#   TRAINER: node (node train.mjs) | python (python train.py; PATH gets .tools/venv/bin)
# The step's outputs are left in RUNNER_DIR/output, its summary in RUNNER_DIR/step_summary.
set -euo pipefail
[[ $# == 7 ]] || { sed -n 2,8p "$0" >&2; exit 2; }
node=$1 action=$2 ws=$3 cache=$4 native=$5 runner=$6 trainer=$7
root=$(cd "$(dirname "$0")/../.." && pwd)

case $trainer in
  node) command='node train.mjs' path=$PATH ;;
  python) command='python train.py' path=$root/.tools/venv/bin:$PATH ;;
  *) echo "unknown trainer $trainer" >&2; exit 2 ;;
esac

rm -rf "$runner" && mkdir -p "$runner/runner_temp"
: >"$runner/output"; : >"$runner/step_summary"; : >"$runner/env"; : >"$runner/state"
echo '{}' >"$runner/event.json"

# Like the runner: the machine's environment minus INPUT_* / GITHUB_* / RUNNER_* / MLOPS_*,
# plus the step's context and inputs.
unset_args=()
for v in $(env | grep -oE '^(INPUT_|GITHUB_|RUNNER_|MLOPS_)[^=]*' || true); do unset_args+=(-u "$v"); done
exec env "${unset_args[@]}" -C "$ws" \
  PATH="$path" \
  CI=true GITHUB_ACTIONS=true \
  GITHUB_WORKSPACE="$ws" \
  GITHUB_REPOSITORY=octo-org/ml-project GITHUB_REPOSITORY_OWNER=octo-org \
  GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 GITHUB_REF=refs/heads/main \
  GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH="$runner/event.json" \
  GITHUB_RUN_ID=1 GITHUB_RUN_ATTEMPT=1 GITHUB_JOB=bench GITHUB_ACTION=train \
  GITHUB_SERVER_URL=https://github.com GITHUB_API_URL=https://api.github.com \
  GITHUB_OUTPUT="$runner/output" GITHUB_STEP_SUMMARY="$runner/step_summary" \
  GITHUB_ENV="$runner/env" GITHUB_STATE="$runner/state" \
  RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$runner/runner_temp" RUNNER_TOOL_CACHE="$native" \
  MLOPS_CACHE_DIR="$cache" MLOPS_NATIVE_CACHE="$native" \
  INPUT_COMMAND="$command" \
  INPUT_WORKING-DIRECTORY=weather \
  INPUT_PARAMS=params.json \
  INPUT_DATA=data/seattle-weather.csv \
  INPUT_MODEL=model.onnx \
  INPUT_METRICS=metrics.json \
  INPUT_SEED=7 \
  INPUT_TIMEOUT-MINUTES=10 \
  INPUT_CACHE=true \
  INPUT_TAGS=latest \
  INPUT_NAME= \
  INPUT_PUBLISH=local:weather \
  INPUT_CODE=$'**/*.py\n**/*.{js,mjs,cjs,ts}\n**/requirements*.txt\n**/pyproject.toml\n**/package.json' \
  INPUT_GITHUB-TOKEN= \
  "$node" "$action"
