/**
 * Distances between two distributions given as proportions over the same bins or categories,
 * with Evidently's conventions (natural log; the zero fill PSI and KL use). Pure.
 */

/**
 * Evidently's zero fill for PSI and KL (get_binned_data(feel_zeroes=True)): on each side
 * separately, an empty bin becomes m / 1e6 when the smallest non-zero proportion m <= 1e-4,
 * else 1e-4; not renormalised.
 */
export function fillZeros(proportions: readonly number[]): number[] {
  let m = Infinity;
  for (const p of proportions) if (p !== 0 && p < m) m = p;
  const fill = m <= 1e-4 ? m / 1e6 : 1e-4;
  return proportions.map((p) => (p === 0 ? fill : p));
}

/** Population stability index: sum (r - c) ln(r / c) over zero-filled proportions. */
export function psi(reference: readonly number[], current: readonly number[]): number {
  const r = fillZeros(reference);
  const c = fillZeros(current);
  let sum = 0;
  for (let i = 0; i < r.length; i++) sum += (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!);
  return sum;
}

/** x ln(x / y) with scipy.special.rel_entr's edge cases. */
function relativeEntropy(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

function normalise(p: readonly number[]): number[] {
  let s = 0;
  for (const x of p) s += x;
  return p.map((x) => x / s);
}

/** Kullback-Leibler divergence KL(reference || current), natural log, over zero-filled proportions renormalised (scipy.stats.entropy). */
export function klDivergence(reference: readonly number[], current: readonly number[]): number {
  const r = normalise(fillZeros(reference));
  const c = normalise(fillZeros(current));
  let sum = 0;
  for (let i = 0; i < r.length; i++) sum += relativeEntropy(r[i]!, c[i]!);
  return sum;
}

/** Jensen-Shannon distance: sqrt of the JS divergence, natural log (scipy.spatial.distance.jensenshannon); no zero fill. */
export function jensenShannonDistance(reference: readonly number[], current: readonly number[]): number {
  const p = normalise(reference);
  const q = normalise(current);
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    left += relativeEntropy(p[i]!, m);
    right += relativeEntropy(q[i]!, m);
  }
  return Math.sqrt((left + right) / 2);
}

/**
 * Hellinger distance sqrt(1 - BC), BC = sum sqrt(r_i c_i) clipped to [0, 1], over proportions
 * (Evidently's categorical form; its numeric form is the same sum written with densities).
 */
export function hellinger(reference: readonly number[], current: readonly number[]): number {
  let bc = 0;
  for (let i = 0; i < reference.length; i++) bc += Math.sqrt(reference[i]! * current[i]!);
  return Math.sqrt(1 - Math.min(Math.max(bc, 0), 1));
}

/** Counts divided by their own total. */
export function proportions(counts: readonly number[], total?: number): number[] {
  let n = total ?? 0;
  if (total === undefined) for (const c of counts) n += c;
  return counts.map((c) => c / n);
}
