import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError, type Where } from './errors.js';

/** Where a path came from, for the error: the input that named it, and how to show the path. */
export interface PathOrigin {
  input?: string;
  display?: string;
}

function originOf(file: string, origin: PathOrigin): { shown: string; where: Where } {
  return { shown: origin.display ?? file, where: origin.input ? { input: origin.input } : { file: origin.display ?? file } };
}

/**
 * A file-system error on a path the user named, as the user's mistake (a directory where a file
 * belongs, a file where a directory belongs, a missing or unreadable path); other errors as they are.
 */
export function fileError(e: unknown, file: string, origin: PathOrigin = {}, writing = false): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const { shown, where } = originOf(file, origin);
  const blocker = (e as NodeJS.ErrnoException).path && (e as NodeJS.ErrnoException).path !== file ? ` (${(e as NodeJS.ErrnoException).path})` : '';
  switch (code) {
    case 'EISDIR':
      return new UserError(`${shown} is a directory, not a file`, { where, fix: writing ? 'give the path of a file to write, e.g. inside that directory' : 'give the path of the file itself' });
    case 'ENOTDIR':
    case 'EEXIST':
      return new UserError(`cannot ${writing ? 'write' : 'read'} ${shown}: a part of the path${blocker} is a file, not a directory`, { where, fix: 'give a path whose folders are folders (move or rename the file in the way)' });
    case 'ENOENT':
      return new UserError(`${shown} not found`, { where, fix: 'check the path (relative paths start at the workspace)' });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new UserError(`cannot ${writing ? 'write' : 'read'} ${shown}: ${code === 'EROFS' ? 'read-only file system' : 'permission denied'}`, { where, fix: `give a path this job may ${writing ? 'write' : 'read'}` });
    default:
      return e;
  }
}

/** Read a file the user named; a missing path or a directory is a UserError naming `origin`. */
export function readUserFile(file: string, origin: PathOrigin = {}): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw fileError(e, file, origin);
  }
}

/** readUserFile as UTF-8 text. */
export function readUserText(file: string, origin: PathOrigin = {}): string {
  return readUserFile(file, origin).toString('utf8');
}

/** Check that a path the user named is a regular file (not a directory), without reading it. */
export function requireUserFile(file: string, origin: PathOrigin = {}): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw fileError(e, file, origin);
  }
  if (stat.isDirectory()) throw fileError(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), file, origin);
}

/**
 * Write a whole file or nothing: a temp file beside it, then an atomic rename. A directory in
 * the way (or a file where a folder belongs) is a UserError naming `origin`.
 */
export function writeFileAtomic(file: string, content: string | Buffer, origin: PathOrigin = {}): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (e) {
    throw fileError(e, file, origin, true);
  } finally {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // no temp file could be made there (a file where a folder belongs): nothing to remove
    }
  }
}

/** Path relative to the workspace, `/`-separated, for reports and annotations. */
export function displayPath(workspace: string, absolute: string): string {
  const rel = path.relative(workspace, absolute);
  return (rel.startsWith('..') ? absolute : rel).split(path.sep).join('/');
}

/** sha256 (hex) of a file, streamed; a directory or a missing file is a UserError naming `origin`. */
export async function sha256File(file: string, origin: PathOrigin = {}): Promise<string> {
  const hash = crypto.createHash('sha256');
  try {
    for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  } catch (e) {
    // Without an origin the path is ours (a blob, a cache entry): only a directory is surely the user's.
    throw origin.input || origin.display || (e as NodeJS.ErrnoException).code === 'EISDIR' ? fileError(e, file, origin) : e;
  }
  return hash.digest('hex');
}

export interface WriteHashedOptions {
  algorithm?: string;
  encoding?: 'hex' | 'base64';
  /** More bytes than this fail the write with `tooLarge()` as soon as they arrive. */
  maxBytes?: number;
  tooLarge?: () => Error;
}

/**
 * Stream bytes into `file`, hashing them on the way (never held in memory). Returns the hash
 * (`encoding`: hex or base64) and the byte count; the caller decides whether to keep the file.
 * Each chunk is hashed and written (synchronously: into the page cache) as it arrives, so it is
 * garbage at once: with fs.WriteStream a 1 GiB download kept its chunks alive across
 * collections and spent half a CPU-second in full GCs.
 */
export async function writeStreamHashed(source: Readable | ReadableStream<Uint8Array>, file: string, opts: WriteHashedOptions = {}): Promise<{ hash: string; size: number }> {
  const hash = crypto.createHash(opts.algorithm ?? 'sha256');
  let size = 0;
  const input: Readable = source instanceof Readable ? source : Readable.fromWeb(source as import('node:stream/web').ReadableStream);
  const fd = fs.openSync(file, 'w');
  try {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) return done(opts.tooLarge?.() ?? new Error(`more than ${opts.maxBytes} bytes`));
        hash.update(chunk);
        try {
          for (let at = 0; at < chunk.length; ) at += fs.writeSync(fd, chunk, at);
        } catch (e) {
          return done(e as Error);
        }
        done();
      },
    });
    await pipeline(input, sink);
  } finally {
    fs.closeSync(fd);
  }
  return { hash: hash.digest(opts.encoding ?? 'hex'), size };
}
