/**
 * Closed-form confidence intervals: the normal interval estimate ± z se, with the standard error
 * from each row's influence on the metric (the delta method, or infinitesimal jackknife). A
 * metric comes with `phi`, one value per row, scaled so that se² = Σ phi²: a paired difference
 * is then phi(candidate) - phi(baseline) row by row, and a macro average the mean of the
 * classes' phi. For ROC AUC, se² is exactly DeLong's variance (DeLong, DeLong & Clarke-Pearson
 * 1988), with the placement values of Sun & Xu's O(n log n) algorithm (2014); for a mean, the
 * sample variance over n. Computed once on the scores sorted once: no resampling. Pure: no I/O.
 */
import { normalQuantile } from './special.js';

/** A metric's value and each row's influence (null: the interval is undefined on these rows). */
export interface Influence {
  estimate: number;
  phi: Float64Array | null;
}

/** The normal interval; undefined (NaN ends) when the estimate or its influence is. */
export function normalInterval(f: Influence, confidence: number, clamp?: [number, number]): { lo: number; hi: number } {
  if (!f.phi || !Number.isFinite(f.estimate)) return { lo: NaN, hi: NaN };
  let v = 0;
  for (let i = 0; i < f.phi.length; i++) v += f.phi[i]! * f.phi[i]!;
  const half = normalQuantile((1 + confidence) / 2) * Math.sqrt(v);
  const lo = f.estimate - half;
  const hi = f.estimate + half;
  return clamp ? { lo: Math.max(clamp[0], lo), hi: Math.min(clamp[1], hi) } : { lo, hi };
}

/** candidate - baseline, row by row: the paired difference. */
export function difference(c: Influence, b: Influence): Influence {
  if (!c.phi || !b.phi) return { estimate: c.estimate - b.estimate, phi: null };
  const phi = new Float64Array(c.phi.length);
  for (let i = 0; i < phi.length; i++) phi[i] = c.phi[i]! - b.phi[i]!;
  return { estimate: c.estimate - b.estimate, phi };
}

/** The unweighted mean of several metrics on the same rows (a macro average). */
export function average(parts: Influence[]): Influence {
  let estimate = 0;
  for (const p of parts) estimate += p.estimate / parts.length;
  if (parts.some((p) => !p.phi)) return { estimate, phi: null };
  const phi = new Float64Array(parts[0]!.phi!.length);
  for (const p of parts) for (let i = 0; i < phi.length; i++) phi[i]! += p.phi![i]! / parts.length;
  return { estimate, phi };
}

/** A mean of per-row values x (log loss, Brier, absolute error): phi = (x - mean) / sqrt(n (n - 1)). */
export function meanInfluence(x: Float64Array): Influence {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const estimate = s / n;
  if (n < 2) return { estimate, phi: null };
  const scale = 1 / Math.sqrt(n * (n - 1));
  const phi = new Float64Array(n);
  for (let i = 0; i < n; i++) phi[i] = (x[i]! - estimate) * scale;
  return { estimate, phi };
}

/** Rows by descending score: row ids (0..n-1), whether each position is positive, and where runs of equal scores end. */
export interface RankedRows {
  order: Uint32Array;
  positive: Uint8Array;
  lastOfTie: Uint8Array;
}

/**
 * ROC AUC and average precision of one ranking, with ties as scikit-learn counts them (a tie
 * is one threshold: half a pair in AUC, one precision step in AP), and their influence.
 *
 * AUC: a positive's placement V10 is the share of negatives it outranks (ties half), a
 * negative's V01 the share of positives outranking it; AUC is their mean, and DeLong's variance
 * S10/m + S01/n is Σ phi² with phi = (V - AUC) / sqrt(m (m - 1)) or / sqrt(n (n - 1)).
 *
 * AP = (1/m) Σ over positives of precision at their score, TP(s)/K(s) (K: rows scoring >= s).
 * As a functional of the rows' distribution, AP = E[y h(s)] / E[y] with h = G1/G, G1(s) =
 * E[y' 1(s' >= s)], G(s) = E[1(s' >= s)]; its influence at a row (y0, s0) is
 * IF = (IF_A - AP (y0 - pi)) / pi, pi = m/N, with
 * IF_A = y0 h(s0) - A + Σ over positives i with s_i <= s0 of (y0 / K_i - TP_i / K_i²), A = pi AP.
 */
export function rankInfluence(s: RankedRows): { auc: Influence; ap: Influence } {
  const { order, positive, lastOfTie } = s;
  const N = order.length;
  let m = 0;
  for (let r = 0; r < N; r++) m += positive[r]!;
  const nn = N - m;
  // Tie groups from the top: positives and negatives in each, cumulative counts at each group's end.
  const groupOf = new Uint32Array(N);
  const pos = new Float64Array(N);
  const neg = new Float64Array(N);
  let g = 0;
  for (let r = 0; r < N; r++) {
    groupOf[r] = g;
    if (positive[r] === 1) pos[g]!++;
    else neg[g]!++;
    if (lastOfTie[r] === 1) g++;
  }
  const groups = g;

  const aucPhiPos = new Float64Array(groups); // V10 of a positive in group g
  const aucPhiNeg = new Float64Array(groups); // V01 of a negative in group g
  const precision = new Float64Array(groups); // h at the group's end
  let pAbove = 0;
  let nAbove = 0;
  let area = 0;
  let apSum = 0;
  for (let k = 0; k < groups; k++) {
    const pg = pos[k]!;
    const ng = neg[k]!;
    aucPhiPos[k] = (nn - nAbove - ng / 2) / nn;
    aucPhiNeg[k] = (pAbove + pg / 2) / m;
    area += ng * (pAbove + pg / 2);
    pAbove += pg;
    nAbove += ng;
    precision[k] = pAbove / (pAbove + nAbove);
    apSum += pg * precision[k]!;
  }
  const auc = m === 0 || nn === 0 ? NaN : area / (m * nn);
  const aucPhi = m < 2 || nn < 2 ? null : new Float64Array(N);
  if (aucPhi) {
    const sp = 1 / Math.sqrt(m * (m - 1));
    const sn = 1 / Math.sqrt(nn * (nn - 1));
    for (let r = 0; r < N; r++) {
      const k = groupOf[r]!;
      aucPhi[order[r]!] = positive[r] === 1 ? (aucPhiPos[k]! - auc) * sp : (aucPhiNeg[k]! - auc) * sn;
    }
  }

  // No positives: scikit-learn's AP is 0 whatever the rows, so it has no spread.
  const ap = m === 0 ? 0 : apSum / m;
  let apPhi: Float64Array | null = null;
  if (m === 0) apPhi = new Float64Array(N);
  else if (N >= 2) {
    // S1, S2: sums over positives scoring <= a group's score, from the bottom up.
    const s1 = new Float64Array(groups);
    const s2 = new Float64Array(groups);
    let a1 = 0;
    let a2 = 0;
    let tp = pAbove;
    let kk = N;
    for (let k = groups - 1; k >= 0; k--) {
      const pg = pos[k]!;
      a1 += pg / kk;
      a2 += (pg * tp) / (kk * kk);
      s1[k] = a1;
      s2[k] = a2;
      tp -= pg;
      kk -= pg + neg[k]!;
    }
    const pi = m / N;
    const A = pi * ap;
    const scale = 1 / (pi * Math.sqrt(N * (N - 1)));
    apPhi = new Float64Array(N);
    for (let r = 0; r < N; r++) {
      const k = groupOf[r]!;
      const y = positive[r]!;
      const ifA = y * precision[k]! - A + y * s1[k]! - s2[k]!;
      apPhi[order[r]!] = (ifA - ap * (y - pi)) * scale;
    }
  }
  return { auc: { estimate: auc, phi: aucPhi }, ap: { estimate: ap, phi: apPhi } };
}
