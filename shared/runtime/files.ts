import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Write a whole file or nothing: a temp file beside it, then an atomic rename. */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Path relative to the workspace, `/`-separated, for reports and annotations. */
export function displayPath(workspace: string, absolute: string): string {
  const rel = path.relative(workspace, absolute);
  return (rel.startsWith('..') ? absolute : rel).split(path.sep).join('/');
}

/** sha256 (hex) of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Stream bytes into `file`, hashing them on the way (never held in memory). Returns the hash
 * (`encoding`: hex or base64) and the byte count; the caller decides whether to keep the file.
 */
export async function writeStreamHashed(
  source: Readable | ReadableStream<Uint8Array>,
  file: string,
  algorithm = 'sha256',
  encoding: 'hex' | 'base64' = 'hex',
): Promise<{ hash: string; size: number }> {
  const hash = crypto.createHash(algorithm);
  let size = 0;
  const input: Readable = source instanceof Readable ? source : Readable.fromWeb(source as import('node:stream/web').ReadableStream);
  await pipeline(
    input,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    fs.createWriteStream(file),
  );
  return { hash: hash.digest(encoding), size };
}
