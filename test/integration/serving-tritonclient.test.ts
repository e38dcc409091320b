import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/runner.js';
import { type RunningServer, bundleModelServer, launchModelServer, tritonClient } from '../harness/serving.js';
import { tempDir } from '../harness/temp.js';

/**
 * Triton's own client (tritonclient.http, pinned in test/harness/python/requirements.txt) in its
 * default binary mode and in JSON mode, with and without compression, against the server process;
 * every prediction equal bit for bit to Python onnxruntime's (one intra-op thread on both sides).
 */
const PYTHON = path.join(REPO_ROOT, '.tools/venv/bin/python');
const WEATHER = path.join(REPO_ROOT, 'examples/weather');
const dirs: string[] = [];
let bundle: string;

function train(kind: 'node' | 'python'): string {
  const out = tempDir(`serving-triton-${kind}-`);
  dirs.push(out);
  const [cmd, script] = kind === 'node' ? [process.execPath, 'train.mjs'] : [PYTHON, 'train.py'];
  execFileSync(cmd, [script], { cwd: WEATHER, env: { ...process.env, MLOPS_PARAMS: 'params.json', MLOPS_SEED: '1', MLOPS_OUTPUT_DIR: out }, stdio: 'pipe' });
  return path.join(out, 'model.onnx');
}

beforeAll(async () => {
  bundle = await bundleModelServer();
  dirs.push(path.dirname(bundle));
});
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('tritonclient.http against the model server process', () => {
  for (const kind of ['python', 'node'] as const) {
    it(`${kind === 'python' ? 'scikit-learn model with ZipMap' : 'Node-trained softmax model'}: binary and JSON, gzip, deflate and none`, async () => {
      const model = train(kind);
      let server: RunningServer | undefined;
      try {
        server = await launchModelServer(bundle, { MODEL_PATH: model, MODEL_NAME: 'weather' });
        const report = await tritonClient(server.url, 'weather', model);
        expect(report.extensions).toContain('binary_tensor_data');
        expect(report.onnxruntime).toBe('1.30.0');
        expect(report.runs).toHaveLength(2 * 3 * 4);
        expect(new Set(report.runs.map((r) => `${r.mode} ${r.compression}`)).size).toBe(6);
        expect(report.runs.at(-1)!.rows).toBe(1461);
      } finally {
        expect(await server?.stop()).toBe(0);
      }
    });
  }

  it('runs the tritonclient example of docs/serving.md', async () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/serving.md'), 'utf8');
    const example = doc.slice(doc.indexOf('With `tritonclient`')).match(/```python\n([\s\S]*?)```/)![1]!;
    const model = train('node');
    let server: RunningServer | undefined;
    try {
      server = await launchModelServer(bundle, { MODEL_PATH: model, MODEL_NAME: 'weather' });
      const script = example.replace('"127.0.0.1:8080"', JSON.stringify(server.url.replace('http://', '')));
      const { stdout } = await promisify(execFile)(PYTHON, ['-c', script]);
      expect(stdout).toMatch(/^\[b'(drizzle|fog|rain|snow|sun)' b'(drizzle|fog|rain|snow|sun)'\] \[\[/);
    } finally {
      expect(await server?.stop()).toBe(0);
    }
  });
});
