/**
 * One column's drift evidence from what drift-check was given: two profiles (fixed bins and
 * value counts) or raw values, typed the way Evidently types columns. Datetimes, which
 * Evidently skips, are compared as numbers: epoch seconds (on a profile, the minute timeline).
 */
import { type ColumnProfile, kindOf } from '../data/profile-schema.js';
import { UserError } from '../runtime/errors.js';
import { binnedEvidence, sketchBins, timelineBins } from '../stats/drift/binned.js';
import { columnKind, INTEGER_CATEGORICAL_LIMIT } from '../stats/drift/choose.js';
import type { Evidence } from '../stats/drift/evidence.js';
import { rawEvidence, type RawValue } from '../stats/drift/raw.js';
import { emptySketch } from '../stats/sketch.js';
import { completeValueCounts, distinctCount, nonNullCount, type NumericSummary, numericSummary, timelineSummary, topValueCounts, valueType, valueTypeOf, type ValueType } from './profile-fields.js';

/** `note`: said beside the column's result (how the column was compared, when not as Evidently does). */
export type ColumnEvidence = { evidence: Evidence; note?: string } | { skip: string };

/** The current side, however it was read (data files, the prediction log, Prometheus): its columns and each one's evidence against the reference. */
export interface CurrentData {
  /** What was read, for the report. */
  data: { files: string[]; rows: number; digest: string };
  columns: string[];
  evidence(name: string, reference: ColumnProfile): ColumnEvidence;
}

/** The label the tail of a top-values list is counted under. */
export const OTHER_VALUES = '(other values)';

/** Evidently skips datetime columns; we compare their values as numbers, and say so. */
export const DATETIME_NOTE = 'datetime column compared as epoch seconds (a numeric column; Evidently does not test datetimes)';
/** TIME columns (a time of day, no date) have no timeline in a profile. */
const TIME_OF_DAY_SKIP = 'time-of-day column: not tested';

/** A column with no value on the current side (an empty window, all nulls) has no type to compare: it is not tested. */
function sameFamily(name: string, reference: ValueType, current: ValueType, types: [string, string], currentValues: number): void {
  const numeric = (t: ValueType) => t === 'integer' || t === 'float';
  if (currentValues === 0 || reference === current || (numeric(reference) && numeric(current))) return;
  throw new UserError(`column '${name}' is ${types[0]} in the reference but ${types[1]} in the current data`, {
    where: { input: 'current' },
    fix: `compare data of the same schema; leave the column out with \`columns\` if its type changed on purpose`,
  });
}

const isNumericType = (t: ValueType) => t === 'integer' || t === 'float';

/** Value counts keyed the same way on both sides: numbers by value ("1" and "1.0" are one value). */
export function countsOf(c: ColumnProfile): [string, number][] {
  const numeric = isNumericType(valueType(c));
  const key = (k: string) => (numeric ? String(Number(k)) : k);
  const sum = new Map<string, number>();
  const add = (k: string, n: number) => sum.set(k, (sum.get(k) ?? 0) + n);
  const complete = completeValueCounts(c);
  if (complete) for (const [k, n] of complete) add(key(k), n);
  else {
    const top = topValueCounts(c);
    for (const [k, n] of top?.counts ?? []) add(key(k), n);
    if (top && top.other > 0) add(OTHER_VALUES, top.other);
  }
  return [...sum.entries()];
}

const NO_VALUES: NumericSummary = { sketch: emptySketch(), min: null, max: null, finite: 0, std: null };

export function profileEvidence(name: string, reference: ColumnProfile, current: ColumnProfile): ColumnEvidence {
  const refType = valueType(reference);
  sameFamily(name, refType, valueType(current), [reference.type, current.type], nonNullCount(current));
  if (refType === 'datetime') return timelineSummary(reference) ? datetimeEvidence(name, reference, current) : { skip: TIME_OF_DAY_SKIP };
  const kind = columnKind(refType, distinctCount(reference));
  const r = numericSummary(reference);
  const c = nonNullCount(current) === 0 ? NO_VALUES : numericSummary(current);
  if (kind === 'categorical' || !r || !c) return { evidence: binnedEvidence(name, { kind: 'categorical', reference: countsOf(reference), current: countsOf(current) }) };
  const refValues = completeValueCounts(reference);
  const curValues = completeValueCounts(current);
  const distinct = refValues && curValues ? new Set([...refValues, ...curValues].map(([k]) => Number(k))).size : Math.max(distinctCount(reference), distinctCount(current));
  const ends = [r.min, r.max, c.min, c.max];
  const finite = ends.every((x) => x !== null && Number.isFinite(x)) && r.finite > 0 && c.finite > 0;
  return {
    evidence: binnedEvidence(name, {
      kind: 'numeric',
      ...sketchBins(r.sketch, c.sketch),
      referenceStd: r.std ?? 0,
      distinct,
      referenceDistinct: distinctCount(reference),
      ...(finite ? { range: { min: Math.min(r.min!, c.min!), max: Math.max(r.max!, c.max!) } } : {}),
    }),
  };
}

/** Datetimes on the profiles' minute timelines (exact counts per minute), as a numeric column of epoch seconds. */
function datetimeEvidence(name: string, reference: ColumnProfile, current: ColumnProfile): ColumnEvidence {
  const r = timelineSummary(reference);
  const c = nonNullCount(current) === 0 ? { timeline: {}, min: null, max: null, finite: 0, std: null } : timelineSummary(current);
  if (!r || !c) throw new Error(`datetime column '${name}' has no timeline in its profile`);
  const finite = r.finite > 0 && c.finite > 0 && [r.min, r.max, c.min, c.max].every((x) => x !== null && Number.isFinite(x));
  const minutes = (t: Record<string, number>) => Object.keys(t).length;
  return {
    evidence: binnedEvidence(name, {
      kind: 'numeric',
      ...timelineBins(r.timeline, c.timeline),
      referenceStd: r.std ?? 0,
      distinct: Math.max(distinctCount(reference), distinctCount(current), minutes(r.timeline), minutes(c.timeline)),
      referenceDistinct: distinctCount(reference),
      ...(finite ? { range: { min: Math.min(r.min!, c.min!), max: Math.max(r.max!, c.max!) } } : {}),
    }),
    note: `${DATETIME_NOTE}, on the profile's minute timeline`,
  };
}

/** Distinct non-null values, counted no further than `limit` + 1: the typing only asks "more than the limit?". */
function distinctNonNull(values: readonly RawValue[], limit: number): number {
  const seen = new Set<RawValue>();
  for (const v of values) {
    if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) seen.add(v);
    if (seen.size > limit) break;
  }
  return seen.size;
}

export function rawColumnEvidence(name: string, types: [string, string], reference: readonly RawValue[], current: readonly RawValue[]): ColumnEvidence {
  const refType = valueTypeOf(types[0]);
  sameFamily(name, refType, valueTypeOf(types[1]), types, current.filter((v) => v !== null && v !== undefined).length);
  // readColumns gives datetimes as epoch seconds.
  if (refType === 'datetime') return kindOf(types[0]) === 'datetime' ? { evidence: rawEvidence(name, 'numeric', reference, current), note: DATETIME_NOTE } : { skip: TIME_OF_DAY_SKIP };
  // Only integer columns need the count (floats are numeric, text and booleans categorical); a Set of a million floats costs seconds.
  const distinct = refType === 'integer' ? distinctNonNull(reference, INTEGER_CATEGORICAL_LIMIT) : 0;
  return { evidence: rawEvidence(name, columnKind(refType, distinct), reference, current) };
}
