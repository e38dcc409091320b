/**
 * Performance monitoring once labels arrive: the model's metrics per time window (the same
 * definitions as evaluate-gate: shared/stats classification and regression metrics) against
 * its recorded metrics, gated with evaluate-gate's rule language (shared/gate). Pure.
 */
import { evaluateRules } from '../gate/evaluate.js';
import { parseRules } from '../gate/parse.js';
import { formatRule, type Rule } from '../gate/rule.js';
import { UserError } from '../runtime/errors.js';
import { prepareClassification } from '../stats/classification.js';
import { regressionMetrics } from '../stats/regression.js';

export type PerformanceTask = 'classification' | 'regression';

/** One labelled prediction. */
export interface LabelledRow {
  /** Epoch seconds; null when the data has no time column (one window). */
  time: number | null;
  prediction: string | number;
  label: string | number;
}

export interface GateResult {
  rule: string;
  passed: boolean;
  reason: string;
}

export interface WindowPerformance {
  /** ISO start and end (exclusive) of the window; null for the whole period without times. */
  start: string | null;
  end: string | null;
  rows: number;
  /** null: undefined on these rows (e.g. r2 on one row). */
  metrics: Record<string, number | null>;
  gates: GateResult[];
}

export interface Performance {
  task: PerformanceTask;
  /** The window length as given (`1d`), or null: the whole period. */
  window: string | null;
  baseline: { source: string; metrics: Record<string, number> } | null;
  rules: string[];
  /** Every rule on every window; passed when none failed. */
  passed: boolean;
  windows: WindowPerformance[];
  /** All labelled rows together. */
  overall: WindowPerformance;
}

const UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

/** `30m`, `6h`, `1d`, `7d` -> seconds; '' -> null (one window). */
export function parseWindow(text: string, input = 'window'): number | null {
  const t = text.trim();
  if (!t) return null;
  const m = /^(\d+)\s*([mhd])$/.exec(t);
  if (!m || Number(m[1]) === 0) throw new UserError(`"${t}" is not a window length`, { where: { input }, fix: 'write a whole number of minutes, hours or days: 30m, 6h, 1d, 7d' });
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Performance rules: evaluate-gate's language, without slices or `significant` (no slices or intervals here). */
export function parsePerformanceRules(text: string, input = 'performance-rules'): Rule[] {
  const rules = parseRules(text, input);
  for (const r of rules) {
    if (r.slice || r.significant) {
      throw new UserError(`\`${input}\` line ${r.line}: ${r.slice ? 'slices' : '`significant`'} are not available in performance rules`, {
        where: { input, line: r.line },
        fix: 'write the rule on the whole window, e.g. `accuracy >= baseline - 0.05`',
      });
    }
  }
  return rules;
}

function metricsOf(task: PerformanceTask, rows: readonly LabelledRow[]): Record<string, number> {
  if (task === 'regression') return { ...regressionMetrics(Float64Array.from(rows, (r) => Number(r.label)), Float64Array.from(rows, (r) => Number(r.prediction))) };
  return prepareClassification({ yTrue: rows.map((r) => String(r.label)), yPred: rows.map((r) => String(r.prediction)) }).scalars();
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/:00\.000Z$/, 'Z');

function windowOf(task: PerformanceTask, rows: readonly LabelledRow[], rules: Rule[], baseline: Record<string, number> | null, start: string | null, end: string | null): WindowPerformance {
  const metrics = metricsOf(task, rows);
  const results = evaluateRules(rules, { candidate: metrics, baseline }, { firstModel: 'fail' });
  return {
    start,
    end,
    rows: rows.length,
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null])),
    gates: results.map((r) => ({ rule: formatRule(r.rule), passed: r.passed, reason: r.reason })),
  };
}

export interface PerformanceRequest {
  task: PerformanceTask;
  rows: readonly LabelledRow[];
  /** Seconds, or null for one window. */
  window: number | null;
  windowText: string | null;
  rules: Rule[];
  baseline: { source: string; metrics: Record<string, number> } | null;
}

/** Metrics and gate results per window (windows start at multiples of the length since the epoch, UTC) and overall. */
export function monitorPerformance(req: PerformanceRequest): Performance {
  if (req.rows.length === 0) throw new Error('monitorPerformance needs labelled rows');
  if (!req.baseline && req.rules.some((r) => r.threshold.kind !== 'absolute')) {
    throw new UserError('a performance rule compares with the baseline, but no baseline metrics were given', {
      where: { input: 'baseline-metrics' },
      fix: 'set baseline-metrics to the model (local:<name>@champion, whose manifest holds its metrics), evaluate-gate\'s report.json, or a metrics JSON file',
    });
  }
  const baseline = req.baseline?.metrics ?? null;
  const windows: WindowPerformance[] = [];
  if (req.window !== null) {
    const groups = new Map<number, LabelledRow[]>();
    for (const r of req.rows) {
      const k = Math.floor(r.time! / req.window);
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
    }
    for (const k of [...groups.keys()].sort((a, b) => a - b)) windows.push(windowOf(req.task, groups.get(k)!, req.rules, baseline, iso(k * req.window), iso((k + 1) * req.window)));
  }
  const overall = windowOf(req.task, req.rows, req.rules, baseline, null, null);
  const all = windows.length ? windows : [overall];
  return {
    task: req.task,
    window: req.windowText,
    baseline: req.baseline,
    rules: req.rules.map(formatRule),
    passed: all.every((w) => w.gates.every((g) => g.passed)),
    windows,
    overall,
  };
}

/** The failed rules, one line each, e.g. `2026-05-03T00:00Z: accuracy >= baseline - 0.05: 0.62 < 0.79 (baseline 0.84 - 0.05)`. */
export function failedGates(p: Performance): string[] {
  const all = p.windows.length ? p.windows : [p.overall];
  return all.flatMap((w) => w.gates.filter((g) => !g.passed).map((g) => `${w.start ? `window ${w.start}: ` : ''}${g.rule}: ${g.reason}`));
}
