/**
 * McNemar's test: do two models scored on the same rows differ in accuracy? Only the
 * discordant rows count: b = candidate right and baseline wrong, c = candidate wrong and
 * baseline right. Same statistic and p-value as statsmodels'
 * `mcnemar([[a, b], [c, d]], exact=b + c < 25, correction=True)`. Pure: no I/O.
 */
import { binomialCdf, chiSquareSf } from './special.js';

/** Below this many discordant rows the exact binomial test is used (the usual rule of thumb). */
export const EXACT_BELOW = 25;

export interface McNemarResult {
  /** Rows the candidate gets right and the baseline wrong. */
  b: number;
  /** Rows the candidate gets wrong and the baseline right. */
  c: number;
  /** exact: min(b, c); chi2: (|b - c| - 1)^2 / (b + c). */
  statistic: number;
  /** Two-sided. */
  pValue: number;
  method: 'exact' | 'chi2';
}

export interface McNemarOptions {
  /** Use the exact test when b + c is below this; default EXACT_BELOW. */
  exactBelow?: number;
}

/** The test from the two discordant counts. */
export function mcnemarFromCounts(b: number, c: number, options: McNemarOptions = {}): McNemarResult {
  if (!(Number.isInteger(b) && Number.isInteger(c) && b >= 0 && c >= 0)) throw new RangeError(`b and c must be counts, got ${b}, ${c}`);
  const n = b + c;
  if (n < (options.exactBelow ?? EXACT_BELOW)) {
    // Two-sided exact binomial test at p = 1/2: the distribution is symmetric, so twice the
    // smaller tail (scipy.stats.binomtest and statsmodels agree), capped at 1.
    const statistic = Math.min(b, c);
    return { b, c, statistic, pValue: Math.min(1, 2 * binomialCdf(statistic, n, 0.5)), method: 'exact' };
  }
  // Edwards' continuity correction, as statsmodels writes it: when b == c the statistic is
  // 1 / (b + c), not 0 (the p-value stays close to 1).
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, statistic, pValue: chiSquareSf(statistic, 1), method: 'chi2' };
}

/** The test from per-row correctness of the candidate and the baseline (truthy = correct). */
export function mcnemar(
  candidateCorrect: ArrayLike<boolean | number>,
  baselineCorrect: ArrayLike<boolean | number>,
  options: McNemarOptions = {},
): McNemarResult {
  if (candidateCorrect.length !== baselineCorrect.length) {
    throw new RangeError(`candidate and baseline have different row counts: ${candidateCorrect.length} vs ${baselineCorrect.length}`);
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < candidateCorrect.length; i++) {
    const cand = Boolean(candidateCorrect[i]);
    const base = Boolean(baselineCorrect[i]);
    if (cand && !base) b++;
    else if (!cand && base) c++;
  }
  return mcnemarFromCounts(b, c, options);
}
