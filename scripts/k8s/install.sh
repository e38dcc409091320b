#!/usr/bin/env bash
# Builds (once) the binaries of a real Kubernetes control plane from the Go module proxy:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok, at pinned
# versions. No package registry ships them (docs/kubernetes.md tells why and how).
#
# The binaries are cached outside the repository, keyed by the versions, so only a new machine
# (or a version bump) pays the cold build (15-40 min on 2 cores); a warm start is instant.
# Prints the directory holding the binaries on stdout.
#
#   scripts/k8s/install.sh            # build or reuse; prints e.g. ~/.cache/mlops-actions/k8s-.../bin
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC1091  # versions.env sits beside this script
. "$here/versions.env"

key="k8s-${KUBERNETES_VERSION}-kwok-${KWOK_VERSION}-etcd-${ETCD_VERSION}"
cache_root="${MLOPS_CACHE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops-actions}"
out="$cache_root/$key/bin"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

complete() {
  for b in "${binaries[@]}"; do [ -x "$out/$b" ] || return 1; done
  [ -f "$out/crds/monitoring.coreos.com_servicemonitors.yaml" ] && [ -d "$out/stages/pod" ]
}
if complete; then echo "$out"; exit 0; fi

command -v go >/dev/null 2>&1 || { echo "error: Go is needed to build the control plane (https://go.dev/dl/)" >&2; exit 1; }
mkdir -p "$cache_root"
# One build at a time per machine: a second caller waits, then finds the binaries.
exec 9>"$cache_root/$key.lock"
flock 9
if complete; then echo "$out"; exit 0; fi

work="$(mktemp -d "$cache_root/$key.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
staging="${KUBERNETES_VERSION/v1./v0.}"
log() { echo "k8s: $*" >&2; }

# kube-apiserver and friends cannot be `go install`ed: k/k's go.mod replaces its staging modules
# by local paths. Our own module replaces each of them by the same module at the staging version.
log "building Kubernetes ${KUBERNETES_VERSION}, kwok ${KWOK_VERSION} (cold build: 15-40 min)"
mkdir -p "$work/k8s" "$work/etcd" "$work/out"
kdir="$(cd "$work/k8s" && go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$kdir" ] || { echo "error: could not download k8s.io/kubernetes@${KUBERNETES_VERSION}" >&2; exit 1; }
{
  echo "module mlops.local/k8s"
  echo
  echo "go 1.26.0"
  echo
  echo "replace ("
  sed -n '/^replace (/,/^)/p' "$kdir/go.mod" | sed -n "s#^[[:space:]]*\([^ ]*\) => \./staging/.*#\t\1 => \1 ${staging}#p"
  echo ")"
} > "$work/k8s/go.mod"
(
  cd "$work/k8s"
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@${KUBERNETES_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@${KUBERNETES_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-scheduler@${KUBERNETES_VERSION}" \
    "k8s.io/kubernetes/cmd/kubectl@${KUBERNETES_VERSION}" >&2
  go get -tool "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}" >&2
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl sigs.k8s.io/kwok/cmd/kwok >&2
)
log "building etcd ${ETCD_VERSION}"
(
  cd "$work/etcd"
  printf 'module mlops.local/etcd\n\ngo 1.26.0\n' > go.mod
  go get -tool "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/out/etcd" go.etcd.io/etcd/server/v3 >&2
)
# kwok's stages are not built in: keep its module's stage files beside the binaries.
kwokdir="$(cd "$work/k8s" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
mkdir -p "$work/out/stages"
cp -r "$kwokdir/kustomize/stage/." "$work/out/stages/"
# The prometheus-operator CRDs (ServiceMonitor, PrometheusRule) deploys ship monitoring with.
opdir="$(cd "$work/k8s" && go mod download -json "github.com/prometheus-operator/prometheus-operator@${PROMETHEUS_OPERATOR_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
mkdir -p "$work/out/crds"
cp "$opdir"/example/prometheus-operator-crd/monitoring.coreos.com_{servicemonitors,prometheusrules}.yaml "$work/out/crds/"
chmod -R u+w "$work/out"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$work/out" "$out"
log "ready in $out"
echo "$out"
