#!/usr/bin/env bash
# Installs the pinned crane (go-containerregistry) into <repo>/.tools/bin (gitignored) with
# `go install`. The image tests run `crane validate --remote` on every image build-image makes.
set -euo pipefail
CRANE_VERSION="v0.22.1"
exec "$(dirname "${BASH_SOURCE[0]}")/install-go-tool.sh" crane "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION" "$CRANE_VERSION" version
