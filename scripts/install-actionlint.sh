#!/usr/bin/env bash
# Installs the pinned actionlint into <repo>/.tools/bin (gitignored) with `go install`.
# v1.7.12 is pinned because v1.7.7 and older reject `runs.using: node24` in action.yml.
set -euo pipefail
ACTIONLINT_VERSION="v1.7.12"
exec "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" actionlint "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" "$ACTIONLINT_VERSION" -version
