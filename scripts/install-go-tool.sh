#!/usr/bin/env bash
# Installs a pinned Go command into <repo>/.tools/bin (gitignored) with `go install`; the one way
# the test tools from the Go module proxy get installed (install-actionlint/oras/crane.sh).
# Idempotent: does nothing when the binary already reports the pinned version.
#
#   scripts/install-go-tool.sh <name> <package@version> <version-text> <version-flag>
set -euo pipefail
name="$1" package="$2" want="$3" flag="$4"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.tools/bin"
bin="$bin_dir/$name"
reports_pin() { "$bin" "$flag" 2>/dev/null | head -n 1 | grep -qF -- "$want"; }

if [[ -x "$bin" ]] && reports_pin; then
  echo "$name already installed at $bin ($want)"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "error: 'go' is required to install $name (https://go.dev/dl/)" >&2
  exit 1
fi
mkdir -p "$bin_dir"
echo "installing $name $want into $bin_dir"
GOBIN="$bin_dir" go install "$package"
if ! reports_pin; then
  echo "error: expected $name $want, got $("$bin" "$flag" 2>&1 | head -n 1)" >&2
  exit 1
fi
echo "$name installed at $bin ($want)"
