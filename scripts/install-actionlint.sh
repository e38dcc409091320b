#!/usr/bin/env bash
# Installs the pinned actionlint into <repo>/.tools/bin (gitignored) with `go install`.
# Idempotent: does nothing when that binary already reports the pinned version.
# v1.7.12 is pinned because v1.7.7 and older reject `runs.using: node24` in action.yml.
set -euo pipefail

ACTIONLINT_VERSION="v1.7.12"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.tools/bin"
bin="$bin_dir/actionlint"

if [[ -x "$bin" ]] && [[ "$("$bin" -version 2>/dev/null | head -n 1)" == "$ACTIONLINT_VERSION" ]]; then
  echo "actionlint $ACTIONLINT_VERSION already installed at $bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: 'go' is required to install actionlint (https://go.dev/dl/)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "installing actionlint $ACTIONLINT_VERSION into $bin_dir"
GOBIN="$bin_dir" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"

installed="$("$bin" -version | head -n 1)"
if [[ "$installed" != "$ACTIONLINT_VERSION" ]]; then
  echo "error: expected actionlint $ACTIONLINT_VERSION, got $installed" >&2
  exit 1
fi
echo "actionlint $installed installed at $bin"
