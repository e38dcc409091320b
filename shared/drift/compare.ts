/**
 * Which columns drift-check compares, with which test and threshold, and the dataset verdict
 * from the drift core (shared/stats/drift). The evidence comes from profiles or raw values.
 */
import { UserError } from '../runtime/errors.js';
import type { TestRequest } from '../stats/drift/column.js';
import { columnDrift } from '../stats/drift/column.js';
import { type DatasetDrift, datasetDrift } from '../stats/drift/dataset.js';
import { isStatTestName, STAT_TEST_NAMES, type StatTestName } from '../stats/drift/tests.js';
import type { ColumnEvidence } from './evidence.js';

/** `column: value` per line (or comma); `*` stands for every column not named. */
export type PerColumn<T> = Map<string, T>;

export interface CompareOptions {
  /** Columns to compare; empty: every column both sides have. */
  columns: readonly string[];
  tests: PerColumn<StatTestName>;
  thresholds: PerColumn<number>;
  driftShare: number;
}

export interface SkippedColumn {
  column: string;
  reason: string;
}

export interface Comparison {
  dataset: DatasetDrift;
  skipped: SkippedColumn[];
}

function parsePerColumn<T>(text: string, input: string, parse: (value: string) => T | undefined, expected: string): PerColumn<T> {
  const out: PerColumn<T> = new Map();
  for (const raw of text.split(/\r?\n|,/).map((s) => s.trim()).filter(Boolean)) {
    const at = raw.lastIndexOf(':');
    const column = at < 0 ? '*' : raw.slice(0, at).trim();
    const value = (at < 0 ? raw : raw.slice(at + 1)).trim();
    const parsed = parse(value);
    if (!column || parsed === undefined) throw new UserError(`"${raw}" is not \`column: ${expected}\``, { where: { input }, fix: `one \`column: ${expected}\` per line (\`*: ...\` or a bare value for every other column)` });
    if (out.has(column)) throw new UserError(`column '${column}' is given twice`, { where: { input }, fix: 'name each column once' });
    out.set(column, parsed);
  }
  return out;
}

export function parseTests(text: string, input = 'stattest'): PerColumn<StatTestName> {
  return parsePerColumn(text, input, (v) => (isStatTestName(v) ? v : undefined), `test (one of ${STAT_TEST_NAMES.join(', ')})`);
}

export function parseThresholds(text: string, input = 'stattest-threshold'): PerColumn<number> {
  return parsePerColumn(text, input, (v) => (/^\d*\.?\d+(e-?\d+)?$/i.test(v) && Number(v) >= 0 ? Number(v) : undefined), 'number');
}

/** The columns to compare, and those left out with the reason. */
export function selectColumns(reference: readonly string[], current: readonly string[], o: CompareOptions): { compared: string[]; skipped: SkippedColumn[] } {
  const inCurrent = new Set(current);
  for (const c of o.columns) {
    if (!reference.includes(c)) throw new UserError(`column '${c}' is not in the reference`, { where: { input: 'columns' }, fix: `reference columns: ${reference.join(', ')}` });
    if (!inCurrent.has(c)) throw new UserError(`column '${c}' is not in the current data`, { where: { input: 'columns' }, fix: `current columns: ${current.join(', ')}` });
  }
  const wanted = o.columns.length ? o.columns : reference;
  const compared = wanted.filter((c) => inCurrent.has(c));
  const skipped = wanted.filter((c) => !inCurrent.has(c)).map((column) => ({ column, reason: 'not in the current data' }));
  for (const [input, map] of [['stattest', o.tests], ['stattest-threshold', o.thresholds]] as const) {
    for (const c of map.keys()) {
      if (c !== '*' && !compared.includes(c)) throw new UserError(`column '${c}' is not compared`, { where: { input }, fix: `compared columns: ${compared.join(', ')}` });
    }
  }
  return { compared, skipped };
}

export function requestFor(column: string, o: CompareOptions): TestRequest {
  const test = o.tests.get(column) ?? o.tests.get('*');
  const threshold = o.thresholds.get(column) ?? o.thresholds.get('*');
  return { ...(test ? { test } : {}), ...(threshold !== undefined ? { threshold } : {}) };
}

/** Run each column's test and the dataset verdict. `evidenceOf` reads the column's two sides. */
export function compare(compared: readonly string[], skipped: SkippedColumn[], o: CompareOptions, evidenceOf: (column: string) => ColumnEvidence): Comparison {
  const results = [];
  const left = [...skipped];
  for (const column of compared) {
    const e = evidenceOf(column);
    if ('skip' in e) left.push({ column, reason: e.skip });
    else {
      const result = columnDrift(column, e.evidence, requestFor(column, o));
      results.push(e.note ? { ...result, notes: [e.note, ...result.notes] } : result);
    }
  }
  return { dataset: datasetDrift(results, o.driftShare), skipped: left };
}
