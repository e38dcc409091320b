import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../shared/oci/image/tar.js';
import { layerDigests, layerMismatches } from '../../shared/oci/image/verify.js';
import { OciLayout } from '../../shared/oci/layout.js';
import { isUserError } from '../../shared/runtime/errors.js';
import { tempDir } from '../harness/temp.js';

const dir = tempDir('image-verify-');
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

describe('OciLayout.readBlob: the bytes its descriptor names, or a user error naming the blob and the layout', () => {
  const layout = new OciLayout(path.join(dir, 'layout'));
  layout.init();
  const desc = layout.putBytes('application/vnd.oci.image.config.v1+json', Buffer.from('{"os":"linux"}'));
  const error = (f: () => unknown): Error => {
    try {
      f();
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      return e as Error;
    }
    throw new Error('no error');
  };

  it('reads a blob that matches; names a wrong size, a wrong digest, a missing blob', () => {
    expect(layout.readBlob(desc, 'config').toString()).toBe('{"os":"linux"}');
    expect(error(() => layout.readBlob({ ...desc, size: desc.size + 1 }, 'config')).message).toBe(
      `The blob ${desc.digest} (config) in the OCI layout ${layout.dir} does not match its descriptor: ${desc.size} bytes, the descriptor says ${desc.size + 1}.`,
    );
    fs.writeFileSync(layout.blobPath(desc.digest), '{"os":"LINUX"}');
    expect(error(() => layout.readBlob(desc, 'config')).message).toMatch(/does not match its descriptor: its sha256 is sha256:[0-9a-f]{64}\.$/);
    fs.rmSync(layout.blobPath(desc.digest));
    expect(error(() => layout.readBlob(desc, 'config')).message).toBe(`The OCI layout ${layout.dir} lacks the blob ${desc.digest} (config).`);
  });
});
