/**
 * Coarse bins over a reference sketch's FIXED bucket edges (shared/stats/sketch.ts): adjacent
 * sketch buckets merged, whole, into at most `maxBins` bins of about equal reference mass, plus
 * an underflow and an overflow bin (values below / above every reference bucket, empty in the
 * reference). Every edge is a sketch bucket edge, so a value's bin is decided exactly by its
 * sketch bucket: the model server counts live values into these bins, and a full sketch of the
 * same values coarsens into the same counts. Pure.
 */
import { bucketIndex, bucketValue, GAMMA, MIN_INDEXABLE, type Sketch } from './sketch.js';

/** Bins per numeric feature at most (plus underflow and overflow): bounds the series a server exports. */
export const MAX_COARSE_BINS = 50;

/**
 * A totally ordered key per sketch bucket: negative buckets below zero below positive ones, and
 * within a side in value order. Bucket indexes stay within about +/-40,000 for doubles.
 */
const SIDE = 100_000;
function keyOfBucket(side: 'negative' | 'zero' | 'positive', index: number): number {
  return side === 'zero' ? 0 : side === 'positive' ? SIDE + index : -(SIDE + index);
}

/** The sketch bucket key of a finite value (the same bucket `sketch.add` would count it in). */
export function valueKey(value: number): number {
  const abs = Math.abs(value);
  if (abs < MIN_INDEXABLE) return 0;
  return keyOfBucket(value > 0 ? 'positive' : 'negative', bucketIndex(abs));
}

/** Lower and upper value edge of a bucket key. */
function edgesOfKey(key: number): [number, number] {
  if (key === 0) return [-MIN_INDEXABLE, MIN_INDEXABLE];
  if (key > 0) {
    const i = key - SIDE;
    return [GAMMA ** (i - 1), GAMMA ** i];
  }
  const i = -key - SIDE;
  return [-(GAMMA ** i), -(GAMMA ** (i - 1))];
}

function valueOfKey(key: number): number {
  if (key === 0) return 0;
  return key > 0 ? bucketValue(key - SIDE) : -bucketValue(-key - SIDE);
}

export interface CoarseBin {
  /** The label a server exports the bin under: its upper value edge (6 significant digits), `+Inf` for overflow. */
  label: string;
  low: number;
  high: number;
  /** The reference's mean of its bucket values (the edge for underflow/overflow). */
  value: number;
  /** Reference count. */
  reference: number;
}

export interface CoarseBins {
  bins: CoarseBin[];
  /** Upper bucket key of every bin but the overflow, ascending (the binary search's table). */
  upperKeys: number[];
}

const edgeLabel = (x: number) => String(Number(x.toPrecision(6)));

/** Bucket keys of a sketch with their counts, in value order. */
function orderedKeys(s: Sketch): [number, number][] {
  const out: [number, number][] = [];
  for (const [k, c] of Object.entries(s.negative)) if (c > 0) out.push([keyOfBucket('negative', Number(k)), c]);
  if (s.zeros > 0) out.push([0, s.zeros]);
  for (const [k, c] of Object.entries(s.positive)) if (c > 0) out.push([keyOfBucket('positive', Number(k)), c]);
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * Merge the reference's buckets into at most `maxBins` bins of about equal reference mass, in
 * order (a bucket is never split), with an underflow and an overflow bin around them. An empty
 * reference gives no bins.
 */
export function coarseBins(reference: Sketch, maxBins = MAX_COARSE_BINS): CoarseBins {
  const keys = orderedKeys(reference);
  const total = keys.reduce((s, [, c]) => s + c, 0);
  const groups: [number, number][][] = [];
  let current: [number, number][] = [];
  let seen = 0;
  for (const kc of keys) {
    current.push(kc);
    seen += kc[1];
    // Few buckets: each its own bin (exact). Else close a bin once it holds its share of the mass.
    if (keys.length <= maxBins || (seen >= (total * (groups.length + 1)) / maxBins && groups.length < maxBins - 1)) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length) groups.push(current);
  if (groups.length === 0) return { bins: [], upperKeys: [] };
  const bins: CoarseBin[] = [];
  const upperKeys: number[] = [];
  const low = edgesOfKey(groups[0]![0]![0])[0];
  bins.push({ label: edgeLabel(low), low, high: low, value: low, reference: 0 });
  upperKeys.push(groups[0]![0]![0] - 1);
  for (const g of groups) {
    const n = g.reduce((s, [, c]) => s + c, 0);
    const mean = g.reduce((s, [k, c]) => s + valueOfKey(k) * c, 0) / n;
    const last = g.at(-1)![0];
    const high = edgesOfKey(last)[1];
    bins.push({ label: edgeLabel(high), low: edgesOfKey(g[0]![0])[0], high, value: mean, reference: n });
    upperKeys.push(last);
  }
  const high = bins.at(-1)!.high;
  bins.push({ label: '+Inf', low: high, high, value: high, reference: 0 });
  return { bins, upperKeys };
}

/** The bin of a finite value: binary search of its bucket key over the upper keys. */
export function binOfKey(upperKeys: readonly number[], key: number): number {
  let lo = 0;
  let hi = upperKeys.length; // overflow
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key <= upperKeys[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A whole sketch counted into the bins (what the server's counters hold for the same values). */
export function countInto(bins: CoarseBins, s: Sketch): number[] {
  const out = new Array<number>(bins.bins.length).fill(0);
  for (const [k, c] of orderedKeys(s)) out[binOfKey(bins.upperKeys, k)]! += c;
  return out;
}
