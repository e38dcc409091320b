#!/usr/bin/env bash
# Installs the pinned act (nektos/act) into <repo>/.tools/bin (gitignored) with `go install`.
# test/e2e/act-workflows.test.ts runs the example workflows with it, in host mode (no Docker).
set -euo pipefail
ACT_VERSION="0.2.89"
exec "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" act "github.com/nektos/act@v$ACT_VERSION" "act version $ACT_VERSION" --version
