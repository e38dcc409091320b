#!/usr/bin/env bash
# The whole loop on the example project, locally, with the embedded defaults, through the CLI
# (the same operations the GitHub Actions run): validate, train, gate, build the image, serve it,
# a year of traffic, drift from the server's prediction log, the "issue" and the retrain
# "dispatch" as files, the retrain and its gate. No GitHub, no cluster.
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
  --profile ../../$out/profile.json \
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
echo "==> 5. serve: the image's server bundle on the champion, then a year of traffic (the 2015 days)"
log="$out/server.log"
rm -f "$out/predictions.jsonl"
MODEL_PATH="$out/model/model.onnx" MODEL_MANIFEST="$out/model/mlops-model.json" PORT=0 HOST=127.0.0.1 \
  PREDICTION_LOG="$out/predictions.jsonl" node actions/build-image/dist/server.mjs 2> "$log" &
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
  const fs = require("node:fs");
  const [url, csv] = process.argv.slice(1);
  const [head, ...lines] = fs.readFileSync(csv, "utf8").trim().split("\n");
  const names = head.split(",");
  const features = ["precipitation", "temp_max", "temp_min", "wind"];
  (async () => {
    const counts = {};
    for (const line of lines) {
      const cells = line.split(",");
      const body = { inputs: features.map((name) => ({ name, shape: [1, 1], datatype: "FP32", data: [Number(cells[names.indexOf(name)])] })) };
      const res = await fetch(`${url}/v2/models/weather/infer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`infer: ${res.status} ${await res.text()}`);
      const label = (await res.json()).outputs.find((o) => o.datatype === "BYTES").data[0];
      counts[label] = (counts[label] ?? 0) + 1;
    }
    console.log(`    ${lines.length} days served, one request each; predicted: ${JSON.stringify(counts)}`);
  })().catch((e) => { console.error(e.message); process.exit(1); });
' "$url" examples/weather/data/eval-2015.csv
kill "$server"
wait "$server" 2>/dev/null || true
echo "    server stopped (SIGTERM drains in-flight requests); its prediction log: $out/predictions.jsonl"

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
echo "==> 7. drift-check on production: the server's prediction log against the training profile"
echo "    recorded with the champion (train's --profile), as monitor.yml does every day"
mlops drift-check \
  --reference local:weather@champion \
  --current "$out/predictions.jsonl" \
  --current-format prediction-log \
  --report "$out/drift-production.json" \
  --report-md "$out/drift-production.md" \
  --fail-on never > "$out/drift-production-outputs.json"
status=$(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).status' "$out/drift-production-outputs.json")

echo
if [ "$status" = ok ]; then
  echo "==> 8. no drift: nothing to open, no retraining"
else
  echo "==> 8. drift ($status): the issue and the retrain dispatch, as files (on GitHub: drift-check's"
  echo "    sticky issue and its workflow_dispatch of retrain.yml)"
  { echo "# Data drift: weather ($status)"; echo; cat "$out/drift-production.md"; } > "$out/issue.md"
  node -e '
    const fs = require("node:fs");
    const [report, out] = process.argv.slice(1);
    const r = JSON.parse(fs.readFileSync(report, "utf8"));
    fs.writeFileSync(out, JSON.stringify({ workflow: "retrain.yml", ref: "main", inputs: { reason: `drift-check: ${r.status}`, drifted: r.drifted.join(","), report } }, null, 2) + "\n");
  ' "$out/drift-production.json" "$out/dispatch.json"
  echo "    $out/issue.md, $out/dispatch.json"

  echo
  echo "==> 9. retrain (what retrain.yml runs): the training data plus the labelled 2015 days, published as"
  echo "    the next version, and gated against the champion before it is promoted"
  mlops train \
    --command 'node train.mjs' \
    --working-directory examples/weather \
    --params params.json \
    --data 'data/seattle-weather.csv
data/eval-2015.csv' \
    --model ../../$out/retrained/model.onnx \
    --metrics ../../$out/retrained/metrics.json \
    --publish local:weather > "$out/retrain-outputs.json"
  cat "$out/retrain-outputs.json"
  # The 2015 days are in its training data now: on a real loop gate on a newer hold-out.
  mlops evaluate-gate \
    --model local:weather@latest \
    --data examples/weather/data/eval-2015.csv \
    --label weather \
    --gates 'accuracy >= baseline - 0.05' \
    --promote true \
    --report-dir "$out/retrain-gate" > "$out/retrain-gate-outputs.json"
fi

echo
echo "==> the local model store (.mlops/registry, an OCI image layout):"
find .mlops/registry -maxdepth 2 -name index.json -print
echo "==> written to $out/:"
ls -1 "$out"

node -e '
  const fs = require("node:fs");
  const out = process.argv[1];
  const read = (f) => (fs.existsSync(`${out}/${f}`) ? JSON.parse(fs.readFileSync(`${out}/${f}`, "utf8")) : null);
  const v = read("validate-data-outputs.json"), t = read("train-outputs.json"), g = read("evaluate-gate-outputs.json");
  const d = read("drift-production.json"), rt = read("retrain-outputs.json"), rg = read("retrain-gate-outputs.json");
  console.log("\n==> what happened");
  console.log(`  validate-data checked ${v.rows} rows and wrote the reference profile; train published weather ${t.version}, gated ${g.passed === "true" ? "and promoted to champion" : "(failed)"};`);
  console.log(`  build-image packed it with its server; the server answered ${d.current.rows} days of 2015 traffic and logged each prediction;`);
  console.log(`  drift-check read that log against the training profile: ${d.status} (${d.drifted.length ? d.drifted.join(", ") + " drifted" : "nothing drifted"});`);
  if (rt) console.log(`  the issue and the retrain dispatch went to files; the retrain published weather ${rt.version} and its gate ${rg.passed === "true" ? "passed: it is the champion now" : "failed: the champion stays"}.`);
' "$out"

cat <<'NEXT'

==> what next
  - The loop on GitHub: copy the three callers of the reusable workflows into .github/workflows:
    workflows-examples/use-pull-request.yml (validate, train, gate, one sticky comment),
    use-release.yml (build the image, deploy it to Kubernetes) and use-monitor.yml (drift,
    the issue, the retrain dispatch). README, "Adopt it".
  - Gate rules: docs/gates.md; drift and monitoring: docs/drift.md, docs/monitoring.md.
  - Any step alone: node cli/dist/mlops.js <action> --help
NEXT
