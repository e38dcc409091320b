#!/usr/bin/env bash
# Installs the pinned oras CLI into <repo>/.tools/bin (gitignored) with `go install`; the
# referrers tests run `oras discover` against the registry. Idempotent.
set -euo pipefail

ORAS_VERSION="1.3.6"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.tools/bin"
bin="$bin_dir/oras"

if [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -q "^Version: *$ORAS_VERSION\b"; then
  echo "oras $ORAS_VERSION already installed at $bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: 'go' is required to install oras (https://go.dev/dl/)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "installing oras $ORAS_VERSION into $bin_dir"
GOBIN="$bin_dir" go install "oras.land/oras/cmd/oras@v$ORAS_VERSION"
"$bin" version | head -n 1
