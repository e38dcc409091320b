/**
 * After the verdict: the drift metrics (a text-format file and/or a Pushgateway group) and the
 * webhook. Both are best effort: a failure comes back as a warning, the verdict stands.
 */
import path from 'node:path';
import type { DriftReport } from '../drift/report.js';
import type { Context } from '../runtime/context.js';
import { displayPath, writeFileAtomic } from '../runtime/files.js';
import type { AlertResult } from './alert.js';
import { driftMetrics, pushMetrics, type PushgatewayTarget } from './drift-metrics.js';
import { driftAlert, type DriftAlert } from './webhook-message.js';
import { sendWebhook, shouldNotify, type WebhookFormat, type WebhookOn, type WebhookTarget } from './webhook.js';

export interface PublishOptions {
  model: string;
  now: Date;
  runUrl: string | undefined;
  /** The drift issue's outcome; null when `issue` is off (the previous state is unknown). */
  issue: AlertResult['issue'] | undefined;
  metricsFile?: string | undefined;
  pushgateway?: PushgatewayTarget | undefined;
  webhook?: { target: WebhookTarget; format: WebhookFormat; on: WebhookOn } | undefined;
}

export interface PublishResult {
  webhookSent: boolean;
  /** What happened, one line each, for the log and the job summary. */
  lines: string[];
  warnings: string[];
}

const CHANGE: Record<NonNullable<AlertResult['issue']>['action'], NonNullable<DriftAlert['change']>> = { opened: 'started', updated: 'continues', closed: 'recovered' };

export async function publishDrift(report: DriftReport, o: PublishOptions, ctx: Context): Promise<PublishResult> {
  const out: PublishResult = { webhookSent: false, lines: [], warnings: [] };
  if (o.metricsFile || o.pushgateway) {
    const text = driftMetrics(report, o.model, o.now);
    if (o.metricsFile) {
      const file = path.resolve(ctx.workspace, o.metricsFile);
      writeFileAtomic(file, text, { input: 'metrics-file' });
      out.lines.push(`Drift metrics written to ${displayPath(ctx.workspace, file)}`);
    }
    if (o.pushgateway) {
      const pushed = await pushMetrics(o.pushgateway, o.model, text, { log: (m) => ctx.log.info(m) });
      if (pushed.warning) out.warnings.push(pushed.warning);
      else out.lines.push(`Drift metrics pushed to ${o.pushgateway.shown} (job drift-check, model ${o.model})`);
    }
  }
  if (o.webhook) {
    const change = o.issue === undefined ? null : o.issue ? CHANGE[o.issue.action] : null;
    const decision = shouldNotify(o.webhook.on, report.status, change);
    if (!decision.send) {
      out.lines.push(`Webhook not sent: ${decision.why}`);
    } else {
      const alert = driftAlert(report, { model: o.model, change, run: o.runUrl, issue: o.issue?.url });
      const sent = await sendWebhook(o.webhook.target, o.webhook.format, alert, { log: (m) => ctx.log.info(m) });
      out.webhookSent = sent.sent;
      if (sent.warning) out.warnings.push(sent.warning);
      else out.lines.push(`Webhook (${o.webhook.format}) sent to ${o.webhook.target.shown}: ${decision.why}`);
    }
  }
  return out;
}
