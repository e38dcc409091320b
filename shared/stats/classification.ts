/**
 * Classification metrics equal to scikit-learn 1.9's, computed from per-row counts so that a
 * bootstrap resample is scored in O(n k) without copying rows or re-sorting scores: the score
 * orders are sorted once in `prepareClassification`. Pure: no I/O. docs/metrics.md maps each
 * field to the sklearn call it equals.
 */
import { average, type Influence, meanInfluence, type RankedRows, rankInfluence } from './influence.js';

/** log_loss clips probabilities to [eps, 1 - eps] with eps = numpy.finfo(float64).eps (sklearn >= 1.5). */
export const LOG_LOSS_EPSILON = Number.EPSILON;

/** n x k probabilities: row-major in one array, or one array per row. Columns follow `classes`. */
export type Probabilities = Float64Array | readonly (readonly number[])[];

export interface ClassificationInput {
  yTrue: readonly string[];
  yPred: readonly string[];
  /** Required with `proba`: the label of each column (a classifier's classes_). Binary when 2, positive = classes[1]. */
  classes?: readonly string[];
  proba?: Probabilities;
  /**
   * Labels for the confusion matrix and the per-class and averaged scores, in order (sklearn's
   * `labels=`). Default: the sorted union of yTrue and yPred (sklearn's unique_labels). Pass the
   * same list for a candidate and its baseline so their macro averages cover the same classes.
   */
  labels?: readonly string[];
}

export interface ClassScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true label is this one. */
  support: number;
}

export interface ClassificationMetrics {
  /** Rows scored (with repeats, for a resample). */
  n: number;
  labels: string[];
  accuracy: number;
  precisionMacro: number;
  recallMacro: number;
  f1Macro: number;
  precisionWeighted: number;
  recallWeighted: number;
  f1Weighted: number;
  perClass: ClassScores[];
  /** Rows: true label, columns: predicted label, both in `labels` order. */
  confusionMatrix: number[][];
  /** The rest need `proba`. NaN when undefined (a class of `classes` absent from yTrue), as sklearn. */
  rocAuc?: number;
  prAuc?: number;
  logLoss?: number;
  brier?: number;
}

export interface PreparedClassification {
  readonly n: number;
  readonly labels: readonly string[];
  /** All metrics on all rows, or on the rows `idx` lists (repeats count again). */
  metrics(idx?: Uint32Array): ClassificationMetrics;
  /**
   * The scalar metrics under the suite's metric names (docs/metrics.md): accuracy,
   * precision.macro, recall.macro, f1.macro, precision.weighted, recall.weighted, f1.weighted
   * and, with proba, roc_auc, pr_auc, log_loss, brier: a bootstrap statistic as it stands.
   */
  scalars(idx?: Uint32Array): Record<string, number>;
  /**
   * The count table the count scores (accuracy, precision, recall, F1) depend on: `of[i]` is row
   * i's cell among `count`; `scalars(table)` scores a table of row counts per cell, as `scalars`
   * does rows. A resample's table is multinomial, so the count bootstrap needs nothing else.
   */
  readonly cells: { of: Int32Array; count: number; scalars(table: Float64Array): Record<string, number> };
  /**
   * With proba: roc_auc (DeLong), pr_auc, log_loss and brier with each row's influence
   * (shared/stats/influence.ts), on all rows or on the distinct rows `rows` lists (a slice; phi
   * is then indexed by position in `rows`).
   */
  influence(rows?: Uint32Array): Record<string, Influence>;
}

/** Code-point order, as Python sorts str (JavaScript's default sort compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xd800-0xdfff) encode code points above 0xffff: they sort after 0xe000-0xffff.
    const sx = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
    const sy = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
    return sx - sy;
  }
  return a.length - b.length;
}

/** The sorted union of label lists: sklearn's unique_labels. */
export function sortedLabels(...lists: (readonly string[])[]): string[] {
  const set = new Set<string>();
  for (const list of lists) for (const label of list) set.add(label);
  return [...set].sort(compareCodePoints);
}

function indexOf(labels: readonly string[], what: string): Map<string, number> {
  const map = new Map<string, number>();
  labels.forEach((label, i) => {
    if (map.has(label)) throw new RangeError(`${what} lists ${JSON.stringify(label)} twice`);
    map.set(label, i);
  });
  return map;
}

/** Row-major n x k probabilities, validated: every value finite and in [0, 1], as sklearn requires. */
function probabilityMatrix(proba: Probabilities, n: number, k: number): Float64Array {
  let p: Float64Array;
  if (proba instanceof Float64Array) {
    if (proba.length !== n * k) throw new RangeError(`proba has ${proba.length} values, expected ${n} rows x ${k} classes`);
    p = proba;
  } else {
    if (proba.length !== n) throw new RangeError(`proba has ${proba.length} rows, expected ${n}`);
    p = new Float64Array(n * k);
    proba.forEach((row, i) => {
      if (row.length !== k) throw new RangeError(`proba row ${i} has ${row.length} values, expected ${k}`);
      p.set(row, i * k);
    });
  }
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`proba row ${Math.floor(i / k)} has ${v}, outside [0, 1]`);
  }
  return p;
}

/**
 * Rows by descending score in column `col`; per position, whether the row is of class `col`
 * and whether it ends a run of equal scores. Kept in order so a resample reads only its weights
 * at random.
 */
type ScoreOrder = RankedRows;

function scoreOrder(p: Float64Array, n: number, k: number, col: number, trueClass: Int32Array): ScoreOrder {
  const column = new Float64Array(n);
  for (let i = 0; i < n; i++) column[i] = p[i * k + col]!;
  const order = descendingOrder(column);
  const positive = new Uint8Array(n);
  const lastOfTie = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    positive[r] = trueClass[order[r]!] === col ? 1 : 0;
    lastOfTie[r] = r === n - 1 || p[order[r]! * k + col] !== p[order[r + 1]! * k + col] ? 1 : 0;
  }
  return { order, positive, lastOfTie };
}

/**
 * Row numbers by descending value (ties in any order): an LSD radix sort on the float64 bits,
 * 4 passes of 16 bits, a pass skipped when all rows share its digit (the low bits of scores
 * that were float32). 20-30x faster than a comparator sort of 1M rows. Values must not be NaN.
 */
export function descendingOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n * 2); // little-endian: lo, hi
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // Ascending keys: negatives have every bit flipped, positives the sign bit; then inverted for descending.
    const h = bits[2 * i + 1]!;
    const l = bits[2 * i]!;
    const negative = h >>> 31 === 1;
    hi[i] = negative ? h : ~(h | 0x80000000) >>> 0;
    lo[i] = negative ? l : ~l >>> 0;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (const [key, shift] of [[lo, 0], [lo, 16], [hi, 0], [hi, 16]] as const) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i]! >>> shift) & 0xffff]!++;
    if (count[(key[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      next[count[(key[r]! >>> shift) & 0xffff]!++] = r;
    }
    [order, next] = [next, order];
  }
  return order;
}

/**
 * ROC AUC and average precision of one column, one-vs-rest, with row weights. Walks the
 * distinct thresholds from high to low as sklearn's _binary_clf_curve does, so tied scores
 * form one step: the ROC trapezoid over a tie counts it half (roc_auc_score), and average
 * precision is the step sum over recall increments, sum (R_t - R_{t-1}) P_t
 * (average_precision_score, no interpolation).
 */
function rankScores(s: ScoreOrder, w: Uint32Array): { auc: number; ap: number } {
  let tp = 0;
  let fp = 0;
  let prevTp = 0;
  let prevFp = 0;
  let area = 0; // twice the area, in (false, true) count units: exact integers below 2^53
  let precisionSum = 0;
  const { order, positive, lastOfTie } = s;
  for (let r = 0; r < order.length; r++) {
    const wi = w[order[r]!]!;
    if (wi !== 0) {
      if (positive[r] === 1) tp += wi;
      else fp += wi;
    }
    if (lastOfTie[r] === 1 && (tp !== prevTp || fp !== prevFp)) {
      area += (fp - prevFp) * (tp + prevTp);
      if (tp !== prevTp) precisionSum += ((tp - prevTp) * tp) / (tp + fp);
      prevTp = tp;
      prevFp = fp;
    }
  }
  // No positives: roc_auc_score warns and returns nan; average_precision_score sets recall to
  // 1 at every threshold, which makes the score 0. No negatives: roc_auc_score returns nan.
  return { auc: tp === 0 || fp === 0 ? NaN : area / (2 * tp * fp), ap: tp === 0 ? 0 : precisionSum / tp };
}

function mean(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** sklearn's _nanaverage with support weights; all-zero weights fall back to the plain mean. */
function weightedMean(values: Float64Array, weights: Float64Array): number {
  let s = 0;
  let total = 0;
  for (let c = 0; c < values.length; c++) {
    s += values[c]! * weights[c]!;
    total += weights[c]!;
  }
  return total === 0 ? mean(values) : s / total;
}

/** The count scores of a count table (prepareClassification's cells), sklearn's as in `metrics`. */
function countMetrics(labels: readonly string[], table: Float64Array): ClassificationMetrics {
  const L = labels.length;
  const width = L + 2;
  // sklearn counts true and predicted sums per label over all rows, even rows whose other
  // label is outside `labels`; the confusion matrix keeps only rows with both inside.
  const tp = new Float64Array(L);
  const trueSum = new Float64Array(L);
  const predSum = new Float64Array(L);
  let total = 0;
  let hits = table[L * width + L]!;
  for (let t = 0; t <= L; t++) {
    for (let q = 0; q < width; q++) {
      const c = table[t * width + q]!;
      total += c;
      if (t < L) trueSum[t]! += c;
      if (q < L) predSum[q]! += c;
    }
  }
  for (let c = 0; c < L; c++) {
    tp[c] = table[c * width + c]!;
    hits += tp[c]!;
  }
  // zero_division=0: an empty denominator scores 0. F1 = 2 tp / (2 tp + fp + fn), as sklearn.
  const precision = new Float64Array(L);
  const recall = new Float64Array(L);
  const f1 = new Float64Array(L);
  for (let c = 0; c < L; c++) {
    precision[c] = predSum[c]! > 0 ? tp[c]! / predSum[c]! : 0;
    recall[c] = trueSum[c]! > 0 ? tp[c]! / trueSum[c]! : 0;
    f1[c] = trueSum[c]! + predSum[c]! > 0 ? (2 * tp[c]!) / (trueSum[c]! + predSum[c]!) : 0;
  }
  return {
    n: total,
    labels: [...labels],
    accuracy: hits / total,
    precisionMacro: L ? mean(precision) : NaN,
    recallMacro: L ? mean(recall) : NaN,
    f1Macro: L ? mean(f1) : NaN,
    precisionWeighted: L ? weightedMean(precision, trueSum) : NaN,
    recallWeighted: L ? weightedMean(recall, trueSum) : NaN,
    f1Weighted: L ? weightedMean(f1, trueSum) : NaN,
    perClass: labels.map((label, c) => ({ label, precision: precision[c]!, recall: recall[c]!, f1: f1[c]!, support: trueSum[c]! })),
    confusionMatrix: labels.map((_, t) => Array.from({ length: L }, (_, q) => table[t * width + q]!)),
  };
}

function countScalars(m: ClassificationMetrics): Record<string, number> {
  return {
    accuracy: m.accuracy,
    'precision.macro': m.precisionMacro,
    'recall.macro': m.recallMacro,
    'f1.macro': m.f1Macro,
    'precision.weighted': m.precisionWeighted,
    'recall.weighted': m.recallWeighted,
    'f1.weighted': m.f1Weighted,
  };
}

/** Each row's position in `rows` (distinct row ids), -1 for rows outside. */
function rowsView(rows: Uint32Array, n: number): Int32Array {
  const at = new Int32Array(n).fill(-1);
  rows.forEach((r, j) => {
    if (r >= n || at[r] !== -1) throw new RangeError(`rows must be distinct row numbers below ${n}, got ${r}`);
    at[r] = j;
  });
  return at;
}

/** A score order restricted to the rows of a view, renumbered by their position in it: no re-sort. */
function restrict(o: ScoreOrder, at: Int32Array): RankedRows {
  let size = 0;
  for (let r = 0; r < o.order.length; r++) if (at[o.order[r]!]! >= 0) size++;
  const order = new Uint32Array(size);
  const positive = new Uint8Array(size);
  const lastOfTie = new Uint8Array(size);
  let j = 0;
  for (let r = 0; r < o.order.length; r++) {
    const k = at[o.order[r]!]!;
    if (k >= 0) {
      order[j] = k;
      positive[j] = o.positive[r]!;
      j++;
    }
    // A kept row ends its tie among kept rows when the full order's tie ends before the next kept row.
    if (o.lastOfTie[r] === 1 && j > 0) lastOfTie[j - 1] = 1;
  }
  return { order, positive, lastOfTie };
}

export function prepareClassification(input: ClassificationInput): PreparedClassification {
  const { yTrue, yPred } = input;
  const n = yTrue.length;
  if (yPred.length !== n) throw new RangeError(`y_true has ${n} rows, y_pred ${yPred.length}`);
  if (n === 0) throw new RangeError('no rows to score');
  const labels = input.labels ? [...input.labels] : sortedLabels(yTrue, yPred);
  const labelIndex = indexOf(labels, 'labels');
  const L = labels.length;
  const trueLabel = new Int32Array(n);
  const predLabel = new Int32Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    trueLabel[i] = labelIndex.get(yTrue[i]!) ?? -1;
    predLabel[i] = labelIndex.get(yPred[i]!) ?? -1;
    correct[i] = yTrue[i] === yPred[i] ? 1 : 0;
  }

  let proba: { orders: ScoreOrder[]; logLoss: Float64Array; brier: Float64Array } | undefined;
  if (input.proba) {
    const classes = input.classes;
    if (!classes) throw new RangeError('proba needs classes: the label of each column');
    const k = classes.length;
    if (k < 2) throw new RangeError(`proba needs at least 2 classes, got ${k}`);
    const classIndex = indexOf(classes, 'classes');
    const p = probabilityMatrix(input.proba, n, k);
    const trueClass = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = classIndex.get(yTrue[i]!);
      if (c === undefined) throw new RangeError(`y_true has ${JSON.stringify(yTrue[i])}, which is not in classes`);
      trueClass[i] = c;
    }
    // Binary: only the positive column (classes[1]) is ranked; multiclass: every column, one-vs-rest.
    const cols = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
    proba = { orders: cols.map((c) => scoreOrder(p, n, k, c, trueClass)), ...rowLosses(p, k, trueClass) };
  }

  // Each row's cell of the count table: true label t (L: outside `labels`) by predicted label q
  // (L: outside and equal to the true label, L + 1: outside and different), so accuracy and
  // every count score follow from the table alone.
  const width = L + 2;
  const cellOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = trueLabel[i]! < 0 ? L : trueLabel[i]!;
    const q = predLabel[i]! >= 0 ? predLabel[i]! : correct[i] ? L : L + 1;
    cellOf[i] = t * width + q;
  }
  const cellCount = (L + 1) * width;

  // One weight buffer, reused: 1 per row for the full data, the repeat count for a resample.
  const w = new Uint32Array(n);

  function metrics(idx?: Uint32Array): ClassificationMetrics {
    if (idx) {
      w.fill(0);
      for (let j = 0; j < idx.length; j++) w[idx[j]!]!++;
    } else w.fill(1);
    const total = idx ? idx.length : n;
    if (total === 0) throw new RangeError('no rows to score');
    const table = new Float64Array(cellCount);
    for (let i = 0; i < n; i++) table[cellOf[i]!]! += w[i]!;
    const out = countMetrics(labels, table);
    if (proba) Object.assign(out, probabilityMetrics(proba, w, total));
    return out;
  }

  function influence(rows?: Uint32Array): Record<string, Influence> {
    if (!proba) return {};
    const view = rows ? rowsView(rows, n) : null;
    const parts = proba.orders.map((o) => rankInfluence(view ? restrict(o, view) : o));
    const pick = (x: Float64Array) => (rows ? Float64Array.from(rows, (r) => x[r]!) : x);
    return { roc_auc: average(parts.map((p) => p.auc)), pr_auc: average(parts.map((p) => p.ap)), log_loss: meanInfluence(pick(proba.logLoss)), brier: meanInfluence(pick(proba.brier)) };
  }

  function scalars(idx?: Uint32Array): Record<string, number> {
    const m = metrics(idx);
    const s = countScalars(m);
    if (m.rocAuc !== undefined) s.roc_auc = m.rocAuc;
    if (m.prAuc !== undefined) s.pr_auc = m.prAuc;
    if (m.logLoss !== undefined) s.log_loss = m.logLoss;
    if (m.brier !== undefined) s.brier = m.brier;
    return s;
  }

  return { n, labels, metrics, scalars, cells: { of: cellOf, count: cellCount, scalars: (table) => countScalars(countMetrics(labels, table)) }, influence };
}

/**
 * Each row's log loss and Brier terms, computed once: a resample only reweights them.
 * log_loss clips the true class's probability to [eps, 1 - eps]. Brier, binary:
 * brier_score_loss(y_true, proba[:, 1], pos_label=classes[1]), i.e. (1[y = classes[1]] - p_1)^2;
 * multiclass: brier_score_loss(y_true, proba, labels=classes), i.e. sum_c (1[y = c] - p_c)^2,
 * not halved.
 */
function rowLosses(p: Float64Array, k: number, trueClass: Int32Array): { logLoss: Float64Array; brier: Float64Array } {
  const n = trueClass.length;
  const logLoss = new Float64Array(n);
  const brier = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = trueClass[i]!;
    logLoss[i] = -Math.log(Math.min(Math.max(p[i * k + t]!, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON));
    if (k === 2) {
      const d = (t === 1 ? 1 : 0) - p[i * k + 1]!;
      brier[i] = d * d;
    } else {
      let s = 0;
      for (let c = 0; c < k; c++) {
        const d = (t === c ? 1 : 0) - p[i * k + c]!;
        s += d * d;
      }
      brier[i] = s;
    }
  }
  return { logLoss, brier };
}

function probabilityMetrics(
  proba: { orders: ScoreOrder[]; logLoss: Float64Array; brier: Float64Array },
  w: Uint32Array,
  total: number,
): Pick<ClassificationMetrics, 'rocAuc' | 'prAuc' | 'logLoss' | 'brier'> {
  let logLoss = 0;
  let brier = 0;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    logLoss += wi * proba.logLoss[i]!;
    brier += wi * proba.brier[i]!;
  }
  // Binary: the positive column; multiclass: the unweighted mean over classes (macro OvR).
  // A NaN class (absent from y_true) makes the ROC mean NaN, as sklearn's np.average does.
  let auc = 0;
  let ap = 0;
  for (const s of proba.orders) {
    const r = rankScores(s, w);
    auc += r.auc;
    ap += r.ap;
  }
  const m = proba.orders.length;
  return { rocAuc: auc / m, prAuc: ap / m, logLoss: logLoss / total, brier: brier / total };
}

/** All metrics on all rows. */
export function classificationMetrics(input: ClassificationInput): ClassificationMetrics {
  return prepareClassification(input).metrics();
}
