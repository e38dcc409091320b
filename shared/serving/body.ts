import type http from 'node:http';
import type { Transform } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { HttpError } from './protocol.js';

/** Replies smaller than this go uncompressed: gzip's framing would eat what it saves. */
export const MIN_COMPRESSED_BYTES = 1024;

export type Coding = 'gzip' | 'deflate';

export function tooLarge(limit: number, after = ''): string {
  return `request body larger than ${limit} bytes${after} (MAX_BODY_BYTES)`;
}

/**
 * The request body, decompressed as its Content-Encoding says (gzip, or deflate: zlib format as
 * HTTP defines it). Refused with 413 as soon as the bytes received or the bytes decompressed pass
 * `limit` (checked against Content-Length first, then while streaming, so a small body that
 * inflates to gigabytes stops at the limit). The rest of an oversized body is read and discarded
 * up to a bound, so the client gets to read the 413, then the connection is cut.
 */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // One state object and anonymous listeners: no named closures per request (a bundle that keeps
    // names pays a defineProperty for each).
    const r: Reading = { req, limit, resolve, reject, settled: false, decoder: null, chunks: [], received: 0, size: 0 };
    if (Number(req.headers['content-length']) > limit) return fail(r, new HttpError(413, tooLarge(limit)));
    let coding: Coding | null;
    try {
      coding = requestCoding(req.headers['content-encoding']);
    } catch (e) {
      return fail(r, e as HttpError);
    }
    req.on('error', (e) => fail(r, new HttpError(400, `reading the body failed: ${e.message}`)));
    // A client that goes away mid-body: settle, so the request is not counted in flight forever.
    req.on('close', () => !req.complete && fail(r, new HttpError(400, 'the client closed the connection before the body ended')));
    if (coding === null) {
      req.on('data', (chunk: Buffer) => {
        if (r.settled) return;
        r.received += chunk.length;
        if (r.received > limit) return fail(r, new HttpError(413, tooLarge(limit)));
        r.chunks.push(chunk);
      });
      req.on('end', () => done(r));
      return;
    }
    const decoder = (r.decoder = coding === 'gzip' ? zlib.createGunzip() : zlib.createInflate());
    req.on('data', (chunk: Buffer) => {
      r.received += chunk.length;
      if (r.received > limit) fail(r, new HttpError(413, tooLarge(limit)));
    });
    decoder.on('data', (chunk: Buffer) => {
      if (r.settled) return;
      r.size += chunk.length;
      if (r.size > limit) return fail(r, new HttpError(413, tooLarge(limit, ' once decompressed')));
      r.chunks.push(chunk);
    });
    decoder.on('end', () => done(r));
    decoder.on('error', (e) => fail(r, new HttpError(400, `the body is not valid ${coding} data (Content-Encoding: ${coding}): ${e.message}`)));
    req.pipe(decoder);
  });
}

/** A body being read: bytes received, bytes decoded, and how the read settles. */
interface Reading {
  req: http.IncomingMessage;
  limit: number;
  resolve(body: Buffer): void;
  reject(e: HttpError): void;
  settled: boolean;
  decoder: Transform | null;
  chunks: Buffer[];
  received: number;
  size: number;
}

function done(r: Reading): void {
  if (r.settled) return;
  r.settled = true;
  r.resolve(r.chunks.length === 1 ? r.chunks[0]! : Buffer.concat(r.chunks));
}

/** Refuse the body: stop decoding, drain the rest (bounded) so the client reads the error. */
function fail(r: Reading, e: HttpError): void {
  if (r.settled) return;
  r.settled = true;
  r.req.unpipe();
  r.decoder?.destroy();
  discard(r.req, Math.max(2 * r.limit, 16 * 1024 * 1024));
  r.reject(e);
}

/** The request's Content-Encoding; 415 for one the server cannot decode. */
function requestCoding(header: string | undefined): Coding | null {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return null;
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  throw new HttpError(415, `Content-Encoding "${header}" is not supported; send gzip, deflate or an uncompressed body`);
}

function discard(req: http.IncomingMessage, cap: number): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > cap) req.socket.destroy();
  });
  req.resume();
}

/** The coding to reply with, from Accept-Encoding (q-values honoured, gzip preferred on a tie). */
export function replyCoding(header: string | undefined): Coding | null {
  if (!header) return null;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(token, Number.isFinite(value) ? value : 0);
  }
  const weight = (c: Coding) => q.get(c) ?? (c === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
  const best = (['gzip', 'deflate'] as const).reduce<Coding | null>((b, c) => (weight(c) > 0 && (b === null || weight(c) > weight(b)) ? c : b), null);
  return best;
}

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

/** Compress a reply body (off the event loop, in libuv's thread pool). */
export function compress(body: Buffer, coding: Coding): Promise<Buffer> {
  return coding === 'gzip' ? gzip(body) : deflate(body);
}
