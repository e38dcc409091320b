/**
 * What a drift verdict sets off: one sticky issue per model (opened on drift, updated while it
 * lasts, closed when the data recovers) and the retrain workflow dispatched on drift, at most
 * once per cooldown. The time of the last dispatch is kept in the issue itself (a hidden line),
 * so re-runs and later runs see it; nothing is kept anywhere else.
 */
import type { GitHubRepo } from '../github/client.js';
import { dispatchWorkflow } from '../github/dispatch.js';
import { closeStickyIssue, findStickyIssue, upsertStickyIssue } from '../github/sticky-issue.js';
import type { DriftReport } from '../drift/report.js';

export const DRIFT_LABEL = 'mlops-drift';

export interface AlertOptions {
  model: string;
  issue: boolean;
  retrain: { workflow: string; ref: string; cooldownHours: number } | null;
  /** The markdown report (escaped already). */
  markdown: string;
  now: Date;
  /** This run's URL, for the issue and the retrain input. */
  runUrl: string | undefined;
}

export interface AlertResult {
  issue: { number: number; url: string; action: 'opened' | 'updated' | 'closed' } | null;
  retrain: { dispatched: boolean; reason: string } | null;
}

const DISPATCHED = /<!-- mlops:retrain-dispatched-at (\d{4}-\d\d-\d\dT[\d:.]+Z) -->/;

export function issueKey(model: string): string {
  return `drift-check:${model}`;
}

export function lastDispatch(body: string | undefined): Date | undefined {
  const m = body ? DISPATCHED.exec(body) : null;
  return m ? new Date(m[1]!) : undefined;
}

export async function alert(r: GitHubRepo, report: DriftReport, o: AlertOptions): Promise<AlertResult> {
  const key = issueKey(o.model);
  const open = o.issue ? await findStickyIssue(r, key, DRIFT_LABEL) : undefined;
  let retrain: AlertResult['retrain'] = null;
  let dispatchedAt = lastDispatch(open?.body);
  if (o.retrain && report.status === 'drift') {
    const since = dispatchedAt ? (o.now.getTime() - dispatchedAt.getTime()) / 3_600_000 : Infinity;
    if (since < o.retrain.cooldownHours) {
      retrain = { dispatched: false, reason: `not dispatched: the last retrain started ${dispatchedAt!.toISOString()}, within the cooldown of ${o.retrain.cooldownHours} h` };
    } else {
      const summary = JSON.stringify({ model: o.model, status: report.status, driftShare: report.driftShare, drifted: report.drifted, run: o.runUrl ?? null, issue: open?.url ?? null });
      await dispatchWorkflow(r, o.retrain.workflow, o.retrain.ref, { 'drift-report': summary });
      dispatchedAt = o.now;
      retrain = { dispatched: true, reason: `dispatched ${o.retrain.workflow} on ${o.retrain.ref}` };
    }
  } else if (o.retrain) {
    retrain = { dispatched: false, reason: `not dispatched: the verdict is ${report.status}` };
  }
  if (!o.issue) return { issue: null, retrain };

  const stamp = dispatchedAt ? `<!-- mlops:retrain-dispatched-at ${dispatchedAt.toISOString()} -->\n` : '';
  const run = o.runUrl ? `\n\nRun: ${o.runUrl}` : '';
  const retrainLine = retrain ? `\n\nRetrain: ${retrain.reason}.` : '';
  const title = `Data drift: ${o.model}`;
  if (report.status === 'drift' || (report.status === 'warn' && open)) {
    const body = `${stamp}${o.markdown}${retrainLine}${run}\n\n_Updated by drift-check on every run while the drift lasts; closed when the data recovers._`;
    const i = await upsertStickyIssue(r, key, DRIFT_LABEL, title, body);
    return { issue: { number: i.number, url: i.url, action: i.created ? 'opened' : 'updated' }, retrain };
  }
  if (report.status === 'ok' && open) {
    const closed = await closeStickyIssue(r, key, DRIFT_LABEL, `${stamp}**Recovered**: the data no longer drifts.\n\n${o.markdown}${run}`);
    return { issue: closed ? { number: closed.number, url: closed.url, action: 'closed' } : null, retrain };
  }
  return { issue: null, retrain };
}
