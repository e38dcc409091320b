import { type Interval as CiInterval, pairedCountBootstrap, percentile } from '../stats/bootstrap.js';
import { prepareClassification, sortedLabels } from '../stats/classification.js';
import { difference, type Influence, normalInterval } from '../stats/influence.js';
import { regressionInfluence, regressionMetrics } from '../stats/regression.js';
import { UserError } from '../runtime/errors.js';
import type { ModelScores, ScoredData, Task } from './score.js';

/**
 * A per-class metric's name: `f1.class.rain` (docs/metrics.md). `class` keeps a class named
 * `macro` apart from the macro average.
 */
export function perClassMetric(metric: 'precision' | 'recall' | 'f1', label: string): string {
  return `${metric}.class.${label}`;
}

export type MetricTable = Record<string, number>;

export interface ModelEvaluation {
  metrics: MetricTable;
  /** Per class (classification). */
  classes: { label: string; support: number; precision: number; recall: number; f1: number }[];
  confusion: { labels: string[]; matrix: number[][] } | null;
}

/** A statistic over rows `idx` for one model, with our metric names. */
export type RowStatistic = (idx?: Uint32Array) => MetricTable;

/**
 * One model's scores, prepared once (probability columns sorted once): the statistic for any
 * rows (the bootstrap's resamples, a slice) and the full evaluation on all rows.
 */
export interface PreparedModel {
  statistic: RowStatistic;
  evaluate(): ModelEvaluation;
  /** What the intervals are computed from, on all rows or the distinct rows `rows` lists (a slice). */
  sufficient(rows?: Uint32Array): Sufficient;
}

/**
 * A model's metrics reduced to what their intervals need: the count scores through each row's
 * cell of a count table (bootstrapped as multinomial counts), the others through each row's
 * influence (normal intervals, DeLong's for ROC AUC).
 */
export interface Sufficient {
  /** Per row (of `rows`), its cell among `count`; count 0: no count scores (regression). */
  cells: { of: Int32Array; count: number; scalars(table: Float64Array): MetricTable };
  influence: Record<string, Influence>;
}

export function prepareModelScores(task: Task, data: ScoredData, m: ModelScores, labels: string[]): PreparedModel {
  if (task === 'regression') {
    const pred = m.values!;
    const statistic: RowStatistic = (idx) => ({ ...regressionMetrics(data.yNumber, pred, idx) });
    const none = { of: new Int32Array(0), count: 0, scalars: () => ({}) };
    return { statistic, evaluate: () => ({ metrics: statistic(), classes: [], confusion: null }), sufficient: (rows) => ({ cells: none, influence: regressionInfluence(data.yNumber, pred, rows) }) };
  }
  const prep = prepareClassification({
    yTrue: data.yText,
    yPred: m.labels!,
    ...(m.proba && m.classes ? { proba: Float64Array.from(m.proba), classes: m.classes } : {}),
    labels,
  });
  const statistic: RowStatistic = (idx) => prep.scalars(idx);
  return {
    statistic,
    sufficient: (rows) => ({ cells: rows ? { ...prep.cells, of: Int32Array.from(rows, (r) => prep.cells.of[r]!) } : prep.cells, influence: prep.influence(rows) }),
    evaluate() {
      const metrics = statistic();
      const full = prep.metrics();
      for (const c of full.perClass) {
        metrics[perClassMetric('f1', c.label)] = c.f1;
        metrics[perClassMetric('precision', c.label)] = c.precision;
        metrics[perClassMetric('recall', c.label)] = c.recall;
      }
      return { metrics, classes: full.perClass, confusion: { labels: full.labels, matrix: full.confusionMatrix } };
    },
  };
}

/**
 * The classes averaged over: those in the labels or predicted by either model (scikit-learn's
 * unique_labels(y_true, y_pred), shared so candidate and baseline cover the same classes).
 */
export function classLabels(data: ScoredData, models: ModelScores[]): string[] {
  return sortedLabels(data.yText, ...models.map((m) => m.labels ?? []));
}

/** Latency metrics (gateable): per-row and per-batch percentiles in milliseconds. */
export function latencyMetrics(m: ModelScores): MetricTable {
  const p = (xs: number[], q: number) => (xs.length ? percentile(Float64Array.from(xs).sort(), q) : NaN);
  return {
    latency_p50_ms: p(m.rowMs, 0.5),
    latency_p95_ms: p(m.rowMs, 0.95),
    latency_p99_ms: p(m.rowMs, 0.99),
    batch_latency_p50_ms: p(m.batchMs, 0.5),
    batch_latency_p95_ms: p(m.batchMs, 0.95),
    batch_latency_p99_ms: p(m.batchMs, 0.99),
  };
}

export interface Intervals {
  candidate: Record<string, { lo: number; hi: number }>;
  difference: Record<string, { lo: number; hi: number }>;
}

const toLoHi = (r: Record<string, CiInterval>) => Object.fromEntries(Object.entries(r).map(([k, i]) => [k, { lo: i.lower, hi: i.upper }]));
const finiteOnly = (r: Record<string, { lo: number; hi: number }>) => Object.fromEntries(Object.entries(r).filter(([, i]) => Number.isFinite(i.lo) && Number.isFinite(i.hi)));
/** Where a metric lives: a probability or a share stays in [0, 1] (and a difference of them in [-1, 1]). */
const BOUNDED = new Set(['roc_auc', 'pr_auc']);

/**
 * CIs of the candidate's metrics and of candidate - baseline on the same rows (all rows, or the
 * distinct rows `rows` lists), each by the cheapest method exact for it (docs/gates.md):
 * accuracy, precision, recall and F1 by the paired bootstrap of the count table (`resamples`
 * multinomial draws); ROC AUC by DeLong; PR AUC, log loss, Brier and the regression metrics by
 * the normal interval of their influence. `resamples` 0: none.
 */
export function intervals(candidate: PreparedModel, baseline: PreparedModel | null, o: { resamples: number; seed: number; confidence: number }, rows?: Uint32Array): Intervals {
  const out: Intervals = { candidate: {}, difference: {} };
  if (o.resamples === 0 || rows?.length === 0) return out;
  const c = candidate.sufficient(rows);
  const b = baseline ? baseline.sufficient(rows) : null;

  if (c.cells.count > 0) {
    // The joint cell (candidate's, baseline's) of every row, numbered in order of appearance.
    const width = b ? b.cells.count : 1;
    const index = new Map<number, number>();
    const counts: number[] = [];
    const candCell: number[] = [];
    const baseCell: number[] = [];
    for (let i = 0; i < c.cells.of.length; i++) {
      const key = c.cells.of[i]! * width + (b ? b.cells.of[i]! : 0);
      let k = index.get(key);
      if (k === undefined) {
        k = counts.length;
        index.set(key, k);
        counts.push(0);
        candCell.push(c.cells.of[i]!);
        baseCell.push(b ? b.cells.of[i]! : 0);
      }
      counts[k]!++;
    }
    const margin = (cells: number[], count: number, scalars: (t: Float64Array) => MetricTable) => {
      const table = new Float64Array(count);
      return (joint: Float64Array) => {
        table.fill(0);
        for (let k = 0; k < joint.length; k++) table[cells[k]!]! += joint[k]!;
        return scalars(table);
      };
    };
    const r = pairedCountBootstrap({
      counts: Float64Array.from(counts),
      resamples: o.resamples,
      seed: o.seed,
      confidence: o.confidence,
      candidate: margin(candCell, c.cells.count, c.cells.scalars),
      ...(b ? { baseline: margin(baseCell, b.cells.count, b.cells.scalars) } : {}),
    });
    Object.assign(out.candidate, toLoHi(r.candidate));
    Object.assign(out.difference, toLoHi(r.difference));
  }
  for (const [key, f] of Object.entries(c.influence)) {
    const bounded = BOUNDED.has(key);
    out.candidate[key] = normalInterval(f, o.confidence, bounded ? [0, 1] : undefined);
    const g = b?.influence[key];
    if (g) out.difference[key] = normalInterval(difference(f, g), o.confidence, bounded ? [-1, 1] : undefined);
  }
  return { candidate: finiteOnly(out.candidate), difference: finiteOnly(out.difference) };
}

/** The rows a metric was computed on: their true labels, and the classes the model scores. */
export interface EvaluatedRows {
  yTrue: readonly string[];
  classes: readonly string[] | null;
  /** What the rows are, in words: "the evaluation data", "slice season=winter". */
  what: string;
}

/**
 * Why each undefined (NaN) metric is undefined on these rows, in words a user can act on:
 * ROC AUC without rows of some class, R² on fewer than 2 rows, anything on no rows.
 */
export function undefinedReasons(metrics: MetricTable, rows: EvaluatedRows): Record<string, string> {
  const out: Record<string, string> = {};
  const present = new Set(rows.yTrue);
  const absent = (rows.classes ?? []).filter((c) => !present.has(c));
  const list = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(', ');
  for (const [name, value] of Object.entries(metrics)) {
    if (!Number.isNaN(value)) continue;
    if (rows.yTrue.length === 0) out[name] = `${rows.what} has no rows`;
    else if (name === 'roc_auc' && absent.length && (rows.classes ?? []).length === 2)
      out[name] = `only class ${list([...present])} occurs in ${rows.what}; ROC AUC needs rows of both classes`;
    else if (name === 'roc_auc' && absent.length)
      out[name] = `class${absent.length > 1 ? 'es' : ''} ${list(absent)} never occur${absent.length > 1 ? '' : 's'} in ${rows.what}, so ${absent.length > 1 ? 'their' : 'its'} one-vs-rest ROC AUC (part of the macro average) is undefined; gate on pr_auc, or evaluate on data with every class`;
    else if (name === 'r2' && rows.yTrue.length < 2) out[name] = `R² needs at least 2 rows; ${rows.what} has ${rows.yTrue.length}`;
    else out[name] = `undefined on the ${rows.yTrue.length} rows of ${rows.what}`;
  }
  return out;
}

const shown = (values: readonly string[], max = 10) => values.slice(0, max).map((v) => (v === '' ? '(empty)' : JSON.stringify(v))).join(', ') + (values.length > max ? ` and ${values.length - max} more` : '');

/**
 * The label column must hold what the models predict: a classifier's classes (not a numeric
 * code for a string classifier, nor a class it never saw), a regressor's numbers. Otherwise the
 * metrics would be meaningless, so it is the user's error, named at the `label` input.
 */
export function checkLabels(task: Task, data: ScoredData, label: string): void {
  if (task === 'regression') {
    const bad = [...new Set(data.yText.filter((_, r) => !Number.isFinite(data.yNumber[r])))];
    if (bad.length) throw new UserError(`the label column "${label}" holds values that are not numbers: ${shown(bad)}; a regressor is scored against numbers`, { where: { input: 'label' }, fix: 'name the numeric column the model predicts, and drop or fill rows without a value' });
    return;
  }
  for (const m of data.models) {
    if (!m.classes) continue;
    const known = new Set(m.classes);
    const unknown = [...new Set(data.yText)].filter((v) => !known.has(v)).sort();
    if (unknown.length === 0) continue;
    throw new UserError(`the label column "${label}" holds value(s) the ${m.role} model does not predict: ${shown(unknown)}; its classes are ${shown(m.classes, 50)}`, {
      where: { input: 'label' },
      fix: 'name the column the model was trained to predict, with the same values (map codes to the class names the model uses), and drop rows of classes it never saw or without a label',
    });
  }
}
