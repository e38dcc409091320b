#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them all.
# This is the README's test command and what CI (.ci/run) runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "==> npm ci"
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund

echo "==> system tools: shellcheck (actionlint), skopeo and umoci (OCI), podman and runc (running images), busybox (test base images)"
missing=()
for tool in shellcheck skopeo umoci podman runc; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]} (install them with apt-get)" >&2
    exit 1
  fi
fi

echo "==> Debian's docker-registry (OCI registry tests)"
scripts/install-registry.sh

echo "==> python venv for the example trainer"
scripts/install-python.sh

echo "==> evidently (drift statistics compared with ours)"
scripts/install-evidently.sh

echo "==> actionlint"
scripts/install-actionlint.sh

echo "==> Kubernetes control plane binaries (built once per machine and version, then cached: docs/test-cluster.md)"
scripts/k8s/install.sh >/dev/null

echo "==> sources, bundles, pins and catalog are consistent"
npm run --silent check

echo "==> tests"
npm test
