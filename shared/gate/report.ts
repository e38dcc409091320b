import { z } from 'zod';
import { code, details, join, md, Md, table, type Cell } from '../report/markdown.js';

export const REPORT_SCHEMA_VERSION = 1;

const num = z.number().nullable();
const interval = z.object({ lo: z.number(), hi: z.number() }).nullable();
const name = z.string().max(200);

/**
 * The evaluate-gate report. It is also what a `workflow_run` workflow receives from a fork's
 * pull request, so it is parsed strictly (bounded sizes, no unknown keys) and everything in it
 * is rendered as escaped text.
 */
export const gateReportSchema = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    kind: z.literal('mlops/evaluate-gate-report'),
    passed: z.boolean(),
    task: z.enum(['binary', 'multiclass', 'regression']),
    rows: z.number().int().nonnegative(),
    candidate: z.object({ name: name.nullable(), reference: name, version: name.nullable(), digest: name }).strict(),
    baseline: z.object({ reference: name, version: name.nullable(), digest: name }).strict().nullable(),
    commit: z.string().regex(/^[0-9a-f]{7,40}$/).nullable(),
    pullRequest: z.number().int().positive().nullable(),
    confidence: z.number().gt(0).lt(1),
    resamples: z.number().int().nonnegative(),
    metrics: z
      .array(
        z
          .object({
            name,
            candidate: num,
            baseline: num,
            candidateCi: interval,
            differenceCi: interval,
            /** Why the candidate's value is undefined (NaN), when it is. */
            why: z.string().max(500).optional(),
          })
          .strict(),
      )
      .max(500),
    gates: z.array(z.object({ rule: z.string().max(500), metric: name, passed: z.boolean(), reason: z.string().max(2000) }).strict()).max(200),
    classes: z
      .array(z.object({ label: name, support: z.number(), precision: num, recall: num, f1: num, baselineF1: num }).strict())
      .max(1000),
    slices: z.array(z.object({ slice: name, rows: z.number().int(), candidate: z.record(name, z.number()), baseline: z.record(name, z.number()).nullable() }).strict()).max(1000),
    confusion: z.object({ labels: z.array(name).max(100), matrix: z.array(z.array(z.number().int()).max(100)).max(100) }).strict().nullable(),
    latency: z
      .array(z.object({ model: z.enum(['candidate', 'baseline']), rowP50: num, rowP95: num, rowP99: num, batchP50: num, batchP95: num, batchP99: num, batchSize: z.number().int() }).strict())
      .max(2),
    mcnemar: z.object({ b: z.number().int(), c: z.number().int(), pValue: z.number(), method: z.enum(['exact', 'chi2']) }).strict().nullable(),
  })
  .strict();
export type GateReport = z.infer<typeof gateReportSchema>;

/** One sticky comment per (workflow, model): later versions of the model edit the same comment. */
export function gateCommentKey(workflow: string, model: string | null): string {
  return `evaluate-gate:${workflow}:${(model ?? 'model').replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

const f = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v.toPrecision(digits)).toString());

function delta(c: number | null, b: number | null): { abs: string; pct: string } {
  if (c === null || b === null) return { abs: '—', pct: '—' };
  const d = c - b;
  return { abs: `${d >= 0 ? '+' : ''}${f(d)}`, pct: b === 0 ? '—' : `${d >= 0 ? '+' : ''}${f((100 * d) / Math.abs(b), 3)}%` };
}

const ci = (i: { lo: number; hi: number } | null): string => (i ? `[${f(i.lo, 3)}, ${f(i.hi, 3)}]` : '—');

/** Mermaid bar chart of the headline metrics (fixed names only: nothing user-controlled in it). */
function chart(r: GateReport): Md | null {
  const headline = r.metrics.filter((m) => /^(accuracy|precision\.macro|recall\.macro|f1\.macro|roc_auc|pr_auc|r2)$/.test(m.name) && m.candidate !== null);
  if (headline.length < 2) return null;
  const x = headline.map((m) => `"${m.name}"`).join(', ');
  const bars = (vals: (number | null)[]) => `[${vals.map((v) => f(v ?? 0)).join(', ')}]`;
  const lines = ['```mermaid', 'xychart-beta', r.baseline ? '  title "candidate (bars) vs baseline (line)"' : '  title "candidate (no baseline yet)"', `  x-axis [${x}]`, '  y-axis 0 --> 1', `  bar ${bars(headline.map((m) => m.candidate))}`];
  if (r.baseline) lines.push(`  line ${bars(headline.map((m) => m.baseline))}`);
  lines.push('```');
  return new Md(lines.join('\n'));
}

/** The report as markdown: verdict line first, then the metrics table, then details. */
export function renderGateReport(r: GateReport): string {
  const rulesFor = (metric: string) => r.gates.filter((g) => g.metric === metric);
  const verdict = r.passed ? '✅ evaluate-gate passed' : '❌ evaluate-gate failed';
  const baseline = r.baseline ? md`baseline ${code(r.baseline.reference)}` : md`no baseline (first model)`;
  const head = md`### ${new Md(verdict)}: candidate ${code(r.candidate.reference)}${r.commit ? md` at ${code(r.commit.slice(0, 12))}` : md``} vs ${baseline}, ${r.rows} rows`;
  const rows: Cell[][] = r.metrics.map((m) => {
    const d = delta(m.candidate, m.baseline);
    const rules = rulesFor(m.name);
    const significant = m.differenceCi && (m.differenceCi.lo > 0 || m.differenceCi.hi < 0) ? ' (significant)' : '';
    return [
      code(m.name),
      f(m.baseline),
      f(m.candidate),
      d.abs,
      d.pct,
      (m.baseline !== null ? ci(m.differenceCi) : ci(m.candidateCi)) + significant,
      rules.length ? new Md(rules.map((g) => code(g.rule).text).join('<br>')) : '',
      rules.length ? (rules.every((g) => g.passed) ? '✅' : '❌') : '',
    ];
  });
  const undefinedNotes = r.metrics.filter((m) => m.why).map((m) => md`${code(m.name)} is undefined (—): ${m.why!}.`);
  const gateLines = r.gates.map((g) => [g.passed ? '✅' : '❌', code(g.rule), g.reason]);
  const perClass = r.classes.length
    ? details(
        'Per class',
        table(
          ['Class', 'Support', 'Precision', 'Recall', 'F1', 'Baseline F1'],
          r.classes.map((c) => [code(c.label), c.support, f(c.precision), f(c.recall), f(c.f1), f(c.baselineF1)]),
          ['l', 'r', 'r', 'r', 'r', 'r'],
        ),
      )
    : null;
  const present = new Set(r.slices.flatMap((s) => Object.keys(s.candidate)));
  const sliceNames = ['accuracy', 'f1.macro', 'roc_auc', 'rmse', 'mae', 'r2'].filter((k) => present.has(k));
  const slices = r.slices.length
    ? details(
        `Per slice (${r.slices.length})`,
        table(
          ['Slice', 'Rows', ...sliceNames.flatMap((k) => [`${k} (baseline)`, `${k} (candidate)`])],
          r.slices.map((s) => [code(s.slice), s.rows, ...sliceNames.flatMap((k) => [f(s.baseline?.[k] ?? null), f(s.candidate[k] ?? null)])]),
        ),
      )
    : null;
  const confusion = r.confusion
    ? details('Confusion matrix (candidate; rows: true, columns: predicted)', table(['', ...r.confusion.labels.map((l) => code(l))], r.confusion.matrix.map((row, i) => [code(r.confusion!.labels[i] ?? ''), ...row])))
    : null;
  const latency = r.latency.length
    ? details(
        'Latency (ms)',
        table(
          ['Model', 'row p50', 'row p95', 'row p99', 'batch p50', 'batch p95', 'batch p99', 'batch size'],
          r.latency.map((l) => [l.model, f(l.rowP50, 3), f(l.rowP95, 3), f(l.rowP99, 3), f(l.batchP50, 3), f(l.batchP95, 3), f(l.batchP99, 3), l.batchSize]),
        ),
      )
    : null;
  const mc = r.mcnemar
    ? md`McNemar's test (${r.mcnemar.method}): candidate right where the baseline is wrong on ${r.mcnemar.b} rows, the reverse on ${r.mcnemar.c}; p = ${f(r.mcnemar.pValue, 3)}.`
    : null;
  return join([
    head,
    table(['Metric', 'Baseline', 'Candidate', 'Δ', 'Δ%', `CI (${Math.round(r.confidence * 100)}%)`, 'Rule', 'Result'], rows, ['l', 'r', 'r', 'r', 'r', 'l', 'l', 'c']),
    ...undefinedNotes,
    gateLines.length ? details(`Gates: ${r.gates.filter((g) => g.passed).length} of ${r.gates.length} passed`, table(['', 'Rule', 'Why'], gateLines)) : null,
    perClass,
    slices,
    confusion,
    latency,
    mc,
    chart(r),
    md`CIs on the same rows for both models: accuracy, precision, recall and F1 by a paired bootstrap of the confusion counts (${r.resamples} resamples), ROC AUC by DeLong's method, the other metrics by normal intervals from each row's influence.`,
  ]).text;
}
