import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, pairedBootstrap, percentile, type Statistic } from '../../shared/stats/bootstrap.js';
import { prepareClassification } from '../../shared/stats/classification.js';
import { createRandom } from '../../shared/stats/random.js';
import { regressionMetrics } from '../../shared/stats/regression.js';
import { expectClose, golden } from '../harness/sklearn.js';

function meanOf(values: Float64Array): Statistic {
  return (idx) => {
    let s = 0;
    for (let j = 0; j < idx.length; j++) s += values[idx[j]!]!;
    return { mean: s / idx.length };
  };
}

/** A classification task and two models: a better candidate and a worse baseline. */
function task(n: number, seed: number) {
  const r = createRandom(seed);
  const classes = ['a', 'b', 'c'];
  const yTrue = Array.from({ length: n }, () => classes[r.nextInt(3)]!);
  const model = (skill: number) => {
    const proba = new Float64Array(n * 3);
    const yPred: string[] = [];
    yTrue.forEach((y, i) => {
      let best = 0;
      for (let c = 0; c < 3; c++) {
        proba[i * 3 + c] = r.nextFloat() + (classes[c] === y ? skill : 0);
        if (proba[i * 3 + c]! > proba[i * 3 + best]!) best = c;
      }
      const sum = proba[i * 3]! + proba[i * 3 + 1]! + proba[i * 3 + 2]!;
      for (let c = 0; c < 3; c++) proba[i * 3 + c]! /= sum;
      yPred.push(classes[best]!);
    });
    return prepareClassification({ yTrue, yPred, classes, proba, labels: classes });
  };
  return { candidate: model(0.8), baseline: model(0.3) };
}

describe('percentile', () => {
  const values = Float64Array.from([5, 1, 9, 3, 3, 7, 2, 8, 6, 4, 10]).sort();
  const qs = [0, 0.025, 0.05, 0.1, 0.5, 0.9, 0.975, 1];
  let expected: number[] = [];
  beforeAll(() => {
    expected = golden<number>(qs.map((q) => ({ kind: 'percentile', values: Array.from(values), q })));
  });
  qs.forEach((q, i) => it(`q=${q} equals numpy.percentile (linear)`, () => expectClose(percentile(values, q), expected[i], 'percentile', 1e-12)));
  it('of nothing is NaN', () => expect(percentile(new Float64Array(0), 0.5)).toBeNaN());
});

describe('bootstrap', () => {
  const r = createRandom(3);
  const data = Float64Array.from({ length: 300 }, () => r.nextFloat());
  const options = { n: data.length, resamples: 500, confidence: 0.95, statistic: meanOf(data) };

  it('is deterministic under the seed, and another seed gives other intervals', () => {
    const a = bootstrap({ ...options, seed: 11 });
    expect(bootstrap({ ...options, seed: 11 })).toEqual(a);
    const b = bootstrap({ ...options, seed: 12 });
    expect(b.metrics.mean!.lower).not.toBe(a.metrics.mean!.lower);
    expect(b.metrics.mean!.estimate).toBe(a.metrics.mean!.estimate);
  });

  it('the estimate is the statistic on all rows, inside its interval', () => {
    const { metrics } = bootstrap({ ...options, seed: 1 });
    const m = metrics.mean!;
    expect(m.estimate).toBe(data.reduce((s, v) => s + v, 0) / data.length);
    expect(m.lower).toBeLessThan(m.estimate);
    expect(m.upper).toBeGreaterThan(m.estimate);
    expect(m.valid).toBe(500);
    // The standard error of a uniform mean is sqrt(1/12/300) = 0.0167: a 95% interval is about 4 of those wide.
    expect(m.upper - m.lower).toBeGreaterThan(0.05);
    expect(m.upper - m.lower).toBeLessThan(0.085);
  });

  it('the statistic sees n indices in [0, n), and indices repeat', () => {
    let seen = 0;
    bootstrap({
      n: 50,
      resamples: 20,
      seed: 5,
      confidence: 0.9,
      statistic: (idx) => {
        expect(idx.length).toBe(50);
        for (const i of idx) expect(i).toBeLessThan(50);
        seen = Math.max(seen, 50 - new Set(idx).size);
        return { x: 0 };
      },
    });
    expect(seen).toBeGreaterThan(0);
  });

  it('covers the true mean about as often as the confidence says', () => {
    // 200 samples of 60 uniform values; the 90% interval should hold 0.5 in roughly 90% of them.
    const rr = createRandom(2024);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const sample = Float64Array.from({ length: 60 }, () => rr.nextFloat());
      const m = bootstrap({ n: 60, resamples: 400, seed: t, confidence: 0.9, statistic: meanOf(sample) }).metrics.mean!;
      if (m.lower <= 0.5 && 0.5 <= m.upper) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.82);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it('leaves NaN resamples out of the interval and counts the rest', () => {
    const { metrics } = bootstrap({
      n: 10,
      resamples: 200,
      seed: 9,
      confidence: 0.95,
      statistic: (idx) => ({ m: idx.includes(0) ? NaN : idx[0]! }),
    });
    // P(row 0 not drawn in 10 draws) = 0.9^10 = 0.35
    expect(metrics.m!.valid).toBeGreaterThan(40);
    expect(metrics.m!.valid).toBeLessThan(110);
    expect(metrics.m!.estimate).toBeNaN();
    expect(metrics.m!.lower).toBeGreaterThanOrEqual(1);
  });

  it('scores regression metrics directly from the row indices', () => {
    const yTrue = Float64Array.from({ length: 100 }, (_, i) => i);
    const yPred = yTrue.map((y) => y + (y % 7) - 3);
    const { metrics } = bootstrap({ n: 100, resamples: 100, seed: 1, confidence: 0.9, statistic: (idx) => regressionMetrics(yTrue, yPred, idx) });
    expect(Object.keys(metrics)).toEqual(['rmse', 'mae', 'r2', 'mape']);
    expect(metrics.rmse!.lower).toBeLessThanOrEqual(metrics.rmse!.estimate);
  });

  const bad = [
    { n: 0, resamples: 10, confidence: 0.9 },
    { n: 10, resamples: 0, confidence: 0.9 },
    { n: 10, resamples: 10, confidence: 1 },
    { n: 10, resamples: 10, confidence: 0 },
    { n: 1.5, resamples: 10, confidence: 0.9 },
  ];
  for (const o of bad) {
    it(`rejects ${JSON.stringify(o)}`, () => expect(() => bootstrap({ ...o, seed: 1, statistic: () => ({}) })).toThrow(RangeError));
  }
});

describe('paired bootstrap', () => {
  const { candidate, baseline } = task(400, 77);
  const options = { n: 400, resamples: 300, seed: 8, confidence: 0.95 };

  it('identical models differ by exactly [0, 0] on every metric', () => {
    const result = pairedBootstrap({ ...options, candidate: candidate.scalars, baseline: candidate.scalars });
    expect(Object.keys(result.difference)).toEqual(Object.keys(candidate.scalars()));
    for (const d of Object.values(result.difference)) expect(d).toEqual({ estimate: 0, lower: 0, upper: 0, valid: 300 });
  });

  it('scores both models on the same resamples as the single bootstrap with that seed', () => {
    const paired = pairedBootstrap({ ...options, candidate: candidate.scalars, baseline: baseline.scalars });
    expect(paired.candidate).toEqual(bootstrap({ ...options, statistic: candidate.scalars }).metrics);
    expect(paired.baseline).toEqual(bootstrap({ ...options, statistic: baseline.scalars }).metrics);
    expect(pairedBootstrap({ ...options, candidate: candidate.scalars, baseline: baseline.scalars })).toEqual(paired);
  });

  it('the difference of a clearly better candidate excludes 0', () => {
    const { candidate: c, baseline: b, difference: d } = pairedBootstrap({ ...options, candidate: candidate.scalars, baseline: baseline.scalars });
    for (const key of ['accuracy', 'f1.macro', 'roc_auc', 'pr_auc']) {
      expect(d[key]!.lower, key).toBeGreaterThan(0);
      expect(d[key]!.estimate).toBeCloseTo(c[key]!.estimate - b[key]!.estimate, 14);
    }
    expect(d.log_loss!.upper).toBeLessThan(0);
    expect(d.brier!.upper).toBeLessThan(0);
  });

  it('differences only metrics both sides report', () => {
    const result = pairedBootstrap({ ...options, candidate: () => ({ x: 1, y: 2 }), baseline: () => ({ x: 0.5 }) });
    expect(Object.keys(result.difference)).toEqual(['x']);
    expect(result.difference.x).toEqual({ estimate: 0.5, lower: 0.5, upper: 0.5, valid: 300 });
  });
});
