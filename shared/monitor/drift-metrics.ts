/**
 * drift-check's metrics for the monitoring platform, in the Prometheus text format 0.0.4 (the
 * format the Pushgateway takes and node_exporter's textfile collector reads):
 *
 *   mlops_drift_score{model,feature,stat}        the column's statistic (p-value or distance)
 *   mlops_drift_feature_detected{model,feature}  1 when the column drifted, else 0
 *   mlops_drift_detected{model}                  1 when the dataset verdict is drift, else 0
 *   mlops_drift_share{model}                     drifted columns / tested columns
 *   mlops_drift_last_run_timestamp_seconds{model} when this check ran
 *
 * A column that could not be tested (no data on a side) has no score series: no NaN, the
 * absence is the signal (`absent(...)`). Sent to a Pushgateway with PUT, which replaces the whole
 * group (job `drift-check`, grouping key `model`), so a column no longer compared disappears.
 */
import { attemptsOf, httpTransport, NetworkError, retryTransport } from '../http/transport.js';
import { takeUrlCredentials } from '../http/url-credentials.js';
import { retryPolicy, type RetryPolicy } from '../http/retry.js';
import { withoutCredentials } from '../lineage/url.js';
import { plainValue } from '../report/text.js';
import { UserError } from '../runtime/errors.js';
import { Registry } from '../serving/metrics.js';
import type { DriftReport } from '../drift/report.js';

export const PUSHGATEWAY_JOB = 'drift-check';

export function driftMetrics(report: DriftReport, model: string, now: Date): string {
  const r = new Registry({ model });
  const score = r.gauge('mlops_drift_score', "Each column's drift statistic (stat: the test; a p-value for ks, chisquare and z, else a distance).", ['feature', 'stat']);
  const feature = r.gauge('mlops_drift_feature_detected', '1 when the column drifted in the last check, else 0.', ['feature']);
  const detected = r.gauge('mlops_drift_detected', '1 when the dataset verdict of the last check is drift, else 0.');
  const share = r.gauge('mlops_drift_share', 'Drifted columns / tested columns in the last check.');
  const lastRun = r.gauge('mlops_drift_last_run_timestamp_seconds', 'When the last drift check ran, seconds since the Unix epoch.');
  for (const c of report.columns) {
    if (c.status !== 'tested' || c.value === null || c.test === null) continue;
    score.set({ feature: c.column, stat: c.test }, c.value);
    feature.set({ feature: c.column }, c.drifted ? 1 : 0);
  }
  detected.set({}, report.status === 'drift' ? 1 : 0);
  share.set({}, report.driftShare);
  lastRun.set({}, Math.floor(now.getTime() / 1000));
  return r.expose();
}

export interface PushResult {
  pushed: boolean;
  /** Set when the push failed: the warning to show. */
  warning?: string;
}

/** The group's URL: /metrics/job/drift-check/model/<model>, base64url where a value needs it. */
export function pushgatewayGroup(base: URL, model: string): URL {
  // The Pushgateway's `@base64` form carries any value, `/` and empty included.
  const segment = /^[\w.~-]+$/.test(model) ? `model/${model}` : `model@base64/${Buffer.from(model).toString('base64url') || '='}`;
  return new URL(`${base.pathname.replace(/\/$/, '')}/metrics/job/${PUSHGATEWAY_JOB}/${segment}`, base);
}

export interface PushgatewayTarget {
  url: URL;
  shown: string;
  headers: Record<string, string>;
}

export function pushgatewayTarget(raw: string, input = 'pushgateway'): PushgatewayTarget {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UserError(`not a URL: ${withoutCredentials(raw)}`, { where: { input }, fix: 'give the Pushgateway base URL, e.g. http://pushgateway.monitoring:9091' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`the Pushgateway URL must be http(s), got ${url.protocol}`, { where: { input }, fix: 'e.g. http://pushgateway.monitoring:9091' });
  const headers: Record<string, string> = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' };
  const basic = takeUrlCredentials(url);
  if (basic) headers.authorization = basic;
  return { url, shown: withoutCredentials(url.toString()).replace(/\/$/, ''), headers };
}

/** PUT the metrics as the model's group; a failure is a warning (the verdict stands). */
export async function pushMetrics(target: PushgatewayTarget, model: string, text: string, o: { retry?: Partial<RetryPolicy>; log?: (m: string) => void } = {}): Promise<PushResult> {
  const url = pushgatewayGroup(target.url, model);
  const transport = retryTransport(httpTransport({ userAgent: 'mlops-actions', idleTimeoutMs: 30_000 }), retryPolicy(o.retry), (_req, why, delayMs) =>
    o.log?.(`Pushgateway ${target.shown}: ${why}; retrying in ${(delayMs / 1000).toFixed(1)} s`),
  );
  const failed = (why: string, attempts: number): PushResult => ({ pushed: false, warning: `pushing the drift metrics to ${target.shown} failed: ${why}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}; the verdict and outputs stand` });
  try {
    const res = await transport({ method: 'PUT', url, headers: target.headers, body: () => text });
    const reply = plainValue((await res.text()).trim(), 300);
    if (res.status >= 200 && res.status < 300) return { pushed: true };
    return failed(`HTTP ${res.status}${reply ? ` ${reply}` : ''}`, attemptsOf(res));
  } catch (e) {
    if (e instanceof NetworkError) return failed(e.reason, e.attempts);
    throw e;
  }
}
