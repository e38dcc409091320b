#!/usr/bin/env bash
# Run the build-image action bundle once, the way the runner does (as test/harness/runner.ts does):
# `node ACTION_JS` with INPUT_* variables, GITHUB_* context and fresh GITHUB_OUTPUT /
# GITHUB_STEP_SUMMARY / GITHUB_EVENT_PATH files. The inputs are test/e2e/build-image.test.ts's
# (builder oci, push, labels team=ml, source-date-epoch 1700000000, attach-model true), with the
# model at WORKSPACE/model/model.onnx.
#
# usage: run-action.sh NODE ACTION_JS WORKSPACE NATIVE_CACHE RUNNER_DIR BASE IMAGE TAG
# The step's outputs are left in RUNNER_DIR/output, its summary in RUNNER_DIR/step_summary.
set -euo pipefail
[[ $# == 8 ]] || { sed -n 2,9p "$0" >&2; exit 2; }
node=$1 action=$2 ws=$3 native=$4 runner=$5 base=$6 image=$7 tag=$8

rm -rf "$runner" && mkdir -p "$runner/runner_temp"
: >"$runner/output"; : >"$runner/step_summary"; : >"$runner/env"; : >"$runner/state"
echo '{}' >"$runner/event.json"

# Like the runner: the machine's environment minus INPUT_* / GITHUB_* / RUNNER_* / MLOPS_*,
# plus the step's context and inputs.
unset_args=()
for v in $(env | grep -oE '^(INPUT_|GITHUB_|RUNNER_|MLOPS_)[^=]*' || true); do unset_args+=(-u "$v"); done
exec env "${unset_args[@]}" -C "$ws" \
  CI=true GITHUB_ACTIONS=true \
  GITHUB_WORKSPACE="$ws" \
  GITHUB_REPOSITORY=octo-org/ml-project GITHUB_REPOSITORY_OWNER=octo-org \
  GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 GITHUB_REF=refs/heads/main \
  GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH="$runner/event.json" \
  GITHUB_RUN_ID=1 GITHUB_RUN_ATTEMPT=1 GITHUB_JOB=bench GITHUB_ACTION=build-image \
  GITHUB_SERVER_URL=https://github.com GITHUB_API_URL=https://api.github.com \
  GITHUB_OUTPUT="$runner/output" GITHUB_STEP_SUMMARY="$runner/step_summary" \
  GITHUB_ENV="$runner/env" GITHUB_STATE="$runner/state" \
  RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$runner/runner_temp" RUNNER_TOOL_CACHE="$native" \
  MLOPS_CACHE_DIR="$runner/cache" MLOPS_NATIVE_CACHE="$native" \
  INPUT_MODEL=model/model.onnx \
  INPUT_IMAGE="$image" \
  INPUT_TAGS="$tag" \
  INPUT_BASE-IMAGE="$base" \
  INPUT_BUILDER=oci \
  INPUT_DOCKERFILE= \
  INPUT_PUSH=true \
  INPUT_REGISTRY= \
  INPUT_USERNAME= \
  INPUT_PASSWORD= \
  INPUT_PLATFORMS=linux/amd64 \
  INPUT_LABELS=team=ml \
  INPUT_ANNOTATIONS= \
  INPUT_OUTPUT= \
  INPUT_SOURCE-DATE-EPOCH=1700000000 \
  INPUT_ATTACH-MODEL=true \
  "$node" "$action"
