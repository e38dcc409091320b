/**
 * The one retry policy of the registry client: a bounded number of attempts, exponential
 * backoff with jitter, and a server's `Retry-After` honoured (but not beyond a cap, so a
 * registry asking for an hour fails the job with a clear message instead of hanging it).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (crane: 1 + 3 retries). */
  attempts: number;
  /** The first backoff; each retry doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the request fails. */
  maxRetryAfterMs: number;
  /** Injected for tests; a real timer otherwise. */
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...overrides };
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw new Error(`retry attempts must be a positive integer, got ${policy.attempts}`);
  return policy;
}

/** Statuses worth another attempt: timeouts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Backoff before attempt `attempt + 1` (attempt counts from 1): doubling, with "equal jitter". */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** What one failed attempt tells the loop. */
export interface AttemptFailure {
  /** Worth another attempt. */
  retryable: boolean;
  /** The server's `Retry-After`, if it sent one. */
  retryAfterMs?: number | undefined;
}

/**
 * Run `attempt` until it succeeds, `classify` says a failure is final, or the attempts are used
 * up; the last failure is thrown. `onRetry` sees each failure that will be retried.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  classify: (error: unknown) => AttemptFailure,
  onRetry?: (error: unknown, n: number, delayMs: number) => void,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const failure = classify(error);
      if (!failure.retryable || n >= policy.attempts) throw error;
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) throw error;
      const delay = Math.max(backoffMs(policy, n), failure.retryAfterMs ?? 0);
      onRetry?.(error, n, delay);
      await policy.sleep(delay);
    }
  }
}

/** A network failure (refused, reset, cut mid-body, DNS, idle timeout), by its error code. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError') return true;
  if (error instanceof TypeError && /fetch failed|terminated/i.test(error.message)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/.test(code);
}
