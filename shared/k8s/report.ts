import type { DeployResult, MonitoringShipped } from './deploy.js';
import { renderCanary } from './canary-report.js';
import { code, details, join, md, table } from '../report/markdown.js';

const ICON = { deployed: '✅', 'rolled-back': '↩️', failed: '❌' } as const;

/** The job summary of a deploy: what runs now, and why a new revision was undone. */
export function renderDeploy(r: DeployResult): string {
  const where = md`${code(`deployment/${r.name}`)} in ${code(r.namespace)} on ${code(r.server)}`;
  const aborted = r.canary?.phase === 'aborted';
  const headline = aborted ? md`${where}: the canary of ${code(r.image)} failed its analysis and was removed; revision ${r.previousRevision ?? '?'} serves all traffic.` : {
    deployed: md`${where}: revision ${r.revision ?? '?'} serves ${code(r.image)}${r.previousRevision ? md` (was revision ${r.previousRevision})` : md``}.`,
    'rolled-back': md`${where}: revision ${r.revision ?? '?'} failed and was rolled back; revision ${r.previousRevision ?? '?'}'s pods serve again${r.restoredRevision ? md` (renumbered ${r.restoredRevision})` : md``}.`,
    failed: md`${where}: revision ${r.revision ?? '?'} failed${r.rollbackMessage ? md`; ${r.rollbackMessage}` : md``}.`,
  }[r.status];
  const problems = r.failure?.problems ?? [];
  return join([
    md`### ${ICON[r.status]} deploy-k8s: ${r.status}`,
    headline,
    r.failure ? md`**Why:** ${r.failure.message.replace(/\.$/, '')}.${problems.length ? md` ${reasons(r)}` : md``}` : null,
    problems.length ? table(['Pod', 'Reason', 'Restarts', 'Detail'], problems.map((p) => [code(p.pod), p.reason, p.restarts, p.detail])) : null,
    r.canary ? renderCanary(r.canary) : null,
    r.url ? md`Service: ${code(r.url)}` : null,
    details(md`Applied (server-side apply as ${code(r.fieldManager)})`, table(['Object'], r.applied.map((a) => [code(a)]))),
    r.monitoring ? monitoringLine(r.monitoring) : null,
    md`Took ${r.seconds.toFixed(1)} s.`,
  ]).text;
}

/** What monitoring shipped: the objects applied, the files, and what the user should know. */
function monitoringLine(m: MonitoringShipped) {
  return join([
    md`**Monitoring:** ${m.applied.length ? md`applied ${join(m.applied.map((a) => code(a)), ', ')}; ` : md``}files ${join(m.files.map((f) => code(f)), ', ')}.`,
    ...m.notes.map((s) => md`Note: ${s}.`),
  ]);
}

/** "2 pods in CrashLoopBackOff" */
function reasons(r: DeployResult): string {
  const counts = new Map<string, Set<string>>();
  for (const p of r.failure?.problems ?? []) counts.set(p.reason, (counts.get(p.reason) ?? new Set()).add(p.pod));
  return [...counts].map(([reason, pods]) => `${pods.size} pod(s) in ${reason}`).join(', ') + '.';
}

/** The step's failure line (exit 1) for a deploy that did not go out. */
export function failureLine(r: DeployResult): string | undefined {
  if (r.status === 'deployed') return undefined;
  if (r.canary?.phase === 'aborted') return `deployment/${r.name}: ${r.canary.failure?.message ?? 'the canary failed'}${r.canary.failure?.query ? ` (query: ${r.canary.failure.query})` : ''}; ${r.rollbackMessage ?? ''}`;
  const why = r.failure ? `${r.failure.message.replace(/\.$/, '')}${r.failure.problems.length ? ` (${reasons(r).replace(/\.$/, '')})` : ''}` : 'the rollout failed';
  return `deployment/${r.name} revision ${r.revision ?? '?'} failed: ${why}; ${r.rollbackMessage ?? 'not rolled back (rollback: never)'}`;
}
