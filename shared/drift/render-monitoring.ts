/** The prediction drift and performance sections of the drift report (markdown, annotations). Everything user-derived is escaped. */
import { code, formatNumber, heading, join, md, type Md, table } from '../report/markdown.js';
import type { Annotation } from '../runtime/context.js';
import type { DriftReport } from './report.js';

type Predictions = NonNullable<DriftReport['predictions']>;
type PerformanceReport = NonNullable<DriftReport['performance']>;
type Window = PerformanceReport['overall'];

function predictionSection(p: Predictions): Md {
  const r = p.result;
  const value = r.value === null ? '—' : r.valueKind === 'p-value' ? `p = ${formatNumber(r.value)}` : formatNumber(r.value);
  const verdict = r.status !== 'tested' ? 'not tested' : r.drifted ? md`**drifted**` : 'no drift';
  return join([
    heading(4, 'Prediction drift'),
    md`The predictions in ${code(p.column)} against the reference predictions (${p.reference.join(', ')}).`,
    table(
      ['Column', 'Drifted', 'Test', 'Value', 'Drift when', 'Effect size', 'Why this test', 'Notes'],
      [[code(p.column), verdict, r.test ?? '—', value, r.condition ?? '—', r.effect ? `${r.effect.name} = ${formatNumber(r.effect.value)}` : '', r.reason, r.notes.join('; ')]],
      ['l', 'l', 'l', 'r', 'l', 'l', 'l', 'l'],
    ),
  ]);
}

/** The metrics the rules name first, then the rest, at most 6 columns. */
function shownMetrics(p: PerformanceReport): string[] {
  const named = p.rules.map((r) => r.split(/\s/)[0]!.replace(/^"|"$/g, ''));
  const all = Object.keys(p.overall.metrics);
  return [...new Set([...named.filter((n) => all.includes(n)), ...all])].slice(0, 6);
}

function windowRow(w: Window, names: string[]): (string | Md)[] {
  const failed = w.gates.filter((g) => !g.passed);
  const when = w.start ? `${w.start} – ${w.end}` : 'all';
  return [when, String(w.rows), ...names.map((n) => (w.metrics[n] === null || w.metrics[n] === undefined ? '—' : formatNumber(w.metrics[n]!))), w.gates.length === 0 ? '' : failed.length ? md`**failed**: ${failed.map((g) => `${g.rule}: ${g.reason}`).join('; ')}` : 'passed'];
}

function performanceSection(p: PerformanceReport): Md {
  const names = shownMetrics(p);
  const l = p.labels;
  const from = l.files.length ? `labels ${l.files.join(', ')} (column ${l.column})` : `the current data's column ${l.column}`;
  const rows = p.windows.length ? [...p.windows.map((w) => windowRow(w, names)), windowRow(p.overall, names)] : [windowRow(p.overall, names)];
  return join([
    heading(4, `Performance: ${p.rules.length === 0 ? 'no rules' : p.passed ? 'every rule held' : 'a rule failed'}`),
    md`${l.labelled} of ${l.predictions} predictions labelled, from ${from}; ${l.unlabelled} without a label yet${l.unmatched ? md`, ${l.unmatched} labels match no prediction` : md``}. ${p.task === 'classification' ? 'Classification' : 'Regression'} metrics as evaluate-gate computes them${p.window ? md`, per ${p.window} window (UTC)` : md``}${p.baseline ? md`; baseline: ${p.baseline.source}` : md``}.`,
    p.rules.length ? md`Rules: ${join(p.rules.map(code), ', ')}` : null,
    table(['Window', 'Rows', ...names, 'Rules'], rows, ['l', 'r', ...names.map(() => 'r' as const), 'l']),
    p.baseline ? md`Baseline: ${names.filter((n) => p.baseline!.metrics[n] !== undefined).map((n) => `${n} ${formatNumber(p.baseline!.metrics[n]!)}`).join(', ') || 'none of these metrics'}.` : null,
  ]);
}

/** The sections, or '' when neither ran. */
export function renderMonitoring(r: DriftReport): Md | null {
  if (!r.predictions && !r.performance) return null;
  return join([r.predictions ? predictionSection(r.predictions) : null, r.performance ? performanceSection(r.performance) : null]);
}

export function monitoringAnnotations(r: DriftReport): Annotation[] {
  const out: Annotation[] = [];
  const p = r.predictions?.result;
  if (p?.drifted) out.push({ level: 'warning', title: `drift-check: predictions ${p.column} drifted`, message: `${p.column}: ${p.test} ${formatNumber(p.value!)} (drift when ${p.condition}): ${p.reason}` });
  const perf = r.performance;
  if (perf) {
    for (const w of perf.windows.length ? perf.windows : [perf.overall]) {
      for (const g of w.gates.filter((x) => !x.passed)) out.push({ level: 'warning', title: `drift-check: performance rule failed${w.start ? ` (${w.start})` : ''}`, message: `${g.rule}: ${g.reason}` });
    }
  }
  return out;
}
