import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../shared/oci/image/tar.js';
import { layerDigests, layerMismatches } from '../../shared/oci/image/verify.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-verify-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const entries = [{ path: '/models/model.onnx', source: { bytes: Buffer.alloc(100_000, 7) } }];

describe('layerDigests: a layer blob read once', () => {
  it.each([false, true])('gzip %s: the digest, size and diff_id writeTar computed while writing', async (gzip) => {
    const tar = await writeTar(entries, path.join(dir, `layer-${gzip}`), { sourceDateEpoch: 1, gzip });
    expect(await layerDigests(tar.file)).toEqual({ digest: tar.digest, size: tar.size, diffId: tar.diffId });
    expect(await layerMismatches(tar.file, tar, tar.diffId)).toEqual([]);
  });

  const zstd = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
  it.runIf(zstd)('zstd, found by its magic bytes whatever the media type says', async () => {
    const tar = await writeTar(entries, path.join(dir, 'plain.tar'), { sourceDateEpoch: 1 });
    fs.writeFileSync(path.join(dir, 'layer.zst'), zstd!(fs.readFileSync(tar.file)));
    expect((await layerDigests(path.join(dir, 'layer.zst'))).diffId).toBe(tar.diffId);
  });

  it('names each mismatch: size, digest, diff_id, bytes that do not decompress', async () => {
    const tar = await writeTar(entries, path.join(dir, 'layer.tar.gz'), { sourceDateEpoch: 1, gzip: true });
    const other = `sha256:${'0'.repeat(64)}`;
    expect(await layerMismatches(tar.file, { digest: tar.digest, size: tar.size + 1 }, other)).toEqual([
      `it has ${tar.size} bytes, the manifest says ${tar.size + 1}`,
      `its uncompressed content is ${tar.diffId}, not the diff_id ${other} the config lists`,
    ]);
    const cut = path.join(dir, 'cut.tar.gz');
    fs.writeFileSync(cut, fs.readFileSync(tar.file).subarray(0, 200));
    const problems = await layerMismatches(cut, tar, tar.diffId);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^its bytes cannot be decompressed \(/);
  });
});
