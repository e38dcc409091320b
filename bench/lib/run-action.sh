#!/usr/bin/env bash
# Run an action bundle once the way the runner does (as test/harness/runner.ts does): the
# machine's environment minus INPUT_* / GITHUB_* / RUNNER_* / MLOPS_*, plus the step's context,
# fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_ENV / GITHUB_STATE / GITHUB_EVENT_PATH files in
# RUNNER_DIR, and the inputs as INPUT_<NAME> variables (upper-cased, dashes kept, like the runner).
#
# usage: run-action.sh NODE ACTION_JS WORKSPACE RUNNER_DIR NATIVE_CACHE CACHE_DIR [input=value...]
#   NATIVE_CACHE: where ONNX Runtime and DuckDB are fetched once (RUNNER_TOOL_CACHE,
#   MLOPS_NATIVE_CACHE); CACHE_DIR: MLOPS_CACHE_DIR (train's and build-image's caches).
# The step's outputs are left in RUNNER_DIR/output, its summary in RUNNER_DIR/summary.
set -euo pipefail
[[ $# -ge 6 ]] || { sed -n 2,10p "$0" >&2; exit 2; }
node=$1 action=$2 ws=$3 runner=$4 native=$5 cache=$6
shift 6
rm -rf "$runner" && mkdir -p "$runner/temp"
: >"$runner/output"; : >"$runner/summary"; : >"$runner/env"; : >"$runner/state"
echo '{}' >"$runner/event.json"
inputs=()
for kv in "$@"; do inputs+=("INPUT_$(tr '[:lower:]' '[:upper:]' <<<"${kv%%=*}")=${kv#*=}"); done
unset_args=()
for v in $(env | grep -oE '^(INPUT_|GITHUB_|RUNNER_|MLOPS_)[^=]*' || true); do unset_args+=(-u "$v"); done
exec env "${unset_args[@]}" -C "$ws" \
  CI=true GITHUB_ACTIONS=true GITHUB_WORKSPACE="$ws" \
  GITHUB_REPOSITORY=octo-org/ml-project GITHUB_REPOSITORY_OWNER=octo-org \
  GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 GITHUB_REF=refs/heads/main \
  GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH="$runner/event.json" \
  GITHUB_RUN_ID=1 GITHUB_RUN_ATTEMPT=1 GITHUB_JOB=bench GITHUB_ACTION=bench \
  GITHUB_SERVER_URL=https://github.com GITHUB_API_URL=https://api.github.com \
  GITHUB_OUTPUT="$runner/output" GITHUB_STEP_SUMMARY="$runner/summary" \
  GITHUB_ENV="$runner/env" GITHUB_STATE="$runner/state" \
  RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$runner/temp" RUNNER_TOOL_CACHE="$native" \
  MLOPS_NATIVE_CACHE="$native" MLOPS_CACHE_DIR="$cache" \
  "${inputs[@]}" "$node" "$action"
