/**
 * What drift-check reads of a profile column (docs/profile.md), through small accessors only,
 * so changes to the profile format (distinct counts, datetime summaries, wide data) meet one
 * file here.
 */
import type { ColumnProfile, Profile } from '../data/profile.js';
import type { Sketch } from '../stats/sketch.js';

export type ValueType = 'float' | 'integer' | 'text' | 'boolean' | 'datetime';

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/i;
const FLOAT = /^(FLOAT|REAL|DOUBLE|DECIMAL)/i;

/** The value type Evidently's column typing asks for, from the engine's type (DuckDB). */
export function valueTypeOf(engineType: string): ValueType {
  if (INTEGER.test(engineType)) return 'integer';
  if (FLOAT.test(engineType)) return 'float';
  if (/^BOOLEAN$/i.test(engineType)) return 'boolean';
  if (/^(DATE|TIMESTAMP|TIME)/i.test(engineType)) return 'datetime';
  return 'text';
}

export const columnNames = (p: Profile): string[] => p.columns.map((c) => c.name);
export const columnOf = (p: Profile, name: string): ColumnProfile | undefined => p.columns.find((c) => c.name === name);
export const valueType = (c: ColumnProfile): ValueType => valueTypeOf(c.type);
/** Distinct non-null values (exact when the value counts are complete, else an estimate). */
export const distinctCount = (c: ColumnProfile): number => c.distinct.value;
export const nonNullCount = (c: ColumnProfile): number => c.count;

/** Every value's count, when the profile kept them all; else undefined. */
export function completeValueCounts(c: ColumnProfile): readonly (readonly [string, number])[] | undefined {
  return c.values?.complete ? c.values.counts : undefined;
}

/** The most frequent values and the count of the rest (`other`), when not complete. */
export function topValueCounts(c: ColumnProfile): { counts: readonly (readonly [string, number])[]; other: number } | undefined {
  return c.values && !c.values.complete ? { counts: c.values.counts, other: c.values.other } : undefined;
}

export interface NumericSummary {
  sketch: Sketch;
  min: number | null;
  max: number | null;
  /** Finite values the sketch counts. */
  finite: number;
  /** Population standard deviation over finite values. */
  std: number | null;
}

export function numericSummary(c: ColumnProfile): NumericSummary | undefined {
  const n = c.numeric;
  // Datetimes keep a minute timeline instead of the sketch (timelineSummary).
  if (!n?.sketch) return undefined;
  return { sketch: n.sketch, min: n.min, max: n.max, finite: n.finite, std: n.variance === null ? null : Math.sqrt(n.variance) };
}

export interface TimelineSummary extends Omit<NumericSummary, 'sketch'> {
  /** Values per whole minute since the epoch (docs/profile.md); min, max and std in epoch seconds. */
  timeline: Record<string, number>;
}

/** A datetime column's exact minute counts and moments (epoch seconds), when the profile has them. */
export function timelineSummary(c: ColumnProfile): TimelineSummary | undefined {
  const n = c.numeric;
  if (!n?.timeline) return undefined;
  return { timeline: n.timeline, min: n.min, max: n.max, finite: n.finite, std: n.variance === null ? null : Math.sqrt(n.variance) };
}
