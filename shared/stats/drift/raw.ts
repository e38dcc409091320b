/**
 * Evidence from raw reference and current values, computed the way Evidently 0.7 does so
 * the numbers are equal: Inf and NaN dropped per side, numeric columns whose reference has
 * more than 20 distinct values binned with Sturges edges over both sides together, others
 * counted per value; scipy's ks_2samp and wasserstein_distance. Numeric columns are sorted
 * once (typed arrays) and every statistic reads the sorted values. Pure.
 */
import { compareCodePoints } from '../classification.js';
import type { CategoryCount, Evidence } from './evidence.js';
import { hellinger, proportions } from './distances.js';
import { histogram, sturgesEdges } from './histogram.js';
import { ksPValue, ksStatistic } from './ks.js';
import type { ColumnKind } from './tests.js';

export type RawValue = number | string | boolean | null | undefined;
type Key = number | string | boolean;

/** Evidently bins a numeric column when its reference has more than this many distinct values. */
export const BIN_ABOVE_DISTINCT = 20;

export function rawEvidence(column: string, kind: ColumnKind, reference: readonly RawValue[], current: readonly RawValue[]): Evidence {
  return kind === 'numeric' ? numericEvidence(column, reference, current) : categoricalEvidence(reference, current);
}

function sortedFinite(column: string, values: readonly RawValue[]): Float64Array {
  const out = new Float64Array(values.length);
  let n = 0;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') throw new TypeError(`numeric column '${column}' holds a ${typeof v}: ${String(v)}`);
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

/** Distinct values of sorted arrays with their counts on each side (a merge), in increasing order. */
function runs(a: Float64Array, b: Float64Array): { values: number[]; a: number[]; b: number[] } {
  const out = { values: [] as number[], a: [] as number[], b: [] as number[] };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    let ca = 0;
    let cb = 0;
    while (i < a.length && a[i] === x) (i++, ca++);
    while (j < b.length && b[j] === x) (j++, cb++);
    out.values.push(x);
    out.a.push(ca);
    out.b.push(cb);
  }
  return out;
}

/** Distinct values of two sorted arrays together. */
function distinctUnion(a: Float64Array, b: Float64Array): number {
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    n++;
  }
  return n;
}

function distinctSorted(a: Float64Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) n++;
  return n;
}

function numericEvidence(column: string, reference: readonly RawValue[], current: readonly RawValue[]): Evidence {
  const ref = sortedFinite(column, reference);
  const cur = sortedFinite(column, current);
  let distinct: number | undefined;
  const distinctCount = () => (distinct ??= distinctUnion(ref, cur));
  const min = Math.min(ref[0] ?? Infinity, cur[0] ?? Infinity);
  const max = Math.max(ref.at(-1) ?? -Infinity, cur.at(-1) ?? -Infinity);
  const categories = (): CategoryCount[] => {
    const u = runs(ref, cur);
    return u.values.map((v, i) => ({ label: String(v), reference: u.a[i]!, current: u.b[i]! }));
  };
  return {
    kind: 'numeric',
    basis: 'raw values',
    referenceCount: ref.length,
    currentCount: cur.length,
    get distinct() {
      return distinctCount();
    },
    categories,
    binned() {
      if (distinctSorted(ref) <= BIN_ABOVE_DISTINCT) return byValue(categories(), ref.length, cur.length);
      const edges = sturgesEdges(min, max, ref.length + cur.length);
      return { reference: proportions(histogram(ref, edges), ref.length), current: proportions(histogram(cur, edges), cur.length) };
    },
    hellinger: () => numericHellinger(ref, cur, distinctCount(), min, max),
    ks: () => ksPValue(ksStatistic(ref, cur), ref.length, cur.length),
    wassersteinNormed: () => wassersteinSorted(ref, cur) / Math.max(populationStd(ref), 0.001),
  };
}

function byValue(cats: CategoryCount[], nRef: number, nCur: number) {
  return { reference: proportions(cats.map((c) => c.reference), nRef), current: proportions(cats.map((c) => c.current), nCur) };
}

function categoricalEvidence(reference: readonly RawValue[], current: readonly RawValue[]): Evidence {
  const count = (values: readonly RawValue[]) => {
    const m = new Map<Key, number>();
    let n = 0;
    for (const v of values) {
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
      m.set(v, (m.get(v) ?? 0) + 1);
      n++;
    }
    return { m, n };
  };
  const ref = count(reference);
  const cur = count(current);
  const keys = [...new Set<Key>([...ref.m.keys(), ...cur.m.keys()])].sort(compareKeys);
  const categories = (): CategoryCount[] => keys.map((k) => ({ label: String(k), reference: ref.m.get(k) ?? 0, current: cur.m.get(k) ?? 0 }));
  const notOrdered = (): never => {
    throw new TypeError('categorical values have no order: ks and wasserstein do not apply');
  };
  return {
    kind: 'categorical',
    basis: 'raw values',
    referenceCount: ref.n,
    currentCount: cur.n,
    distinct: keys.length,
    categories,
    binned: () => byValue(categories(), ref.n, cur.n),
    hellinger: () => {
      const b = byValue(categories(), ref.n, cur.n);
      return hellinger(b.reference, b.current);
    },
    ks: notOrdered,
    wassersteinNormed: notOrdered,
  };
}

/** Python's sorted() order for one column's values: numbers by value, text by code point, False < True. */
function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareCodePoints(String(a), String(b));
}

/**
 * Evidently's numeric Hellinger: Sturges edges over the distinct values of both sides (k from
 * their number), density histograms, BC = sum sqrt(d_ref d_cur) x (range / bins).
 */
function numericHellinger(ref: Float64Array, cur: Float64Array, distinct: number, min: number, max: number): number {
  const edges = sturgesEdges(min, max, distinct);
  const k = edges.length - 1;
  const width = (edges[k]! - edges[0]!) / k;
  const density = (values: Float64Array) => {
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
  return wassersteinSorted(Float64Array.from(u).sort(), Float64Array.from(v).sort());
}

function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  // Walk the merged values; between consecutive ones both CDFs are constant.
  let x = Math.min(a[0]!, b[0]!);
  while (i < a.length || j < b.length) {
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    if (i >= a.length && j >= b.length) break;
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    sum += Math.abs(i / a.length - j / b.length) * (next - x);
    x = next;
  }
  return sum;
}

/** np.std: the population standard deviation. */
export function populationStd(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i]! - mean) ** 2;
  return Math.sqrt(ss / values.length);
}
