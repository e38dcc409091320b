import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { UserError } from '../runtime/errors.js';
import { type AttemptFailure, isNetworkError, isRetryableStatus, parseRetryAfter, type RetryPolicy, withRetries } from './retry.js';

/** A request body; a file is a stream, which is why requests carry a factory, not a body. */
export type RequestBody = Buffer | Uint8Array | string | Readable;

export interface RegistryRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** Called once per attempt (and per redirect): a file stream must be opened anew each time. */
  body?: () => RequestBody;
  /** false: one attempt only, because the caller retries a larger operation (a blob upload). */
  retry?: boolean;
}

/**
 * One HTTP exchange. Layers wrap each other as in go-containerregistry: auth -> retry ->
 * redirect -> http. Every layer returns the response it got; turning a status into an error is
 * the client's job.
 */
export type Transport = (req: RegistryRequest) => Promise<Response>;

/** The attempts a retried request took, for error messages ("after 4 attempts"). */
const attemptCounts = new WeakMap<Response, number>();
export function attemptsOf(res: Response): number {
  return attemptCounts.get(res) ?? 1;
}

/**
 * A network error after the attempts ran out; `cause` is the last one. Not a bug and not the
 * user's input: reported as a "network error" naming the host to check.
 */
export class NetworkError extends UserError {
  /** Why, in a few words: "socket hang up: ECONNRESET". */
  readonly reason: string;
  constructor(
    readonly request: { method: string; url: URL },
    readonly attempts: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? describeCause(cause) : String(cause);
    super(`${request.method} ${request.url.host}${request.url.pathname} failed: ${reason}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`, {
      title: 'network error',
      fix: `check that ${request.url.host} is reachable from this machine (address, proxy, firewall, DNS), then re-run`,
    });
    this.cause = cause;
    this.name = 'NetworkError';
    this.reason = reason;
  }
}

/** An error and its cause in one line: "connect ECONNREFUSED 127.0.0.1:5000: ECONNREFUSED". */
export function describeCause(e: Error): string {
  const inner = e.cause instanceof Error ? e.cause : undefined;
  const code = (inner as { code?: string } | undefined)?.code ?? (e as { code?: string }).code;
  return [e.message, inner?.message, code].filter((p, i, all) => p && all.indexOf(p) === i).join(': ');
}

/** A body this small is read to its end when discarded, so its connection can serve the next request. */
const DRAIN_LIMIT = 64 * 1024;

/** Release a response we will not read, so its connection goes back to the pool. */
export async function discard(res: Response): Promise<void> {
  const node = nodeBodies.get(res);
  if (node?.state === 'unread') {
    node.state = 'node';
    const length = Number(res.headers.get('content-length') ?? NaN);
    // Destroying an unread body closes its socket; draining a short one keeps it for the next request.
    if (node.stream.complete || length <= DRAIN_LIMIT) {
      // Read to the end before returning, so the next request finds the socket free.
      await finished(node.stream.resume()).catch(() => {});
    } else {
      node.stream.destroy();
    }
    return;
  }
  try {
    await res.body?.cancel();
  } catch {
    // Already consumed or errored: nothing to release.
  }
}

export interface HttpTransportOptions {
  userAgent: string;
  /** Seen before each request leaves (requests counter, debug log). */
  onRequest?: (req: RegistryRequest) => void;
  /** A socket silent this long is given up (and retried). Default 5 minutes. */
  idleTimeoutMs?: number;
}

/**
 * The bottom layer: one request with node:http(s), never following redirects, with our user
 * agent. Not fetch: undici's fetch reads a streamed request body far ahead of the socket (a 50 MB
 * file was wholly in memory mid-upload), where `pipe` waits for the socket to drain.
 */
export function httpTransport(opts: HttpTransportOptions): Transport {
  const idleTimeoutMs = opts.idleTimeoutMs ?? 300_000;
  return (req) =>
    new Promise<Response>((resolve, reject) => {
      opts.onRequest?.(req);
      const body = req.body?.();
      const send = req.url.protocol === 'https:' ? https.request : http.request;
      const headers: Record<string, string> = { 'user-agent': opts.userAgent, ...req.headers };
      if (body !== undefined && !(body instanceof Readable) && !hasHeader(headers, 'content-length')) headers['content-length'] = String(Buffer.byteLength(body));
      let settled = false;
      const fail = (error: Error) => {
        if (body instanceof Readable) body.destroy();
        if (!settled) {
          settled = true;
          reject(error);
        }
      };
      const out = send(req.url, { method: req.method, headers }, (res) => {
        settled = true;
        const status = res.statusCode ?? 0;
        const noBody = req.method === 'HEAD' || status === 204 || status === 304;
        if (noBody) res.resume();
        const body: NodeBody = { stream: res, state: 'unread' };
        const response = new Response(noBody ? null : lazyWebBody(body), { status, statusText: res.statusMessage ?? '', headers: toHeaders(res.rawHeaders) });
        if (!noBody) nodeBodies.set(response, body);
        resolve(response);
      });
      out.setTimeout(idleTimeoutMs, () => out.destroy(Object.assign(new Error(`no data for ${idleTimeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
      out.on('error', fail);
      if (body instanceof Readable) {
        body.on('error', (error) => out.destroy(error));
        body.pipe(out);
      } else {
        out.end(body);
      }
    });
}

/** The node:http body behind a response of httpTransport, and who reads it. */
interface NodeBody {
  stream: http.IncomingMessage;
  state: 'unread' | 'web' | 'node';
}
const nodeBodies = new WeakMap<Response, NodeBody>();

/**
 * A response's body as a Node stream. For httpTransport's responses this is the socket's own
 * stream, without a web-stream adapter per chunk (for a 1 GiB blob: 16,000 chunks, and the
 * garbage that made a pull take 1.5x the CPU of a bare download). Read either this or `res.body`.
 */
export function bodyStream(res: Response): Readable {
  const node = nodeBodies.get(res);
  if (node?.state === 'unread') {
    node.state = 'node';
    return node.stream;
  }
  if (!res.body) return Readable.from([]);
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
}

/**
 * A web stream over a node:http body that starts reading only when read (highWaterMark 0), so
 * that bodyStream can take the Node stream instead; cancelling it destroys the response.
 */
function lazyWebBody(body: NodeBody): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (body.state === 'node') throw new Error('the response body was taken as a Node stream');
        body.state = 'web';
        reader ??= (Readable.toWeb(body.stream) as ReadableStream<Uint8Array>).getReader();
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        if (reader) await reader.cancel(reason);
        else body.stream.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function toHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Follow redirects by hand (blob GETs redirect to object storage): `Authorization` goes only to
 * the origin it was meant for; 303, and 301/302 after a POST, become a GET without a body.
 */
export function redirectTransport(inner: Transport, maxRedirects = 5): Transport {
  return async (first) => {
    let req = first;
    for (let hop = 0; ; hop++) {
      const res = await inner(req);
      if (!REDIRECTS.has(res.status)) return res;
      const location = res.headers.get('location');
      if (!location) return res;
      if (hop >= maxRedirects) throw new Error(`too many redirects (${maxRedirects}) from ${first.method} ${first.url.href}`);
      await discard(res);
      const next = new URL(location, req.url);
      const headers = { ...req.headers };
      if (next.origin !== first.url.origin) {
        for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
      }
      const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && req.method === 'POST');
      req = toGet ? { method: 'GET', url: next, headers: withoutBodyHeaders(headers), retry: req.retry } : { ...req, url: next, headers };
    }
  };
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-(type|length)$/i.test(k)));
}

/** Thrown inside the retry loop for a status worth retrying; unwrapped when attempts run out. */
class RetryableStatus extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}

/** Classify one failure of a request or of a larger operation for the retry loop. */
export function classifyFailure(error: unknown): AttemptFailure {
  if (error instanceof RetryableStatus) return { retryable: true, retryAfterMs: parseRetryAfter(error.response.headers.get('retry-after')) };
  return { retryable: isNetworkError(error) };
}

/**
 * Retry network errors and 408/429/5xx with the policy's backoff and the server's Retry-After.
 * When the attempts run out, the last response is returned (the client renders its errors) or
 * the last network error is thrown as a NetworkError.
 */
export function retryTransport(inner: Transport, policy: RetryPolicy, onRetry?: (req: RegistryRequest, why: string, delayMs: number) => void): Transport {
  return async (req) => {
    const attempts = req.retry === false ? { ...policy, attempts: 1 } : policy;
    let used = 0;
    try {
      const res = await withRetries(
        attempts,
        async (n) => {
          used = n;
          const res = await inner(req);
          if (isRetryableStatus(res.status)) throw new RetryableStatus(res);
          return res;
        },
        classifyFailure,
        (error, _n, delay) => {
          if (error instanceof RetryableStatus) void discard(error.response);
          onRetry?.(req, error instanceof Error ? error.message : String(error), delay);
        },
      );
      attemptCounts.set(res, used);
      return res;
    } catch (error) {
      if (error instanceof RetryableStatus) {
        attemptCounts.set(error.response, used);
        return error.response;
      }
      if (isNetworkError(error)) throw new NetworkError(req, used, error);
      throw error;
    }
  };
}
