#!/usr/bin/env bash
# Installs the pinned crane (go-containerregistry) into <repo>/.tools/bin (gitignored) with
# `go install`. The image tests run `crane validate --remote` on every image build-image makes.
# Idempotent: does nothing when that binary already reports the pinned version.
set -euo pipefail

CRANE_VERSION="v0.22.1"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.tools/bin"
bin="$bin_dir/crane"

if [[ -x "$bin" ]] && [[ "$("$bin" version 2>/dev/null | head -n 1)" == "$CRANE_VERSION" ]]; then
  echo "crane $CRANE_VERSION already installed at $bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: 'go' is required to install crane (https://go.dev/dl/)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "installing crane $CRANE_VERSION into $bin_dir"
GOBIN="$bin_dir" go install "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION"

installed="$("$bin" version | head -n 1)"
if [[ "$installed" != "$CRANE_VERSION" ]]; then
  echo "error: expected crane $CRANE_VERSION, got $installed" >&2
  exit 1
fi
echo "crane $installed installed at $bin"
