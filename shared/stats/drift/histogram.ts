/**
 * numpy's histogram semantics, reproduced so our bins are Evidently's bins: Sturges edges
 * (np.histogram_bin_edges(x, 'sturges'), built with np.linspace) and np.histogram counts
 * (bins half-open [e_i, e_i+1), the last one closed, values outside dropped). Pure.
 */

/** np.histogram_bin_edges(values, bins='sturges') from the values' min, max and count. */
export function sturgesEdges(min: number, max: number, count: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const range = max - min;
  // The same float steps as numpy: width = ptp / (log2(n) + 1); bins = ceil((last - first) / width).
  const width = range / (Math.log2(count) + 1);
  const bins = width > 0 ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, bins + 1);
}

/** np.linspace(start, stop, num): i * step + start, the last one exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** np.histogram(values, edges)[0]: counts per bin; values outside [first, last] are not counted. */
export function histogram(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const k = edges.length - 1;
  const counts = new Array<number>(k).fill(0);
  const first = edges[0]!;
  const last = edges[k]!;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= first && x <= last)) continue;
    counts[binOf(x, edges)]!++;
  }
  return counts;
}

/** The bin holding x (first <= x <= last): the largest i with edges[i] <= x, the last bin closed. */
export function binOf(x: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

export function minMax(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return [min, max];
}
