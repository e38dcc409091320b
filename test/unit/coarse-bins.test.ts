import { describe, expect, it } from 'vitest';
import { binOfKey, coarseBins, countInto, MAX_COARSE_BINS, valueKey } from '../../shared/stats/coarse-bins.js';
import { add, emptySketch, type Sketch } from '../../shared/stats/sketch.js';
import { ServingMetrics } from '../../shared/serving/metrics.js';

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
