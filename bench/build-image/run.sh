#!/usr/bin/env bash
# Build and push of the model-server image to a local docker-registry: the build-image action
# (the bundle, as the runner runs it, with test/e2e/build-image.test.ts's inputs) against crane
# append + mutate, cold (fresh registry, base only) and warm (only the model changed), tools
# alternating; then the model layer gzipped against uncompressed. docs/bench.md.
#
#   bench/run.sh build-image          (or bench/build-image/run.sh)
#   BENCH_REPEAT (3)
source "$(dirname "$0")/../lib/lib.sh"
source bench/lib/registry.sh
needs_build actions/build-image/dist/index.js actions/build-image/dist/server.mjs
scripts/install-crane.sh >/dev/null
snapshot_build build-image
BI_ACTION=$BUILD/actions/build-image/dist/index.js
# ONNX Runtime is fetched once into this persistent dir (the warm-up), never in a measured run.
BI_NATIVE=$DATA/native-cache
mkdir -p "$BI_NATIVE"
BI_ENTRY=$DATA/build-image.mjs
bundle_ts bench/build-image/bench.ts $BI_ENTRY
# The Node trainer's model, seed 1 (cold) and seed 2 (warm: the same image, another model).
for seed in 1 2; do
  mkdir -p $DATA/build-image/model-$seed
  (cd examples/weather && MLOPS_PARAMS=params.json MLOPS_SEED=$seed MLOPS_OUTPUT_DIR=$DATA/build-image/model-$seed $NODE train.mjs) >$OUT/logs/build-image.train.log 2>&1
done

# bi_registry_start: a fresh registry, then the e2e test's Node base pushed to it (not
# measured); sets BI_BASE (name@digest).
bi_registry_start() {
  registry_start $BI_ENTRY
  BI_BASE=$($NODE $BI_ENTRY base "$REG_HOST" "$NODE" 2>>$OUT/logs/build-image.registry.log | tail -n 1)
  [[ $BI_BASE == "$REG_HOST/base/node@sha256:"* ]] || { echo "the base did not push: $OUT/logs/build-image.registry.log" >&2; exit 1; }
}

# bi_measure TOOL PHASE RUN SEED: one build and push of the image with the model of SEED under
# /usr/bin/time, appended to $BI_RAW. ours: the action bundle (bench/lib/run-action.sh) in a
# fresh workspace with a fresh MLOPS_CACHE_DIR; crane: bench/build-image/crane-build.sh on the
# staged files.
bi_measure() {
  local tool=$1 phase=$2 run=$3 seed=$4 status detail='' uploaded='' digest='' ws
  local log=$OUT/logs/build-image.$tool.$phase.$run image=$REG_HOST/models/weather-server
  case $tool in
    ours)
      ws=$(mktemp -d /tmp/mlops-bench-image-XXXXXX)
      mkdir -p $ws/model && cp $DATA/build-image/model-$seed/model.onnx $ws/model/
      timed $log bench/lib/run-action.sh "$NODE" "$BI_ACTION" $ws $ws.runner "$BI_NATIVE" $ws.cache \
        model=model/model.onnx image=$image tags=$tool base-image=$BI_BASE builder=oci dockerfile= push=true \
        registry= username= password= platforms=linux/amd64 labels=team=ml annotations= output= \
        source-date-epoch=1700000000 attach-model=true
      digest=$(grep -A1 '^digest<<' $ws.runner/output 2>/dev/null | tail -n 1 || true)
      # Blobs the action uploaded (the rest were skipped or mounted), from its metadata output.
      uploaded=$(grep -A1 '^metadata<<' $ws.runner/output 2>/dev/null | tail -n 1 | grep -o '"uploaded"' | wc -l || true)
      rm -rf $ws $ws.runner $ws.cache ;;
    crane)
      ln -f $DATA/build-image/model-$seed/model.onnx $BI_STAGING/model/models/model.onnx
      timed $log bench/build-image/crane-build.sh $TOOLS_BIN/crane $BI_STAGING $DATA/build-image/crane-work "$BI_BASE" $image:$tool
      detail=$(tail -n 1 $log.out)
      digest=$(grep -oE 'sha256:[0-9a-f]{64}' <<<"$detail" || true)
      uploaded=$(grep -c 'pushed blob' $DATA/build-image/crane-work/*.out | awk -F: '{ n += $2 } END { print n }') ;;
  esac
  if [[ $RC != 0 ]]; then status="error (exit $RC)"
  elif [[ $digest != sha256:* ]]; then status='no digest'
  elif ! $TOOLS_BIN/crane manifest "$image@$digest" >/dev/null 2>&1; then status='image not in the registry'
  else status=ok; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$phase" "$run" "$SECS" "$KIB" "$uploaded" "$status" "$detail" >>$BI_RAW
  printf '%-5s %-4s run %d: %6.2f s %5d MiB  %s blob(s) uploaded  %s\n' "$tool" "$phase" "$run" "$SECS" $((KIB / 1024)) "$uploaded" "$status" >&2
}

# bi_round TOOL RUN: a fresh registry with the base; cold (nothing of ours there), then warm (the
# same image with another model: only the model layer, config and manifest are new).
bi_round() {
  bi_registry_start
  bi_measure "$1" cold "$2" 1
  bi_measure "$1" warm "$2" 2
  registry_stop
}

# Warm-up, not measured: fetches ONNX Runtime into BI_NATIVE, binaries into the page cache.
BI_RAW=$DATA/build-image/warmup.tsv
: >$BI_RAW
BI_STAGING=$DATA/build-image/staging
bi_registry_start
bi_measure ours cold 0 1
# crane's files: the very ones the action layers (the server bundle snapshot, ONNX Runtime's
# linux/x64 binaries: node_modules' when they match the pins, else the native cache's), hard-linked.
ort=$(find node_modules/onnxruntime-node "$BI_NATIVE"/onnxruntime-node -path '*/bin/napi-v6/linux/x64' -type d 2>/dev/null | head -n 1 || true)
[[ -f $ort/onnxruntime_binding.node ]] || { echo "no ONNX Runtime in node_modules or $BI_NATIVE" >&2; exit 1; }
rm -rf $BI_STAGING && mkdir -p $BI_STAGING/server/opt/mlops/onnxruntime $BI_STAGING/model/models
ln $BUILD/actions/build-image/dist/server.mjs $BI_STAGING/server/opt/mlops/server.mjs
ln "$ort"/* $BI_STAGING/server/opt/mlops/onnxruntime/
bi_measure crane cold 0 1
registry_stop
grep -v "	ok	" $BI_RAW >&2 && { echo "warm-up failed: $OUT/logs/build-image.*.0.err" >&2; exit 1; }

BI_RAW=$OUT/build-image.raw.tsv
printf 'tool\tphase\trun\tseconds\trss_kib\tuploaded\tstatus\tdetail\n' >$BI_RAW
for ((i = 1; i <= REPEAT; i++)); do
  for tool in ours crane; do bi_round $tool "$i"; done
done

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
