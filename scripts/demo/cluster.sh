# shellcheck shell=bash disable=SC2016,SC2154  # node -e programs in single quotes; out, mlops and served_* come from demo.sh and lib.sh
# Sourced by scripts/demo.sh for `npm run demo -- --cluster [state-dir]`: deploy-k8s on the control
# plane scripts/k8s/start.sh runs (kwok simulates the pods: no container runs, no node pulls the
# image), the champion first, then the retrained model as a canary. With Prometheus installed
# (scripts/install-services.sh) the canary is judged on the metrics of two real server processes
# standing for a stable and a canary pod; without it, its steps run without analysis.
# MLOPS_DEMO_PROMETHEUS: the Prometheus binary to run (default `prometheus` on the PATH).
ns=demo
prometheus_bin="${MLOPS_DEMO_PROMETHEUS:-prometheus}"

# cluster_check <state-dir>: fail fast, before any step, when no cluster runs there.
cluster_check() {
  cluster_dir="$1"
  kubeconfig="$cluster_dir/kubeconfig"
  local dir=""
  [ "$cluster_dir" = .mlops/cluster ] || dir=" $cluster_dir"
  if [ ! -f "$kubeconfig" ]; then
    echo "error: --cluster deploys to the control plane scripts/k8s/start.sh runs, and $kubeconfig does not exist." >&2
    echo "Start it with: scripts/k8s/start.sh$dir   (stop it later with scripts/k8s/stop.sh$dir)" >&2
    exit 1
  fi
  kubectl_bin="$(scripts/k8s/install.sh)/kubectl"
  if ! kubectl get --raw /readyz --request-timeout=10s >/dev/null 2>&1; then
    echo "error: the cluster of $kubeconfig does not answer (stopped?)." >&2
    echo "Start it again with: scripts/k8s/start.sh$dir" >&2
    exit 1
  fi
}

kubectl() { "$kubectl_bin" --kubeconfig "$kubeconfig" "$@"; }

show_cluster() {
  kubectl rollout status deployment/weather -n "$ns" --timeout=120s | sed 's/^/    /'
  kubectl get deployments,pods -n "$ns" -L track,mlops.io/model-version | sed 's/^/    /'
}

# cluster_deploy <image>: the champion, a plain rolling deploy.
cluster_deploy() {
  kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns" >/dev/null
  mlops deploy-k8s \
    --image "$1" \
    --model local:weather@champion \
    --name weather \
    --namespace "$ns" \
    --kubeconfig "$kubeconfig" \
    --monitoring-dir "$out/monitoring" > "$out/deploy-outputs.json"
  cat "$out/deploy-outputs.json"
  echo "    kubectl: the rollout and the pods by track (kwok marks them Running and Ready; nothing runs in them)"
  show_cluster
}

# start_prometheus <dir>: Prometheus on a free port, scraping the targets of <dir>/targets.json
# every second. Sets prometheus_url.
start_prometheus() {
  local dir="$1" port
  port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  cat > "$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: model-server
    file_sd_configs:
      - files: ["$dir/targets.json"]
        refresh_interval: 1s
YAML
  "$prometheus_bin" --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn 2> "$dir/prometheus.log" &
  started+=("$!")
  prometheus_url="http://127.0.0.1:$port"
}

# promql_wait <url> <query> <want>: poll an instant query until its first value is <want>.
promql_wait() {
  node -e '
    const [url, query, want] = process.argv.slice(1);
    (async () => {
      for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
        const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => null);
        const value = res?.ok ? (await res.json()).data.result[0]?.value[1] : undefined;
        if (value === want) return;
      }
      console.error(`Prometheus at ${url}: ${query} did not reach ${want} in 120 s`);
      process.exit(1);
    })();
  ' "$@"
}

# cluster_canary <image>: the retrained champion as a canary beside the stable pods.
cluster_canary() {
  local image="$1" dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/mlops-demo-canary.XXXXXX")"
  temps+=("$dir")
  # shellcheck disable=SC2054  # 10,50,100 is one argument
  local canary=(
    --image "$image"
    --model local:weather@champion
    --name weather
    --namespace "$ns"
    --kubeconfig "$kubeconfig"
    --monitoring-dir "$out/monitoring"
    --strategy canary
    --steps 10,50,100
    --interval 3s
  )
  # Every pod the canary brings and takes away, as kubectl sees them (the binary itself in the
  # background, not the function: $! must be its PID).
  "$kubectl_bin" --kubeconfig "$kubeconfig" get pods -n "$ns" --watch --output-watch-events \
    -o 'custom-columns=EVENT:.type,POD:.object.metadata.name,TRACK:.object.metadata.labels.track,MODEL:.object.metadata.labels.mlops\.io/model-version' > "$dir/pods.watch" 2>/dev/null &
  local watch=$!
  started+=("$watch")
  if command -v "$prometheus_bin" >/dev/null 2>&1; then
    echo "    the judge: a real Prometheus scraping two real server processes that stand for the pods (kwok's"
    echo "    run nothing): the champion's server labelled as a stable pod, the retrained one's as a canary pod,"
    echo "    both taking the 2015 days as traffic"
    serve "$out/model" "$dir/stable.log"
    local stable_pid="$served_pid" stable_url="$served_url"
    serve "$out/retrained" "$dir/canary.log"
    local canary_pid="$served_pid" canary_url="$served_url"
    printf '[{"targets":["%s"],"labels":{"namespace":"%s","pod":"weather-process-1","track":"stable"}},{"targets":["%s"],"labels":{"namespace":"%s","pod":"weather-canary-process-1","track":"canary"}}]\n' \
      "${stable_url#http://}" "$ns" "${canary_url#http://}" "$ns" > "$dir/targets.json"
    start_prometheus "$dir"
    node scripts/demo/traffic.mjs --loop examples/weather/data/eval-2015.csv "$stable_url" "$canary_url" &
    local users=$!
    started+=("$users")
    promql_wait "$prometheus_url" "count(rate(mlops_http_requests_total{namespace=\"$ns\", endpoint=\"/v2/models/{model}/infer\"}[3s]) > 0)" 2
    mlops deploy-k8s "${canary[@]}" --count 2 --prometheus "$prometheus_url" > "$out/canary-outputs.json"
    stop "$users"
    stop "$stable_pid"
    stop "$canary_pid"
  else
    echo "    no \`$prometheus_bin\` found (scripts/install-services.sh installs Debian's Prometheus): the canary's steps run"
    echo "    WITHOUT analysis, every rule turned off; each step only waits for its pods to be ready and holds 3 s"
    mlops deploy-k8s "${canary[@]}" --count 1 --analysis 'error-rate: off
latency-p99: off' > "$out/canary-outputs.json"
  fi
  node -e '
    const o = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    console.log(`    status ${o.status}, revision ${o["previous-revision"]} -> ${o.revision}`);
    const value = (v) => (v === null ? "no data" : String(Number(v.toPrecision(3))));
    for (const s of JSON.parse(o["canary-steps"] || "[]")) {
      const rules = s.rules.map((r) => `${r.name} ${r.values.map(value).join(", ")} (${r.op} ${r.threshold})`).join(", ");
      console.log(`    step ${s.weight}%: ${s.canaryReplicas} canary pod(s) beside ${s.stableReplicas} stable (${s.share}% of the pods): ${rules || "no analysis"}: ${s.phase}`);
    }
  ' "$out/canary-outputs.json"
  kubectl wait --for=delete pod -l track=canary -n "$ns" --timeout=120s >/dev/null
  stop "$watch"
  echo "    kubectl get pods --watch saw the canary's pods come and go:"
  awk '$3 == "canary" && ($1 == "ADDED" || $1 == "DELETED") { print "      " $1, $2, "(track canary, model version " $4 ")" }' "$dir/pods.watch" | sort -k2 -s | uniq
  echo "    kubectl: the promoted rollout and the pods by track (the canary's pods are gone)"
  show_cluster
}
