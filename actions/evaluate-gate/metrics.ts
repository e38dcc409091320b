import { type Interval as CiInterval, pairedBootstrap, bootstrap } from '../../shared/stats/bootstrap.js';
import { prepareClassification, sortedLabels } from '../../shared/stats/classification.js';
import { regressionMetrics } from '../../shared/stats/regression.js';
import type { ModelScores, ScoredData, Task } from '../../shared/model/score.js';
import { percentile } from '../../shared/stats/bootstrap.js';

/** Our metric names for the statistics module's keys: the names users write in gates. */
const RENAME: Record<string, string> = { precision_macro: 'precision', recall_macro: 'recall', f1_macro: 'f1' };

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
}

export function prepareModelScores(task: Task, data: ScoredData, m: ModelScores, labels: string[]): PreparedModel {
  if (task === 'regression') {
    const pred = m.values!;
    const statistic: RowStatistic = (idx) => ({ ...regressionMetrics(data.yNumber, pred, idx) });
    return { statistic, evaluate: () => ({ metrics: statistic(), classes: [], confusion: null }) };
  }
  const prep = prepareClassification({
    yTrue: data.yText,
    yPred: m.labels!,
    ...(m.proba && m.classes ? { proba: Float64Array.from(m.proba), classes: m.classes } : {}),
    labels,
  });
  const statistic: RowStatistic = (idx) => {
    const out: MetricTable = {};
    for (const [k, v] of Object.entries(prep.scalars(idx))) out[RENAME[k] ?? k] = v;
    return out;
  };
  return {
    statistic,
    evaluate() {
      const metrics = statistic();
      const full = prep.metrics();
      for (const c of full.perClass) {
        metrics[`f1.${c.label}`] = c.f1;
        metrics[`precision.${c.label}`] = c.precision;
        metrics[`recall.${c.label}`] = c.recall;
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

const toLoHi = (r: Record<string, CiInterval>) => Object.fromEntries(Object.entries(r).filter(([, i]) => Number.isFinite(i.lower) && Number.isFinite(i.upper)).map(([k, i]) => [k, { lo: i.lower, hi: i.upper }]));

/** Bootstrap CIs on the same resampled rows for both models (or the candidate alone). */
export function intervals(n: number, candidate: RowStatistic, baseline: RowStatistic | null, o: { resamples: number; seed: number; confidence: number }, rows?: Uint32Array): Intervals {
  if (o.resamples === 0 || n === 0) return { candidate: {}, difference: {} };
  // A subset of rows (a slice): resample positions within it.
  const pick = (idx: Uint32Array) => (rows ? idx.map((i) => rows[i]!) : idx);
  const common = { n, resamples: o.resamples, seed: o.seed, confidence: o.confidence };
  if (!baseline) {
    const r = bootstrap({ ...common, statistic: (idx) => candidate(pick(idx)) });
    return { candidate: toLoHi(r.metrics), difference: {} };
  }
  const r = pairedBootstrap({ ...common, candidate: (idx) => candidate(pick(idx)), baseline: (idx) => baseline(pick(idx)) });
  return { candidate: toLoHi(r.candidate), difference: toLoHi(r.difference) };
}
