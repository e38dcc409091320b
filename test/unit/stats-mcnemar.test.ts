import { beforeAll, describe, expect, it } from 'vitest';
import { EXACT_BELOW, mcnemar, mcnemarFromCounts } from '../../shared/stats/mcnemar.js';
import { binomialCdf, chiSquareSf, logGamma, regularizedBeta, regularizedGammaQ } from '../../shared/stats/special.js';
import { expectClose, golden, type GoldenRequest } from '../harness/sklearn.js';

interface McNemarGolden {
  statistic: number;
  pValue: number;
  pValueStatsmodels: number;
  method: 'exact' | 'chi2';
}

// Small b + c (exact binomial), the 24/25 boundary, balanced and lopsided large counts.
const COUNTS: [number, number][] = [
  [0, 0], [1, 0], [0, 1], [3, 7], [7, 3], [5, 5], [2, 20], [5, 19], [12, 12],
  [12, 13], [13, 12], [0, 25], [20, 30], [50, 30], [64, 64], [500, 420], [1000, 1003], [10, 200], [3, 900],
];

describe("McNemar's test equals statsmodels' mcnemar(exact=b+c<25, correction=True)", () => {
  let expected: McNemarGolden[] = [];
  beforeAll(() => {
    expected = golden<McNemarGolden>(COUNTS.map(([b, c]) => ({ kind: 'mcnemar', b, c })));
  });
  COUNTS.forEach(([b, c], i) => {
    it(`b=${b} c=${c}`, () => {
      const g = expected[i]!;
      const m = mcnemarFromCounts(b, c);
      expect(m.method).toBe(g.method);
      expect(m.method).toBe(b + c < EXACT_BELOW ? 'exact' : 'chi2');
      expectClose(m.statistic, g.statistic, 'statistic');
      expectClose(m.pValue, g.pValue, 'p (scipy)');
      expectClose(m.pValue, g.pValueStatsmodels, 'p (statsmodels formula)');
      expect(m.pValue).toBeGreaterThanOrEqual(0);
      expect(m.pValue).toBeLessThanOrEqual(1);
    });
  });

  it('counts b and c from per-row correctness (booleans or 0/1)', () => {
    const cand = [true, true, false, false, true, true, false];
    const base = [1, 0, 1, 0, 0, 1, 1];
    expect(mcnemar(cand, base)).toEqual(mcnemarFromCounts(2, 2));
    expect(mcnemar(cand, base)).toMatchObject({ b: 2, c: 2, method: 'exact', pValue: 1 });
  });

  it('the exact threshold is an option', () => {
    expect(mcnemarFromCounts(30, 10, { exactBelow: 100 }).method).toBe('exact');
    expect(mcnemarFromCounts(3, 1, { exactBelow: 0 }).method).toBe('chi2');
  });

  it('rejects rows of different lengths and non-count inputs', () => {
    expect(() => mcnemar([true], [true, false])).toThrow(/row counts/);
    expect(() => mcnemarFromCounts(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarFromCounts(1.5, 2)).toThrow(RangeError);
  });
});

describe('special functions equal scipy', () => {
  const table: { request: GoldenRequest; actual: () => number; rel?: number }[] = [];
  for (const df of [1, 2, 5, 30]) {
    for (const x of [0, 1e-10, 0.01, 0.5, 1, 2, 3.841458820694124, 6.63, 10, 31, 50, 200, 700, 1400]) {
      table.push({ request: { kind: 'chi2sf', x, df }, actual: () => chiSquareSf(x, df) });
    }
  }
  for (const [n, p] of [[0, 0.5], [1, 0.5], [10, 0.5], [24, 0.5], [25, 0.3], [100, 0.5], [1000, 0.01], [10000, 0.5]] as const) {
    for (const k of [0, 1, Math.floor(n / 4), Math.floor(n / 2), n - 1, n]) {
      table.push({ request: { kind: 'binomcdf', k, n, p }, actual: () => binomialCdf(k, n, p) });
    }
  }
  for (const x of [1e-8, 0.1, 0.5, 1, 1.5, 2, 2.5, 10, 100.5, 12345.6, 1e7, -0.5, -2.5]) {
    // ln Γ is near 0 around 1 and 2: compare absolutely there.
    table.push({ request: { kind: 'gammaln', x }, actual: () => logGamma(x), rel: 1e-12 });
  }
  for (const [a, x] of [[0.5, 0.2], [3, 2.5], [10, 30], [100, 90], [0.5, 1e-6]] as const) {
    table.push({ request: { kind: 'gammaincc', a, x }, actual: () => regularizedGammaQ(a, x) });
  }
  for (const [a, b, x] of [[1, 1, 0.3], [0.5, 0.5, 0.9], [20, 5, 0.7], [5, 20, 0.7], [200, 300, 0.4]] as const) {
    table.push({ request: { kind: 'betainc', a, b, x }, actual: () => regularizedBeta(x, a, b) });
  }

  let expected: (number | null)[] = [];
  beforeAll(() => {
    expected = golden<number | null>(table.map((t) => t.request));
  });
  table.forEach((t, i) => {
    const { kind, ...args } = t.request;
    it(`${kind}(${Object.values(args).join(', ')})`, () => {
      const g = expected[i]!;
      if (kind === 'gammaln' && g !== null && Math.abs(g) < 1) expect(Math.abs(t.actual() - g)).toBeLessThan(1e-14);
      else expectClose(t.actual(), g, kind, t.rel);
    });
  });
});
