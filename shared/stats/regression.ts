/**
 * Regression metrics, equal to scikit-learn 1.9's (single output, no sample weights):
 * rmse = root_mean_squared_error, mae = mean_absolute_error, r2 = r2_score (force_finite),
 * mape = mean_absolute_percentage_error. Each takes optional row indices, so a bootstrap
 * resample is scored without copying the columns. Pure: no I/O.
 */
import { type Influence, meanInfluence } from './influence.js';

/** sklearn's MAPE floor for |y_true|: numpy.finfo(float64).eps. */
export const MAPE_EPSILON = Number.EPSILON;

/** A plain object type (not an interface) so it is a Record<string, number> for the bootstrap. */
export type RegressionMetrics = {
  rmse: number;
  mae: number;
  /** NaN for fewer than 2 rows, as sklearn. */
  r2: number;
  /** A fraction, not a percentage (0.1 = 10%); huge when y_true has zeros, as sklearn. */
  mape: number;
};

/** Throws unless both columns are finite and of one non-zero length. */
export function checkRegressionInput(yTrue: Float64Array, yPred: Float64Array): void {
  if (yTrue.length !== yPred.length) throw new RangeError(`y_true has ${yTrue.length} rows, y_pred ${yPred.length}`);
  if (yTrue.length === 0) throw new RangeError('no rows to score');
  for (let i = 0; i < yTrue.length; i++) {
    if (!Number.isFinite(yTrue[i]!) || !Number.isFinite(yPred[i]!)) throw new RangeError(`row ${i} is not finite`);
  }
}

/**
 * The metrics on all rows, or on the rows `idx` lists (repeats count again). Validates the
 * columns only when scoring all rows; a bootstrap scores all rows first.
 */
export function regressionMetrics(yTrue: Float64Array, yPred: Float64Array, idx?: Uint32Array): RegressionMetrics {
  if (!idx) checkRegressionInput(yTrue, yPred);
  const m = idx ? idx.length : yTrue.length;
  if (m === 0) throw new RangeError('no rows to score');
  let sumTrue = 0;
  let squared = 0;
  let absolute = 0;
  let percentage = 0;
  for (let j = 0; j < m; j++) {
    const i = idx ? idx[j]! : j;
    const t = yTrue[i]!;
    const e = yPred[i]! - t;
    sumTrue += t;
    squared += e * e;
    absolute += Math.abs(e);
    percentage += Math.abs(e) / Math.max(Math.abs(t), MAPE_EPSILON);
  }
  return { rmse: Math.sqrt(squared / m), mae: absolute / m, r2: r2(yTrue, idx, m, sumTrue / m, squared), mape: percentage / m };
}

function r2(yTrue: Float64Array, idx: Uint32Array | undefined, m: number, mean: number, residual: number): number {
  if (m < 2) return NaN;
  let total = 0;
  for (let j = 0; j < m; j++) {
    const d = yTrue[idx ? idx[j]! : j]! - mean;
    total += d * d;
  }
  // sklearn's force_finite: a constant y_true scores 1 if predicted exactly, else 0.
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

/**
 * The metrics with each row's influence (shared/stats/influence.ts), on all rows or the
 * distinct rows `rows` lists: mae and mape are means; rmse = sqrt(MSE) has influence
 * (e² - MSE) / (2 rmse); r2 = 1 - A/B (A = mean e², B = mean (y - ȳ)²) has
 * -(IF_A - (A/B) IF_B) / B. A metric that cannot move (rmse 0, constant y) has phi 0.
 */
export function regressionInfluence(yTrue: Float64Array, yPred: Float64Array, rows?: Uint32Array): Record<keyof RegressionMetrics, Influence> {
  const m = rows ? rows.length : yTrue.length;
  const at = (j: number) => (rows ? rows[j]! : j);
  const abs = new Float64Array(m);
  const ape = new Float64Array(m);
  const sq = new Float64Array(m);
  let sumTrue = 0;
  for (let j = 0; j < m; j++) {
    const t = yTrue[at(j)]!;
    const e = yPred[at(j)]! - t;
    abs[j] = Math.abs(e);
    ape[j] = Math.abs(e) / Math.max(Math.abs(t), MAPE_EPSILON);
    sq[j] = e * e;
    sumTrue += t;
  }
  const mse = meanInfluence(sq);
  const metrics = regressionMetrics(yTrue, yPred, rows ?? undefined);
  const scaled = (f: (j: number) => number): Float64Array | null => (m < 2 ? null : Float64Array.from({ length: m }, (_, j) => f(j) / Math.sqrt(m * (m - 1))));
  const rmse = metrics.rmse;
  const ybar = sumTrue / m;
  let b = 0;
  for (let j = 0; j < m; j++) b += (yTrue[at(j)]! - ybar) ** 2;
  b /= m;
  const a = mse.estimate;
  return {
    rmse: { estimate: rmse, phi: scaled((j) => (rmse === 0 ? 0 : (sq[j]! - a) / (2 * rmse))) },
    mae: meanInfluence(abs),
    r2: { estimate: metrics.r2, phi: scaled((j) => (b === 0 ? 0 : -((sq[j]! - a) - (a / b) * ((yTrue[at(j)]! - ybar) ** 2 - b)) / b)) },
    mape: meanInfluence(ape),
  };
}
