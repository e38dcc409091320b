import { beforeAll, describe, expect, it } from 'vitest';
import { type Interval, pairedBootstrap, pairedCountBootstrap } from '../../shared/stats/bootstrap.js';
import { descendingOrder, prepareClassification, type PreparedClassification } from '../../shared/stats/classification.js';
import { difference, type Influence, normalInterval, rankInfluence } from '../../shared/stats/influence.js';
import { binomial, multinomial } from '../../shared/stats/multinomial.js';
import { createRandom } from '../../shared/stats/random.js';
import { regressionInfluence, regressionMetrics } from '../../shared/stats/regression.js';
import { binomialCdf, chiSquareSf, normalCdf, normalQuantile } from '../../shared/stats/special.js';
import { expectClose, golden } from '../harness/sklearn.js';

const variance = (f: Influence) => f.phi!.reduce((s, v) => s + v * v, 0);

/** A k-class task with a better candidate and a worse baseline; scores rounded so that ties occur. */
function task(n: number, k: number, seed: number, digits = 2) {
  const r = createRandom(seed);
  const classes = Array.from({ length: k }, (_, c) => String.fromCharCode(97 + c));
  const yTrue = Array.from({ length: n }, () => classes[r.nextInt(k)]!);
  const model = (skill: number) => {
    const proba = new Float64Array(n * k);
    const yPred: string[] = [];
    yTrue.forEach((y, i) => {
      let best = 0;
      let sum = 0;
      for (let c = 0; c < k; c++) {
        proba[i * k + c] = r.nextFloat() + (classes[c] === y ? skill : 0);
        sum += proba[i * k + c]!;
      }
      for (let c = 0; c < k; c++) {
        proba[i * k + c] = Number((proba[i * k + c]! / sum).toFixed(digits));
        if (proba[i * k + c]! > proba[i * k + best]!) best = c;
      }
      yPred.push(classes[best]!);
    });
    return { yPred, proba };
  };
  const cand = model(0.6);
  const base = model(0.4);
  const prepare = (m: typeof cand, rows?: number[]) =>
    prepareClassification({
      yTrue: rows ? rows.map((i) => yTrue[i]!) : yTrue,
      yPred: rows ? rows.map((i) => m.yPred[i]!) : m.yPred,
      classes,
      proba: rows ? Float64Array.from(rows.flatMap((i) => Array.from(m.proba.subarray(i * k, (i + 1) * k)))) : m.proba,
      labels: classes,
    });
  return { yTrue, classes, cand, base, candidate: prepare(cand), baseline: prepare(base), prepare };
}

/**
 * Two intervals of the same quantity agree within Monte Carlo error: each end within 15% of
 * the reference's half-width (about 5 Monte Carlo standard errors of a 2.5% percentile at 2,000
 * resamples, plus the normal approximation's skew at these sizes).
 */
function expectAgree(actual: { lo: number; hi: number }, reference: Interval, label: string): void {
  const tolerance = 0.15 * ((reference.upper - reference.lower) / 2);
  expect(Math.abs(actual.lo - reference.lower), `${label} lower: ${actual.lo} vs bootstrap ${reference.lower}`).toBeLessThanOrEqual(tolerance);
  expect(Math.abs(actual.hi - reference.upper), `${label} upper: ${actual.hi} vs bootstrap ${reference.upper}`).toBeLessThanOrEqual(tolerance);
}

describe('normal distribution', () => {
  const ps = [1e-10, 0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.995];
  let expected: number[] = [];
  let cdf: number[] = [];
  beforeAll(() => {
    expected = golden<number>(ps.map((p) => ({ kind: 'norm_ppf', p })));
    cdf = golden<number>([-8, -1.5, 0, 0.7, 3].map((x) => ({ kind: 'norm_cdf', x })));
  });
  ps.forEach((p, i) => it(`quantile ${p} equals scipy.stats.norm.ppf`, () => expectClose(normalQuantile(p), expected[i], 'ppf', 1e-12)));
  it('cdf equals scipy.stats.norm.cdf', () => [-8, -1.5, 0, 0.7, 3].forEach((x, i) => expectClose(normalCdf(x), cdf[i], `cdf(${x})`, 1e-12)));
});

describe('binomial and multinomial draws', () => {
  // Inversion (n p < 10), BTRS, p folded above 1/2, a huge n with a small p.
  const cases: [number, number][] = [[5, 0.3], [40, 0.2], [1000, 0.3], [200, 0.5], [1_000_000, 0.9], [1_000_000, 0.0002]];
  for (const [n, p] of cases) {
    it(`Binomial(${n}, ${p}) matches the exact distribution (chi-square over 20 bins of equal probability)`, () => {
      const rng = createRandom(n + Math.round(p * 1000));
      const draws = 20_000;
      // Bin edges at the binomial CDF's 5% steps (merged where the distribution is coarse).
      const edges: number[] = [];
      let k = -1;
      for (let q = 0.05; q < 0.999; q += 0.05) {
        let lo = Math.max(k, -1);
        let hi = n;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (binomialCdf(mid, n, p) >= q) hi = mid;
          else lo = mid;
        }
        if (hi > k) edges.push((k = hi));
      }
      const expected = edges.map((e, i) => binomialCdf(e, n, p) - (i ? binomialCdf(edges[i - 1]!, n, p) : 0));
      if (edges[edges.length - 1]! < n) expected.push(1 - binomialCdf(edges[edges.length - 1]!, n, p));
      const seen = new Array<number>(expected.length).fill(0);
      let sum = 0;
      for (let d = 0; d < draws; d++) {
        const x = binomial(rng, n, p);
        expect(Number.isInteger(x) && x >= 0 && x <= n).toBe(true);
        sum += x;
        let b = 0;
        while (b < edges.length && x > edges[b]!) b++;
        seen[b]!++;
      }
      let chi2 = 0;
      expected.forEach((e, b) => (chi2 += (seen[b]! - draws * e) ** 2 / (draws * e)));
      expect(chiSquareSf(chi2, expected.length - 1), `chi2 ${chi2} over ${expected.length} bins`).toBeGreaterThan(1e-4);
      expect(Math.abs(sum / draws - n * p)).toBeLessThan(5 * Math.sqrt((n * p * (1 - p)) / draws) + 1e-9);
    });
  }
  it('edge cases: n = 0, p = 0 and p = 1 are certain', () => {
    const rng = createRandom(1);
    expect([binomial(rng, 0, 0.5), binomial(rng, 10, 0), binomial(rng, 10, 1)]).toEqual([0, 0, 10]);
    expect(() => binomial(rng, -1, 0.5)).toThrow(RangeError);
    expect(() => binomial(rng, 3, 1.5)).toThrow(RangeError);
  });
  it('multinomial: the cells sum to n, each cell averages n times its share, empty cells stay empty', () => {
    const rng = createRandom(7);
    const counts = Float64Array.from([500, 0, 3000, 1, 6499]);
    const out = new Float64Array(5);
    const mean = new Float64Array(5);
    for (let d = 0; d < 2000; d++) {
      multinomial(rng, 10_000, counts, out);
      expect(out.reduce((s, v) => s + v, 0)).toBe(10_000);
      expect(out[1]).toBe(0);
      out.forEach((v, i) => (mean[i]! += v / 2000));
    }
    counts.forEach((c, i) => expect(Math.abs(mean[i]! - c)).toBeLessThan(5 * Math.sqrt(c) / Math.sqrt(2000) + 1e-9));
  });
});

describe('count bootstrap', () => {
  const t = task(3000, 4, 21);
  const tableOf = (p: PreparedClassification, idx: Uint32Array) => {
    const table = new Float64Array(p.cells.count);
    for (const i of idx) table[p.cells.of[i]!]!++;
    return table;
  };

  it('a count table scores exactly what the rows it counts score', () => {
    const rng = createRandom(3);
    const idx = Uint32Array.from({ length: 3000 }, () => rng.nextInt(3000));
    const { roc_auc: _a, pr_auc: _p, log_loss: _l, brier: _b, ...counts } = t.candidate.scalars(idx);
    expect(t.candidate.cells.scalars(tableOf(t.candidate, idx))).toEqual(counts);
  });

  it('labels outside `labels` keep their own cells: accuracy still counts them as sklearn does', () => {
    const p = prepareClassification({ yTrue: ['a', 'x', 'x', 'b', 'y'], yPred: ['a', 'x', 'y', 'z', 'a'], labels: ['a', 'b'] });
    const all = Uint32Array.from([0, 1, 2, 3, 4]);
    expect(p.cells.scalars(tableOf(p, all))).toEqual(p.scalars(all));
    expect(p.scalars().accuracy).toBe(0.4);
  });

  it('agrees with the paired row bootstrap within Monte Carlo error, candidate and difference', () => {
    const o = { resamples: 2000, seed: 5, confidence: 0.95 };
    const rows = pairedBootstrap({ ...o, n: 3000, candidate: t.candidate.scalars, baseline: t.baseline.scalars });
    // The joint cells, as shared/model/evaluation.ts builds them.
    const w = t.baseline.cells.count;
    const joint = new Float64Array(t.candidate.cells.count * w);
    for (let i = 0; i < 3000; i++) joint[t.candidate.cells.of[i]! * w + t.baseline.cells.of[i]!]!++;
    const margin = (p: PreparedClassification, pick: (cell: number) => number) => (j: Float64Array) => {
      const table = new Float64Array(p.cells.count);
      j.forEach((c, cell) => (table[pick(cell)]! += c));
      return p.cells.scalars(table);
    };
    const counts = pairedCountBootstrap({ ...o, counts: joint, candidate: margin(t.candidate, (c) => Math.floor(c / w)), baseline: margin(t.baseline, (c) => c % w) });
    for (const key of ['accuracy', 'precision.macro', 'recall.macro', 'f1.macro', 'f1.weighted']) {
      expect(counts.candidate[key]!.estimate).toBe(rows.candidate[key]!.estimate);
      expectAgree({ lo: counts.candidate[key]!.lower, hi: counts.candidate[key]!.upper }, rows.candidate[key]!, `candidate ${key}`);
      expectAgree({ lo: counts.difference[key]!.lower, hi: counts.difference[key]!.upper }, rows.difference[key]!, `difference ${key}`);
    }
  });

  it('is deterministic under the seed; identical models differ by exactly [0, 0]', () => {
    const counts = new Float64Array(t.candidate.cells.count);
    for (const c of t.candidate.cells.of) counts[c]!++;
    const o = { counts, resamples: 300, seed: 9, confidence: 0.9, candidate: t.candidate.cells.scalars, baseline: t.candidate.cells.scalars };
    const a = pairedCountBootstrap(o);
    expect(pairedCountBootstrap(o)).toEqual(a);
    for (const d of Object.values(a.difference)) expect(d).toEqual({ estimate: 0, lower: 0, upper: 0, valid: 300 });
  });
});

describe('DeLong and the influence intervals', () => {
  it("binary ROC AUC: the estimate equals roc_auc_score, the variances and covariance DeLong's (Sun & Xu's algorithm in Python)", () => {
    const t = task(600, 2, 11);
    const y = t.yTrue.map((v) => (v === 'b' ? 1 : 0));
    const col = (p: Float64Array) => Array.from({ length: 600 }, (_, i) => p[i * 2 + 1]!);
    const [ref] = golden<{ auc: number[]; sklearn: number[]; cov: number[][] }>([{ kind: 'delong', y, scores: [col(t.cand.proba), col(t.base.proba)] }]);
    const c = t.candidate.influence().roc_auc!;
    const b = t.baseline.influence().roc_auc!;
    expectClose(c.estimate, ref!.sklearn[0], 'candidate AUC', 1e-12);
    expectClose(b.estimate, ref!.sklearn[1], 'baseline AUC', 1e-12);
    expectClose(c.estimate, t.candidate.scalars().roc_auc, 'the scalars agree', 1e-12);
    expectClose(variance(c), ref!.cov[0]![0], 'candidate variance', 1e-9);
    expectClose(variance(b), ref!.cov[1]![1], 'baseline variance', 1e-9);
    expectClose(variance(difference(c, b)), ref!.cov[0]![0]! + ref!.cov[1]![1]! - 2 * ref!.cov[0]![1]!, 'variance of the difference', 1e-9);
  });

  it('rank influence sums to zero over the rows (AUC and AP), and AP equals average_precision_score', () => {
    const t = task(800, 3, 12);
    const f = t.candidate.influence();
    for (const key of ['roc_auc', 'pr_auc', 'log_loss', 'brier']) expect(Math.abs(f[key]!.phi!.reduce((s, v) => s + v, 0)), key).toBeLessThan(1e-12);
    const s = t.candidate.scalars();
    for (const key of ['roc_auc', 'pr_auc', 'log_loss', 'brier']) expectClose(f[key]!.estimate, s[key], key, 1e-12);
  });

  for (const k of [2, 4]) {
    it(`${k} classes: ROC AUC (DeLong), PR AUC, log loss and Brier intervals agree with the paired row bootstrap within Monte Carlo error`, () => {
      const t = task(3000, k, 30 + k);
      const rows = pairedBootstrap({ n: 3000, resamples: 2000, seed: 1, confidence: 0.95, candidate: t.candidate.scalars, baseline: t.baseline.scalars });
      const c = t.candidate.influence();
      const b = t.baseline.influence();
      for (const key of ['roc_auc', 'pr_auc', 'log_loss', 'brier']) {
        expectAgree(normalInterval(c[key]!, 0.95), rows.candidate[key]!, `candidate ${key}`);
        expectAgree(normalInterval(difference(c[key]!, b[key]!), 0.95), rows.difference[key]!, `difference ${key}`);
      }
    });
  }

  it('regression: rmse, mae, r2 and mape intervals agree with the row bootstrap within Monte Carlo error', () => {
    const r = createRandom(4);
    const n = 3000;
    const yTrue = Float64Array.from({ length: n }, () => 1 + 10 * r.nextFloat());
    const pred = (noise: number) => yTrue.map((y) => y + noise * (r.nextFloat() - 0.5) * (1 + y / 5));
    const a = pred(1);
    const bb = pred(1.5);
    const rows = pairedBootstrap({ n, resamples: 2000, seed: 2, confidence: 0.95, candidate: (idx) => regressionMetrics(yTrue, a, idx), baseline: (idx) => regressionMetrics(yTrue, bb, idx) });
    const c = regressionInfluence(yTrue, a);
    const b = regressionInfluence(yTrue, bb);
    for (const key of ['rmse', 'mae', 'r2', 'mape'] as const) {
      expectClose(c[key].estimate, regressionMetrics(yTrue, a)[key], key, 1e-12);
      expectAgree(normalInterval(c[key], 0.95), rows.candidate[key]!, `candidate ${key}`);
      expectAgree(normalInterval(difference(c[key], b[key]), 0.95), rows.difference[key]!, `difference ${key}`);
    }
  });

  it('a slice (rows of the full data) has the influence of the slice prepared on its own: the full sort is reused', () => {
    const t = task(1000, 3, 40);
    const rows = Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 3 !== 1);
    const own = t.prepare(t.cand, rows).influence();
    const view = t.candidate.influence(Uint32Array.from(rows));
    for (const key of ['roc_auc', 'pr_auc', 'log_loss', 'brier']) {
      expectClose(view[key]!.estimate, own[key]!.estimate, key, 1e-12);
      view[key]!.phi!.forEach((v, j) => expectClose(v, own[key]!.phi![j], `${key} phi ${j}`, 1e-9));
    }
  });

  it('undefined where the data cannot say: one class only (AUC), one positive (DeLong needs 2 of each)', () => {
    const one = rankInfluence({ order: Uint32Array.from([0, 1, 2]), positive: Uint8Array.from([1, 1, 1]), lastOfTie: Uint8Array.from([1, 1, 1]) });
    expect(one.auc.estimate).toBeNaN();
    expect(normalInterval(one.auc, 0.95).lo).toBeNaN();
    const single = rankInfluence({ order: Uint32Array.from([0, 1, 2]), positive: Uint8Array.from([1, 0, 0]), lastOfTie: Uint8Array.from([1, 1, 1]) });
    expect(single.auc.estimate).toBe(1);
    expect(single.auc.phi).toBeNull();
    // No positives: AP is 0 by scikit-learn's convention, with no spread.
    const none = rankInfluence({ order: Uint32Array.from([0, 1]), positive: Uint8Array.from([0, 0]), lastOfTie: Uint8Array.from([1, 1]) });
    expect(none.ap).toEqual({ estimate: 0, phi: new Float64Array(2) });
  });

  it('bounded metrics stay in their range', () => {
    const f: Influence = { estimate: 0.99, phi: Float64Array.from([0.05, -0.05]) };
    expect(normalInterval(f, 0.95, [0, 1]).hi).toBe(1);
    expect(normalInterval(f, 0.95).hi).toBeGreaterThan(1);
  });
});

describe('descendingOrder (the score sort)', () => {
  it('orders like a comparator sort: negatives, zeros, subnormals, float32 values, ties', () => {
    const r = createRandom(8);
    const values = Float64Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? Math.fround(r.nextFloat()) : i % 11 === 0 ? -r.nextFloat() * 1e3 : i % 13 === 0 ? 5e-324 * (i % 3) : Number(r.nextFloat().toFixed(2))));
    values[1] = -0;
    values[2] = Infinity;
    values[3] = -Infinity;
    const order = descendingOrder(values);
    expect(new Set(order).size).toBe(values.length);
    for (let j = 1; j < order.length; j++) expect(values[order[j - 1]!]!, `position ${j}`).toBeGreaterThanOrEqual(values[order[j]!]!);
  });
});
