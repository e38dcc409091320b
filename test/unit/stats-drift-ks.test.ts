import { beforeAll, describe, expect, it } from 'vitest';
import { kolmogorovSf } from '../../shared/stats/drift/kolmogorov.js';
import { EXACT_MAX_N, ks2samp } from '../../shared/stats/drift/ks.js';
import { createRandom } from '../../shared/stats/random.js';
import { golden } from '../harness/sklearn.js';

// Every branch of scipy's kstwo.sf: both Ruben-Gambino ends, x >= 0.5, the Durbin matrix (and
// where scipy uses Pomeranz), 2 x Smirnov, Pelz-Good, and the zero tail.
const N = [5, 50, 140, 141, 500, 1000, 7500, 100_000, 200_000, 1_000_000];
const KSTWO: [number, number][] = N.flatMap((n): [number, number][] => [
  [0.3 / n, n], [0.8 / n, n], [1 - 0.5 / n, n], [0.6, n],
  ...[0.05, 0.3, 0.7, 1, 2, 3, 4.5, 10, 30, 400].map((nx2) => [Math.sqrt(nx2 / n), n] as [number, number]),
]).filter(([x]) => x > 0 && x < 1);

function normalSample(seed: number, n: number, shift: number, scale = 1): number[] {
  const r = createRandom(seed);
  return Array.from({ length: n }, () => shift + scale * Math.sqrt(-2 * Math.log(1 - r.nextFloat())) * Math.cos(2 * Math.PI * r.nextFloat()));
}

// Equal and unequal sizes, exact and asymptotic (small n = round(nm/(n+m)) included), ties.
const SAMPLES: [number, number, number][] = [
  [10, 10, 0.5], [37, 37, 0.3], [50, 80, 0.4], [300, 457, 0.1], [1000, 9999, 0.05], [10_000, 10_000, 0.02],
  [100, 20_000, 0.2], [500, 10_001, 0.1], [3000, 50_000, 0.03], [200_000, 150_000, 0.004], [200_000, 150_000, 0.02],
  // n m / (n + m) = 5000.5: numpy rounds half to even
  [10_001, 10_001, 0.03],
];

describe("Kolmogorov distribution equals scipy's kstwo.sf", () => {
  let expected: number[] = [];
  beforeAll(() => {
    expected = golden<number>(KSTWO.map(([x, n]) => ({ kind: 'kstwo_sf', x, n })));
  });
  it(`${KSTWO.length} points over every branch`, () => {
    KSTWO.forEach(([x, n], i) => {
      const ours = kolmogorovSf(x, n);
      expect(Math.abs(ours - expected[i]!), `x=${x} n=${n}: ${ours} vs ${expected[i]}`).toBeLessThanOrEqual(1e-9 + 1e-7 * expected[i]!);
    });
  });
});

describe("ks_2samp equals scipy's (method='auto')", () => {
  let expected: [number, number][] = [];
  const data = SAMPLES.map(([n1, n2, shift], i) => {
    const round = i === 3 ? 1 : 0; // ties
    const a = normalSample(2 * i + 1, n1, 0).map((x) => (round ? Math.round(x * 10) / 10 : x));
    const b = normalSample(2 * i + 2, n2, shift).map((x) => (round ? Math.round(x * 10) / 10 : x));
    return { a, b };
  });
  beforeAll(() => {
    expected = golden<[number, number]>(data.map(({ a, b }) => ({ kind: 'ks_2samp', a, b })));
  }, 300_000);
  SAMPLES.forEach(([n1, n2, shift], i) => {
    it(`${n1} vs ${n2} values, shift ${shift}`, () => {
      const r = ks2samp(data[i]!.a, data[i]!.b);
      expect(r.method).toBe(Math.max(n1, n2) <= EXACT_MAX_N ? 'exact' : 'asymptotic');
      expect(Math.abs(r.statistic - expected[i]![0])).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(r.pValue - expected[i]![1]), `${r.pValue} vs ${expected[i]![1]}`).toBeLessThanOrEqual(1e-9 + 1e-7 * expected[i]![1]);
    });
  });
});
