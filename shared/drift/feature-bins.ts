/**
 * The bins a model server counts live feature values into, from the reference profile that
 * travels with the model (docs/drift.md, "current: prometheus"): numeric features on coarse bins
 * of the profile's fixed sketch edges, categorical features per known category plus
 * `__other__`. drift-check derives the same bins from the same profile, so the counters a
 * Prometheus scrapes line up with the reference bin for bin.
 */
import type { ColumnProfile, Profile } from '../data/profile.js';
import { coarseBins, type CoarseBins } from '../stats/coarse-bins.js';
import { columnKind } from '../stats/drift/choose.js';
import { countsOf, OTHER_VALUES } from './evidence.js';
import { distinctCount, numericSummary, valueType } from './profile-fields.js';

/** The category label of values outside the known ones. */
export const OTHER_CATEGORY = '__other__';
/** Categories per feature at most, `__other__` included: bounds the series a server exports. */
export const MAX_CATEGORIES = 50;

export type FeatureBins =
  | { kind: 'numeric'; bins: CoarseBins }
  | {
      kind: 'categorical';
      /** Known categories (the reference's most frequent), then OTHER_CATEGORY. */
      categories: string[];
      /** Reference count per category, in the same order. */
      reference: number[];
      /** Whether values are keyed as numbers ("1" and "1.0" are one value). */
      numericKeys: boolean;
    };

function categoricalBins(c: ColumnProfile): FeatureBins {
  const counts = countsOf(c);
  const known = counts.filter(([k]) => k !== OTHER_VALUES).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_CATEGORIES - 1);
  const keep = new Set(known.map(([k]) => k));
  const other = counts.filter(([k]) => !keep.has(k)).reduce((s, [, n]) => s + n, 0);
  const type = valueType(c);
  return {
    kind: 'categorical',
    categories: [...known.map(([k]) => k), OTHER_CATEGORY],
    reference: [...known.map(([, n]) => n), other],
    numericKeys: type === 'integer' || type === 'float',
  };
}

/** One column's bins, or undefined for columns that are not compared (datetimes, no values). */
export function featureBinsOf(c: ColumnProfile): FeatureBins | undefined {
  const type = valueType(c);
  if (type === 'datetime') return undefined;
  const numeric = numericSummary(c);
  if (columnKind(type, distinctCount(c)) === 'numeric' && numeric) {
    const bins = coarseBins(numeric.sketch);
    return bins.bins.length ? { kind: 'numeric', bins } : undefined;
  }
  return c.values ? categoricalBins(c) : undefined;
}

/** Every column's bins, by name. */
export function featureBins(profile: Profile): Map<string, FeatureBins> {
  const out = new Map<string, FeatureBins>();
  for (const c of profile.columns) {
    const b = featureBinsOf(c);
    if (b) out.set(c.name, b);
  }
  return out;
}

/** The category key of a live value, as the profile keys it (numbers by value, booleans as true/false). */
export function categoryKey(value: string | number | bigint | boolean, numericKeys: boolean): string {
  if (numericKeys && typeof value !== 'boolean') return String(Number(value));
  return String(value);
}
