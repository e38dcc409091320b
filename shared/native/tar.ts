import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * Extract a gzipped tar (an npm package tarball) into `dest`, streaming. Only regular files and
 * directories are written; links, devices and any entry whose path is absolute or climbs out
 * of `dest` are refused (path traversal). `strip` leading path components are removed; only
 * entries whose remaining path passes `include` are written.
 */
export async function extractTarGz(archive: string, dest: string, strip = 1, include: (path: string) => boolean = () => true): Promise<string[]> {
  const root = path.resolve(dest);
  fs.mkdirSync(root, { recursive: true });
  const written: string[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let file: { fd: number; left: number; pad: number } | null = null;
  let skip = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  let meta: { kind: 'L' | 'x'; chunks: Buffer[]; left: number; pad: number } | null = null;
  let ended = false;

  const target = (name: string): string | null => {
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (name.startsWith('/') || parts.includes('..')) throw new Error(`refusing archive entry outside the destination: ${name}`);
    const kept = parts.slice(strip);
    if (kept.length === 0 || !include(kept.join('/'))) return null;
    const full = path.resolve(root, ...kept);
    if (!full.startsWith(root + path.sep)) throw new Error(`refusing archive entry outside the destination: ${name}`);
    return full;
  };

  const consume = (): void => {
    for (;;) {
      if (ended) return;
      if (skip > 0) {
        const n = Math.min(skip, buf.length);
        buf = buf.subarray(n);
        skip -= n;
        if (skip > 0) return;
      }
      if (file) {
        const n = Math.min(file.left, buf.length);
        if (n > 0) fs.writeSync(file.fd, buf, 0, n);
        buf = buf.subarray(n);
        file.left -= n;
        if (file.left > 0) return;
        fs.closeSync(file.fd);
        skip = file.pad;
        file = null;
        continue;
      }
      if (meta) {
        const n = Math.min(meta.left, buf.length);
        meta.chunks.push(Buffer.from(buf.subarray(0, n)));
        buf = buf.subarray(n);
        meta.left -= n;
        if (meta.left > 0) return;
        const text = Buffer.concat(meta.chunks).toString('utf8');
        if (meta.kind === 'L') longName = text.replace(/\0.*$/s, '');
        else paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text)?.[1] ?? paxPath;
        skip = meta.pad;
        meta = null;
        continue;
      }
      if (buf.length < 512) return;
      const header = buf.subarray(0, 512);
      buf = buf.subarray(512);
      if (header.every((b) => b === 0)) {
        ended = true;
        return;
      }
      const str = (off: number, len: number) => header.subarray(off, off + len).toString('utf8').replace(/\0.*$/s, '');
      const size = parseInt(str(124, 12).trim() || '0', 8);
      const pad = (512 - (size % 512)) % 512;
      const type = String.fromCharCode(header[156]!);
      const prefix = str(345, 155);
      const name = paxPath ?? longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
      if (type === 'L' || type === 'x') {
        meta = { kind: type, chunks: [], left: size, pad };
        continue;
      }
      if (type === 'g') {
        skip = size + pad;
        continue;
      }
      longName = null;
      paxPath = null;
      if (type === '0' || type === '\0' || type === '7') {
        const out = target(name);
        if (!out) {
          skip = size + pad;
          continue;
        }
        fs.mkdirSync(path.dirname(out), { recursive: true });
        const mode = parseInt(str(100, 8).trim() || '644', 8) & 0o755;
        file = { fd: fs.openSync(out, 'w', mode | 0o600), left: size, pad };
        written.push(out);
      } else if (type === '5') {
        const out = target(name);
        if (out) fs.mkdirSync(out, { recursive: true });
        skip = size + pad;
      } else {
        throw new Error(`refusing archive entry of type "${type}" (links and devices are not extracted): ${name}`);
      }
    }
  };

  await pipeline(
    fs.createReadStream(archive),
    zlib.createGunzip(),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        try {
          buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
          consume();
          cb();
        } catch (e) {
          cb(e as Error);
        }
      },
    }),
  );
  if (file) throw new Error('archive ended in the middle of a file');
  return written;
}
