import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { pushNodeBase } from '../harness/base-image.js';
import { podman, runContainer, stopContainer } from '../harness/podman.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { NODE24, REPO_ROOT, runAction } from '../harness/runner.js';
import { freePort } from '../harness/server.js';
import { tritonClient } from '../harness/serving.js';
import { tempDir } from '../harness/temp.js';

/**
 * The image build-image makes, run under podman, served to Triton's own client in its default
 * binary mode and in JSON mode, with and without compression: every prediction equal bit for bit
 * to Python onnxruntime's on the model file that went into the image.
 */
const dirs: string[] = [];
let registry: RunningRegistry;
let base: string;

beforeAll(async () => {
  registry = await startRegistry({ auth: 'none' });
  const baseDir = tempDir('serving-image-base-');
  dirs.push(baseDir);
  const pushed = await pushNodeBase(new RegistryClient({ registry: registry.host }), baseDir, NODE24);
  base = `${registry.host}/${pushed.repository}@${pushed.digest}`;
}, 300_000);
afterAll(async () => {
  await registry.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the built image answers tritonclient.http', () => {
  it('scikit-learn model (ZipMap): binary and JSON, gzip, deflate and none, equal to onnxruntime', async () => {
    const ws = tempDir('serving-image-');
    dirs.push(ws);
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
    const env = { PATH: `${path.join(REPO_ROOT, '.tools/venv/bin')}:${process.env.PATH}`, SOURCE_DATE_EPOCH: '1700000000' };
    const trained = await runAction(
      'train',
      { command: 'python train.py', 'working-directory': 'weather', params: 'params.json', data: 'data/seattle-weather.csv', code: '*.py', model: 'model.onnx', metrics: 'metrics.json', seed: '1', 'timeout-minutes': '10', cache: 'false', publish: '', tags: '', name: 'weather', 'github-token': '' },
      { workspace: ws, env },
    );
    expect(trained.exitCode, trained.stdout).toBe(0);
    const image = `${registry.host}/models/weather-triton`;
    const built = await runAction(
      'build-image',
      {
        model: 'weather/model.onnx',
        image,
        tags: 'triton',
        'base-image': base,
        builder: 'oci',
        dockerfile: '',
        push: 'true',
        registry: '',
        username: '',
        password: '',
        platforms: 'linux/amd64',
        labels: '',
        annotations: '',
        output: '',
        'source-date-epoch': '1700000000',
        'attach-model': 'false',
      },
      { workspace: ws },
    );
    expect(built.exitCode, built.stdout).toBe(0);
    podman('pull', '--quiet', '--tls-verify=false', `${image}:triton`);
    const port = await freePort();
    const id = runContainer(`${image}:triton`, { PORT: String(port), HOST: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      while (!(await fetch(`${url}/v2/health/ready`).then((r) => r.ok).catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`not ready: ${stopContainer(id).logs}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const report = await tritonClient(url, 'weather', path.join(ws, 'weather/model.onnx'));
      expect(report.extensions).toContain('binary_tensor_data');
      expect(report.runs).toHaveLength(2 * 3 * 4);
      expect(report.runs.at(-1)!.rows).toBe(1461);
    } finally {
      expect(stopContainer(id).exitCode).toBe(0);
      podman('rmi', '-f', `${image}:triton`);
    }
  });
});
