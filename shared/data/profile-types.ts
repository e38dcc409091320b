import type { ColumnProfile } from './profile.js';

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/i;

/** DuckDB's text for a DOUBLE that holds an integer: 1 -> "1.0" (its CAST to VARCHAR). */
function doubleText(value: string): string {
  const s = String(Number(value));
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** Length statistics from complete value counts (text forms), or none when values are cut. */
function lengthsOf(c: ColumnProfile): ColumnProfile['length'] {
  if (!c.values?.complete) return undefined;
  let min: number | null = null;
  let max: number | null = null;
  let sum = 0;
  let n = 0;
  for (const [v, k] of c.values.counts) {
    const len = [...v].length;
    min = min === null ? len : Math.min(min, len);
    max = max === null ? len : Math.max(max, len);
    sum += len * k;
    n += k;
  }
  return { min, max, mean: n > 0 ? sum / n : null };
}

/** The column as text: its value counts (already text) stay, numeric and date summaries go. */
function asText(c: ColumnProfile): ColumnProfile {
  const { numeric: _n, range: _r, ...rest } = c;
  return { ...rest, type: 'VARCHAR', kind: c.values?.complete ? 'categorical' : 'text', length: c.length ?? lengthsOf(c) };
}

/**
 * Shards profiled on their own can infer different types for one column (JSON: 1 in one shard,
 * "a" in another). Both sides become the type a reader of the union would give: integer and
 * float -> DOUBLE (the numeric summaries merge as they are: they are kept as doubles), anything
 * else that differs -> VARCHAR (value counts merge as text; length only where it is known).
 */
export function commonType(x: ColumnProfile, y: ColumnProfile): [ColumnProfile, ColumnProfile] {
  if (x.type === y.type) return [x, y];
  if (x.kind === 'numeric' && y.kind === 'numeric') {
    const bothInteger = INTEGER.test(x.type) && INTEGER.test(y.type);
    const type = bothInteger ? 'BIGINT' : 'DOUBLE';
    const widen = (c: ColumnProfile): ColumnProfile =>
      !bothInteger && INTEGER.test(c.type) && c.values ? { ...c, type, values: { ...c.values, counts: c.values.counts.map(([v, n]) => [doubleText(v), n]) } } : { ...c, type };
    return [widen(x), widen(y)];
  }
  const [a, b] = [asText(x), asText(y)];
  if (!a.length || !b.length) (a.length = undefined), (b.length = undefined);
  return [a, b];
}

/**
 * A column that counted its values in one shard only (a numeric column counts them up to
 * VALUES_LIMIT distinct values): the other side's values are unknown, so the merge keeps the
 * known counts as top values, not as complete ones.
 */
export function alignValues(x: ColumnProfile, y: ColumnProfile): [ColumnProfile, ColumnProfile] {
  if (!x.values === !y.values) return [x, y];
  const unknown = (c: ColumnProfile): ColumnProfile => (c.values ? c : { ...c, values: { counts: [], complete: false, other: c.count } });
  return [unknown(x), unknown(y)];
}
