/**
 * Percentile bootstrap confidence intervals for any set of metrics, and the paired variant
 * that scores a candidate and a baseline on the same resampled rows, so the interval of their
 * difference reflects only how the models differ, not which rows were drawn.
 *
 * Deterministic: the resample indices come from xoshiro128** seeded with `seed`, and the
 * statistic sees them in a reused Uint32Array (valid only during the call; copy to keep).
 * Cost: resamples x (n draws + one statistic call); see docs/metrics.md for measured times.
 * `pairedCountBootstrap` resamples a count table instead of rows: O(cells) per resample.
 * Pure: no I/O, no clock.
 */
import { multinomial } from './multinomial.js';
import { createRandom, type Random } from './random.js';

/** Metrics of the rows `idx` lists (repeats count again). Must be deterministic. */
export type Statistic = (idx: Uint32Array) => Record<string, number>;

export interface Interval {
  /** The statistic on all rows (idx = 0..n-1). */
  estimate: number;
  /** Percentiles (1 - confidence)/2 and (1 + confidence)/2 of the resampled values. */
  lower: number;
  upper: number;
  /** Resamples where the metric was defined (not NaN): only these make the interval. */
  valid: number;
}

interface Common {
  /** Rows in the data. */
  n: number;
  resamples: number;
  seed: number;
  /** e.g. 0.95 */
  confidence: number;
}

export interface BootstrapOptions extends Common {
  statistic: Statistic;
}

export interface BootstrapResult extends Common {
  metrics: Record<string, Interval>;
}

export interface PairedBootstrapOptions extends Common {
  candidate: Statistic;
  baseline: Statistic;
}

export interface PairedBootstrapResult extends Common {
  candidate: Record<string, Interval>;
  baseline: Record<string, Interval>;
  /** candidate - baseline per resample, for metrics both report. */
  difference: Record<string, Interval>;
}

/** The q-quantile (0..1) of ascending values, interpolating linearly: numpy.percentile's default. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a === b ? a : a + (h - lo) * (b - a);
}

function check(o: Common): void {
  if (!(Number.isInteger(o.n) && o.n >= 1 && o.n <= 2 ** 32)) throw new RangeError(`n must be an integer >= 1, got ${o.n}`);
  if (!(Number.isInteger(o.resamples) && o.resamples >= 1)) throw new RangeError(`resamples must be an integer >= 1, got ${o.resamples}`);
  if (!(o.confidence > 0 && o.confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${o.confidence}`);
}

/**
 * Draws the resamples: calls each statistic on the same resample (`first` is all rows) and
 * stores the values in one column per (statistic, metric), indexed by resample.
 */
function draw<A>(o: Common, first: A, next: (rng: Random) => A, statistics: ((a: A) => Record<string, number>)[]): { estimates: Record<string, number>[]; samples: Map<string, Float64Array>[] } {
  check(o);
  const estimates = statistics.map((s) => s(first));
  const samples = estimates.map((e) => new Map(Object.keys(e).map((key) => [key, new Float64Array(o.resamples)])));
  const rng = createRandom(o.seed);
  for (let r = 0; r < o.resamples; r++) {
    const a = next(rng);
    statistics.forEach((statistic, s) => {
      const values = statistic(a);
      for (const [key, column] of samples[s]!) column[r] = values[key] ?? NaN;
    });
  }
  return { estimates, samples };
}

/** n row indices drawn uniformly with replacement, into one reused array. */
function rowDraws(o: Common, statistics: Statistic[]) {
  const identity = new Uint32Array(o.n);
  for (let i = 0; i < o.n; i++) identity[i] = i;
  const idx = new Uint32Array(o.n);
  return draw(o, identity, (rng) => {
    for (let i = 0; i < o.n; i++) idx[i] = rng.nextInt(o.n);
    return idx;
  }, statistics);
}

/** Metrics of a table of row counts per cell (a resample's counts are multinomial). Must be deterministic. */
export type CountStatistic = (counts: Float64Array) => Record<string, number>;

export interface PairedCountBootstrapOptions extends Omit<Common, 'n'> {
  /** Rows per cell of the joint table both statistics read (their own cells are its margins). */
  counts: Float64Array;
  candidate: CountStatistic;
  baseline?: CountStatistic;
}

/**
 * The bootstrap of metrics that depend on rows only through a count table (accuracy, precision,
 * recall, F1 from the confusion counts): a resample of n rows puts multinomial(n, counts / n)
 * rows in the cells, so the table is drawn directly, O(cells) per resample, and the intervals
 * have exactly the row bootstrap's distribution. Paired: both statistics read the same table.
 */
export function pairedCountBootstrap(o: PairedCountBootstrapOptions): PairedBootstrapResult {
  let n = 0;
  for (let i = 0; i < o.counts.length; i++) n += o.counts[i]!;
  const common = { n, resamples: o.resamples, seed: o.seed, confidence: o.confidence };
  const table = new Float64Array(o.counts.length);
  const statistics = o.baseline ? [o.candidate, o.baseline] : [o.candidate];
  return paired(common, draw(common, o.counts, (rng) => (multinomial(rng, n, o.counts, table), table), statistics));
}

function interval(estimate: number, column: Float64Array, confidence: number): Interval {
  const finite = column.filter((v) => !Number.isNaN(v)).sort();
  const tail = (1 - confidence) / 2;
  return { estimate, lower: percentile(finite, tail), upper: percentile(finite, 1 - tail), valid: finite.length };
}

function intervals(estimates: Record<string, number>, samples: Map<string, Float64Array>, confidence: number): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  for (const [key, column] of samples) out[key] = interval(estimates[key]!, column, confidence);
  return out;
}

export function bootstrap(o: BootstrapOptions): BootstrapResult {
  const { estimates, samples } = rowDraws(o, [o.statistic]);
  return { n: o.n, resamples: o.resamples, seed: o.seed, confidence: o.confidence, metrics: intervals(estimates[0]!, samples[0]!, o.confidence) };
}

export function pairedBootstrap(o: PairedBootstrapOptions): PairedBootstrapResult {
  return paired(o, rowDraws(o, [o.candidate, o.baseline]));
}

/** Intervals of the candidate, the baseline (none when not drawn) and their difference per resample. */
function paired(o: Common, { estimates, samples }: { estimates: Record<string, number>[]; samples: Map<string, Float64Array>[] }): PairedBootstrapResult {
  const [candEstimates, baseEstimates = {}] = estimates as [Record<string, number>, Record<string, number>?];
  const [candSamples, baseSamples = new Map<string, Float64Array>()] = samples as [Map<string, Float64Array>, Map<string, Float64Array>?];
  const difference: Record<string, Interval> = {};
  for (const [key, cand] of candSamples) {
    const base = baseSamples.get(key);
    if (!base) continue;
    // Identical values subtract to exactly 0, so identical models get the interval [0, 0].
    const diff = cand.map((v, r) => v - base[r]!);
    difference[key] = interval(candEstimates[key]! - baseEstimates[key]!, diff, o.confidence);
  }
  return {
    n: o.n,
    resamples: o.resamples,
    seed: o.seed,
    confidence: o.confidence,
    candidate: intervals(candEstimates, candSamples, o.confidence),
    baseline: intervals(baseEstimates, baseSamples, o.confidence),
    difference,
  };
}
