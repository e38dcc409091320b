#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them all.
# This is the README's test command and what CI (.ci/run) runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

echo "==> npm ci"
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund

echo "==> system tools (shellcheck, for actionlint's run: checks)"
if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  else
    echo "shellcheck is missing: install it (apt-get install shellcheck) for actionlint's script checks" >&2
    exit 1
  fi
fi

echo "==> actionlint"
scripts/install-actionlint.sh

echo "==> sources, bundles, pins and catalog are consistent"
npm run --silent check

echo "==> tests"
npm test
