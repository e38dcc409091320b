/** The drift report as markdown (job summary, report-md) and as annotations. Everything user-derived is escaped. */
import { code, details, formatNumber, heading, join, md, type Md, table } from '../report/markdown.js';
import type { Annotation } from '../runtime/context.js';
import { monitoringAnnotations, renderMonitoring } from './render-monitoring.js';
import type { DriftReport } from './report.js';

type ColumnResult = DriftReport['columns'][number];

const HEADLINE: Record<DriftReport['status'], string> = { ok: '✅ drift-check: ok', warn: '🟡 drift-check: warn', drift: '🔴 drift-check: drift' };

function value(c: ColumnResult): string {
  if (c.value === null) return '—';
  return c.valueKind === 'p-value' ? `p = ${formatNumber(c.value)}` : formatNumber(c.value);
}

function files(list: string[]): string {
  return list.length <= 3 ? list.join(', ') : `${list.slice(0, 3).join(', ')} and ${list.length - 3} more`;
}

/** What a column's result says, in one line (annotations, issue bodies). */
export function columnLine(c: ColumnResult): string {
  if (c.status !== 'tested') return `${c.column}: ${c.reason}`;
  const effect = c.effect ? `; ${c.effect.name} ${formatNumber(c.effect.value)}` : '';
  return `${c.column}: ${c.test} ${value(c)} (drift when ${c.condition}${effect}): ${c.reason}`;
}

function columnsTable(r: DriftReport): Md {
  return table(
    ['Column', 'Drifted', 'Test', 'Value', 'Drift when', 'Effect size', 'Why this test', 'Notes'],
    r.columns.map((c) => [
      code(c.column),
      c.status !== 'tested' ? 'not tested' : c.drifted ? md`**yes**` : 'no',
      c.test ?? '—',
      value(c),
      c.condition ?? '—',
      c.effect ? `${c.effect.name} = ${formatNumber(c.effect.value)}` : '',
      c.reason,
      c.notes.join('; '),
    ]),
    ['l', 'l', 'l', 'r', 'l', 'l', 'l', 'l'],
  );
}

export function renderDriftReport(r: DriftReport): string {
  const share = `${r.drifted.length} of ${r.tested} tested columns drifted (drift share ${formatNumber(r.driftShare)}; dataset drift at >= ${formatNumber(r.driftShareThreshold)})`;
  const basis =
    r.basis === 'raw values'
      ? 'raw reference and current values (the numbers equal Evidently\'s)'
      : 'the current data profiled on the reference profile\'s fixed bins (docs/drift.md lists what is exact there)';
  return join([
    heading(3, `${HEADLINE[r.status]}: ${r.reason}`),
    md`${share}.`,
    md`Reference ${files(r.reference.profile)}${r.reference.data ? md` and its data ${files(r.reference.data.files)} (${r.reference.data.rows} rows)` : md``}; current ${files(r.current.files)} (${r.current.rows} rows, ${code(r.current.digest.slice(0, 19))}). Compared on ${basis}.`,
    r.columns.length ? columnsTable(r) : null,
    renderMonitoring(r),
    r.skipped.length ? details(`${r.skipped.length} column(s) not compared`, table(['Column', 'Why'], r.skipped.map((s) => [code(s.column), s.reason]))) : null,
  ]).text;
}

/** One annotation per drifted column (the runner shows 10 per level). */
export function driftAnnotations(r: DriftReport): Annotation[] {
  return [...r.columns.filter((c) => c.drifted).map((c): Annotation => ({ level: 'warning', title: `drift-check: ${c.column} drifted`, message: columnLine(c) })), ...monitoringAnnotations(r)];
}
