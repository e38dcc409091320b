#!/usr/bin/env bash
# The whole loop on the example project, locally, with the embedded defaults, through the CLI
# (the same operations the GitHub Actions run): validate, train, gate, build the image, serve it,
# a year of traffic, drift from the server's prediction log, the "issue" and the retrain
# "dispatch" as files, the retrain and its gate. No GitHub, no cluster.
#
#   npm run demo                                the loop, locally
#   npm run demo -- --cluster [state-dir]       plus deploy-k8s on the control plane of
#                                               scripts/k8s/start.sh [state-dir]: the champion, then
#                                               the retrained model as a canary (scripts/demo/cluster.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cluster=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cluster)
      cluster=.mlops/cluster
      if [ -n "${2:-}" ] && [ "${2#-}" = "$2" ]; then cluster="$2"; shift; fi
      ;;
    *)
      echo "error: unknown argument $1; usage: npm run demo [-- --cluster [state-dir]]" >&2
      exit 2
      ;;
  esac
  shift
done
mlops() { node cli/dist/mlops.js "$@"; }
out=.mlops/demo
# shellcheck source=scripts/demo/lib.sh
. scripts/demo/lib.sh
if [ -n "$cluster" ]; then
  # shellcheck source=scripts/demo/cluster.sh
  . scripts/demo/cluster.sh
  cluster_check "$cluster"
fi
rm -f "$out/deploy-outputs.json" "$out/canary-outputs.json"
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
build_image demo "$out/build-image-outputs.json"

if [ -n "$cluster" ]; then
  echo
  echo "==> 4b. deploy-k8s: the champion's image to the cluster of $kubeconfig, a rolling deploy"
  echo "    (kwok simulates the pods: nothing pulls the image, so it stays in $out/image, referenced by digest)"
  cluster_deploy "$(output "$out/build-image-outputs.json" image)"
fi

echo
echo "==> 5. serve: the image's server bundle on the champion, then a year of traffic (the 2015 days)"
rm -f "$out/predictions.jsonl"
serve "$out/model" "$out/server.log" "$out/predictions.jsonl"
node scripts/demo/traffic.mjs examples/weather/data/eval-2015.csv "$served_url"
stop "$served_pid"
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
status=$(output "$out/drift-production-outputs.json" status)

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

  if [ -n "$cluster" ]; then
    echo
    if [ "$(output "$out/retrain-gate-outputs.json" passed)" = true ]; then
      echo "==> 10. build-image for the new champion, then deploy-k8s as a canary: 10% of the traffic, 50%, then all"
      build_image demo-retrained "$out/build-image-retrained-outputs.json"
      cluster_canary "$(output "$out/build-image-retrained-outputs.json" image)"
    else
      echo "==> 10. the retrained model failed its gate: no canary, the champion keeps serving"
    fi
  fi
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
  const dk = read("deploy-outputs.json"), cn = read("canary-outputs.json");
  if (dk) console.log(`  deploy-k8s rolled weather ${t.version} out to the cluster (revision ${dk.revision}, ${dk.status}); kwok simulated its pods: no container ran.`);
  if (cn) {
    const steps = JSON.parse(cn["canary-steps"] || "[]");
    const judged = steps.some((s) => s.rules.length) ? "each judged by Prometheus on the metrics of two server processes standing for a stable and a canary pod" : "without analysis (no Prometheus installed)";
    console.log(`  the retrained weather ${rt.version} went out as a canary, ${steps.map((s) => `${s.canaryReplicas} of ${s.canaryReplicas + s.stableReplicas} pods`).join(", then ")}, ${judged}: ${cn.status === "deployed" ? `promoted, revision ${cn.revision}` : cn.status}.`);
  }
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
