import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, bundleModelServer, launchModelServer } from '../harness/serving.js';
import { NODE24, REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/**
 * The server as it runs in an image: shared/serving/main.ts bundled into one file, started with
 * `node server.js`, configured by the environment, stopped by a signal.
 */

const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];
let bundle: string;
let modelDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  modelDir = tempDir('serving-main-model-');
  execFileSync(process.execPath, ['train.mjs'], {
    cwd: path.join(REPO_ROOT, 'examples/weather'),
    env: { ...process.env, MLOPS_PARAMS: 'params.json', MLOPS_SEED: '1', MLOPS_OUTPUT_DIR: modelDir },
    stdio: 'pipe',
  });
  fs.writeFileSync(path.join(modelDir, 'mlops-model.json'), JSON.stringify({ schemaVersion: 1, kind: 'mlops/model-manifest', name: 'seattle-weather', version: '7' }));
  bundle = await bundleModelServer();
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  for (const d of [modelDir, path.dirname(bundle)]) fs.rmSync(d, { recursive: true, force: true });
});

async function launch(env: Record<string, string>): Promise<RunningServer> {
  const s = await launchModelServer(bundle, { MODEL_PATH: path.join(modelDir, 'model.onnx'), MODEL_MANIFEST: path.join(modelDir, 'mlops-model.json'), ...env });
  children.push(s.child);
  return s;
}

function inferBody(rows: number, seed = 0): string {
  return JSON.stringify({
    inputs: FEATURES.map((name, j) => ({ name, datatype: 'FP32', shape: [rows, 1], data: Array.from({ length: rows }, (_, i) => ((i + seed) * 7 + j * 3) % 25) })),
  });
}

describe('node server.js (bundled main.ts)', () => {
  it('starts from the environment and manifest, and exits 0 on SIGTERM after the request in flight', async () => {
    const s = await launch({ MAX_BATCH_SIZE: '16', BATCH_TIMEOUT_MS: '400', PREDICTION_LOG: 'stdout' });
    console.log(`server process: spawn to ready in ${s.startupMs.toFixed(0)} ms (${s.output().match(/model loaded in [\d.]+ ms, ready in [\d.]+ ms/)?.[0]})`);
    expect(s.output()).toMatch(/serving seattle-weather version 7 \(classification\).*model loaded in [\d.]+ ms/);
    expect((await (await fetch(`${s.url}/v2/models/seattle-weather/versions/7`)).json()) as unknown).toMatchObject({ name: 'seattle-weather', versions: ['7'] });
    // Held 400 ms by the batcher: still running when SIGTERM arrives.
    const inFlight = fetch(`${s.url}/v2/models/seattle-weather/infer`, { method: 'POST', body: inferBody(3) });
    await new Promise((r) => setTimeout(r, 100));
    s.child.kill('SIGTERM');
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { outputs: unknown[] }).outputs).toHaveLength(2);
    expect(await s.exit).toBe(0);
    expect(s.output()).toMatch(/SIGTERM received: shutting down/);
    // The prediction log shares stdout with nothing else: every stdout line is a record.
    expect(s.output()).toMatch(/\{"time":"[^"]+","model":"seattle-weather","version":"7"/);
  });

  it("serves /metrics that Prometheus's own promtool accepts (format and lint), after traffic", async () => {
    const s = await launch({});
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/v2/models/seattle-weather/infer`, { method: 'POST', body: inferBody(5, i) })).status).toBe(200);
    expect((await fetch(`${s.url}/v2/models/seattle-weather/infer`, { method: 'POST', body: '{' })).status).toBe(400);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/^# TYPE /m);
    // promtool (Debian's prometheus package, scripts/install-services.sh) exits non-zero on a
    // malformed exposition or a lint problem, and says which on stdout.
    const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({ status: 0, out: '' });
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  });

  it('exits 0 on SIGINT when idle, and 2 on a bad setting', async () => {
    const s = await launch({});
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(0);

    const bad = spawn(NODE24, [bundle], { env: { PATH: process.env.PATH ?? '', MODEL_PATH: path.join(modelDir, 'model.onnx'), PORT: 'eighty' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    bad.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await new Promise((r) => bad.on('exit', r))).toBe(2);
    expect(err).toMatch(/bad configuration: PORT: PORT must be a whole number/);
  });

  it('measures batch-1 throughput on the Node model (one process, keep-alive, 32 concurrent clients)', async () => {
    const results: string[] = [];
    for (const [label, env] of [
      ['no batching', {}],
      ['MAX_BATCH_SIZE=32 BATCH_TIMEOUT_MS=2', { MAX_BATCH_SIZE: '32', BATCH_TIMEOUT_MS: '2' }],
    ] as const) {
      const s = await launch(env);
      const r = await load(`${s.url}/v2/models/seattle-weather/infer`, inferBody(1), 32, 2000);
      results.push(`${label}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.errors} errors`);
      expect(r.errors).toBe(0);
      expect(r.rps).toBeGreaterThan(100);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    }
    console.log(`throughput (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}):\n  ${results.join('\n  ')}`);
  });
});

/** A closed-loop load generator: `concurrency` clients, each sending its next request on reply. */
async function load(url: string, body: string, concurrency: number, ms: number): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + ms;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), errors };
}
