#!/usr/bin/env bash
# deploy-k8s against kubectl on one real control plane (scripts/k8s/start.sh): the action's
# deploy + wait (node dist/index.js, as the runner runs it) against `kubectl apply --server-side`
# + `kubectl rollout status` (the kubectl built with the control plane, same Kubernetes version),
# the same manifests, a first deploy and an image update, BENCH_REPEAT alternating rounds.
# Prints a table with ratios; writes bench/results/deploy-k8s.{md,raw.tsv}. docs/bench.md.
#
#   bench/run.sh deploy-k8s        (or bench/deploy-k8s/run.sh)
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
source "$(dirname "$0")/../lib/lib.sh"
REPEAT=${BENCH_REPEAT:-5}
REPLICAS=${BENCH_REPLICAS:-3}
DATA=$DATA/deploy-k8s
RAW=$OUT/deploy-k8s.raw.tsv

# ours: the bundle with the runner's protocol (INPUT_*, GITHUB_OUTPUT...), manifests input.
ours() { # namespace image
  bench/lib/run-action.sh "$NODE" "$BUILD/actions/deploy-k8s/dist/index.js" "$DATA" "$DATA/runner" "$DATA/native" "$DATA/runner/cache" \
    image="$2" name=iris namespace="$1" kubeconfig="$KUBECONFIG_FILE" manifests=manifests.yaml replicas="$REPLICAS" timeout=600 &&
    grep -q deployed "$DATA/runner/output"
}

# kubectl: the same file with the image in place, applied server-side, then rollout status.
peer() { # namespace image
  sed "s#registry.example/iris:placeholder#$2#" "$DATA/manifests.yaml" >"$DATA/kubectl.yaml"
  "$bin/kubectl" --kubeconfig "$KUBECONFIG_FILE" apply --server-side --field-manager=kubectl-bench -n "$1" -f "$DATA/kubectl.yaml" &&
    "$bin/kubectl" --kubeconfig "$KUBECONFIG_FILE" rollout status deployment/iris -n "$1" --timeout=600s
}

# One deploy of one tool (what `measure` times): run.sh --one ours|peer NAMESPACE IMAGE.
if [[ ${1:-} == --one ]]; then "$2" "$3" "$4"; exit; fi

needs_build actions/deploy-k8s/dist/index.js
rm -rf "$DATA" && mkdir -p "$DATA" "$OUT/logs"
bin=$(scripts/k8s/install.sh)
# A snapshot of the bundle, so a rebuild during the run cannot change what is measured.
snapshot_build deploy-k8s
export BUILD # for the --one runs
bundle_ts bench/deploy-k8s/manifests.ts "$DATA/manifests.mjs"
"$NODE" "$DATA/manifests.mjs" iris registry.example/iris:placeholder "$REPLICAS" >"$DATA/manifests.yaml"

# The control plane, its start timed (binaries already built: a warm start).
state=$DATA/cluster
trap 'scripts/k8s/stop.sh "$state" >/dev/null 2>&1 || true' EXIT
/usr/bin/time -f '%e' -o "$DATA/start.time" scripts/k8s/start.sh "$state" >"$DATA/kubeconfig.path" 2>"$OUT/logs/deploy-k8s.start.log"
export KUBECONFIG_FILE=$(tail -n 1 "$DATA/kubeconfig.path") bin
kctl() { "$bin/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
START_S=$(cat "$DATA/start.time")
echo "control plane started in ${START_S} s (scripts/k8s/start.sh wall)"

image() { echo "registry.example/iris@sha256:$(printf "%064d" 0 | tr 0 "$1")"; }

# One timed run: wall seconds and the peak RSS of the largest process (kubectl: of the two).
measure() { # tool phase round namespace image
  local log=$OUT/logs/deploy-k8s.$1.$2.$3.log status=ok
  /usr/bin/time -f '%e\t%M' -o "$DATA/time" "$self" --one "$1" "$4" "$5" >"$log" 2>&1 || status=failed
  [[ $(kctl get deployment iris -n "$4" -o 'jsonpath={.spec.template.spec.containers[0].image}') == "$5" ]] || status=failed
  # ours: the deploy's own "Took N s" (summary), i.e. without Node's start and the bundle's load.
  local inside=''
  [[ $1 == ours ]] && inside=$(grep -oP 'Took \K[0-9.]+(?= s)' "$DATA/runner/summary" || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(tail -n 1 "$DATA/time")" "$inside" "$status" >>"$RAW"
  [[ $status == ok ]] || { echo "$1 $2 round $3 failed: see $log" >&2; exit 1; }
}

printf 'tool\tphase\tround\tseconds\trss_kib\tinside_s\tstatus\n' >"$RAW"
for ((i = 1; i <= REPEAT; i++)); do
  if ((i % 2)); then order=(ours peer); else order=(peer ours); fi
  for tool in "${order[@]}"; do
    kctl create namespace "$tool-$i" >/dev/null
    measure "$tool" first "$i" "$tool-$i" "$(image a)"
    measure "$tool" update "$i" "$tool-$i" "$(image b)"
  done
done

START_S=$START_S REPLICAS=$REPLICAS REPEAT=$REPEAT NODE_VERSION=$("$NODE" --version) \
  KUBECTL_VERSION=$("$bin/kubectl" version --client -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])') \
  SERVER_VERSION=$(kctl version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])') \
  python3 bench/deploy-k8s/table.py "$RAW" | tee "$OUT/deploy-k8s.md"
