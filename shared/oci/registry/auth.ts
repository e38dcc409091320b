import { z } from 'zod';
import { UserError } from '../../runtime/errors.js';
import { RegistryError } from './errors.js';
import { discard, type RegistryRequest, type Transport } from '../../http/transport.js';

/** Login for one registry; absent means anonymous. */
export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  /** Lower-cased: `basic`, `bearer`. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parse a `WWW-Authenticate` header (RFC 7235): one or more challenges, each a scheme and
 * comma-separated `key=value` or `key="quoted, value"` parameters (parameter names lower-cased).
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skip = (re: RegExp) => {
    while (i < n && re.test(header[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < n && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  while (i < n) {
    skip(/[\s,]/);
    const scheme = token();
    if (!scheme) {
      i++;
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      skip(/[\s,]/);
      const save = i;
      const key = token();
      if (!key) break;
      skip(/\s/);
      if (header[i] !== '=') {
        i = save; // not a parameter: the next challenge's scheme
        break;
      }
      i++;
      skip(/\s/);
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        const start = i;
        while (i < n && header[i] !== ',' && !/\s/.test(header[i]!)) i++;
        value = header.slice(start, i);
      }
      challenge.params[key.toLowerCase()] = value;
    }
  }
  return challenges;
}

/**
 * Scopes asked of a token server, in order, actions merged per resource:
 * `repository:models/x:push,pull` first, then `repository:<mount source>:pull`.
 */
export class ScopeSet {
  private readonly byResource = new Map<string, string[]>();
  private version = 0;

  /** Add space-separated scopes; true if anything was new. */
  add(scopes: string): boolean {
    let added = false;
    for (const scope of scopes.split(/\s+/).filter(Boolean)) {
      const cut = scope.lastIndexOf(':');
      if (cut <= 0) continue;
      const resource = scope.slice(0, cut);
      const actions = this.byResource.get(resource) ?? [];
      for (const action of scope.slice(cut + 1).split(',').filter(Boolean)) {
        if (!actions.includes(action)) {
          actions.push(action);
          added = true;
        }
      }
      if (!this.byResource.has(resource)) {
        this.byResource.set(resource, actions);
        added = true;
      }
    }
    if (added) this.version++;
    return added;
  }

  /** Changes whenever a scope is added, so a token can tell whether it still covers the set. */
  get revision(): number {
    return this.version;
  }

  list(): string[] {
    return [...this.byResource].map(([resource, actions]) => `${resource}:${actions.join(',')}`);
  }
}

const tokenReplySchema = z.object({
  token: z.string().min(1).optional(),
  access_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
});

export interface RegistryAuthOptions {
  /** `host[:port]`, for messages. */
  registry: string;
  credentials?: Credentials | undefined;
  /** The stack below auth (retry, redirects, fetch); also used to reach the token server. */
  inner: Transport;
  /** Each secret (password, Basic header, token) as soon as it is known, to be masked in logs. */
  onSecret?: ((value: string) => void) | undefined;
  /** Counts token fetches (tests assert scopes accumulated into one more token, not many). */
  onToken?: ((scopes: string[]) => void) | undefined;
}

/**
 * The auth layer: learns the registry's scheme from a 401 challenge, sends Basic credentials or
 * exchanges them for a bearer token covering every scope asked so far, and re-authenticates once
 * when a 401 names a scope the token lacks.
 */
export class RegistryAuth {
  private scheme: 'basic' | 'bearer' | undefined;
  private realm: { realm: string; service: string | undefined } | undefined;
  private readonly scopes = new ScopeSet();
  private token: { value: string; revision: number; expiresAt: number } | undefined;
  private pending: Promise<void> | undefined;
  private readonly basicHeader: string | undefined;

  constructor(private readonly opts: RegistryAuthOptions) {
    const creds = opts.credentials;
    if (creds) {
      this.basicHeader = `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
      opts.onSecret?.(creds.password);
      opts.onSecret?.(this.basicHeader.slice('Basic '.length));
    }
  }

  /** Declare a scope the next requests need (`repository:<name>:push,pull`); the push scope first. */
  need(scope: string): void {
    this.scopes.add(scope);
  }

  /** Scopes asked so far, in order. */
  scopeList(): string[] {
    return this.scopes.list();
  }

  readonly transport: Transport = async (req) => {
    await this.refreshIfNeeded();
    const sent = this.authorize(req);
    const sentWith = sent.headers?.authorization;
    const res = await this.opts.inner(sent);
    if (res.status !== 401) return res;
    const header = res.headers.get('www-authenticate') ?? '';
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer?.params.realm) {
      const newScope = this.scopes.add(bearer.params.scope ?? '');
      const current = this.scheme === 'bearer' ? this.token : undefined;
      // Refused with the token that covers every scope asked: the client reports the refusal.
      if (!newScope && current && `Bearer ${current.value}` === sentWith && current.revision === this.scopes.revision) return res;
      await discard(res);
      this.scheme = 'bearer';
      this.realm = { realm: bearer.params.realm, service: bearer.params.service };
      // A concurrent request may have fetched a covering token meanwhile: then it is used as is.
      await this.ensureToken();
      return this.opts.inner(this.authorize(req));
    }
    if (basic) {
      if (!this.basicHeader) {
        await discard(res);
        throw this.loginRequired();
      }
      if (sentWith === this.basicHeader) {
        await discard(res);
        throw this.wrongCredentials();
      }
      await discard(res);
      this.scheme = 'basic';
      const again = await this.opts.inner(this.authorize(req));
      if (again.status === 401) {
        await discard(again);
        throw this.wrongCredentials();
      }
      return again;
    }
    return res;
  };

  private authorize(req: RegistryRequest): RegistryRequest {
    let value: string | undefined;
    if (this.scheme === 'basic') value = this.basicHeader;
    else if (this.scheme === 'bearer' && this.token) value = `Bearer ${this.token.value}`;
    return value ? { ...req, headers: { ...req.headers, authorization: value } } : req;
  }

  /** A bearer token that no longer covers the scopes (or is about to expire) is replaced first. */
  private async refreshIfNeeded(): Promise<void> {
    if (this.scheme === 'bearer' && this.token) await this.ensureToken();
  }

  /** A current token covering every scope asked; one exchange at a time, shared by concurrent requests. */
  private async ensureToken(): Promise<void> {
    for (;;) {
      if (this.pending) {
        await this.pending;
        continue;
      }
      if (this.token && this.token.revision === this.scopes.revision && Date.now() < this.token.expiresAt) return;
      this.pending = this.exchange().finally(() => (this.pending = undefined));
    }
  }

  private async exchange(): Promise<void> {
    const { realm, service } = this.realm!;
    const revision = this.scopes.revision;
    const scopes = this.scopes.list();
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.basicHeader) headers.authorization = this.basicHeader;
    this.opts.onToken?.(scopes);
    const res = await this.opts.inner({ method: 'GET', url, headers });
    if (res.status === 401 || res.status === 403) {
      await discard(res);
      throw this.basicHeader ? this.wrongCredentials(`token server ${url.host}`) : this.loginRequired();
    }
    if (!res.ok) {
      await discard(res);
      throw new RegistryError({ registry: this.opts.registry, operation: `get a token from ${url.origin}${url.pathname}`, status: res.status });
    }
    const reply = tokenReplySchema.safeParse(await res.json().catch(() => undefined));
    const value = reply.success ? (reply.data.token ?? reply.data.access_token) : undefined;
    if (!reply.success || !value) {
      throw new RegistryError({ registry: this.opts.registry, operation: `get a token from ${url.origin}${url.pathname}`, fix: 'The token server replied without a `token` or `access_token`: check the registry address.' });
    }
    this.opts.onSecret?.(value);
    // Renew a little early; registries default to 60 s when expires_in is absent.
    const lifetimeMs = (reply.data.expires_in ?? 60) * 1000;
    this.token = { value, revision, expiresAt: Date.now() + Math.max(lifetimeMs - 10_000, lifetimeMs / 2) };
  }

  private wrongCredentials(where?: string): UserError {
    const user = this.opts.credentials?.username ?? '';
    return new UserError(`Registry ${this.opts.registry} rejected the username and password of user \`${user}\`${where ? ` (${where})` : ''}.`, {
      title: 'registry login',
      fix: `Check the credentials for ${this.opts.registry}: the username, and a password or access token that is current (on ghcr.io: github.actor with GITHUB_TOKEN and \`permissions: packages: write\`).`,
    });
  }

  private loginRequired(): UserError {
    return new UserError(`Registry ${this.opts.registry} requires a login and no credentials were given.`, {
      title: 'registry login',
      fix: `Pass a username and password (or access token) for ${this.opts.registry}.`,
    });
  }
}
