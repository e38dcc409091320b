/**
 * The class with the highest probability per row (ties: the first), from a row-major n x k
 * matrix in `classes` order. Used instead of a classifier's label output, which can disagree
 * with its probabilities (e.g. some TreeEnsembleClassifier layouts).
 */
export function argmaxLabels(proba: ArrayLike<number>, classes: readonly string[]): string[] {
  const k = classes.length;
  const n = Math.floor(proba.length / k);
  const out = new Array<string>(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (proba[r * k + j]! > proba[r * k + best]!) best = j;
    out[r] = classes[best]!;
  }
  return out;
}
