#!/usr/bin/env bash
# Run an action bundle once the way the runner does (as test/harness/runner.ts does): INPUT_*
# variables, GITHUB_* context, fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files in RUNNER_DIR.
#
# usage: run-action.sh NODE ACTION_JS WORKSPACE RUNNER_DIR NATIVE_CACHE [input=value...]
set -euo pipefail
[[ $# -ge 5 ]] || { sed -n 2,5p "$0" >&2; exit 2; }
node=$1 action=$2 ws=$3 runner=$4 native=$5
shift 5
rm -rf "$runner" && mkdir -p "$runner/temp" && : >"$runner/output" && : >"$runner/summary" && echo '{}' >"$runner/event.json"
args=()
for kv in "$@"; do args+=("INPUT_$(tr '[:lower:]' '[:upper:]' <<<"${kv%%=*}")=${kv#*=}"); done
exec env -i PATH="$PATH" HOME="$HOME" CI=true GITHUB_ACTIONS=true GITHUB_WORKSPACE="$ws" \
  GITHUB_REPOSITORY=octo-org/ml-project GITHUB_REF=refs/heads/main GITHUB_RUN_ID=1 \
  GITHUB_SERVER_URL=https://github.com GITHUB_EVENT_NAME=schedule GITHUB_EVENT_PATH="$runner/event.json" \
  GITHUB_OUTPUT="$runner/output" GITHUB_STEP_SUMMARY="$runner/summary" RUNNER_TEMP="$runner/temp" \
  RUNNER_TOOL_CACHE="$native" MLOPS_NATIVE_CACHE="$native" MLOPS_CACHE_DIR="$runner/cache" \
  "${args[@]}" "$node" "$action"
