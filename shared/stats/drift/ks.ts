/**
 * The two-sample Kolmogorov-Smirnov test as scipy.stats.ks_2samp(method='auto') computes it:
 * the exact p-value (Hodges' lattice-path counts) when max(n, m) <= 10000, else the
 * asymptotic one (the one-sample Kolmogorov distribution at round(n m / (n + m))). Pure.
 */
import { kolmogorovSf } from './kolmogorov.js';

export const EXACT_MAX_N = 10_000;

export interface KsResult {
  /** D = max |F_ref - F_cur| (the rounded lattice value when exact, as scipy reports it). */
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** D over two sorted samples: the largest gap between their empirical CDFs. */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < n && a[i]! <= x) i++;
    while (j < m && b[j]! <= x) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return d;
}

/** ks_2samp for two samples (any order; sorted copies are made). */
export function ks2samp(reference: readonly number[], current: readonly number[]): KsResult {
  const a = Float64Array.from(reference).sort();
  const b = Float64Array.from(current).sort();
  return ksPValue(ksStatistic(a, b), a.length, b.length);
}

/** The p-value for a D observed between samples of n1 and n2 values. */
export function ksPValue(d: number, n1: number, n2: number): KsResult {
  if (Math.max(n1, n2) <= EXACT_MAX_N) {
    const exact = exactPValue(d, n1, n2);
    if (exact) return { ...exact, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = roundHalfEven((m * n) / (m + n));
  return { statistic: d, pValue: clip01(kolmogorovSf(d, en)), method: 'asymptotic' };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function clip01(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}

/** scipy's _attempt_exact_2kssamp (two-sided); null when the float computation fails. */
function exactPValue(d: number, n1: number, n2: number): { statistic: number; pValue: number } | null {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pValue: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return null;
  return { statistic, pValue: clip01(p) };
}

/** np.round: halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Pr(D_{n,n} >= h/n), Horner-like to avoid cancellation (scipy's _compute_prob_outside_square). */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * 1 - (share of lattice paths from (0,0) to (m,n) staying strictly inside |x/m - y/n| < h/lcm),
 * by Viehmann's recursion on the complement (scipy's _compute_outer_prob_inside_method).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}
