#!/usr/bin/env bash
# Push and pull of a large model to/from a local docker-registry: our OciStore against crane and
# oras, a fresh registry per round, tools alternating. docs/bench.md.
#
#   bench/run.sh model-store          (or bench/model-store/run.sh)
#   BENCH_REPEAT (3), BENCH_MODEL_GB (1; fractions allowed)
source "$(dirname "$0")/../lib/lib.sh"
source bench/lib/registry.sh
MODEL_GB=${BENCH_MODEL_GB:-1}
tools=(ours crane)
scripts/install-crane.sh >/dev/null
if ! scripts/install-oras.sh >$OUT/logs/model-store.oras-install.log 2>&1; then
  echo "oras did not install ($(head -n 1 $OUT/logs/model-store.oras-install.log)): measured without it" >&2
fi
[[ -x $TOOLS_BIN/oras ]] && tools+=(oras)

# Our store and the registry harness, bundled: bench/model-store/store.ts.
mkdir -p $DATA/model-store
MS_ENTRY=$DATA/model-store.mjs
bundle_ts bench/model-store/store.ts $MS_ENTRY

# ms_measure OP TOOL RUN PULLED_FILE CMD...: one run under /usr/bin/time, appended to $MS_RAW;
# PULLED_FILE (pulls) must then hold the model's bytes.
ms_measure() {
  local op=$1 tool=$2 run=$3 pulled=$4 status inner=''
  shift 4
  local log=$OUT/logs/model-store.$op.$tool.$run
  timed $log "$@"
  status=ok
  if [[ $RC != 0 ]]; then
    status="error (exit $RC)"
  elif [[ -n $pulled ]] && [[ ! -f $pulled || $(sha256sum <"$pulled" | cut -d' ' -f1) != "$MS_HEX" ]]; then
    status="pulled file missing or wrong"
  fi
  # Ours prints its in-process seconds (no Node start-up) as JSON.
  [[ $tool == ours && $RC == 0 ]] && inner=$(grep -o '"seconds":[0-9.]*' $log.out | cut -d: -f2 | head -n 1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$op" "$tool" "$run" "$SECS" "$KIB" "$MS_BYTES" "$inner" "$status" >>$MS_RAW
  printf '%-4s %-10s run %d: %7.2f s %7d MiB  %s\n' "$op" "$tool" "$run" "$SECS" $((KIB / 1024)) "$status" >&2
}

# ms_round TOOL RUN PREP_DIR: a fresh registry, push then pull(s) with TOOL, registry stopped.
ms_round() {
  local tool=$1 run=$2 prep=$3 pull=$DATA/model-store/pull repo=bench/model
  rm -rf $pull && mkdir -p $pull
  registry_start $MS_ENTRY
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
  registry_stop
  rm -rf $pull
}

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
ms_model $DATA/model-store-warmup.bin $((16 << 20)) $DATA/model-store/warmup
for tool in "${tools[@]}"; do ms_round "$tool" 0 $DATA/model-store/warmup; done
grep -v "	ok$" $MS_RAW >&2 && { echo "warm-up failed: $OUT/logs/model-store.*.0.err" >&2; exit 1; }

bytes=$(awk -v g="$MODEL_GB" 'BEGIN { printf "%d", g * 1073741824 }')
ms_model $DATA/model-${MODEL_GB}gib.bin "$bytes" $DATA/model-store/prep
MS_RAW=$OUT/model-store.raw.tsv
printf 'op\ttool\trun\tseconds\trss_kib\tbytes\tinner_seconds\tstatus\n' >$MS_RAW
for ((i = 1; i <= REPEAT; i++)); do
  for tool in "${tools[@]}"; do
    cat "$MS_MODEL" >/dev/null # into the page cache for every tool alike
    ms_round "$tool" "$i" $DATA/model-store/prep
  done
done

CRANE_VERSION=$($TOOLS_BIN/crane version) ORAS_VERSION=$([[ -x $TOOLS_BIN/oras ]] && $TOOLS_BIN/oras version | head -n 1 || echo 'not installed') \
  NODE_VERSION=$($NODE --version) REGISTRY_VERSION=$(/usr/bin/docker-registry --version 2>&1 | head -n 1) \
  python3 bench/model-store/table.py $MS_RAW | tee $OUT/model-store.md
