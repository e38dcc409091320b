import { describe, expect, it } from 'vitest';
import * as sketch from '../../shared/stats/sketch.js';

/** A deterministic pseudo-random stream (mulberry32), so the cases are fixed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function build(values: number[]): sketch.Sketch {
  const s = sketch.emptySketch();
  for (const v of values) sketch.add(s, v);
  return s;
}

/** The exact value at rank q*(n-1), the definition the sketch approximates. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('DDSketch', () => {
  const r = rng(42);
  const datasets: Record<string, number[]> = {
    'lognormal-ish': Array.from({ length: 20000 }, () => Math.exp(3 * r())),
    'mixed sign with zeros': Array.from({ length: 20000 }, (_, i) => (i % 10 === 0 ? 0 : (r() - 0.5) * 2000)),
    'tiny spread far from zero': Array.from({ length: 5000 }, () => 1e6 + r()),
  };
  for (const [name, values] of Object.entries(datasets)) {
    it(`quantiles are within the relative accuracy: ${name}`, () => {
      const s = build(values);
      const sorted = [...values].sort((a, b) => a - b);
      expect(sketch.total(s)).toBe(values.length);
      for (const q of [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1]) {
        const exact = exactQuantile(sorted, q);
        const est = sketch.quantile(s, q, sorted[0], sorted.at(-1))!;
        expect(Math.abs(est - exact)).toBeLessThanOrEqual(sketch.RELATIVE_ACCURACY * Math.abs(exact) + 1e-9);
      }
    });
  }

  it('merging shard sketches equals the sketch of the union, bucket for bucket', () => {
    const values = datasets['mixed sign with zeros']!;
    const merged = sketch.merge(build(values.slice(0, 7000)), build(values.slice(7000)));
    const whole = build(values);
    expect(merged).toEqual({ zeros: whole.zeros, positive: sketch.sortKeys(whole.positive), negative: sketch.sortKeys(whole.negative) });
  });

  it('bucket edges are fixed: gamma^(i-1) < x <= gamma^i', () => {
    for (const x of [0.001, 1, 1.5, 100, 12345.678]) {
      const i = sketch.bucketIndex(x);
      expect(sketch.GAMMA ** (i - 1)).toBeLessThan(x * (1 + 1e-12));
      expect(x).toBeLessThanOrEqual(sketch.GAMMA ** i * (1 + 1e-12));
    }
  });

  it('an empty sketch has no quantile', () => {
    expect(sketch.quantile(sketch.emptySketch(), 0.5)).toBeNull();
  });

  it('datetime quantiles come off the minute timeline: exact for dates, to the minute below', () => {
    const day = 86400;
    const dates = [0, 1, 1, 2, 5, 30, 365].map((d) => Date.UTC(2024, 0, 1 + d) / 1000);
    const timeline: Record<string, number> = {};
    for (const t of dates) timeline[String(Math.floor(t / 60))] = (timeline[String(Math.floor(t / 60))] ?? 0) + 1;
    const qs = [0, 0.25, 0.5, 0.9, 1];
    expect(sketch.timeQuantiles(timeline, qs)).toEqual(qs.map((q) => dates[Math.floor(q * (dates.length - 1))]));
    // Seconds fall to their minute, never below the observed minimum.
    const t0 = Date.UTC(2024, 5, 1, 12, 0, 42) / 1000;
    expect(sketch.timeQuantiles({ [String(Math.floor(t0 / 60))]: 1 }, [0.5], t0, t0)).toEqual([t0]);
    expect(sketch.timeQuantiles({ [String(Math.floor((t0 + day) / 60))]: 2, [String(Math.floor(t0 / 60))]: 1 }, [1])).toEqual([Math.floor((t0 + day) / 60) * 60]);
    // Keys out of order (before 1970 they are not array indexes, so JSON keeps them as written).
    expect(sketch.timeQuantiles({ '-10': 1, '-20': 1, '5': 1 }, [0, 0.5, 1])).toEqual([-1200, -600, 300]);
    expect(sketch.timeQuantiles({}, [0.5])).toEqual([null]);
  });
});
