import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { unwrapZipMap } from '../../shared/model/zipmap.js';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

describe('unwrapZipMap (skl2onnx classifiers)', () => {
  let model: Buffer;
  beforeAll(() => {
    const out = tempDir('zipmap-');
    execFileSync(path.join(REPO_ROOT, '.tools/venv/bin/python'), ['train.py'], {
      cwd: path.join(REPO_ROOT, 'examples/weather'),
      env: { ...process.env, MLOPS_PARAMS: 'params.json', MLOPS_SEED: '1', MLOPS_OUTPUT_DIR: out },
    });
    model = fs.readFileSync(path.join(out, 'model.onnx'));
  });

  it('exposes the probability tensor so ONNX Runtime for Node can return it, with the class order', async () => {
    const plain = await ort.InferenceSession.create(model);
    const feeds = Object.fromEntries(['precipitation', 'temp_max', 'temp_min', 'wind'].map((n, i) => [n, new ort.Tensor('float32', Float32Array.from([0, 5, 10, 20].map((v) => v + i)), [4, 1])]));
    await expect(plain.run(feeds)).rejects.toThrow(/Non tensor type/);

    const { model: amended, zipmaps } = unwrapZipMap(model);
    expect(zipmaps).toEqual([{ output: 'probabilities', tensor: 'probabilities_raw', classes: ['drizzle', 'fog', 'rain', 'snow', 'sun'] }]);
    const session = await ort.InferenceSession.create(amended);
    expect(session.outputNames).toContain('probabilities_raw');
    const out = await session.run(feeds, ['label', 'probabilities_raw']);
    const proba = out.probabilities_raw!;
    expect(proba.dims).toEqual([4, 5]);
    const p = proba.data as Float32Array;
    const labels = out.label!.data as string[];
    for (let r = 0; r < 4; r++) {
      const row = Array.from(p.subarray(r * 5, r * 5 + 5));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      expect(labels[r]).toBe(zipmaps[0]!.classes[row.indexOf(Math.max(...row))]);
    }
  });

  it('leaves a model without ZipMap byte for byte unchanged', () => {
    const plain = Buffer.from([0x08, 0x08]); // ir_version 8 only
    expect(unwrapZipMap(plain).model).toBe(plain);
  });
});
