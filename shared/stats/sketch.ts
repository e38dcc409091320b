/**
 * A relative-error quantile sketch (DDSketch, Masson et al. 2019) with data-independent,
 * logarithmic bucket edges: bucket i holds values in (gamma^(i-1), gamma^i]. Because the edges
 * never depend on the data, sketches of shards merge exactly (counts add) and a current
 * dataset's sketch lines up bucket for bucket with a stored reference: the profile's
 * fixed-edge histogram. Pure: no I/O.
 */
export const RELATIVE_ACCURACY = 0.01;
export const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
/** |x| below this counts as zero. */
export const MIN_INDEXABLE = 1e-9;

export interface Sketch {
  /** Values with |x| < MIN_INDEXABLE. */
  zeros: number;
  /** Bucket index -> count, for x > 0. */
  positive: Record<string, number>;
  /** Bucket index of |x| -> count, for x < 0. */
  negative: Record<string, number>;
}

export function emptySketch(): Sketch {
  return { zeros: 0, positive: {}, negative: {} };
}

export function bucketIndex(absValue: number): number {
  return Math.ceil(Math.log(absValue) / Math.log(GAMMA));
}

/** The same bucket index in DuckDB SQL, for an expression known to be > MIN_INDEXABLE. */
export function bucketIndexSql(absExpr: string): string {
  return `CAST(ceil(ln(${absExpr}) / ${Math.log(GAMMA)}) AS INTEGER)`;
}

/** The value a bucket stands for: within RELATIVE_ACCURACY of every value in it. */
export function bucketValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

export function add(sketch: Sketch, value: number): void {
  const abs = Math.abs(value);
  if (abs < MIN_INDEXABLE) sketch.zeros++;
  else {
    const side = value > 0 ? sketch.positive : sketch.negative;
    const k = String(bucketIndex(abs));
    side[k] = (side[k] ?? 0) + 1;
  }
}

export function merge(a: Sketch, b: Sketch): Sketch {
  return { zeros: a.zeros + b.zeros, positive: addCounts(a.positive, b.positive), negative: addCounts(a.negative, b.negative) };
}

/** Bucket counts of the union: counts add (keys in numeric order). */
export function addCounts(x: Record<string, number>, y: Record<string, number>): Record<string, number> {
  const out = { ...x };
  for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
  return sortKeys(out);
}

/** Keys in numeric order, so equal sketches serialise to equal JSON. */
export function sortKeys(m: Record<string, number>): Record<string, number> {
  let keys = Object.keys(m);
  const n = keys.map(Number);
  // Non-negative integer keys already come in ascending order (JavaScript's property order).
  if (n.some((k, i) => i > 0 && k < n[i - 1]!)) keys = keys.sort((x, y) => Number(x) - Number(y));
  else if (keys.every((k) => m[k]! > 0)) return m;
  const out: Record<string, number> = {};
  for (const k of keys) if (m[k]! > 0) out[k] = m[k]!;
  return out;
}

export function total(s: Sketch): number {
  let n = s.zeros;
  for (const v of Object.values(s.positive)) n += v;
  for (const v of Object.values(s.negative)) n += v;
  return n;
}

/** Buckets from the smallest value to the largest: [representative value, count]. */
export function orderedBuckets(s: Sketch): [number, number][] {
  const neg = Object.entries(s.negative)
    .map(([k, c]) => [-bucketValue(Number(k)), c] as [number, number])
    .sort((x, y) => x[0] - y[0]);
  const pos = Object.entries(s.positive)
    .map(([k, c]) => [bucketValue(Number(k)), c] as [number, number])
    .sort((x, y) => x[0] - y[0]);
  return [...neg, ...(s.zeros > 0 ? [[0, s.zeros] as [number, number]] : []), ...pos];
}

/**
 * The q-quantile (0..1), within RELATIVE_ACCURACY of a true value at rank q*(n-1), clamped
 * to the observed [min, max] when given.
 */
export function quantile(s: Sketch, q: number, min?: number, max?: number): number | null {
  const n = total(s);
  if (n === 0) return null;
  const rank = q * (n - 1);
  let seen = 0;
  let value = NaN;
  for (const [v, c] of orderedBuckets(s)) {
    seen += c;
    if (seen > rank) {
      value = v;
      break;
    }
  }
  if (Number.isNaN(value)) value = orderedBuckets(s).at(-1)![0];
  if (min !== undefined) value = Math.max(value, min);
  if (max !== undefined) value = Math.min(value, max);
  return value;
}

/**
 * Datetimes: exact counts per whole minute since the epoch (the timeline). A relative-error
 * sketch of epoch seconds would be off by months (1% of 2024 is 200 days); minutes keep every
 * date, hour and minute exact and merge by adding counts. Its size is bounded by the span in
 * minutes and by the distinct values, whichever is smaller.
 */
export const TIME_UNIT_SECONDS = 60;

/** The timeline key in SQL, for an epoch-seconds expression known to be finite. */
export function timeKeySql(epochExpr: string): string {
  return `CAST(floor(${epochExpr} / ${TIME_UNIT_SECONDS}) AS BIGINT)`;
}

/**
 * The q-quantiles (0..1) of a timeline, each the start of the minute holding the value at rank
 * q*(n-1) (epoch seconds), clamped to [min, max] when given. The keys are sorted once for all.
 */
export function timeQuantiles(timeline: Record<string, number>, qs: readonly number[], min?: number, max?: number): (number | null)[] {
  const keys = Object.keys(timeline).map(Number);
  // JSON.parse keeps non-negative integer keys in ascending order: most timelines need no sort.
  if (keys.some((k, i) => i > 0 && k < keys[i - 1]!)) keys.sort((x, y) => x - y);
  const counts = keys.map((k) => timeline[k]!);
  const n = counts.reduce((s, c) => s + c, 0);
  if (n === 0) return qs.map(() => null);
  return qs.map((q) => {
    const rank = q * (n - 1);
    let seen = 0;
    let value = keys.at(-1)! * TIME_UNIT_SECONDS;
    for (let i = 0; i < keys.length; i++) {
      seen += counts[i]!;
      if (seen > rank) {
        value = keys[i]! * TIME_UNIT_SECONDS;
        break;
      }
    }
    if (min !== undefined) value = Math.max(value, min);
    if (max !== undefined) value = Math.min(value, max);
    return value;
  });
}
