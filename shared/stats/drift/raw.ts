/**
 * Evidence from raw reference and current values, computed the way Evidently 0.7 does so
 * the numbers are equal: Inf and NaN dropped per side, numeric columns whose reference has
 * more than 20 distinct values binned with Sturges edges over both sides together, others
 * counted per value; scipy's ks_2samp and wasserstein_distance. Pure.
 */
import { compareCodePoints } from '../classification.js';
import type { CategoryCount, Evidence } from './evidence.js';
import { hellinger, proportions } from './distances.js';
import { histogram, minMax, sturgesEdges } from './histogram.js';
import { ks2samp } from './ks.js';
import type { ColumnKind } from './tests.js';

export type RawValue = number | string | boolean | null | undefined;
type Key = number | string | boolean;

/** Evidently bins a numeric column when its reference has more than this many distinct values. */
export const BIN_ABOVE_DISTINCT = 20;

function clean(values: readonly RawValue[], kind: ColumnKind): Key[] {
  const out: Key[] = [];
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'number' && !Number.isFinite(v) && (kind === 'numeric' || Number.isNaN(v))) continue;
    out.push(v);
  }
  return out;
}

function numbers(values: Key[], column: string): number[] {
  for (const v of values) if (typeof v !== 'number') throw new TypeError(`numeric column '${column}' holds a ${typeof v}: ${String(v)}`);
  return values as number[];
}

function valueCounts(values: readonly Key[]): Map<Key, number> {
  const m = new Map<Key, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Python's sorted() order for one column's values: numbers by value, text by code point, False < True. */
function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareCodePoints(String(a), String(b));
}

export function rawEvidence(column: string, kind: ColumnKind, reference: readonly RawValue[], current: readonly RawValue[]): Evidence {
  const ref = clean(reference, kind);
  const cur = clean(current, kind);
  const refCounts = valueCounts(ref);
  const curCounts = valueCounts(cur);
  const keys = [...new Set<Key>([...refCounts.keys(), ...curCounts.keys()])].sort(compareKeys);
  const categories = (): CategoryCount[] =>
    keys.map((k) => ({ label: String(k), reference: refCounts.get(k) ?? 0, current: curCounts.get(k) ?? 0 }));
  const byValue = () => {
    const cats = categories();
    return {
      reference: proportions(cats.map((c) => c.reference), ref.length),
      current: proportions(cats.map((c) => c.current), cur.length),
    };
  };
  return {
    kind,
    basis: 'raw values',
    referenceCount: ref.length,
    currentCount: cur.length,
    distinct: keys.length,
    categories,
    binned() {
      if (kind !== 'numeric' || refCounts.size <= BIN_ABOVE_DISTINCT) return byValue();
      const r = numbers(ref, column);
      const c = numbers(cur, column);
      const [min, max] = minMax([...minMax(r), ...minMax(c)]);
      const edges = sturgesEdges(min, max, r.length + c.length);
      return { reference: proportions(histogram(r, edges), r.length), current: proportions(histogram(c, edges), c.length) };
    },
    hellinger() {
      if (kind !== 'numeric') {
        const b = byValue();
        return hellinger(b.reference, b.current);
      }
      return numericHellinger(numbers(ref, column), numbers(cur, column), keys as number[]);
    },
    ks: () => ks2samp(numbers(ref, column), numbers(cur, column)),
    wassersteinNormed: () => {
      const r = numbers(ref, column);
      return wasserstein(r, numbers(cur, column)) / Math.max(populationStd(r), 0.001);
    },
  };
}

/**
 * Evidently's numeric Hellinger: Sturges edges over the distinct values of both sides, density
 * histograms, BC = sum sqrt(d_ref d_cur) x (range / bins).
 */
function numericHellinger(ref: number[], cur: number[], distinct: number[]): number {
  const [min, max] = minMax(distinct);
  const edges = sturgesEdges(min, max, distinct.length);
  const k = edges.length - 1;
  const width = (edges[k]! - edges[0]!) / k;
  const density = (values: number[]) => {
    const counts = histogram(values, edges);
    const total = counts.reduce((s, c) => s + c, 0);
    return counts.map((c, i) => c / (edges[i + 1]! - edges[i]!) / total);
  };
  const dr = density(ref);
  const dc = density(cur);
  let bc = 0;
  for (let i = 0; i < k; i++) bc += Math.sqrt(dr[i]! * dc[i]!) * width;
  return Math.sqrt(1 - Math.min(Math.max(bc, 0), 1));
}

/** scipy.stats.wasserstein_distance: the area between the two empirical CDFs. */
export function wasserstein(u: readonly number[], v: readonly number[]): number {
  const a = Float64Array.from(u).sort();
  const b = Float64Array.from(v).sort();
  const all = Float64Array.from([...a, ...b]).sort();
  let i = 0;
  let j = 0;
  let sum = 0;
  for (let t = 0; t < all.length - 1; t++) {
    const x = all[t]!;
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    sum += Math.abs(i / a.length - j / b.length) * (all[t + 1]! - x);
  }
  return sum;
}

/** np.std: the population standard deviation. */
export function populationStd(values: readonly number[]): number {
  let mean = 0;
  for (const x of values) mean += x;
  mean /= values.length;
  let ss = 0;
  for (const x of values) ss += (x - mean) ** 2;
  return Math.sqrt(ss / values.length);
}
