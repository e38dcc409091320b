/**
 * Beyond feature drift: prediction drift and performance on labels that arrived later, and the
 * verdict of all three together (the worst of them). The columns with these roles (the
 * predictions, the data's clock, labels and ids) are not compared as features.
 */
import type { Profile } from '../data/profile.js';
import type { Context } from '../runtime/context.js';
import { formatNumber } from '../report/markdown.js';
import type { CompareOptions, PerColumn, SkippedColumn } from './compare.js';
import { baselineMetrics, readLabelled } from './labels.js';
import { failedGates, monitorPerformance, parsePerformanceRules, parseWindow, type Performance } from './performance.js';
import { predictionDrift, referencePredictions } from './predictions.js';
import { columnOf } from './profile-fields.js';
import type { Reference } from './reference.js';
import type { DriftReport } from './report.js';
import { UserError } from '../runtime/errors.js';

export interface MonitorOptions {
  /** The column holding the model's predictions (`prediction`, as the prediction log names it). */
  predictionColumn: string;
  /** Reference predictions: a profile or data; default: the reference profile's prediction column. */
  referencePredictions?: string;
  /** The data's clock (`time` in the prediction log): windows come from it; not a feature. */
  timeColumn: string;
  /** Labels file(s) keyed by `idColumns`; empty with a `labelColumn`: the labels are in the current data. */
  labels?: string;
  labelColumn?: string;
  idColumns: readonly string[];
  /** `1d`, `6h`...; empty: one window. */
  window: string;
  baselineMetrics?: string;
  performanceRules: string;
  /** For a `release:` model as baseline-metrics. */
  githubToken?: string;
}

export const DEFAULT_LABEL_COLUMN = 'label';

const labelColumnOf = (m: MonitorOptions) => m.labelColumn || DEFAULT_LABEL_COLUMN;
/** Labels were given: performance is monitored. */
export const monitorsPerformance = (m: MonitorOptions) => Boolean(m.labels || m.labelColumn);

/** Columns with a role other than feature, and why they are not compared as features. */
export function roleColumns(m: MonitorOptions): Map<string, string> {
  const roles = new Map<string, string>();
  roles.set(m.predictionColumn, 'the model\'s predictions: compared under prediction drift');
  roles.set(m.timeColumn, 'the time of each row (time-column): the data\'s clock, always later than the reference\'s');
  for (const id of m.idColumns) roles.set(id, 'identifies each prediction (id-column), one value per row');
  if (monitorsPerformance(m)) roles.set(labelColumnOf(m), 'the labels (label-column): used for performance');
  return roles;
}

/** The options for the features: a test or threshold set for the prediction column is the predictions'. */
export function forFeatures(o: CompareOptions, m: MonitorOptions): CompareOptions {
  const omit = <T>(x: PerColumn<T>) => new Map([...x].filter(([k]) => k !== m.predictionColumn));
  return { ...o, tests: omit(o.tests), thresholds: omit(o.thresholds) };
}

/** The role columns the reference has, as skipped columns with their reason. */
export function skippedRoles(referenceColumns: readonly string[], roles: Map<string, string>): SkippedColumn[] {
  return referenceColumns.filter((c) => roles.has(c)).map((column) => ({ column, reason: roles.get(column)! }));
}

const RANK = { ok: 0, warn: 1, drift: 2 } as const;
type Status = keyof typeof RANK;
const worst = (a: Status, b: Status): Status => (RANK[b] > RANK[a] ? b : a);

/** Prediction drift and performance added to a feature drift report, and the verdict of all. */
export async function monitor(report: DriftReport, m: MonitorOptions, o: CompareOptions, reference: Reference, currentProfile: () => Promise<Profile>, current: string, ctx: Context): Promise<DriftReport> {
  const out: DriftReport = { ...report, skipped: report.skipped.filter((s) => s.column !== m.predictionColumn) };
  const parts: { status: Status; reason: string }[] = [];
  // A report that compared no feature at all (the data holds only predictions) says nothing about features.
  if (report.columns.length > 0 || !(m.referencePredictions || monitorsPerformance(m))) parts.push({ status: report.status, reason: report.reason });

  const ref = await referencePredictions(m.referencePredictions, m.predictionColumn, reference, ctx);
  if (ref) {
    const cur = columnOf(await currentProfile(), m.predictionColumn);
    if (!cur) {
      if (m.referencePredictions) throw new UserError(`the current data has no prediction column '${m.predictionColumn}'`, { where: { input: 'prediction-column' }, fix: 'name the column holding the model\'s predictions' });
      out.skipped.push({ column: m.predictionColumn, reason: 'the model\'s predictions: not in the current data' });
    } else {
      const p = predictionDrift(m.predictionColumn, ref, cur, o);
      out.predictions = p;
      const r = p.result;
      if (r.drifted) out.drifted = [...out.drifted, p.column];
      const value = r.valueKind === 'p-value' ? `p = ${formatNumber(r.value!)}` : formatNumber(r.value!);
      parts.push(
        r.status !== 'tested'
          ? { status: 'warn', reason: `predictions not tested: ${r.reason}` }
          : { status: r.drifted ? 'drift' : 'ok', reason: `the predictions (${p.column}) ${r.drifted ? 'drifted' : 'did not drift'} (${r.test} ${value}; drift when ${r.condition})` },
      );
    }
  }

  if (monitorsPerformance(m)) {
    const rules = parsePerformanceRules(m.performanceRules);
    const window = parseWindow(m.window);
    const baseline = m.baselineMetrics ? await baselineMetrics(m.baselineMetrics, ctx, m.githubToken) : null;
    const labelled = await readLabelled(
      { current, predictionColumn: m.predictionColumn, labels: m.labels ?? '', labelColumn: labelColumnOf(m), idColumns: m.idColumns, timeColumn: window === null ? null : m.timeColumn },
      ctx,
    );
    const counts = { files: labelled.files, column: labelColumnOf(m), predictions: labelled.predictions, labelled: labelled.rows.length, unlabelled: labelled.unlabelled, unmatched: labelled.unmatched };
    if (labelled.rows.length === 0) {
      parts.push({ status: 'warn', reason: `no prediction has a label yet (${labelled.predictions} predictions; ${labelled.unmatched} labels match none of them)` });
    } else {
      const perf: Performance = monitorPerformance({ task: labelled.task, rows: labelled.rows, window, windowText: m.window.trim() || null, rules, baseline });
      out.performance = { ...perf, labels: counts };
      const failed = failedGates(perf);
      const windows = perf.windows.length || 1;
      parts.push(
        failed.length
          ? { status: 'drift', reason: `performance: ${failed.length} failed rule(s): ${failed.slice(0, 3).join('; ')}${failed.length > 3 ? `; and ${failed.length - 3} more` : ''}` }
          : { status: 'ok', reason: `performance: ${rules.length ? `every rule held in ${windows} window(s)` : `${labelled.rows.length} labelled predictions, no rules`}` },
      );
    }
  }
  if (parts.length === 0) return out;
  const status = parts.reduce<Status>((s, p) => worst(s, p.status), 'ok');
  return { ...out, status, reason: parts.map((p) => p.reason).join('; ').slice(0, 5000) };
}
