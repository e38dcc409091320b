import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusClient } from '../../shared/monitor/prometheus.js';
import { UserError } from '../../shared/runtime/errors.js';
import { type RunningPrometheus, startPrometheus, startPushgateway } from '../harness/prometheus.js';
import type { RunningServer as RunningHttpServer } from '../harness/server.js';
import { type RunningServer, bundleModelServer, launchModelServer } from '../harness/serving.js';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/**
 * The monitoring test bed: a real Prometheus scraping a real model-server process and a real
 * Pushgateway, all on 127.0.0.1 and stopped by PID. The canary analysis, the dashboards and
 * drift-check's Prometheus source build on this harness (test/harness/prometheus.ts).
 */

const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];
let prom: RunningPrometheus;
let pushgateway: RunningHttpServer;
let server: RunningServer;

beforeAll(async () => {
  const modelDir = tempDir('prometheus-model-');
  execFileSync(process.execPath, ['train.mjs'], {
    cwd: path.join(REPO_ROOT, 'examples/weather'),
    env: { ...process.env, MLOPS_PARAMS: 'params.json', MLOPS_SEED: '1', MLOPS_OUTPUT_DIR: modelDir },
    stdio: 'pipe',
  });
  fs.writeFileSync(path.join(modelDir, 'mlops-model.json'), JSON.stringify({ schemaVersion: 1, kind: 'mlops/model-manifest', name: 'seattle-weather', version: '3' }));
  server = await launchModelServer(await bundleModelServer(), { MODEL_PATH: path.join(modelDir, 'model.onnx'), MODEL_MANIFEST: path.join(modelDir, 'mlops-model.json') });
  pushgateway = await startPushgateway();
  prom = await startPrometheus({
    targets: [{ url: server.url, labels: { track: 'stable' } }],
    extraScrapeConfigs: ['  - job_name: pushgateway', '    honor_labels: true', '    static_configs:', `      - targets: ['${new URL(pushgateway.url).host}']`].join('\n'),
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([prom?.stop(), pushgateway?.stop(), server?.stop()]);
});

describe('test/harness/prometheus.ts', () => {
  it('scrapes the model server: its request counters arrive with the target labels', async () => {
    await prom.waitForTargetsUp();
    const body = JSON.stringify({ inputs: FEATURES.map((name) => ({ name, datatype: 'FP32', shape: [2, 1], data: [1, 2] })) });
    for (let i = 0; i < 5; i++) expect((await fetch(`${server.url}/v2/models/seattle-weather/infer`, { method: 'POST', body })).status).toBe(200);
    const samples = await prom.waitFor('sum by (track) (mlops_inference_rows_total)', (s) => s.length === 1 && s[0]!.value >= 10);
    expect(samples[0]!.metric).toEqual({ track: 'stable' });
  });

  it('reads what is pushed to the Pushgateway, with the pushed labels kept', async () => {
    const res = await fetch(`${pushgateway.url}/metrics/job/drift-check/model/seattle-weather`, { method: 'PUT', body: '# TYPE mlops_drift_detected gauge\nmlops_drift_detected 1\n' });
    expect(res.status).toBe(200);
    const samples = await prom.waitFor('mlops_drift_detected{job="drift-check"}');
    expect(samples[0]!.metric).toMatchObject({ model: 'seattle-weather' });
    expect(samples[0]!.value).toBe(1);
  });

  it('reports a PromQL syntax error with Prometheus\'s own message', async () => {
    await expect(prom.query('sum(rate(x[5m])')).rejects.toThrow(/unclosed left parenthesis/);
  });

  it('takes new targets from the targets file while running', async () => {
    prom.setTargets([{ url: server.url, labels: { track: 'stable' } }, { url: server.url.replace('127.0.0.1', 'localhost'), labels: { track: 'canary' } }]);
    const samples = await prom.waitFor('count by (track) (up{job="model-server"} == 1)', (s) => s.length === 2);
    expect(samples.map((s) => s.metric.track).sort()).toEqual(['canary', 'stable']);
  });
});

describe('shared/monitor/prometheus.ts against the real Prometheus', () => {
  it('runs instant queries and keeps URL credentials out of what it shows', async () => {
    await prom.waitFor('mlops_model_ready');
    const client = prometheusClient({ url: prom.url.replace('http://', 'http://user:s3cret@'), input: 'prometheus' });
    expect(client.url).toBe(prom.url);
    const samples = await client.query('sum by (track) (mlops_model_ready{job="model-server"})');
    expect(samples.find((s) => s.labels.track === 'stable')?.value).toBe(1);
    expect(await client.query('vector(2) * 3')).toEqual([{ labels: {}, value: 6 }]);
    expect(await client.query('scalar(vector(4))')).toEqual([{ labels: {}, value: 4 }]);
  });

  it('gives PromQL errors, range results and unreachable servers as user errors', async () => {
    const client = prometheusClient({ url: prom.url, input: 'prometheus' });
    const bad = await client.query('sum(rate(x[5m])').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UserError);
    expect((bad as UserError).message).toMatch(/unclosed left parenthesis[\s\S]*query: sum\(rate\(x\[5m\]\)/);
    await expect(client.query('up[1m]')).rejects.toThrow(/returns a matrix/);
    const nowhere = prometheusClient({ url: 'http://u:p@127.0.0.1:9/', retry: { attempts: 1 } });
    const e = await nowhere.query('up').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(String((e as Error).message)).not.toMatch(/u:p/);
    expect(() => prometheusClient({ url: 'prometheus:9090', input: 'prometheus' })).toThrow(/must be http\(s\)/);
  });
});
