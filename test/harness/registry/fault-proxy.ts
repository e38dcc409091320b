import http from 'node:http';
import type net from 'node:net';

/** What a request to a registry is, by method and path. */
export type RequestKind =
  | 'ping'
  | 'blob-head'
  | 'blob-get'
  | 'upload-start'
  | 'blob-mount'
  | 'blob-put'
  | 'blob-patch'
  | 'upload-cancel'
  | 'manifest-head'
  | 'manifest-get'
  | 'manifest-put'
  | 'manifest-delete'
  | 'tags'
  | 'other';

export function requestKind(method: string, url: URL): RequestKind {
  const p = url.pathname;
  if (p === '/v2/' || p === '/v2') return 'ping';
  if (/\/blobs\/uploads\/?$/.test(p) && method === 'POST') return url.searchParams.has('mount') ? 'blob-mount' : 'upload-start';
  if (/\/blobs\/uploads\/[^/]+$/.test(p)) return method === 'PUT' ? 'blob-put' : method === 'PATCH' ? 'blob-patch' : method === 'DELETE' ? 'upload-cancel' : 'other';
  if (/\/blobs\/sha256:[a-f0-9]+$/.test(p)) return method === 'HEAD' ? 'blob-head' : method === 'GET' ? 'blob-get' : 'other';
  if (/\/manifests\/[^/]+$/.test(p)) {
    const kinds: Record<string, RequestKind> = { HEAD: 'manifest-head', GET: 'manifest-get', PUT: 'manifest-put', DELETE: 'manifest-delete' };
    return kinds[method] ?? 'other';
  }
  if (/\/tags\/list$/.test(p)) return 'tags';
  return 'other';
}

export type FaultAction =
  /** Answer this status (drained request body, registry-style error body); Retry-After if given. */
  | { status: number; retryAfter?: string }
  /** Forward the request, then cut both connections after this many request-body bytes. */
  | { cutAfterBytes: number }
  /**
   * Hold the whole request for a random time in [min, max] ms, then forward it: the registry
   * applies it late, as behind a slow or congested link (for races between concurrent clients).
   */
  | { delayMs: [number, number] };

export interface Fault {
  /** Which requests: by kind, and/or method and a path pattern. All given must match. */
  kind?: RequestKind;
  method?: string;
  path?: RegExp;
  /** Only a blob PUT (or HEAD/GET) of this digest. */
  digest?: string;
  /** How many matching requests get the fault (default 1; Infinity: all). */
  times?: number;
  action: FaultAction;
}

export interface RecordedRequest {
  method: string;
  path: string;
  kind: RequestKind;
  /** `digest=` of a blob PUT: which blob was uploaded. */
  digest: string | undefined;
  /** Request body bytes that reached the proxy. */
  bodyBytes: number;
  /** The status the client got (0: connection cut). */
  status: number;
  /** Set when a fault answered instead of the registry. */
  fault: string | undefined;
  /** The request carried credentials (an Authorization header). */
  authorized: boolean;
}

export interface FaultProxyOptions {
  /** The registry's base URL, `http://127.0.0.1:<port>`. */
  target: string;
  faults?: Fault[];
  /**
   * Page `GET …/tags/list` as distribution 3, ghcr.io and Docker Hub do (`n`, `last`, `Link:
   * rel="next"`), over the full list from the target: Docker's registry 2.8 ignores `n`.
   */
  paginateTags?: boolean;
}

export interface FaultProxy {
  host: string;
  url: string;
  requests: RecordedRequest[];
  count(kind: RequestKind): number;
  /** Digests of blob PUTs the registry accepted (201): what was really uploaded. */
  uploadedDigests(): string[];
  addFault(fault: Fault): void;
  clearFaults(): void;
  /** Forget recorded requests (faults stay). */
  reset(): void;
  stop(): Promise<void>;
}

interface ArmedFault extends Fault {
  left: number;
}

/**
 * An HTTP proxy in front of a registry that injects faults on chosen requests (5xx, 429 with
 * Retry-After, a connection cut in the middle of an upload body) and records every request by
 * kind. The Host header is kept, so the registry's Location headers point back at the proxy.
 */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const faults: ArmedFault[] = (opts.faults ?? []).map((f) => ({ ...f, left: f.times ?? 1 }));
  const requests: RecordedRequest[] = [];
  const agent = new http.Agent({ keepAlive: true });

  const takeFault = (method: string, url: URL, kind: RequestKind): ArmedFault | undefined => {
    const digest = url.searchParams.get('digest') ?? /\/blobs\/(sha256:[a-f0-9]+)$/.exec(url.pathname)?.[1];
    const fault = faults.find(
      (f) => f.left > 0 && (!f.kind || f.kind === kind) && (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)) && (!f.digest || f.digest === digest),
    );
    if (fault) fault.left--;
    return fault;
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const kind = requestKind(method, url);
    const record: RecordedRequest = { method, path: url.pathname, kind, digest: kind === 'blob-put' ? (url.searchParams.get('digest') ?? undefined) : undefined, bodyBytes: 0, status: 0, fault: undefined, authorized: req.headers.authorization !== undefined };
    requests.push(record);
    req.on('data', (chunk: Buffer) => (record.bodyBytes += chunk.length));
    const fault = takeFault(method, url, kind);
    /** The same request to the registry; its answer goes back to the client as is. */
    const forward = (): http.ClientRequest => {
      const upstream = http.request({ host: target.hostname, port: target.port, method, path: req.url, headers: req.headers, agent }, (up) => {
        record.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      return upstream;
    };

    if (fault && 'status' in fault.action) {
      const { status, retryAfter } = fault.action;
      record.fault = `status ${status}`;
      // Read the whole body first, so the client sees our answer and not a reset mid-send.
      req.resume();
      req.on('end', () => {
        record.status = status;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
        const code = status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
        res.writeHead(status, headers);
        res.end(JSON.stringify({ errors: [{ code, message: `injected fault: ${status}` }] }));
      });
      return;
    }

    if (fault && 'delayMs' in fault.action) {
      const [min, max] = fault.action.delayMs;
      const delay = min + Math.random() * (max - min);
      record.fault = `delayed ${Math.round(delay)} ms`;
      const body: Buffer[] = [];
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => setTimeout(() => forward().end(Buffer.concat(body)), delay));
      return;
    }

    if (opts.paginateTags && kind === 'tags' && method === 'GET') {
      void paginate(target, url, req.headers, agent).then(({ status, headers, body }) => {
        record.status = status;
        res.writeHead(status, headers);
        res.end(body);
      });
      return;
    }

    const upstream = forward();
    if (fault && 'cutAfterBytes' in fault.action) {
      const limit = fault.action.cutAfterBytes;
      record.fault = `cut after ${limit} bytes`;
      let sent = 0;
      req.on('data', (chunk: Buffer) => {
        if (sent >= limit) return;
        const part = chunk.subarray(0, limit - sent);
        sent += part.length;
        upstream.write(part);
        if (sent >= limit) {
          // Both sides see the connection die mid-body, as on a reset by a load balancer.
          req.socket.destroy();
          upstream.destroy();
        }
      });
      req.on('end', () => sent < limit && upstream.end());
      return;
    }
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (kind) => requests.filter((r) => r.kind === kind).length,
    uploadedDigests: () => requests.filter((r) => r.kind === 'blob-put' && r.status === 201 && r.digest).map((r) => r.digest!),
    addFault: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => faults.splice(0),
    reset: () => requests.splice(0),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** One page of tags over the registry's full (unpaged) list, sorted, with a Link to the next. */
async function paginate(target: URL, url: URL, headers: http.IncomingHttpHeaders, agent: http.Agent): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const full = await new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, method: 'GET', path: url.pathname, headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
  if (full.status !== 200) {
    const passed: Record<string, string> = { 'content-type': String(full.headers['content-type'] ?? 'application/json') };
    if (full.headers['www-authenticate']) passed['www-authenticate'] = String(full.headers['www-authenticate']);
    return { status: full.status, headers: passed, body: full.body };
  }
  const parsed = JSON.parse(full.body) as { name: string; tags: string[] | null };
  const all = [...(parsed.tags ?? [])].sort();
  const n = Number(url.searchParams.get('n') ?? 100);
  const last = url.searchParams.get('last');
  const rest = last === null ? all : all.filter((t) => t > last);
  const page = rest.slice(0, n);
  const out: Record<string, string> = { 'content-type': 'application/json' };
  if (rest.length > n) out.link = `<${url.pathname}?last=${encodeURIComponent(page[page.length - 1]!)}&n=${n}>; rel="next"`;
  return { status: 200, headers: out, body: JSON.stringify({ name: parsed.name, tags: page }) };
}
