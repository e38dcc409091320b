/** "Did you mean": names nearest to a misspelt one, by edit distance. Pure. */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** How names are compared: case and the separators `.`, `_`, `-` do not matter (f1_macro is f1.macro). */
function comparable(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '.');
}

function distance(a: string, b: string): number {
  return editDistance(comparable(a), comparable(b));
}

/** Names sorted nearest first (case- and separator-insensitive distance, then alphabetical). */
export function byDistance(name: string, names: Iterable<string>): string[] {
  return [...new Set(names)]
    .map((n) => ({ n, d: distance(name, n) }))
    .sort((x, y) => x.d - y.d || (x.n < y.n ? -1 : x.n > y.n ? 1 : 0))
    .map((x) => x.n);
}

/** Whether the dotted parts of `short` appear in order among those of `long`: f1 in f1.macro, f1.rain in f1.class.rain. */
function partsWithin(short: string, long: string): boolean {
  const want = comparable(short).split('.');
  let i = 0;
  for (const part of comparable(long).split('.')) if (part === want[i]) i++;
  return i === want.length;
}

/**
 * The name the user most likely meant: the nearest one if it is close enough to be a typo (at
 * most a third of the length, at least 1), else the nearest one holding the same dotted parts
 * (`f1` -> `f1.macro`, `f1.rain` -> `f1.class.rain`).
 */
export function nearest(name: string, names: Iterable<string>): string | undefined {
  const sorted = byDistance(name, names);
  const best = sorted[0];
  if (best === undefined) return undefined;
  if (distance(name, best) <= Math.max(1, Math.floor(name.length / 3))) return best;
  return sorted.find((n) => partsWithin(name, n));
}

/**
 * What to append to "missing metric x": "; did you mean y? (available: a, b, … and 12 more)",
 * nearest first, or " (available: none)".
 */
export function describeAlternatives(name: string, names: Iterable<string>, max = 10): string {
  const sorted = byDistance(name, names);
  if (sorted.length === 0) return ' (available: none)';
  const guess = nearest(name, sorted);
  const more = sorted.length > max ? ` and ${sorted.length - max} more` : '';
  return `${guess !== undefined ? `; did you mean ${guess}?` : ''} (available: ${sorted.slice(0, max).join(', ')}${more})`;
}
