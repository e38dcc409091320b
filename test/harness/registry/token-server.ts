import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import type { SigningCert } from './signing-cert.js';

export interface TokenRequest {
  /** The Basic user, or undefined for an anonymous request. */
  user: string | undefined;
  service: string | null;
  scopes: string[];
  /** 200 with a token, or 401. */
  status: number;
}

export interface RunningTokenServer {
  realm: string;
  service: string;
  issuer: string;
  requests: TokenRequest[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  service: string;
  issuer: string;
  cert: SigningCert;
  /** username -> password. Anonymous requests are refused (401). */
  users: Record<string, string>;
  /** The actions granted per repository; default: everything asked for. */
  grant?: (user: string, repository: string, actions: string[]) => string[];
  lifetimeSeconds?: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * The Docker token protocol's server side, enough for Docker's registry 2.8: checks Basic
 * credentials and issues an RS256 JWT whose header carries the signing certificate (`x5c`, which
 * the registry verifies against its `rootcertbundle`) and whose `access` claim grants the scopes.
 */
export async function startTokenServer(opts: TokenServerOptions): Promise<RunningTokenServer> {
  const requests: TokenRequest[] = [];
  const lifetime = opts.lifetimeSeconds ?? 300;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    const user = checkBasic(req.headers.authorization, opts.users);
    if (url.pathname !== '/token' || !user) {
      requests.push({ user: undefined, service: url.searchParams.get('service'), scopes, status: 401 });
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
      return;
    }
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = splitScope(scope);
      if (type !== 'repository' || !name) return [];
      const granted = opts.grant ? opts.grant(user, name, actions) : actions;
      return granted.length ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [opts.cert.certDerBase64] };
    const claims = { iss: opts.issuer, sub: user, aud: opts.service, exp: now + lifetime, nbf: now - 5, iat: now, jti: crypto.randomUUID(), access };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = crypto.sign('sha256', Buffer.from(signingInput), opts.cert.key);
    const token = `${signingInput}.${b64url(signature)}`;
    requests.push({ user, service: url.searchParams.get('service'), scopes, status: 200 });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: lifetime, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: opts.service,
    issuer: opts.issuer,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function checkBasic(header: string | undefined, users: Record<string, string>): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const cut = decoded.indexOf(':');
  const user = decoded.slice(0, cut);
  const password = decoded.slice(cut + 1);
  return cut > 0 && Object.hasOwn(users, user) && users[user] === password ? user : undefined;
}

/** `repository:a/b:pull,push` -> ['repository', 'a/b', ['pull', 'push']]. */
function splitScope(scope: string): [string, string, string[]] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return [scope, '', []];
  return [scope.slice(0, first), scope.slice(first + 1, last), scope.slice(last + 1).split(',').filter(Boolean)];
}
