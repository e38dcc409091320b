/**
 * drift-check's webhook: one POST of the drift alert in Slack, Teams or the generic JSON format,
 * on the house HTTP stack (network errors, 408/429/5xx retried with backoff and Retry-After). A
 * webhook URL is a credential (its path is the secret): it is masked by the caller, never put in
 * a message, and shown as its origin only. A failed delivery is a warning returned to the
 * caller, never a thrown error: the verdict and the outputs stand.
 */
import { attemptsOf, discard, httpTransport, NetworkError, retryTransport } from '../http/transport.js';
import { takeUrlCredentials } from '../http/url-credentials.js';
import { retryPolicy, type RetryPolicy } from '../http/retry.js';
import { plainValue } from '../report/text.js';
import { UserError } from '../runtime/errors.js';
import type { DriftReport } from '../drift/report.js';
import type { DriftAlert } from './webhook-message.js';
import { slackMessage } from './webhook-slack.js';
import { teamsMessage } from './webhook-teams.js';

export const WEBHOOK_FORMATS = ['slack', 'teams', 'json'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
export const WEBHOOK_ON = ['drift', 'warn', 'always'] as const;
export type WebhookOn = (typeof WEBHOOK_ON)[number];

export interface WebhookTarget {
  url: URL;
  /** The origin only: what may be recorded (the path and the query are the secret). */
  shown: string;
  headers: Record<string, string>;
}

/** Parse the webhook input; the error never repeats the value (it is a credential). */
export function webhookTarget(raw: string, input = 'webhook'): WebhookTarget {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UserError('the webhook is not a URL (its value is not shown: it is a secret)', { where: { input }, fix: 'pass the incoming-webhook URL from a secret, e.g. webhook: ${{ secrets.SLACK_WEBHOOK_URL }}' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`the webhook must be an http(s) URL, got ${url.protocol}`, { where: { input }, fix: 'pass the https:// URL Slack or Teams gave you' });
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', accept: 'application/json, text/plain' };
  const basic = takeUrlCredentials(url);
  if (basic) headers.authorization = basic;
  return { url, shown: url.origin, headers };
}

/**
 * Whether this run sends. `change` comes from the drift issue (`issue: true` knows the previous
 * state): then a message goes out when the drift starts (issue opened) and when it recovers
 * (issue closed), not on every run while it lasts. Without it (null), every run whose verdict
 * reaches `on` sends. `always` sends on every run either way.
 */
export function shouldNotify(on: WebhookOn, status: DriftReport['status'], change: DriftAlert['change']): { send: boolean; why: string } {
  if (on === 'always') return { send: true, why: 'webhook-on: always' };
  if (change === 'started') return { send: true, why: 'the drift started (issue opened)' };
  if (change === 'recovered') return { send: true, why: 'the data recovered (issue closed)' };
  if (change === 'continues') return { send: false, why: 'the drift continues (its start was sent; webhook-on: always sends every run)' };
  if (status === 'drift' || (on === 'warn' && status === 'warn')) return { send: true, why: `the verdict is ${status}` };
  return { send: false, why: `the verdict is ${status} (webhook-on: ${on})` };
}

export function webhookBody(format: WebhookFormat, alert: DriftAlert): string {
  const body = format === 'slack' ? slackMessage(alert) : format === 'teams' ? teamsMessage(alert) : alert;
  return JSON.stringify(body);
}

export interface WebhookResult {
  sent: boolean;
  attempts: number;
  /** Set when the delivery failed: the warning to show (no URL path in it). */
  warning?: string;
}

export interface WebhookOptions {
  retry?: Partial<RetryPolicy>;
  /** Retries are said here (no URL in them). */
  log?: (message: string) => void;
  userAgent?: string;
}

/** POST the alert; never throws for a delivery failure (the result says it). */
export async function sendWebhook(target: WebhookTarget, format: WebhookFormat, alert: DriftAlert, o: WebhookOptions = {}): Promise<WebhookResult> {
  const body = webhookBody(format, alert);
  // A hanging receiver must not hold the job: 30 s of silence is a (retried) failure.
  const transport = retryTransport(httpTransport({ userAgent: o.userAgent ?? 'mlops-actions', idleTimeoutMs: 30_000 }), retryPolicy(o.retry), (_req, why, delayMs) =>
    o.log?.(`webhook (${format}) to ${target.shown}: ${why}; retrying in ${(delayMs / 1000).toFixed(1)} s`),
  );
  const failed = (why: string, attempts: number): WebhookResult => ({ sent: false, attempts, warning: `the ${format} webhook to ${target.shown} failed: ${why}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}; the verdict and outputs stand` });
  let attempts = 1;
  try {
    const res = await transport({ method: 'POST', url: target.url, headers: target.headers, body: () => body });
    attempts = attemptsOf(res);
    if (res.status >= 200 && res.status < 300) {
      await discard(res);
      return { sent: true, attempts };
    }
    const text = plainValue((await res.text()).trim(), 200);
    return failed(`HTTP ${res.status}${text ? ` ${text}` : ''}`, attempts);
  } catch (e) {
    if (e instanceof NetworkError) return failed(e.reason, e.attempts);
    return failed(e instanceof Error ? e.message.split(target.url.pathname).join('/…') : String(e), attempts);
  }
}
