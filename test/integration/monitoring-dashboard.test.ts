import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries, modelDashboard } from '../../shared/monitor/dashboard.js';
import { type RunningPrometheus, startPrometheus, startPushgateway } from '../harness/prometheus.js';
import type { RunningServer as RunningHttpServer } from '../harness/server.js';
import { type RunningServer, bundleModelServer, launchModelServer } from '../harness/serving.js';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/**
 * The shipped Grafana dashboard's every query, variables substituted as Grafana would, run
 * against a real Prometheus scraping a real model-server process (labelled the way a
 * ServiceMonitor labels a pod) and a real Pushgateway holding drift-check's metrics.
 */

const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];
const MODEL = 'seattle-weather';
const deployed = { name: 'weather', namespace: 'prod', model: MODEL };
let prom: RunningPrometheus;
let pushgateway: RunningHttpServer;
let server: RunningServer;
let modelDir: string;

beforeAll(async () => {
  modelDir = tempDir('dashboard-model-');
  execFileSync(process.execPath, ['train.mjs'], {
    cwd: path.join(REPO_ROOT, 'examples/weather'),
    env: { ...process.env, MLOPS_PARAMS: 'params.json', MLOPS_SEED: '1', MLOPS_OUTPUT_DIR: modelDir },
    stdio: 'pipe',
  });
  fs.writeFileSync(path.join(modelDir, 'mlops-model.json'), JSON.stringify({ schemaVersion: 1, kind: 'mlops/model-manifest', name: MODEL, version: '3' }));
  server = await launchModelServer(await bundleModelServer(), { MODEL_PATH: path.join(modelDir, 'model.onnx'), MODEL_MANIFEST: path.join(modelDir, 'mlops-model.json') });
  pushgateway = await startPushgateway();
  prom = await startPrometheus({
    targets: [{ url: server.url, labels: { namespace: 'prod', pod: 'weather-7d9f-abcde', track: 'stable' } }],
    extraScrapeConfigs: ['  - job_name: pushgateway', '    honor_labels: true', '    static_configs:', `      - targets: ['${new URL(pushgateway.url).host}']`].join('\n'),
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([prom?.stop(), pushgateway?.stop(), server?.stop()]);
  fs.rmSync(modelDir, { recursive: true, force: true });
});

/** Grafana's substitutions: the variables as picked, $__rate_interval as a window the 1 s scrapes fill. */
const substitute = (expr: string) => expr.replaceAll('$namespace', deployed.namespace).replaceAll('$model', MODEL).replaceAll('$__rate_interval', '30s');

describe('the Grafana dashboard against a real Prometheus', () => {
  it('has the panels the issue names, all on the picked namespace and model', () => {
    const d = modelDashboard(deployed);
    const queries = dashboardQueries(d);
    expect([...new Set(queries.map((q) => q.panel))]).toEqual(['Model version', 'Servers', 'Request rate', 'Errors', 'Latency', 'Batch size', 'Predicted classes', 'Feature means', 'Drift scores', 'Drift detected']);
    for (const q of queries) expect(q.expr, q.panel).toMatch(/model_name="\$model"|model="\$model"/);
    expect(d.templating.list?.map((v) => v.name)).toEqual(['datasource', 'namespace', 'model']);
    expect(d.uid).toBe('mlops-prod-weather');
  });

  it("returns series for every panel's query after traffic, and the variables' values", async () => {
    await prom.waitForTargetsUp();
    const body = (n: number) => JSON.stringify({ inputs: FEATURES.map((name) => ({ name, datatype: 'FP32', shape: [n, 1], data: Array.from({ length: n }, (_, i) => i % 7) })) });
    for (let i = 1; i <= 8; i++) expect((await fetch(`${server.url}/v2/models/${MODEL}/infer`, { method: 'POST', body: body(i) })).status).toBe(200);
    // A bad request: the Errors panel's 4xx.
    expect((await fetch(`${server.url}/v2/models/${MODEL}/infer`, { method: 'POST', body: '{"inputs": 1}' })).status).toBe(400);
    // drift-check's metrics, as it pushes them (job drift-check, grouped by model).
    const drift = ['# TYPE mlops_drift_score gauge', 'mlops_drift_score{feature="temp_max",stat="psi"} 0.31', 'mlops_drift_score{feature="wind",stat="ks"} 0.002', '# TYPE mlops_drift_detected gauge', 'mlops_drift_detected 1', ''].join('\n');
    expect((await fetch(`${pushgateway.url}/metrics/job/drift-check/model/${MODEL}`, { method: 'PUT', body: drift })).status).toBe(200);

    const empty: string[] = [];
    for (const { panel, expr } of dashboardQueries(modelDashboard(deployed))) {
      const promql = substitute(expr);
      // Parses (a PromQL error throws with Prometheus's message) and, once scraped, returns series.
      const samples = await prom.waitFor(promql, (s) => s.length > 0, 60_000).catch(() => null);
      if (!samples) empty.push(`${panel}: ${promql}`);
    }
    expect(empty).toEqual([]);

    const classes = await prom.query(substitute('sum by (class) (mlops_predictions_total{namespace="$namespace", model_name="$model"})'));
    expect(classes.length).toBeGreaterThan(0);
    const version = await prom.query(substitute(dashboardQueries(modelDashboard(deployed))[0]!.expr));
    expect(version).toEqual([{ metric: { model_version: '3', track: 'stable' }, value: 1 }]);

    // The variables' label_values(metric, label) queries, through Prometheus's series API as Grafana runs them.
    for (const v of modelDashboard(deployed).templating.list ?? []) {
      if (v.type !== 'query') continue;
      const [, match, label] = /^label_values\((.+), (\w+)\)$/.exec(substitute(String(v.query)))!;
      const res = (await (await fetch(`${prom.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': match! })}`)).json()) as { data: string[] };
      expect(res.data, v.name).toEqual([v.name === 'namespace' ? 'prod' : MODEL]);
    }
  }, 300_000);
});
