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
echo "==> 3. evaluate-gate: the Node model against the store's champion on the 2015 hold-out, per season"
echo "    (the first run has no champion yet: it passes by policy and is promoted; the report follows)"
mlops evaluate-gate \
  --model local:weather@latest \
  --data examples/weather/data/eval-2015.csv \
  --label weather \
  --slices season \
  --gates 'accuracy >= 0.7
f1.macro >= baseline - 0.02
accuracy[season=winter] >= 0.6
latency_p95_ms <= 20' \
  --promote true \
  --report-dir "$out/evaluate-gate" > "$out/evaluate-gate-outputs.json"
echo "    the same report as markdown: $out/evaluate-gate/report.md (and report.json)"

echo
echo "==> 4. build-image: the model server image (no Docker daemon) into a local OCI layout"
echo "    (base 'scratch' keeps the demo offline; on a runner the default base is node:24-bookworm-slim)"
mlops build-image \
  --model local:weather@champion \
  --image localhost/weather-server \
  --base-image scratch \
  --push false \
  --tags demo \
  --output "$out/image" > "$out/build-image-outputs.json"
grep '"image"' "$out/build-image-outputs.json"

echo
echo "==> 5. serve: the image's server bundle on the same model, and one prediction"
log="$out/server.log"
MODEL_PATH="$out/model/model.onnx" MODEL_MANIFEST="$out/model/mlops-model.json" PORT=0 HOST=127.0.0.1 \
  node actions/build-image/dist/server.mjs 2> "$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "the server did not start" >&2; exit 1; }
node -e '
  const url = process.argv[1];
  const row = { precipitation: 12.5, temp_max: 9.1, temp_min: 4.2, wind: 5.6 };
  const body = { inputs: Object.entries(row).map(([name, v]) => ({ name, shape: [1, 1], datatype: "FP32", data: [v] })) };
  fetch(`${url}/v2/models/weather/infer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
    .then((r) => r.json())
    .then((j) => console.log("    a rainy day:", JSON.stringify(row), "->", JSON.stringify(j.outputs.map((o) => ({ [o.name]: o.data })))));
' "$url"
kill "$server"
wait "$server" 2>/dev/null || true
echo "    server stopped (SIGTERM drains in-flight requests)"

echo
echo "==> 6. drift-check: the 2015 hold-out against the reference profile of step 1"
echo "    (fixed bins of the profile, no raw reference data; fail-on never keeps the demo going)"
mlops drift-check \
  --reference "$out/profile.json" \
  --current examples/weather/data/eval-2015.csv \
  --time-column date \
  --report "$out/drift-report.json" \
  --report-md "$out/drift-report.md" \
  --fail-on never > "$out/drift-check-outputs.json"
cat "$out/drift-check-outputs.json"

echo
echo "==> the local model store (.mlops/registry, an OCI image layout):"
find .mlops/registry -maxdepth 2 -name index.json -print
echo "==> written to $out/:"
ls -1 "$out"

cat <<'NEXT'

==> what next
  - Change examples/weather/params.json (e.g. "epochs") and run `npm run demo` again: train
    publishes version 2, and evaluate-gate compares it with the champion (version 1) on the
    same rows, with confidence intervals and McNemar's test.
  - Gate rules: docs/gates.md; metric names (f1.macro, f1.class.rain, ...): docs/metrics.md.
  - On GitHub: copy workflows-examples/pr-evaluate.yml (train + gate + one sticky comment on
    each pull request) and promote.yml (move the champion on main) into .github/workflows/.
  - Drift: docs/drift.md; workflows-examples/monitor.yml checks drift daily, keeps one issue
    per model while it drifts and dispatches retrain.yml.
  - Any step alone: node cli/dist/mlops.js <action> --help
NEXT
