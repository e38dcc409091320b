import type { CanaryResult } from './canary.js';
import { formatValue } from './analysis.js';
import { code, details, join, md, type Md, table } from '../report/markdown.js';

const PHASE = { successful: '✅ passed', failed: '❌ failed', inconclusive: '❔ inconclusive', error: '⚠️ error', running: 'not reached' } as const;

/** The canary's steps and every measurement, for the job summary. */
export function renderCanary(c: CanaryResult): Md {
  const verdict = c.phase === 'promoted' ? md`passed every step and was promoted.` : md`was aborted at step ${c.steps[c.steps.length - 1]?.weight ?? '?'}% and removed.`;
  if (c.prometheus === null) {
    // Every rule turned off: the steps only held; say so rather than show an empty analysis.
    return join([
      md`#### Canary ${code(c.name)} ${verdict}`,
      md`No analysis: every rule was turned off, so each step waited for the canary's pods to be ready, then held ${c.holdSeconds} s; nothing judged the canary's behaviour.`,
      table(['Step', 'Canary'], c.steps.map((s) => [md`${s.weight}%`, share(c, s)])),
    ]);
  }
  const rows = c.steps.flatMap((s) =>
    (s.analysis?.rules ?? []).map((r) => [
      md`${s.weight}%`,
      share(c, s),
      code(r.rule.name),
      code(`${r.rule.op} ${r.rule.threshold}`),
      r.measurements.map((m) => formatValue(m.value)).join(', '),
      PHASE[r.phase],
    ]),
  );
  return join([
    md`#### Canary ${code(c.name)} ${verdict}`,
    c.failure?.query ? md`Failing query: ${code(c.failure.query)}` : null,
    rows.length ? table(['Step', 'Canary', 'Rule', 'Threshold', 'Measurements', 'Result'], rows) : null,
    details(
      md`Queries (Prometheus ${code(c.prometheus)})`,
      table(
        ['Rule', 'PromQL'],
        (c.steps[0]?.analysis?.rules ?? []).map((r) => [code(r.rule.name), code(r.query)]),
      ),
    ),
  ]);
}

function share(c: CanaryResult, s: CanaryResult['steps'][number]): Md {
  return c.route ? md`${s.share}% by HTTPRoute ${code(c.route)} (${s.canaryReplicas} pod(s))` : md`${s.canaryReplicas} of ${s.canaryReplicas + s.stableReplicas} pods (${s.share}%)`;
}

/** The `canary-steps` output: each step's share and each rule's measurements. */
export function canarySteps(c: CanaryResult) {
  return c.steps.map((s) => ({
    weight: s.weight,
    canaryReplicas: s.canaryReplicas,
    stableReplicas: s.stableReplicas,
    share: s.share,
    phase: s.analysis?.phase ?? 'not-ready',
    rules: (s.analysis?.rules ?? []).map((r) => ({ name: r.rule.name, op: r.rule.op, threshold: r.rule.threshold, phase: r.phase === 'running' ? 'not-reached' : r.phase, values: r.measurements.map((m) => (m.value === null || !Number.isFinite(m.value) ? null : m.value)) })),
  }));
}
