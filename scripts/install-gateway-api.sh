#!/usr/bin/env bash
# Copies the Gateway API's HTTPRoute CRD (standard channel, pinned) from the Go module proxy into
# <repo>/.tools/gateway-api/<version>/ (gitignored), for the canary tests that split traffic by
# HTTPRoute weights on the test control plane. No package registry ships the CRDs; the module
# sigs.k8s.io/gateway-api does. Idempotent. Prints the CRD file's path.
set -euo pipefail
GATEWAY_API_VERSION="v1.3.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.tools/gateway-api/$GATEWAY_API_VERSION"
crd="$out/gateway.networking.k8s.io_httproutes.yaml"
if [ -f "$crd" ]; then echo "$crd"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "error: 'go' is required to fetch the Gateway API CRDs (https://go.dev/dl/)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dir="$(cd "$work" && go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -f "$dir/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml" ] || { echo "error: no HTTPRoute CRD in sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" >&2; exit 1; }
mkdir -p "$out"
cp "$dir/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml" "$crd.tmp"
chmod u+w "$crd.tmp"
mv "$crd.tmp" "$crd"
echo "$crd"
