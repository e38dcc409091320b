/**
 * The one Prometheus HTTP API client (instant queries), for the canary analysis, drift-check's
 * Prometheus source and anything else that reads metrics. Credentials in the URL become basic
 * auth and never appear in a message; a bearer token goes in the Authorization header. Network
 * errors and 5xx/429 are retried with the house policy; a PromQL error is the user's, naming the
 * query and Prometheus's own words.
 */
import { httpTransport, retryTransport, type Transport } from '../http/transport.js';
import { takeUrlCredentials } from '../http/url-credentials.js';
import { retryPolicy, type RetryPolicy } from '../http/retry.js';
import { withoutCredentials } from '../lineage/url.js';
import { UserError } from '../runtime/errors.js';

export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

export interface PrometheusOptions {
  /** Base URL, e.g. http://prometheus:9090 (user:password@ allowed: used as basic auth). */
  url: string;
  /** Bearer token (masked by the caller). */
  token?: string;
  /** The input the URL came from, for error messages. */
  input?: string;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
}

export interface PrometheusClient {
  /** The URL without credentials, for reports. */
  readonly url: string;
  /** Instant query; `time` in seconds since the epoch (default: now, Prometheus's clock). */
  query(promql: string, time?: number): Promise<PromSample[]>;
}

export function prometheusClient(o: PrometheusOptions): PrometheusClient {
  let base: URL;
  try {
    base = new URL(o.url);
  } catch {
    throw new UserError(`not a URL: ${withoutCredentials(o.url)}`, { where: { input: o.input }, fix: 'give the Prometheus base URL, e.g. http://prometheus.monitoring:9090' });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UserError(`Prometheus URL must be http(s), got ${base.protocol}`, { where: { input: o.input }, fix: 'e.g. http://prometheus.monitoring:9090' });
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  const basic = takeUrlCredentials(base);
  if (basic) headers.authorization = basic;
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const shown = withoutCredentials(base.toString()).replace(/\/$/, '');
  const transport: Transport = retryTransport(httpTransport({ userAgent: o.userAgent ?? 'mlops-actions' }), retryPolicy(o.retry));
  const endpoint = new URL(`${base.pathname.replace(/\/$/, '')}/api/v1/query`, base);

  return {
    url: shown,
    async query(promql, time) {
      const form = new URLSearchParams({ query: promql });
      if (time !== undefined) form.set('time', String(time));
      const res = await transport({ method: 'POST', url: endpoint, headers, body: () => form.toString() });
      const text = await res.text();
      let body: { status?: string; errorType?: string; error?: string; data?: { resultType: string; result: unknown } };
      try {
        body = JSON.parse(text);
      } catch {
        throw new UserError(`${shown} answered ${res.status} with no Prometheus API reply (${text.slice(0, 120).replace(/\s+/g, ' ')})`, {
          title: 'Prometheus error',
          where: { input: o.input },
          fix: 'check the URL points at Prometheus itself (the API is under /api/v1)',
        });
      }
      if (res.status === 401 || res.status === 403) throw new UserError(`${shown} refused the query (${res.status})`, { title: 'Prometheus error', where: { input: o.input }, fix: 'check the credentials' });
      if (body.status !== 'success' || !body.data) {
        throw new UserError(`Prometheus query failed: ${body.error ?? `HTTP ${res.status}`}\n  query: ${promql}`, {
          title: 'Prometheus error',
          fix: body.errorType === 'bad_data' ? 'fix the PromQL (Prometheus names the position above)' : `check ${shown}`,
        });
      }
      return samplesOf(body.data, promql);
    },
  };
}

function samplesOf(data: { resultType: string; result: unknown }, promql: string): PromSample[] {
  if (data.resultType === 'scalar') return [{ labels: {}, value: Number((data.result as [number, string])[1]) }];
  if (data.resultType === 'vector') return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  throw new UserError(`the query returns a ${data.resultType}, not an instant vector or scalar\n  query: ${promql}`, { title: 'Prometheus error', fix: 'drop the range selector (wrap it in rate(), increase() or an *_over_time function)' });
}
