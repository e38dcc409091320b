#!/usr/bin/env bash
# The main job on the example project, locally, with the embedded defaults: every action that
# exists so far, run through the CLI (the same operations the GitHub Actions run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mlops() { node cli/dist/mlops.js "$@"; }
out=.mlops/demo
mkdir -p "$out"

echo "==> validate-data: check examples/weather against its schema and write the reference profile"
mlops validate-data \
  --data examples/weather/data/seattle-weather.csv \
  --schema examples/weather/schema.yml \
  --profile "$out/profile.json" \
  --report "$out/validate-data-report.json" \
  --infer-schema "$out/inferred-schema.yml" | tee "$out/validate-data-outputs.json"

echo
echo "==> written to $out/:"
ls -1 "$out"
