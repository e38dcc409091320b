import http from 'node:http';
import type net from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseChallenges, ScopeSet } from '../../shared/oci/registry/auth.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { RegistryError, registryError } from '../../shared/oci/registry/errors.js';
import { backoffMs, parseRetryAfter, retryPolicy } from '../../shared/http/retry.js';
import { bodyStream, discard, httpTransport, NetworkError, redirectTransport, retryTransport, type Transport } from '../../shared/http/transport.js';
import { defaultScheme, nextLink, uploadUrl } from '../../shared/oci/registry/urls.js';

/** A throwaway HTTP server on 127.0.0.1 that records what it was sent. */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const servers: http.Server[] = [];
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<{ origin: string; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, port, seen };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});

const FAST = retryPolicy({ baseDelayMs: 1, maxDelayMs: 5 });
const base = httpTransport({ userAgent: 'test-agent/1' });

describe('WWW-Authenticate challenges', () => {
  it.each([
    ['Basic realm="registry"', [{ scheme: 'basic', params: { realm: 'registry' } }]],
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/m:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:acme/m:pull,push' } }],
    ],
    ['Bearer realm=https://auth.example/token, service=reg , error="insufficient_scope"', [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', error: 'insufficient_scope' } }]],
    ['Bearer realm="r",scope="repository:a:push repository:b:pull"', [{ scheme: 'bearer', params: { realm: 'r', scope: 'repository:a:push repository:b:pull' } }]],
    ['Basic realm="a \\"quoted\\" realm", Bearer realm="t",service="s"', [{ scheme: 'basic', params: { realm: 'a "quoted" realm' } }, { scheme: 'bearer', params: { realm: 't', service: 's' } }]],
    ['', []],
  ])('%s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  it('scopes merge per repository, in the order first asked', () => {
    const scopes = new ScopeSet();
    expect(scopes.add('repository:models/a:push,pull')).toBe(true);
    expect(scopes.add('repository:models/a:pull')).toBe(false);
    expect(scopes.add('repository:models/b:pull repository:models/a:push')).toBe(true);
    expect(scopes.add('repository:models/a:delete')).toBe(true);
    expect(scopes.list()).toEqual(['repository:models/a:push,pull,delete', 'repository:models/b:pull']);
  });
});

describe('retry policy and URLs', () => {
  it('Retry-After is seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backoff doubles up to the cap, with jitter in [half, full]', () => {
    const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect(() => retryPolicy({ attempts: 0 })).toThrow(/positive integer/);
  });

  it.each([
    ['/v2/m/blobs/uploads/u1', 'http://127.0.0.1:5000/v2/m/blobs/uploads/u1?digest=sha256%3Aab'],
    ['/v2/m/blobs/uploads/u1?_state=x%3D%3D&a=b', 'http://127.0.0.1:5000/v2/m/blobs/uploads/u1?_state=x%3D%3D&a=b&digest=sha256%3Aab'],
    ['https://storage.example/up?sig=1+2', 'https://storage.example/up?sig=1+2&digest=sha256%3Aab'],
    ['u1?digest=sha256:old', 'http://127.0.0.1:5000/v2/m/blobs/uploads/u1?digest=sha256%3Aab'],
  ])('upload Location %s merges the digest', (location, expected) => {
    expect(uploadUrl(location, new URL('http://127.0.0.1:5000/v2/m/blobs/uploads/'), 'sha256:ab').href).toBe(expected);
  });

  it('Link rel="next" is found and resolved', () => {
    const page = new URL('https://r.example/v2/m/tags/list?n=2');
    expect(nextLink('</v2/m/tags/list?last=b&n=2>; rel="next"', page)?.href).toBe('https://r.example/v2/m/tags/list?last=b&n=2');
    expect(nextLink('<https://x.example/p1>; rel="prev", </v2/m/tags/list?last=d>; rel=next', page)?.href).toBe('https://r.example/v2/m/tags/list?last=d');
    expect(nextLink('<https://x.example/p1>; rel="prev"', page)).toBeUndefined();
    expect(nextLink(null, page)).toBeUndefined();
  });

  it('http for this machine, https for everything else', () => {
    expect(defaultScheme('127.0.0.1:5000')).toBe('http');
    expect(defaultScheme('localhost')).toBe('http');
    expect(defaultScheme('[::1]:5000')).toBe('http');
    expect(defaultScheme('ghcr.io')).toBe('https');
    expect(() => new RegistryClient({ registry: 'https://ghcr.io' })).toThrow(/not a registry host/);
  });
});

describe('transport layers', () => {
  it('Authorization stays with its origin across a redirect to storage', async () => {
    const storage = await serve((_req, res) => res.end('blob bytes'));
    // localhost vs 127.0.0.1: another host, as object storage is.
    const registry = await serve((_req, res) => res.writeHead(307, { location: `http://localhost:${storage.port}/bucket/blob?sig=1` }).end());
    const send = redirectTransport(base);
    const res = await send({ method: 'GET', url: new URL(`${registry.origin}/v2/m/blobs/sha256:ab`), headers: { authorization: 'Bearer secret', accept: '*/*' } });
    expect(await res.text()).toBe('blob bytes');
    expect(registry.seen[0]!.headers.authorization).toBe('Bearer secret');
    expect(storage.seen[0]!.headers.authorization).toBeUndefined();
    expect(storage.seen[0]!.headers.accept).toBe('*/*');
    expect(storage.seen[0]!.headers['user-agent']).toBe('test-agent/1');
  });

  it('a same-origin 307 keeps Authorization and re-opens the body', async () => {
    const target = await serve((req, res) => (req.url === '/first' ? res.writeHead(307, { location: '/second' }).end() : res.end('ok')));
    let opened = 0;
    const send = redirectTransport(base);
    const res = await send({ method: 'PUT', url: new URL(`${target.origin}/first`), headers: { authorization: 'Basic x', 'content-length': '5' }, body: () => (opened++, Readable.from([Buffer.from('hello')])) });
    expect(res.status).toBe(200);
    await res.text();
    expect(opened).toBe(2);
    expect(target.seen.map((s) => [s.url, s.body, s.headers.authorization])).toEqual([
      ['/first', 'hello', 'Basic x'],
      ['/second', 'hello', 'Basic x'],
    ]);
  });

  it('retries 5xx with a fresh body each attempt, then gives the last answer', async () => {
    let n = 0;
    const flaky = await serve((_req, res) => (++n < 3 ? res.writeHead(503).end() : res.end('done')));
    let opened = 0;
    const send = retryTransport(base, FAST);
    const res = await send({ method: 'PUT', url: new URL(`${flaky.origin}/x`), body: () => (opened++, Readable.from([Buffer.from('abc')])), headers: { 'content-length': '3' } });
    expect(await res.text()).toBe('done');
    expect(opened).toBe(3);
    expect(flaky.seen.map((s) => s.body)).toEqual(['abc', 'abc', 'abc']);

    const down = await serve((_req, res) => res.writeHead(502, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"backend down"}]}'));
    const last = await send({ method: 'GET', url: new URL(`${down.origin}/y`) });
    expect(last.status).toBe(502);
    expect(down.seen).toHaveLength(4);
    const error = await registryError(last, '127.0.0.1', 'get y');
    expect(error.message).toBe('Registry 127.0.0.1: get y failed: UNAVAILABLE (backend down), HTTP 502, after 4 attempts');
    expect(error.fix).toMatch(/unavailable/);
  });

  it('does not retry a request marked retry: false, nor a 4xx', async () => {
    const target = await serve((req, res) => res.writeHead(req.url === '/a' ? 500 : 404).end());
    const send = retryTransport(base, FAST);
    expect((await send({ method: 'PUT', url: new URL(`${target.origin}/a`), retry: false })).status).toBe(500);
    expect((await send({ method: 'GET', url: new URL(`${target.origin}/b`) })).status).toBe(404);
    expect(target.seen.map((s) => s.url)).toEqual(['/a', '/b']);
  });

  it('retries a connection reset, then reports a NetworkError with the attempts', async () => {
    let n = 0;
    const resets = await serve((req, res) => (++n < 2 ? req.socket.destroy() : res.end('ok')));
    const send: Transport = retryTransport(base, FAST);
    expect(await (await send({ method: 'GET', url: new URL(`${resets.origin}/`) })).text()).toBe('ok');
    const always = await serve((req) => req.socket.destroy());
    const error = await send({ method: 'GET', url: new URL(`${always.origin}/z`) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).attempts).toBe(4);
    expect((error as NetworkError).message).toMatch(/^GET 127\.0\.0\.1:\d+\/z failed: socket hang up.*ECONNRESET \(after 4 attempts\)$/);
  });

  it('a body is read as the socket\'s own Node stream, or as a web stream, not both', async () => {
    const { origin } = await serve((_req, res) => res.end('blob bytes'));
    const asNode = await base({ method: 'GET', url: new URL('/b', origin) });
    const node = bodyStream(asNode);
    expect(node).toBeInstanceOf(http.IncomingMessage); // no web-stream adapter between socket and file
    expect(Buffer.concat(await node.toArray()).toString()).toBe('blob bytes');
    await expect(asNode.text()).rejects.toThrow();
    const asWeb = await base({ method: 'GET', url: new URL('/b', origin) });
    expect(await asWeb.text()).toBe('blob bytes');
    expect(() => bodyStream(asWeb)).toThrow();
  });

  it('keeps one connection for requests whose answers are discarded unread', async () => {
    const sockets = new Set<unknown>();
    const { origin } = await serve((req, res) => {
      sockets.add(req.socket);
      res.writeHead(req.method === 'POST' ? 202 : 201, { 'content-length': '2' }).end('{}');
    });
    for (const method of ['POST', 'PUT', 'POST', 'PUT']) await discard(await base({ method, url: new URL('/u', origin), body: () => 'x' }));
    expect(sockets.size).toBe(1);
  });

  it('a registry error body is rendered code by code', async () => {
    const target = await serve((_req, res) =>
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied', detail: { repo: 'x' } }] })),
    );
    const c = new RegistryClient({ registry: `127.0.0.1:${target.port}`, retry: { baseDelayMs: 1 } });
    const error = await c.getManifest('acme/model', 'v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toBe(`Registry 127.0.0.1:${target.port}: get manifest acme/model:v1 failed: DENIED (requested access to the resource is denied): {"repo":"x"}, HTTP 403`);
    expect((error as RegistryError).fix).toMatch(/lack this permission/);
    expect(target.seen[0]!.headers.accept).toContain('application/vnd.oci.image.index.v1+json');
    expect(target.seen[0]!.headers.accept).toContain('application/vnd.docker.distribution.manifest.list.v2+json');
  });

  it('a manifest whose bytes do not match the digest asked for is refused', async () => {
    const target = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end('{"schemaVersion":2}'));
    const c = new RegistryClient({ registry: `127.0.0.1:${target.port}` });
    const error = await c.getManifest('acme/model', `sha256:${'0'.repeat(64)}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/the body's digest is sha256:[a-f0-9]{64}, not sha256:0{64}/);
  });
});
