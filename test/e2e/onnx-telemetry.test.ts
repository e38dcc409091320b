import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE24, REPO_ROOT, TOOL_CACHE, runAction } from '../harness/runner.js';
import { bundleModelServer, launchModelServer } from '../harness/serving.js';

/**
 * ONNX Runtime 1.29+ queues telemetry (SessionCreation events with OS and model details) under
 * $XDG_CACHE_HOME or ~/.cache/Microsoft/DeveloperTools/.onnxruntime, unless it sees a CI
 * variable or ORT_DISABLE_TELEMETRY. Each process here runs with its own HOME and without those
 * variables (as on a laptop, a self-hosted runner or in a container), creates sessions, and
 * must leave that HOME empty of it.
 */
const run = promisify(execFile);
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
let ws: string;

/** The environment of a machine that is not CI, with `home` as HOME. */
function plainEnv(home: string): Record<string, string> {
  return { HOME: home, XDG_CACHE_HOME: '', CI: '', GITHUB_ACTIONS: '', ORT_DISABLE_TELEMETRY: '' };
}

function filesUnder(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}

function expectNoTelemetry(home: string): void {
  expect(fs.existsSync(path.join(home, '.cache/Microsoft')), `telemetry written: ${filesUnder(path.join(home, '.cache/Microsoft')).join(', ')}`).toBe(false);
}

beforeAll(() => {
  ws = tempDir('mlops-telemetry-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
});
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('ONNX Runtime telemetry is off wherever the suite creates a session', () => {
  it('train and evaluate-gate, run the way the runner runs them', async () => {
    const home = tempDir('mlops-home-');
    const train = await runAction(
      'train',
      { command: 'node train.mjs', 'working-directory': 'weather', params: 'params.json', data: 'data/seattle-weather.csv', code: '*.mjs', model: 'model.onnx', metrics: 'metrics.json', seed: '1', 'timeout-minutes': '5', cache: 'false', publish: '', tags: '', name: 'weather', 'github-token': '' },
      { workspace: ws, env: plainEnv(home) },
    );
    expect(train.exitCode, train.stdout).toBe(0);
    expectNoTelemetry(home);
    const gate = await runAction(
      'evaluate-gate',
      { model: 'weather/model.onnx', baseline: '', store: '', data: 'weather/data/seattle-weather.csv', label: 'weather', task: 'auto', metrics: '', gates: '', 'first-model': 'pass', slices: '', confidence: '0.95', resamples: '50', seed: '1', 'batch-size': '256', comment: 'never', 'github-token': '', promote: 'false', 'report-dir': '.mlops/gate' },
      { workspace: ws, env: plainEnv(home) },
    );
    expect(gate.exitCode, gate.stdout).toBe(0);
    expectNoTelemetry(home);
  });

  it('the CLI', async () => {
    const home = tempDir('mlops-home-');
    // The native engines from the test run's tool cache, not fetched again into this HOME.
    const env = { ...process.env, ...plainEnv(home), MLOPS_NATIVE_CACHE: path.join(TOOL_CACHE, 'mlops-native') };
    await run(NODE24, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), 'evaluate-gate', '--model', 'weather/model.onnx', '--data', 'weather/data/seattle-weather.csv', '--label', 'weather', '--resamples', '50'], { cwd: ws, env });
    expectNoTelemetry(home);
  });

  it("the example's check-model.mjs", async () => {
    const home = tempDir('mlops-home-');
    await run(process.execPath, [path.join(REPO_ROOT, 'examples/weather/check-model.mjs'), path.join(ws, 'weather/model.onnx')], { cwd: REPO_ROOT, env: { ...process.env, ...plainEnv(home) } });
    expectNoTelemetry(home);
  });

  it('the model server process', async () => {
    const home = tempDir('mlops-home-');
    const server = await launchModelServer(await bundleModelServer(), { ...plainEnv(home), MODEL_PATH: path.join(ws, 'weather/model.onnx') });
    try {
      const res = await fetch(`${server.url}/predict`, { method: 'POST', body: JSON.stringify({ rows: [{ precipitation: 1, temp_max: 10, temp_min: 2, wind: 3 }] }) });
      expect(res.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expectNoTelemetry(home);
  });
});
