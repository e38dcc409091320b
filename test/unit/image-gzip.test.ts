import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GZIP_BLOCK, GZIP_HEADER, GZIP_LEVEL, gzipBlocks } from '../../shared/oci/image/gzip.js';
import { tempDir } from '../harness/temp.js';

let tmp: string;
beforeAll(() => {
  tmp = tempDir('image-gzip-');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Compressible but not trivial bytes: words from a small vocabulary, seeded. */
function text(bytes: number, seed = 7): Buffer {
  const words = ['model', 'layer', 'onnx', 'runtime', 'weights', 'tensor', 'float32', 'digest', '\n'];
  const out = Buffer.alloc(bytes);
  let s = seed;
  for (let at = 0; at < bytes; ) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    at += out.write(`${words[s % words.length]} `, at);
  }
  return out;
}

async function gzip(input: Buffer, opts: { parallel?: number; piece?: number } = {}): Promise<Buffer> {
  const piece = opts.piece ?? input.length;
  async function* pieces() {
    for (let at = 0; at < input.length; at += piece) yield input.subarray(at, at + piece);
  }
  const out: Buffer[] = [];
  for await (const chunk of gzipBlocks(opts.parallel)(pieces())) out.push(chunk);
  return Buffer.concat(out);
}

describe('gzipBlocks', () => {
  it('gives one gzip stream that gunzip and gzip -t read, over many blocks', async () => {
    const input = text(3 * GZIP_BLOCK + 12_345);
    const gz = await gzip(input, { parallel: 2 });
    expect([...gz.subarray(0, 10)]).toEqual([...GZIP_HEADER]);
    expect(zlib.gunzipSync(gz).equals(input)).toBe(true); // checks CRC-32 and ISIZE too
    const file = path.join(tmp, 'blocks.gz');
    fs.writeFileSync(file, gz);
    execFileSync('gzip', ['-t', file]);
    // The dictionary carries the window across blocks: as small as one stream, within a fraction.
    expect(gz.length).toBeLessThan(zlib.gzipSync(input, { level: GZIP_LEVEL }).length * 1.01);
  });

  it('gives the same bytes whatever the thread count and however the input arrives', async () => {
    const input = text(2 * GZIP_BLOCK + 777, 11);
    const one = await gzip(input, { parallel: 1 });
    for (const opts of [{ parallel: 4 }, { parallel: 3, piece: 7_001 }, { parallel: 2, piece: GZIP_BLOCK }, { parallel: 2, piece: GZIP_BLOCK + 1 }]) {
      expect((await gzip(input, opts)).equals(one)).toBe(true);
    }
  });

  it('gives what one deflate gives for an input of one block, and a valid stream for none', async () => {
    const input = text(GZIP_BLOCK);
    const single = zlib.deflateRawSync(input, { level: GZIP_LEVEL, memLevel: 8, windowBits: 15 });
    expect((await gzip(input)).subarray(10, -8).equals(single)).toBe(true);
    expect(zlib.gunzipSync(await gzip(Buffer.alloc(0))).length).toBe(0);
  });
});
