#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them all.
# This is the README's test command and what CI (.ci/run) runs. It installs system packages with
# apt-get, so it runs as root (Debian/Ubuntu) unless they are all present already.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# `npm ci` once: not again when node_modules already holds exactly the lock (after the README's
# `npm ci && npm run demo`, or a CI step that ran it).
if node scripts/lock-installed.mjs; then
  echo "==> npm ci: not needed"
else
  echo "==> npm ci"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi

echo "==> system tools: shellcheck (actionlint), skopeo and umoci (OCI), podman and runc (running images), busybox (test base images)"
missing=()
for tool in shellcheck skopeo umoci podman runc; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    scripts/apt-get.sh update -qq && DEBIAN_FRONTEND=noninteractive scripts/apt-get.sh install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]}: run as root (it installs them with apt-get), or install them yourself" >&2
    exit 1
  fi
fi

echo "==> Debian's docker-registry (OCI registry tests), prometheus (server and promtool) and prometheus-pushgateway"
scripts/install-services.sh

echo "==> python venv: the example trainer, tritonclient + onnxruntime (serving tests), pyarrow, check-jsonschema (GitLab CI schema)"
scripts/install-python.sh

echo "==> evidently (drift statistics compared with ours)"
scripts/install-evidently.sh

echo "==> actionlint"
scripts/install-actionlint.sh

echo "==> Kubernetes control plane binaries (built once per machine and version, then cached: docs/test-cluster.md)"
scripts/k8s/install.sh >/dev/null

echo "==> Gateway API HTTPRoute CRD (canary traffic by route weights)"
scripts/install-gateway-api.sh >/dev/null

echo "==> oras (referrers)"
scripts/install-oras.sh

echo "==> crane (image validation)"
scripts/install-crane.sh

echo "==> act (the example workflows run under it)"; scripts/install-act.sh

echo "==> sources, bundles, pins and catalog are consistent"
npm run --silent check

echo "==> tests"
npm test
