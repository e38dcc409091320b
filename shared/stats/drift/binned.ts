/**
 * Evidence from distributions over FIXED bins, as a stored reference profile keeps them
 * (numeric: the sketch's fixed-edge buckets; categorical: value counts), so no raw reference
 * data is needed. What is exact and what is approximate on bins is in docs/drift.md. Pure.
 */
import { compareCodePoints } from '../classification.js';
import { bucketValue, GAMMA, MIN_INDEXABLE, type Sketch, TIME_UNIT_SECONDS } from '../sketch.js';
import { hellinger, proportions } from './distances.js';
import type { Evidence } from './evidence.js';
import { binOf, sturgesEdges } from './histogram.js';
import { ksPValue } from './ks.js';
import { BIN_ABOVE_DISTINCT } from './raw.js';

export interface Bin {
  low: number;
  high: number;
  /** The value standing for the bin in Wasserstein (default: the midpoint). */
  value?: number;
}

export interface NumericBins {
  kind: 'numeric';
  /** In increasing order, not overlapping (gaps are fine). */
  bins: Bin[];
  /** Counts per bin. */
  reference: number[];
  current: number[];
  /** Population standard deviation of the reference (the profile's exact moments), Wasserstein's scale. */
  referenceStd: number;
  /** Distinct values of reference and current together, when known (else: non-empty bins). */
  distinct?: number;
  /** Distinct values of the reference, when known (else: its non-empty bins); above 20 the bins are regrouped as Evidently's Sturges bins. */
  referenceDistinct?: number;
  /** min and max over both sides (exact in a profile), for the Sturges regrouping; else the outer bin edges. */
  range?: { min: number; max: number };
}

export interface ValueCounts {
  kind: 'categorical';
  reference: readonly (readonly [string, number])[];
  current: readonly (readonly [string, number])[];
}

export function binnedEvidence(column: string, input: NumericBins | ValueCounts): Evidence {
  return input.kind === 'numeric' ? numericEvidence(column, input) : categoricalEvidence(input);
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function numericEvidence(column: string, b: NumericBins): Evidence {
  if (b.reference.length !== b.bins.length || b.current.length !== b.bins.length) {
    throw new TypeError(`column '${column}': ${b.bins.length} bins but ${b.reference.length} reference and ${b.current.length} current counts`);
  }
  const nRef = sum(b.reference);
  const nCur = sum(b.current);
  const used = b.bins.flatMap((_, i) => (b.reference[i]! + b.current[i]! > 0 ? [i] : []));
  const min = b.range?.min ?? b.bins[used[0] ?? 0]?.low ?? 0;
  const max = b.range?.max ?? b.bins[used.at(-1) ?? 0]?.high ?? 0;
  const valueOf = (i: number) => Math.min(Math.max(b.bins[i]!.value ?? (b.bins[i]!.low + b.bins[i]!.high) / 2, min), max);
  /** Buckets regrouped into Sturges bins over [min, max], each bucket where its value falls. */
  const regrouped = (count: number) => {
    const edges = sturgesEdges(min, max, count);
    const r = new Array<number>(edges.length - 1).fill(0);
    const c = new Array<number>(edges.length - 1).fill(0);
    for (const i of used) {
      const k = binOf(valueOf(i), edges);
      r[k]! += b.reference[i]!;
      c[k]! += b.current[i]!;
    }
    return { reference: proportions(r, nRef), current: proportions(c, nCur) };
  };
  const perBucket = () => ({ reference: proportions(used.map((i) => b.reference[i]!), nRef), current: proportions(used.map((i) => b.current[i]!), nCur) });
  const referenceDistinct = b.referenceDistinct ?? used.filter((i) => b.reference[i]! > 0).length;
  const p = () => (referenceDistinct > BIN_ABOVE_DISTINCT ? regrouped(nRef + nCur) : perBucket());
  const cdfGaps = () => {
    let r = 0;
    let c = 0;
    return b.bins.map((_, i) => {
      r += b.reference[i]!;
      c += b.current[i]!;
      return r / nRef - c / nCur;
    });
  };
  return {
    kind: 'numeric',
    basis: 'fixed bins',
    referenceCount: nRef,
    currentCount: nCur,
    distinct: b.distinct ?? used.length,
    // Each bin as a category (chisquare / z, which Evidently picks for numeric columns with <= 5 values).
    categories: () =>
      b.bins.flatMap((x, i) => (b.reference[i]! + b.current[i]! > 0 ? [{ label: String(x.value ?? (x.low + x.high) / 2), reference: b.reference[i]!, current: b.current[i]! }] : [])),
    binned: p,
    // Evidently's numeric Hellinger: Sturges bins counted over the distinct values.
    hellinger: () => {
      const q = regrouped(b.distinct ?? used.length);
      return hellinger(q.reference, q.current);
    },
    // The CDFs are known at bin edges only: D there is a lower bound of the raw-data D.
    ks: () => ksPValue(Math.max(0, ...cdfGaps().map(Math.abs)), nRef, nCur),
    wassersteinNormed: () => {
      const gaps = cdfGaps();
      const values = b.bins.map((x) => x.value ?? (x.low + x.high) / 2);
      let w = 0;
      for (let i = 0; i + 1 < values.length; i++) w += Math.abs(gaps[i]!) * (values[i + 1]! - values[i]!);
      return w / Math.max(b.referenceStd, 0.001);
    },
  };
}

function categoricalEvidence(v: ValueCounts): Evidence {
  const ref = new Map(v.reference.map(([k, c]) => [k, c]));
  const cur = new Map(v.current.map(([k, c]) => [k, c]));
  const keys = [...new Set([...ref.keys(), ...cur.keys()])].sort(compareCodePoints);
  const nRef = sum([...ref.values()]);
  const nCur = sum([...cur.values()]);
  const categories = () => keys.map((k) => ({ label: k, reference: ref.get(k) ?? 0, current: cur.get(k) ?? 0 }));
  const p = () => {
    const cats = categories();
    return { reference: proportions(cats.map((c) => c.reference), nRef), current: proportions(cats.map((c) => c.current), nCur) };
  };
  const notOnBins = (): never => {
    throw new TypeError('categorical value counts have no order: ks and wasserstein do not apply');
  };
  return {
    kind: 'categorical',
    basis: 'fixed bins',
    referenceCount: nRef,
    currentCount: nCur,
    distinct: keys.filter((k) => (ref.get(k) ?? 0) + (cur.get(k) ?? 0) > 0).length,
    categories,
    binned: p,
    hellinger: () => {
      const q = p();
      return hellinger(q.reference, q.current);
    },
    ks: notOnBins,
    wassersteinNormed: notOnBins,
  };
}

/**
 * Two DDSketches (shared/stats/sketch.ts) lined up bucket by bucket: every bucket either side
 * uses, from the most negative to the most positive, each standing for its representative
 * value (within 1% of every value in it).
 */
export function sketchBins(reference: Sketch, current: Sketch): Pick<NumericBins, 'bins' | 'reference' | 'current'> {
  const indices = (side: 'negative' | 'positive') =>
    [...new Set([...Object.keys(reference[side]), ...Object.keys(current[side])])].map(Number).sort((a, b) => a - b);
  const out = { bins: [] as Bin[], reference: [] as number[], current: [] as number[] };
  const push = (bin: Bin, r: number, c: number) => {
    out.bins.push(bin);
    out.reference.push(r);
    out.current.push(c);
  };
  for (const i of indices('negative').reverse()) {
    push({ low: -(GAMMA ** i), high: -(GAMMA ** (i - 1)), value: -bucketValue(i) }, reference.negative[i] ?? 0, current.negative[i] ?? 0);
  }
  if (reference.zeros + current.zeros > 0) push({ low: -MIN_INDEXABLE, high: MIN_INDEXABLE, value: 0 }, reference.zeros, current.zeros);
  for (const i of indices('positive')) {
    push({ low: GAMMA ** (i - 1), high: GAMMA ** i, value: bucketValue(i) }, reference.positive[i] ?? 0, current.positive[i] ?? 0);
  }
  return out;
}

/**
 * Two datetime timelines (counts per whole minute since the epoch, shared/stats/sketch.ts)
 * lined up minute by minute: each minute a bin of epoch seconds [start, start + 60), standing
 * for its start (exact for dates and minute-resolution times; within 60 s otherwise).
 */
export function timelineBins(reference: Record<string, number>, current: Record<string, number>): Pick<NumericBins, 'bins' | 'reference' | 'current'> {
  const minutes = [...new Set([...Object.keys(reference), ...Object.keys(current)])].map(Number).sort((a, b) => a - b);
  return {
    bins: minutes.map((m) => ({ low: m * TIME_UNIT_SECONDS, high: (m + 1) * TIME_UNIT_SECONDS, value: m * TIME_UNIT_SECONDS })),
    reference: minutes.map((m) => reference[m] ?? 0),
    current: minutes.map((m) => current[m] ?? 0),
  };
}
