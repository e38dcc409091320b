/**
 * Binomial and multinomial draws for the count bootstrap: a resample of n rows only changes how
 * many rows fall in each cell of a contingency table, and those counts are multinomial(n, cell
 * shares), exactly. Drawing them costs O(cells) per resample instead of O(n).
 *
 * Binomial: inversion by summing geometric waiting times when n p < 10, else Hörmann's BTRS
 * (transformed rejection with squeeze, "The generation of binomial random variates", 1993),
 * with p folded to <= 1/2. Pure: the randomness is the caller's seeded generator.
 */
import type { Random } from './random.js';

/** Stirling's series tail, ln k! - [(k + 1/2) ln(k + 1) - (k + 1) + ln(2 pi)/2], exact below 10. */
const TAIL = [0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.010411265261972, 0.00925546218271273, 0.00833056343336287];
function stirlingTail(k: number): number {
  if (k <= 9) return TAIL[k]!;
  const kp1sq = (k + 1) * (k + 1);
  return (1 / 12 - (1 / 360 - 1 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

/** A uniform in (0, 1): never 0, so its logarithm is finite. */
function open01(rng: Random): number {
  for (;;) {
    const u = rng.nextFloat();
    if (u > 0) return u;
  }
}

function inversion(rng: Random, n: number, p: number): number {
  const logQ = Math.log1p(-p);
  let sum = 0;
  let k = 0;
  for (;;) {
    sum += Math.ceil(Math.log(open01(rng)) / logQ);
    if (sum > n) return k;
    k++;
  }
}

function btrs(rng: Random, n: number, p: number): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const r = p / (1 - p);
  const alpha = (2.83 + 5.1 / b) * spq;
  const m = Math.floor((n + 1) * p);
  for (;;) {
    const u = rng.nextFloat() - 0.5;
    let v = open01(rng);
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || k > n) continue;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const bound =
      (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) +
      (n + 1) * Math.log((n - m + 1) / (n - k + 1)) +
      (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) +
      stirlingTail(m) +
      stirlingTail(n - m) -
      stirlingTail(k) -
      stirlingTail(n - k);
    if (v <= bound) return k;
  }
}

/** A Binomial(n, p) draw; n a non-negative integer, p in [0, 1]. */
export function binomial(rng: Random, n: number, p: number): number {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  return n * p < 10 ? inversion(rng, n, p) : btrs(rng, n, p);
}

/**
 * Multinomial(n, counts / sum(counts)) into `out` (same length as `counts`), by conditional
 * binomials: cell i gets Binomial(rows left, its share of the cells left).
 */
export function multinomial(rng: Random, n: number, counts: Float64Array, out: Float64Array): void {
  let left = 0;
  for (let i = 0; i < counts.length; i++) left += counts[i]!;
  let rows = n;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (rows === 0 || c === 0) {
      out[i] = 0;
    } else if (c >= left) {
      out[i] = rows; // the last non-empty cell takes the rest
      rows = 0;
    } else {
      const k = binomial(rng, rows, c / left);
      out[i] = k;
      rows -= k;
    }
    left -= c;
  }
}
