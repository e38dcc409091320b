import crypto from 'node:crypto';
import fs from 'node:fs';
import { type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { LooseDescriptor } from './manifest.js';

/** What a layer blob's bytes are: their sha256 and size, and the sha256 of the tar inside. */
export interface LayerDigests {
  digest: string;
  size: number;
  /** sha256 of the uncompressed tar: what the config's `rootfs.diff_ids` must list. */
  diffId: string;
}

type Compression = 'gzip' | 'zstd' | 'none';

/** By the bytes, as go-containerregistry does: media types of layers do not always tell the truth. */
function compressionOf(file: string): Compression {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    const n = fs.readSync(fd, head, 0, 4, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (n === 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    fs.closeSync(fd);
  }
}

function hashing(state: { hash: crypto.Hash; size: number }) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      state.hash.update(chunk);
      state.size += chunk.length;
      yield chunk;
    }
  };
}

function decompressor(c: Exclude<Compression, 'none'>): Transform {
  if (c === 'gzip') return zlib.createGunzip();
  const zstd = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (!zstd) throw new Error(`this Node (${process.version}) cannot decompress zstd layers`);
  return zstd();
}

/**
 * Read a layer blob once: its digest and size, and the digest of its uncompressed content (gzip
 * and zstd found by their magic bytes; anything else is taken as a plain tar). Throws when the
 * bytes cannot be decompressed.
 */
export async function layerDigests(file: string): Promise<LayerDigests> {
  const raw = { hash: crypto.createHash('sha256'), size: 0 };
  const c = compressionOf(file);
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  if (c === 'none') {
    await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), hashing(raw), sink);
    const digest = `sha256:${raw.hash.digest('hex')}`;
    return { digest, size: raw.size, diffId: digest };
  }
  const tar = { hash: crypto.createHash('sha256'), size: 0 };
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), hashing(raw), decompressor(c), hashing(tar), sink);
  return { digest: `sha256:${raw.hash.digest('hex')}`, size: raw.size, diffId: `sha256:${tar.hash.digest('hex')}` };
}

/**
 * What is wrong with a layer blob against the manifest's descriptor and the config's diff_id,
 * in words (empty when it matches): the check a registry download gets, plus the diff_id.
 */
export async function layerMismatches(file: string, desc: Pick<LooseDescriptor, 'digest' | 'size'>, diffId: string): Promise<string[]> {
  let got: LayerDigests;
  try {
    got = await layerDigests(file);
  } catch (e) {
    return [`its bytes cannot be decompressed (${(e as Error).message})`];
  }
  const problems: string[] = [];
  if (got.size !== desc.size) problems.push(`it has ${got.size} bytes, the manifest says ${desc.size}`);
  if (got.digest !== desc.digest) problems.push(`its sha256 is ${got.digest}`);
  if (got.diffId !== diffId) problems.push(`its uncompressed content is ${got.diffId}, not the diff_id ${diffId} the config lists`);
  return problems;
}
