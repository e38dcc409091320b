#!/usr/bin/env bash
# Installs the pinned oras CLI into <repo>/.tools/bin (gitignored) with `go install`; the
# referrers tests run `oras discover` against the registry.
set -euo pipefail
ORAS_VERSION="1.3.6"
exec "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" oras "oras.land/oras/cmd/oras@v$ORAS_VERSION" "Version:    $ORAS_VERSION" version
