import { type Credentials, RegistryAuth } from './auth.js';
import { RegistryError, registryError } from './errors.js';
import { isNetworkError, type RetryPolicy, retryPolicy } from '../../http/retry.js';
import { describeCause, httpTransport, NetworkError, redirectTransport, type RegistryRequest, retryTransport, type Transport } from '../../http/transport.js';
import { registryOrigin } from './urls.js';

/** What one client did, so tests (and logs) can say "only the new blob was uploaded". */
export interface RegistryCounters {
  /** HTTP requests sent, retries, redirects and token fetches included. */
  requests: number;
  /** Requests sent again by the retry policy (a whole blob upload counts once per restart). */
  retries: number;
  blobsUploaded: number;
  bytesUploaded: number;
  /** Blobs not sent because the registry had them (HEAD 200). */
  blobsSkipped: number;
  blobsMounted: number;
  blobsDownloaded: number;
  tokensFetched: number;
}

export interface RegistrySessionOptions {
  /** `host[:port]`: `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Default: http for 127.0.0.1/localhost/::1, https otherwise. */
  scheme?: 'http' | 'https';
  credentials?: Credentials;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /** Every secret (password, token) as soon as it is known, for the log masker. */
  onSecret?: (value: string) => void;
  /** One line per retry, for the job log. */
  log?: (line: string) => void;
  /** A socket silent this long is given up and retried (default 5 minutes). */
  idleTimeoutMs?: number;
}

export const DEFAULT_USER_AGENT = 'mlops-actions-registry-client/1';

/**
 * One registry's HTTP stack and bookkeeping, shared by the client's blob, manifest and tag
 * operations: auth -> retry -> redirect -> http, plus counters and error rendering.
 */
export class RegistrySession {
  readonly registry: string;
  readonly origin: URL;
  readonly policy: RetryPolicy;
  readonly auth: RegistryAuth;
  readonly send: Transport;
  readonly counters: RegistryCounters = { requests: 0, retries: 0, blobsUploaded: 0, bytesUploaded: 0, blobsSkipped: 0, blobsMounted: 0, blobsDownloaded: 0, tokensFetched: 0 };
  private readonly log: (line: string) => void;

  constructor(opts: RegistrySessionOptions) {
    this.registry = opts.registry;
    this.origin = registryOrigin(opts.registry, opts.scheme);
    this.policy = retryPolicy(opts.retry);
    this.log = opts.log ?? (() => {});
    const base = httpTransport({ userAgent: opts.userAgent ?? DEFAULT_USER_AGENT, idleTimeoutMs: opts.idleTimeoutMs, onRequest: () => this.counters.requests++ });
    const inner = retryTransport(redirectTransport(base), this.policy, (req, why, delay) => this.noteRetry(`${req.method} ${req.url.pathname}`, why, delay));
    this.auth = new RegistryAuth({ registry: opts.registry, credentials: opts.credentials, inner, onSecret: opts.onSecret, onToken: () => this.counters.tokensFetched++ });
    this.send = this.auth.transport;
  }

  noteRetry(what: string, why: string, delayMs: number): void {
    this.counters.retries++;
    this.log(`registry ${this.registry}: ${what}: ${why}; retrying in ${(delayMs / 1000).toFixed(1)} s`);
  }

  /** `/v2/<path>` on this registry. */
  url(path: string): URL {
    return new URL(`/v2/${path}`, this.origin);
  }

  /** Send, turning a network failure that outlived the retries into a RegistryError. */
  async request(req: RegistryRequest, operation: string): Promise<Response> {
    try {
      return await this.send(req);
    } catch (error) {
      throw this.unreachable(error, operation);
    }
  }

  /** A network failure that outlived the retries, as a RegistryError; anything else unchanged. */
  unreachable(error: unknown, operation: string, attempts = this.policy.attempts): unknown {
    const fix = `Check that ${this.registry} is the right address and reachable from the runner (proxy, firewall, DNS), then re-run.`;
    if (error instanceof NetworkError) {
      return new RegistryError({ registry: this.registry, operation, reason: `${error.request.method} ${error.request.url.pathname}: ${error.reason}`, attempts: error.attempts, fix, network: true });
    }
    if (isNetworkError(error)) {
      return new RegistryError({ registry: this.registry, operation, reason: describeCause(error as Error), attempts, fix, network: true });
    }
    return error;
  }

  /** The registry's refusal, rendered with its error codes. */
  fail(res: Response, operation: string, fix?: string): Promise<RegistryError> {
    return registryError(res, this.registry, operation, fix);
  }
}
