import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelManifest } from '../../shared/model/manifest.js';
import { tempDir } from './temp.js';

/** A model file with the given bytes and a valid manifest for it (stores move bytes; they do not run models). */
export function fakeModel(content: string | Buffer, name = 'weather'): { file: string; manifest: ModelManifest } {
  const dir = tempDir('model-');
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, content);
  const bytes = fs.readFileSync(file);
  const digest = `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
  return { file, manifest: manifestFor(digest, bytes.length, name) };
}

/** A valid manifest for a model file of this digest and size (no need to read the file). */
export function manifestFor(digest: string, size: number, name = 'weather', producer = 'test'): ModelManifest {
  return {
    schemaVersion: 1,
    kind: 'mlops/model-manifest',
    name,
    version: null,
    model: { file: 'model.onnx', digest, size, format: 'onnx', irVersion: 8, opset: [{ domain: 'ai.onnx', version: 17 }], producer },
    signature: { inputs: [{ name: 'x', type: 'float32', shape: ['N', 1] }], outputs: [{ name: 'y', type: 'float32', shape: ['N'] }] },
    metrics: { accuracy: 0.9 },
    params: { lr: 0.1 },
    data: { digest: null, files: [] },
    code: { digest: 'sha256:' + '0'.repeat(64), patterns: [], files: 0 },
    git: { repository: 'acme/models', sha: 'a'.repeat(40), ref: 'refs/heads/main' },
    training: { command: 'train', workingDirectory: '.', seed: 1, durationSeconds: 1, cacheKey: `key-${digest.slice(7, 19)}`, tools: { node: '24' } },
    created: '2026-01-01T00:00:00.000Z',
  };
}
