/**
 * A fake GitHub REST API on 127.0.0.1 for tests, with in-memory state. Every request and every
 * reply is checked against GitHub's OpenAPI description (openapi.ts): a disagreement is recorded
 * and answered with HTTP 500 naming it, so a test cannot pass while the fake and the real API
 * differ. Requests for endpoints the fake does not implement get GitHub's 404 and are recorded.
 *
 * Hosts, all on one port: the API at `/`, uploads.github.com at `/uploads`, github.com (html and
 * browser download URLs) at `/_web`, and asset storage (where downloads redirect) at `/_storage`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Ctx, errorBody, type Handler, HttpError, type Reply, writePermission } from './http.js';
import { findOperation, loadSpec, validateRequest, validateResponse, type Violation } from './openapi.js';
import { deploymentRoutes } from './routes/deployments.js';
import { gitRoutes } from './routes/git.js';
import { issueRoutes } from './routes/issues.js';
import { pullRoutes } from './routes/pulls.js';
import { releaseRoutes, serveDownload } from './routes/releases.js';
import { repoRoutes } from './routes/repos.js';
import { ACTIONS_BOT, FakeState } from './state.js';

const routes: Record<string, Handler> = { ...releaseRoutes, ...gitRoutes, ...issueRoutes, ...repoRoutes, ...pullRoutes, ...deploymentRoutes };

export interface GitHubFakeOptions {
  /** The accepted token (default: a random `ghs_...`). */
  token?: string;
  /** Its login (default `github-actions[bot]`, whom GITHUB_TOKEN acts as; GET /user is 403 for bots). */
  login?: string;
  /** Make that token read-only: writes get 403 "Resource not accessible by integration". */
  readOnly?: boolean;
  /** More accepted tokens. */
  tokens?: Record<string, { login: string; readOnly?: boolean }>;
  /** The repository that exists (default `acme/models`, default branch `main`). */
  owner?: string;
  repo?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path on its host, e.g. `/repos/acme/models/releases`. */
  path: string;
  query: string;
  host: 'api' | 'uploads' | 'web' | 'storage';
  operationId?: string;
  status: number;
  /** No route for it: the fake answered 404. */
  unimplemented?: boolean;
}

export interface RecordedViolation extends Violation {
  method: string;
  path: string;
}

export interface GitHubFake {
  /** API base URL: `getOctokit(token, { baseUrl: fake.url })`, or env GITHUB_API_URL. */
  url: string;
  /** Plays https://uploads.github.com (release `upload_url`s point here). */
  uploadsUrl: string;
  /** Plays https://github.com (GITHUB_SERVER_URL). */
  webUrl: string;
  token: string;
  login: string;
  owner: string;
  repo: string;
  state: FakeState;
  /** GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_TOKEN for an action under test. */
  env(): Record<string, string>;
  violations(): RecordedViolation[];
  requests(): RecordedRequest[];
  unimplemented(): RecordedRequest[];
  /** Test-only: rewrite the next reply body of `operationId` (to prove reply validation bites). */
  tamperNextReply(operationId: string, fn: (body: any) => unknown): void; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * Test-only: hold the next `count` requests of `operationId` until all `count` have arrived,
   * then answer them together: concurrent clients interleave the same way on every machine,
   * however loaded, with no timing in the test.
   */
  gather(operationId: string, count: number): void;
  stop(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export async function startGitHubFake(opts: GitHubFakeOptions = {}): Promise<GitHubFake> {
  loadSpec();
  const violations: RecordedViolation[] = [];
  const requests: RecordedRequest[] = [];
  const tampers = new Map<string, Array<(body: any) => unknown>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  const gathers = new Map<string, { count: number; waiting: (() => void)[] }>();
  const gathered = async (operationId: string) => {
    const g = gathers.get(operationId);
    if (!g) return;
    const arrived = new Promise<void>((resolve) => g.waiting.push(resolve));
    if (g.waiting.length === g.count) {
      gathers.delete(operationId);
      for (const go of g.waiting) go();
    }
    await arrived;
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      violations.push({ operationId: '-', where: 'fake', message: String((err as Error)?.stack ?? err), method: req.method ?? '', path: req.url ?? '' });
      if (!res.headersSent) res.writeHead(500, { 'content-type': JSON_TYPE });
      res.end(JSON.stringify({ message: `GitHub fake crashed: ${String(err)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state = new FakeState(base, `${base}/uploads`, `${base}/_web`);
  const token = opts.token ?? `ghs_${randomBytes(18).toString('hex')}`;
  const login = opts.login ?? ACTIONS_BOT;
  state.addToken(token, { login, readOnly: opts.readOnly });
  for (const [t, info] of Object.entries(opts.tokens ?? {})) state.addToken(t, info);
  const owner = opts.owner ?? 'acme';
  const repo = opts.repo ?? 'models';
  state.addRepo(owner, repo);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const method = (req.method ?? 'GET').toUpperCase();
    let path = url.pathname.replace(/(.)\/$/, '$1');
    const rec: RecordedRequest = { method, path, query: url.search, host: 'api', status: 0 };
    requests.push(rec);

    if (path.startsWith('/_storage/') || path.startsWith('/_web/')) {
      rec.host = path.startsWith('/_web/') ? 'web' : 'storage';
      const out = serveDownload(state, path);
      rec.status = out.status;
      res.writeHead(out.status, out.headers);
      res.end(out.body ?? (out.status === 404 ? 'Not Found' : ''));
      return;
    }
    if (path.startsWith('/uploads/')) {
      rec.host = 'uploads';
      path = path.slice('/uploads'.length);
      rec.path = path;
    }
    const m = findOperation(method, path);
    if (m) rec.operationId = m.operationId;
    // Every reply to a known operation (errors included) is validated before it is sent.
    const send = (reply: Reply) => {
      if (m) {
        const tamper = tampers.get(m.operationId)?.shift();
        if (tamper) reply = { ...reply, body: tamper(structuredClone(reply.body)) };
        const hasBody = reply.body !== undefined;
        const bad = validateResponse(m, { status: reply.status, contentType: hasBody ? JSON_TYPE : undefined, body: reply.body, hasBody });
        if (bad.length) return fail(bad);
      }
      req.resume(); // an unread (upload) body must not stall the reply
      respond(res, rec, reply);
    };
    const fail = (v: Violation[]) => {
      for (const x of v) violations.push({ ...x, method, path });
      const text = v.map((x) => `${x.operationId} ${x.where}: ${x.message}`).join('\n');
      rec.status = 500;
      req.resume();
      res.writeHead(500, { 'content-type': JSON_TYPE, connection: 'close' });
      res.end(JSON.stringify({ message: `GitHub fake: OpenAPI violation\n${text}`, violations: v }));
    };

    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const who = auth ? state.tokens.get(auth[1]!) : undefined;
    if (!who) {
      const message = auth ? 'Bad credentials' : 'Requires authentication';
      return send({ status: 401, body: errorBody(message, 'https://docs.github.com/rest', 401) });
    }
    const handler = m && m.uploads === (rec.host === 'uploads') ? routes[m.operationId] : undefined;
    if (!m || !handler) {
      rec.unimplemented = true;
      return send({ status: 404, body: errorBody('Not Found', 'https://docs.github.com/rest', 404) });
    }
    if (who.readOnly && method !== 'GET' && method !== 'HEAD') {
      const headers = { 'x-accepted-github-permissions': writePermission(m.operationId) };
      return send({ status: 403, body: errorBody('Resource not accessible by integration', m.docsUrl, 403), headers });
    }

    let body: unknown;
    let hasBody: boolean;
    const problems: Violation[] = [];
    if (m.binaryBody) {
      hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    } else {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      hasBody = text.length > 0;
      if (hasBody) {
        try {
          body = JSON.parse(text);
        } catch {
          problems.push({ operationId: m.operationId, where: 'request.body', message: 'is not valid JSON (GitHub: 400 Problems parsing JSON)' });
        }
      }
    }
    problems.push(...validateRequest(m, { query: url.searchParams, headers: req.headers, body, hasBody }));
    if (problems.length) return fail(problems);
    const ctx: Ctx = { state, auth: who, op: m, params: m.params, query: url.searchParams, body, req, selfUrl: `${rec.host === 'uploads' ? state.uploadsUrl : base}${path}` };
    await gathered(m.operationId);
    let reply: Reply;
    try {
      reply = await handler(ctx);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      reply = { status: err.status, body: err.body, headers: err.headers };
    }
    return send(reply);
  }

  function respond(res: http.ServerResponse, rec: RecordedRequest, reply: Reply): void {
    rec.status = reply.status;
    const headers: Record<string, string> = {
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': randomUUID().toUpperCase(),
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    res.writeHead(reply.status, { ...headers, 'content-type': JSON_TYPE });
    res.end(JSON.stringify(reply.body));
  }

  return {
    url: base,
    uploadsUrl: state.uploadsUrl,
    webUrl: state.webUrl,
    token,
    login,
    owner,
    repo,
    state,
    env: () => ({ GITHUB_API_URL: base, GITHUB_SERVER_URL: state.webUrl, GITHUB_REPOSITORY: `${owner}/${repo}`, GITHUB_TOKEN: token }),
    violations: () => [...violations],
    requests: () => [...requests],
    unimplemented: () => requests.filter((r) => r.unimplemented),
    tamperNextReply: (operationId, fn) => tampers.set(operationId, [...(tampers.get(operationId) ?? []), fn]),
    gather: (operationId, count) => gathers.set(operationId, { count, waiting: [] }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
