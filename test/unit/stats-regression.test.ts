import { beforeAll, describe, expect, it } from 'vitest';
import { MAPE_EPSILON, regressionMetrics, type RegressionMetrics } from '../../shared/stats/regression.js';
import { createRandom } from '../../shared/stats/random.js';
import { expectClose, golden } from '../harness/sklearn.js';

type Golden = Record<keyof RegressionMetrics, number | null>;

interface Case {
  name: string;
  yTrue: number[];
  yPred: number[];
  idx?: number[];
  expect?: (m: RegressionMetrics) => void;
}

function cases(): Case[] {
  const r = createRandom(7);
  const noise = () => r.nextFloat() + r.nextFloat() + r.nextFloat() - 1.5;
  const yTrue = Array.from({ length: 200 }, () => 10 * noise() + 3);
  const yPred = yTrue.map((y) => y + 2 * noise());
  const withZeros = Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? 0 : Math.round(noise() * 100) / 10));
  return [
    { name: 'noisy predictions', yTrue, yPred },
    { name: 'a bootstrap resample (repeated rows)', yTrue, yPred, idx: Array.from({ length: 200 }, () => r.nextInt(200)) },
    {
      name: 'zeros in y_true: MAPE divides by eps',
      yTrue: withZeros,
      yPred: withZeros.map((y) => y + noise()),
      expect: (m) => expect(m.mape).toBeGreaterThan(1e13),
    },
    {
      name: 'a zero in y_true predicted exactly adds nothing to MAPE',
      yTrue: [0, 1, 2, 4],
      yPred: [0, 1.5, 2, 3],
      expect: (m) => expect(m.mape).toBeCloseTo((0.5 + 0.25) / 4, 15),
    },
    { name: 'perfect', yTrue, yPred: [...yTrue], expect: (m) => expect(m).toEqual({ rmse: 0, mae: 0, r2: 1, mape: 0 }) },
    { name: 'constant y_true, wrong predictions: r2 is 0 (force_finite)', yTrue: [2, 2, 2, 2], yPred: [1, 2, 3, 5], expect: (m) => expect(m.r2).toBe(0) },
    { name: 'constant y_true, exact predictions: r2 is 1', yTrue: [3, 3, 3], yPred: [3, 3, 3], expect: (m) => expect(m.r2).toBe(1) },
    { name: 'one row: r2 is NaN', yTrue: [1.5], yPred: [2], expect: (m) => expect(m.r2).toBeNaN() },
    { name: 'large offset, small spread', yTrue: yTrue.map((y) => 1e6 + y), yPred: yPred.map((y) => 1e6 + y) },
    { name: 'worse than the mean: negative r2', yTrue: yTrue.slice(0, 20), yPred: yTrue.slice(0, 20).map((y) => -y), expect: (m) => expect(m.r2).toBeLessThan(0) },
  ];
}

describe('regression metrics equal scikit-learn 1.9', () => {
  const all = cases();
  let expected: Golden[] = [];
  beforeAll(() => {
    expected = golden<Golden>(all.map((c) => ({ kind: 'regression', yTrue: c.yTrue, yPred: c.yPred, idx: c.idx ?? null })));
  });
  all.forEach((c, i) => {
    it(c.name, () => {
      const m = regressionMetrics(Float64Array.from(c.yTrue), Float64Array.from(c.yPred), c.idx ? Uint32Array.from(c.idx) : undefined);
      const g = expected[i]!;
      for (const key of ['rmse', 'mae', 'r2', 'mape'] as const) expectClose(m[key], g[key], key);
      c.expect?.(m);
    });
  });
});

describe('regression metrics: inputs', () => {
  it('the MAPE floor is float64 eps, as sklearn', () => expect(MAPE_EPSILON).toBe(2 ** -52));

  const bad: [string, number[], number[], RegExp][] = [
    ['lengths differ', [1, 2], [1], /rows/],
    ['no rows', [], [], /no rows/],
    ['NaN', [1, NaN], [1, 2], /row 1 is not finite/],
    ['infinity', [1, 2], [Infinity, 2], /row 0 is not finite/],
  ];
  for (const [name, yTrue, yPred, message] of bad) {
    it(`rejects ${name}`, () => expect(() => regressionMetrics(Float64Array.from(yTrue), Float64Array.from(yPred))).toThrow(message));
  }
});
