import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { UserError } from '../../runtime/errors.js';
import { writeStreamHashed } from '../../runtime/files.js';
import { gzipBlocks } from './gzip.js';

/** What an entry holds: a file streamed from disk, bytes, a symlink target, or a directory. */
export type TarSource = { file: string } | { bytes: Buffer | string } | { symlink: string } | { directory: true };

export interface TarEntry {
  /** Path inside the image (`/app/model.onnx` and `app/model.onnx` are the same). */
  path: string;
  source: TarSource;
  /**
   * Permission bits. Default: directories 0755; files 0755 if their source file has an execute
   * bit, else 0644; bytes 0644; symlinks 0777.
   */
  mode?: number;
}

export interface TarOptions {
  /** Every entry's mtime (seconds since the epoch): SOURCE_DATE_EPOCH, never "now". */
  sourceDateEpoch: number;
  /** gzip with fixed settings (gzip.ts: level GZIP_LEVEL in GZIP_BLOCK blocks, no name, mtime 0, OS 255). */
  gzip?: boolean;
}

export interface TarResult {
  file: string;
  /** sha256 of the uncompressed tar: the layer's diff_id. */
  diffId: string;
  /** sha256 of the bytes written (== diffId without gzip). */
  digest: string;
  /** Bytes written. */
  size: number;
  uncompressedSize: number;
  gzip: boolean;
  /** Entry names in archive order (directories end with `/`). */
  names: string[];
}

const BLOCK = 512;
const MAX_OCTAL_11 = 0o77777777777;

type Planned =
  | { name: string; type: 'dir'; mode: number }
  | { name: string; type: 'symlink'; mode: number; target: string }
  | { name: string; type: 'file'; mode: number; size: number; bytes: Buffer }
  | { name: string; type: 'file'; mode: number; size: number; file: string };

/** `/a/./b/` -> `a/b`; refuses `..`, empty paths and the root itself. */
export function normalizeEntryPath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0 || parts.includes('..') || p.includes('\0')) {
    throw new UserError(`\`${p}\` is not a usable path inside an image.`, { fix: 'Use a path such as /app/model.onnx: no `..`, not the root itself.' });
  }
  return parts.join('/');
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Entries normalised, parents added, conflicts refused, sorted by path (bytewise). */
function plan(entries: TarEntry[]): Planned[] {
  const byPath = new Map<string, Planned>();
  for (const entry of entries) {
    const name = normalizeEntryPath(entry.path);
    if (byPath.has(name)) {
      throw new UserError(`\`${entry.path}\` is listed twice in one layer.`, { fix: 'Give each path inside the image once.' });
    }
    const s = entry.source;
    let planned: Planned;
    if ('directory' in s) {
      planned = { name, type: 'dir', mode: entry.mode ?? 0o755 };
    } else if ('symlink' in s) {
      if (!s.symlink || s.symlink.includes('\0')) throw new UserError(`The symlink \`${entry.path}\` has no usable target.`);
      planned = { name, type: 'symlink', mode: entry.mode ?? 0o777, target: s.symlink };
    } else if ('bytes' in s) {
      const bytes = typeof s.bytes === 'string' ? Buffer.from(s.bytes) : s.bytes;
      planned = { name, type: 'file', mode: entry.mode ?? 0o644, size: bytes.length, bytes };
    } else {
      let st: fs.Stats;
      try {
        st = fs.statSync(s.file);
      } catch {
        throw new UserError(`Cannot read ${s.file} to put it in the image at ${entry.path}.`, { where: { file: s.file }, fix: 'Check that the file exists and is readable.' });
      }
      if (!st.isFile()) throw new UserError(`${s.file} is not a regular file (for ${entry.path}).`, { where: { file: s.file }, fix: 'List files one by one; directories are created from the paths.' });
      planned = { name, type: 'file', mode: entry.mode ?? (st.mode & 0o111 ? 0o755 : 0o644), size: st.size, file: s.file };
    }
    if (planned.mode < 0 || planned.mode > 0o7777 || !Number.isInteger(planned.mode)) throw new UserError(`The mode ${planned.mode} of \`${entry.path}\` is not a permission mode.`);
    byPath.set(name, planned);
  }
  // Parents, explicitly: a tar without them gets them from the extractor, with its umask and time.
  for (const name of [...byPath.keys()]) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const existing = byPath.get(parent);
      if (existing && existing.type !== 'dir') {
        throw new UserError(`\`${parent}\` is both a file and the directory of \`${name}\` in one layer.`, { fix: 'Rename one of them.' });
      }
      if (!existing) byPath.set(parent, { name: parent, type: 'dir', mode: 0o755 });
    }
  }
  return [...byPath.values()].sort((a, b) => compareBytes(a.name, b.name));
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A PAX record `"<len> <key>=<value>\n"`, where len counts itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = Buffer.from(` ${key}=${value}\n`);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function ustarHeader(h: { name: string; mode: number; size: number; mtime: number; type: string; linkname?: string }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100);
  b.write(octal(h.mode, 8), 100);
  b.write(octal(0, 8), 108); // uid
  b.write(octal(0, 8), 116); // gid
  b.write(octal(h.size, 12), 124);
  b.write(octal(h.mtime, 12), 136);
  b.write('        ', 148); // checksum counted as spaces
  b.write(h.type, 156);
  if (h.linkname) b.write(h.linkname, 157, 100);
  b.write('ustar\0', 257);
  b.write('00', 263);
  // uname, gname (265, 297): empty
  b.write(octal(0, 8), 329);
  b.write(octal(0, 8), 337);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(octal(sum, 7) + ' ', 148);
  return b;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** An ASCII stand-in of at most `max` bytes for a name that only a PAX header can carry. */
function truncated(name: string, max: number): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length <= max ? ascii : ascii.slice(ascii.length - max);
}

/** The header blocks of one entry: a PAX header first when a name, target or size needs it. */
function headerBlocks(e: Planned, mtime: number): Buffer[] {
  const name = e.type === 'dir' ? `${e.name}/` : e.name;
  const size = e.type === 'file' ? e.size : 0;
  const linkname = e.type === 'symlink' ? e.target : '';
  const pax: Buffer[] = [];
  if (Buffer.byteLength(name) > 100) pax.push(paxRecord('path', name));
  if (Buffer.byteLength(linkname) > 100) pax.push(paxRecord('linkpath', linkname));
  if (size > MAX_OCTAL_11) pax.push(paxRecord('size', String(size)));
  const type = e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0';
  const main = ustarHeader({ name: truncated(name, 100), mode: e.mode, size: size > MAX_OCTAL_11 ? 0 : size, mtime, type, linkname: truncated(linkname, 100) });
  if (pax.length === 0) return [main];
  const body = Buffer.concat(pax);
  const paxHeader = ustarHeader({ name: truncated(`PaxHeaders.0/${path.posix.basename(e.name)}`, 100), mode: 0o644, size: body.length, mtime, type: 'x' });
  return [paxHeader, body, padding(body.length), main];
}

/** The uncompressed archive, chunk by chunk; files are read from disk as they are reached. */
async function* archive(entries: Planned[], mtime: number): AsyncGenerator<Buffer> {
  for (const e of entries) {
    yield Buffer.concat(headerBlocks(e, mtime));
    if (e.type !== 'file') continue;
    if ('bytes' in e) {
      yield e.bytes;
    } else if (e.size > 0) {
      let read = 0;
      for await (const chunk of fs.createReadStream(e.file, { start: 0, end: e.size - 1, highWaterMark: 1 << 20 })) {
        read += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      const now = fs.statSync(e.file).size;
      if (read !== e.size || now !== e.size) {
        throw new UserError(`${e.file} changed while it was being packed (${e.size} bytes, then ${now}).`, { where: { file: e.file }, fix: 'Do not modify files while the image is being built; re-run the step.' });
      }
    }
    yield padding(e.size);
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** Hash (sha256) and count the bytes passing through. */
function sha256Tap(state: { hash: crypto.Hash; size: number }) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      state.hash.update(chunk);
      state.size += chunk.length;
      yield chunk;
    }
  };
}

/**
 * Write a deterministic tar to `out` (atomically: a temp file beside it, then a rename):
 * entries sorted by path with their parent directories, uid/gid 0, no user or group names,
 * fixed modes, mtime = sourceDateEpoch, ustar headers (PAX only for names, targets or sizes
 * ustar cannot hold). Files are streamed; the diff_id (and the gzip digest) are computed on the way.
 */
export async function writeTar(entries: TarEntry[], out: string, opts: TarOptions): Promise<TarResult> {
  const mtime = opts.sourceDateEpoch;
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > MAX_OCTAL_11) {
    throw new UserError(`SOURCE_DATE_EPOCH \`${mtime}\` is not a usable time.`, { fix: 'Give whole seconds since 1970, e.g. the commit time (`git log -1 --format=%ct`).' });
  }
  const planned = plan(entries);
  const gzip = opts.gzip ?? false;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${crypto.randomUUID()}.part`;
  const raw = { hash: crypto.createHash('sha256'), size: 0 };
  let written: { hash: string; size: number };
  try {
    const tar = archive(planned, mtime);
    // Uncompressed, the blob is the tar: one hash is both the diff_id and the digest.
    written = await writeStreamHashed(Readable.from(gzip ? gzipBlocks()(sha256Tap(raw)(tar)) : tar), tmp);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const digest = `sha256:${written.hash}`;
  return {
    file: out,
    diffId: gzip ? `sha256:${raw.hash.digest('hex')}` : digest,
    digest,
    size: written.size,
    uncompressedSize: gzip ? raw.size : written.size,
    gzip,
    names: planned.map((e) => (e.type === 'dir' ? `${e.name}/` : e.name)),
  };
}
