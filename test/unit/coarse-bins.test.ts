import { describe, expect, it } from 'vitest';
import { binOfKey, coarseBins, countInto, MAX_COARSE_BINS, valueKey } from '../../shared/stats/coarse-bins.js';
import { add, emptySketch, type Sketch } from '../../shared/stats/sketch.js';
import { ServingMetrics } from '../../shared/serving/metrics.js';
import type { ColumnProfile } from '../../shared/data/profile-schema.js';
import { categoryKey, featureBinsOf, MAX_CATEGORIES } from '../../shared/drift/feature-bins.js';

function sketchOf(values: number[]): Sketch {
  const s = emptySketch();
  for (const v of values) add(s, v);
  return s;
}

const wave = Array.from({ length: 5000 }, (_, i) => 10 * Math.sin(i) + (i % 7) / 10);

describe('coarse bins over the sketch edges', () => {
  it('merges whole buckets into at most 50 bins of about equal mass, plus underflow and overflow', () => {
    const b = coarseBins(sketchOf(wave));
    expect(b.bins.length).toBeLessThanOrEqual(MAX_COARSE_BINS + 2);
    expect(b.bins.length).toBeGreaterThan(30);
    expect(b.bins[0]!.reference).toBe(0);
    expect(b.bins.at(-1)!.label).toBe('+Inf');
    expect(b.bins.reduce((s, x) => s + x.reference, 0)).toBe(5000);
    // Labels are distinct, edges increase.
    expect(new Set(b.bins.map((x) => x.label)).size).toBe(b.bins.length);
    for (let i = 1; i < b.bins.length; i++) expect(b.bins[i]!.high).toBeGreaterThanOrEqual(b.bins[i - 1]!.high);
  });

  it('counts values one by one exactly as the coarsened sketch of the same values (what the server and the file path see)', () => {
    const b = coarseBins(sketchOf(wave));
    const current = [...wave.slice(0, 1000).map((v) => v + 3), -1e6, 1e6, 0, 1e-12];
    const oneByOne = new Array<number>(b.bins.length).fill(0);
    for (const v of current) oneByOne[binOfKey(b.upperKeys, valueKey(v))]! += 1;
    expect(oneByOne).toEqual(countInto(b, sketchOf(current)));
    expect(oneByOne[0]).toBe(1); // -1e6: underflow
    expect(oneByOne.at(-1)).toBeGreaterThan(1); // 1e6 and the shifted tail: overflow
    // The reference counted into its own bins gives the reference column.
    expect(countInto(b, sketchOf(wave))).toEqual(b.bins.map((x) => x.reference));
  });

  it('keeps every bucket its own bin when there are few', () => {
    const b = coarseBins(sketchOf([1, 1, 2, 3, 3, 3]));
    expect(b.bins.map((x) => x.reference)).toEqual([0, 2, 1, 3, 0]);
  });
});

describe('the server\'s bin counters', () => {
  it('creates every series at zero and counts numbers per bin and categories with __other__', () => {
    const m = new ServingMetrics({ name: 'w', version: '1' });
    const bins = coarseBins(sketchOf([1, 2, 3, 4, 5]));
    m.referenceBins(new Map([
      ['x', { kind: 'numeric', bins }],
      ['kind', { kind: 'categorical', categories: ['a', 'b', '__other__'], reference: [3, 2, 1], numericKeys: false }],
    ]));
    const before = m.expose();
    expect(before).toContain('mlops_feature_bin_total{model_name="w",model_version="1",feature="x",bin="+Inf"} 0');
    expect(before).toContain('mlops_feature_category_total{model_name="w",model_version="1",feature="kind",category="__other__"} 0');
    m.featureValues('x', [1, 3, 3, 100, null, NaN]);
    m.featureValues('kind', ['a', 'zzz', 'b', 'a', null]);
    const after = m.expose();
    expect(after).toContain(`feature="x",bin="${bins.bins[1]!.label}"} 1`);
    expect(after).toContain(`feature="x",bin="${bins.bins[3]!.label}"} 2`);
    expect(after).toContain('feature="x",bin="+Inf"} 1');
    expect(after).toContain('feature="kind",category="a"} 2');
    expect(after).toContain('feature="kind",category="__other__"} 1');
  });
});

describe('featureBinsOf: what the server counts per profile column', () => {
  const column = (over: Partial<ColumnProfile>): ColumnProfile => ({ name: 'c', type: 'VARCHAR', kind: 'categorical', count: 0, nulls: 0, distinct: { value: 0, exact: true }, ...over });
  it('numeric columns: coarse bins; integers with <= 10 values, text and booleans: categories keyed as the profile keys them, the tail as __other__', () => {
    const float = featureBinsOf(column({ type: 'DOUBLE', kind: 'numeric', distinct: { value: 3, exact: true }, numeric: { min: 1, max: 3, finite: 3, mean: 2, m2: 2, variance: 0.67, nan: 0, posInf: 0, negInf: 0, quantiles: {}, sketch: sketchOf([1, 2, 3]) } }));
    expect(float).toMatchObject({ kind: 'numeric' });
    const small = featureBinsOf(column({ type: 'BIGINT', kind: 'numeric', distinct: { value: 2, exact: true }, numeric: { min: 1, max: 2, finite: 3, mean: 1.3, m2: 1, variance: 0.2, nan: 0, posInf: 0, negInf: 0, quantiles: {}, sketch: sketchOf([1, 1, 2]) }, values: { counts: [['1', 2], ['2', 1]], complete: true, other: 0 } }));
    expect(small).toEqual({ kind: 'categorical', categories: ['1', '2', '__other__'], reference: [2, 1, 0], numericKeys: true });
    expect(categoryKey(2n, true)).toBe('2');
    expect(categoryKey(true, false)).toBe('true');
    const many = featureBinsOf(column({ values: { counts: Array.from({ length: 120 }, (_, i) => [`v${i}`, 200 - i] as [string, number]), complete: false, other: 7 } }));
    expect(many).toMatchObject({ kind: 'categorical' });
    if (many?.kind !== 'categorical') throw new Error('categorical');
    expect(many.categories).toHaveLength(MAX_CATEGORIES);
    expect(many.categories.slice(0, 2)).toEqual(['v0', 'v1']);
    // The 71 values past the 49 kept and the profile's own `other` count: all in __other__.
    expect(many.reference.at(-1)).toBe(Array.from({ length: 71 }, (_, i) => 200 - 49 - i).reduce((a, b) => a + b, 0) + 7);
    expect(featureBinsOf(column({ type: 'DATE', kind: 'datetime' }))).toBeUndefined();
  });
});
