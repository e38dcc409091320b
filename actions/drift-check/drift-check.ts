import path from 'node:path';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { checkDrift } from '../../shared/drift/check.js';
import { parseTests, parseThresholds } from '../../shared/drift/compare.js';
import { driftAnnotations, renderDriftReport } from '../../shared/drift/render.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { displayPath, writeFileAtomic } from '../../shared/runtime/files.js';
import { UserError } from '../../shared/runtime/errors.js';
import { githubRepo } from '../../shared/github/client.js';
import { runUrl } from '../../shared/lineage/git.js';
import { alert, type AlertResult } from '../../shared/monitor/alert.js';
import { md } from '../../shared/report/markdown.js';
import { pushgatewayTarget } from '../../shared/monitor/drift-metrics.js';
import { publishDrift } from '../../shared/monitor/publish.js';
import { webhookTarget } from '../../shared/monitor/webhook.js';

function retrainOf(i: Inputs, ctx: Context) {
  if (i.retrain === 'none') return null;
  if (!i.issue) throw new UserError('retrain: dispatch keeps the time of the last dispatch in the drift issue', { where: { input: 'retrain' }, fix: 'set `issue: true` too (and `permissions: issues: write`)' });
  if (!i['retrain-workflow']) throw new UserError('retrain: dispatch needs the workflow to start', { where: { input: 'retrain-workflow' }, fix: 'set it to the retrain workflow\'s file name, e.g. retrain.yml' });
  const ref = i['retrain-ref'] ?? ctx.env.GITHUB_REF;
  if (!ref) throw new UserError('no ref to run the retrain workflow on', { where: { input: 'retrain-ref' }, fix: 'set it to a branch, e.g. main' });
  return { workflow: i['retrain-workflow'], ref, cooldownHours: i['retrain-cooldown'] };
}

export async function driftCheck(i: Inputs, ctx: Context): Promise<ActionResult> {
  const retrain = retrainOf(i, ctx);
  const github = i.issue ? githubRepo(ctx.env, i['github-token']) : null;
  // Checked before the data is read, so a wrong URL fails fast. The webhook URL is masked (a secret input).
  const webhook = i.webhook ? { target: webhookTarget(i.webhook), format: i['webhook-format'], on: i['webhook-on'] } : undefined;
  const pushgateway = i.pushgateway ? pushgatewayTarget(i.pushgateway) : undefined;
  const report = await checkDrift(
    {
      reference: i.reference,
      current: i.current,
      referenceData: i['reference-data'],
      currentFormat: i['current-format'],
      ...(i.prometheus ? { prometheus: { url: i.prometheus, token: i['prometheus-token'], window: i['prometheus-window'], selector: i['prometheus-selector'] } } : {}),
      columns: i.columns,
      tests: parseTests(i.stattest),
      thresholds: parseThresholds(i['stattest-threshold']),
      driftShare: i['drift-share'],
      monitor: {
        predictionColumn: i['prediction-column'],
        referencePredictions: i['reference-predictions'],
        timeColumn: i['time-column'],
        labels: i.labels,
        labelColumn: i['label-column'],
        idColumns: i['id-column'],
        window: i.window,
        baselineMetrics: i['baseline-metrics'],
        performanceRules: i['performance-rules'],
      },
      // A release: model (reference, baseline-metrics) is read with the workflow's token: a
      // runner does not put GITHUB_TOKEN in a step's environment.
      githubToken: i['github-token'] || ctx.env.GITHUB_TOKEN,
    },
    ctx,
  );
  const markdown = renderDriftReport(report);
  const jsonPath = path.resolve(ctx.workspace, i.report);
  const mdPath = path.resolve(ctx.workspace, i['report-md']);
  writeFileAtomic(jsonPath, `${JSON.stringify(report, null, 2)}\n`, { input: 'report' });
  writeFileAtomic(mdPath, `${markdown}\n`, { input: 'report-md' });
  let alerted: AlertResult = { issue: null, retrain: null };
  if (github) {
    alerted = await ctx.log.group('Drift issue and retrain', () => alert(github, report, { model: i.model, issue: i.issue, retrain, markdown, now: new Date(), runUrl: runUrl(ctx.env) }));
    if (alerted.issue) ctx.log.info(`Issue #${alerted.issue.number} ${alerted.issue.action}: ${alerted.issue.url}`);
    if (alerted.retrain) ctx.log.info(`Retrain ${alerted.retrain.reason}`);
  }
  const published = await publishDrift(report, { model: i.model, now: new Date(), runUrl: runUrl(ctx.env), issue: i.issue ? alerted.issue : undefined, metricsFile: i['metrics-file'], pushgateway, webhook }, ctx);
  for (const line of published.lines) ctx.log.info(line);
  const fails = i['fail-on'] === 'drift' ? report.status === 'drift' : i['fail-on'] === 'warn' ? report.status !== 'ok' : false;
  return {
    outputs: {
      status: report.status,
      drifted: String(report.status === 'drift'),
      'drift-share': String(report.driftShare),
      'drifted-columns': JSON.stringify(report.drifted),
      report: displayPath(ctx.workspace, jsonPath),
      'report-md': displayPath(ctx.workspace, mdPath),
      'issue-url': alerted.issue?.url ?? '',
      'retrain-dispatched': String(alerted.retrain?.dispatched ?? false),
      'prediction-drifted': report.predictions ? String(report.predictions.result.drifted) : '',
      'performance-passed': report.performance ? String(report.performance.passed) : '',
      'webhook-sent': String(published.webhookSent),
    },
    summary: [
      markdown,
      alerted.issue ? md`Drift issue #${alerted.issue.number} ${alerted.issue.action}: ${alerted.issue.url}`.text : '',
      alerted.retrain ? md`Retrain: ${alerted.retrain.reason}.`.text : '',
      ...[...published.lines, ...published.warnings].map((l) => md`${l}.`.text),
    ].filter(Boolean).join('\n\n'),
    annotations: [...driftAnnotations(report), ...published.warnings.map((message) => ({ level: 'warning' as const, title: 'drift-check: not delivered', message }))],
    failure: fails ? `drift-check: ${report.status} (${report.reason}); fail-on: ${i['fail-on']}` : undefined,
  };
}

export const action = defineAction({ id: 'drift-check', actionYml, inputs, run: driftCheck });
