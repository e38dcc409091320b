#!/usr/bin/env bash
# The main job on the example project, locally, with the embedded defaults: every action that
# exists so far, run through the CLI (the same operations the GitHub Actions run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mlops() { node cli/dist/mlops.js "$@"; }
out=.mlops/demo
mkdir -p "$out"

echo "==> 1. validate-data: check examples/weather against its schema, write the reference profile"
mlops validate-data \
  --data examples/weather/data/seattle-weather.csv \
  --schema examples/weather/schema.yml \
  --profile "$out/profile.json" \
  --report "$out/validate-data-report.json" \
  --infer-schema "$out/inferred-schema.yml" > "$out/validate-data-outputs.json"
cat "$out/validate-data-outputs.json"

echo
echo "==> 2. train: the Node-only trainer (a second run is a cache hit), published to the local store"
mlops train \
  --command 'node train.mjs' \
  --working-directory examples/weather \
  --params params.json \
  --data data/seattle-weather.csv \
  --model ../../$out/model/model.onnx \
  --metrics ../../$out/model/metrics.json \
  --publish local:weather > "$out/train-outputs.json"
cat "$out/train-outputs.json"

echo
echo "==> the local model store (.mlops/registry, an OCI image layout):"
find .mlops/registry -maxdepth 2 -name index.json -print
echo "==> written to $out/:"
ls -1 "$out"

echo
echo "==> 3. evaluate-gate: the Node model against the store's champion on the 2015 hold-out"
echo "    (the first run has no champion yet: it passes by policy and is promoted)"
mlops evaluate-gate \
  --model local:weather@latest \
  --data examples/weather/data/eval-2015.csv \
  --label weather \
  --slices weather \
  --gates 'accuracy >= 0.7
f1 >= baseline - 0.02
latency_p95_ms <= 20' \
  --promote true \
  --report-dir "$out/evaluate-gate" > "$out/evaluate-gate-outputs.json"
echo "    report: $out/evaluate-gate/report.md"
head -n 20 "$out/evaluate-gate/report.md"
