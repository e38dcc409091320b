import { UserError } from '../runtime/errors.js';
import { type Engine, quoteIdent, quoteString } from './engine.js';
import { kindOf, type Profile } from './profile.js';
import { type ColumnRules, DUCKDB_TYPE, type LoadedSchema } from './schema.js';
import { type Column, FILE_COLUMN, type Table, VIEW } from './table.js';

export const SAMPLE_SIZE = 20;
/** Sample the whole row (as JSON) rather than one column's value. */
const WHOLE_ROW = '__whole_row__';

export interface Sample {
  value: unknown;
  /** 1-based row within its file. */
  row: number;
  file: string;
  /** 1-based line in the file, where the format has lines. */
  line?: number;
}

/** One check's outcome, with Great Expectations' result fields. */
export interface CheckResult {
  /** Stable name: `<column>.<check>`, `table.<check>` or `checks.<name>`. */
  id: string;
  column?: string;
  check: string;
  /** What was expected, in words. */
  expectation: string;
  severity: 'error' | 'warning';
  passed: boolean;
  element_count: number;
  missing_count: number;
  unexpected_count: number;
  /** Of the non-missing values. */
  unexpected_percent: number | null;
  unexpected_percent_total: number | null;
  mostly?: number;
  /** For aggregate checks: the value found. */
  observed?: number | string | boolean | null;
  partial_unexpected_list: Sample[];
  /** Line of the rule in the schema file. */
  schema_line?: number;
  message?: string;
}

/** A check decided row by row: counted in the single scan, sampled when it fails. */
interface RowCheck {
  result: CheckResult;
  /** SQL true for an unexpected row. */
  bad: string;
  value: string;
  /** unexpected_percent over non-null values (column checks) or all rows (table checks). */
  column?: string;
}

/** A check decided on the whole table once the scan is done. */
type LateCheck = (profile: Profile, engine: Engine) => Promise<CheckResult>;

export interface CheckPlan {
  /** alias -> SQL aggregate, each independent of the others, run in the same scan(s) as the profile. */
  aggregates: Record<string, string>;
  finish(agg: Record<string, unknown>, profile: Profile, engine: Engine, table: Table): Promise<CheckResult[]>;
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
function typeMatches(declared: keyof typeof DUCKDB_TYPE, actual: string): boolean {
  const t = actual.toUpperCase();
  switch (declared) {
    case 'int':
      return INTEGER.test(t);
    case 'float':
      return kindOf(t) === 'numeric';
    case 'string':
    case 'category':
      return t === 'VARCHAR';
    case 'bool':
      return t === 'BOOLEAN';
    case 'date':
      return t === 'DATE';
    case 'timestamp':
      return t.startsWith('TIMESTAMP');
  }
}

function sqlValue(value: string | number | boolean): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return quoteString(value);
}

/** A schema value as SQL of the column's type (checked by assertValuesFit first). */
function literal(value: string | number | boolean, column: Column): string {
  if (typeof value === 'number' && kindOf(column.type) === 'numeric') return String(value);
  return `CAST(${sqlValue(value)} AS ${column.type})`;
}

function base(id: string, check: string, expectation: string, severity: 'error' | 'warning', schemaLine?: number, column?: string): CheckResult {
  return {
    id,
    column,
    check,
    expectation,
    severity,
    passed: true,
    element_count: 0,
    missing_count: 0,
    unexpected_count: 0,
    unexpected_percent: null,
    unexpected_percent_total: null,
    partial_unexpected_list: [],
    schema_line: schemaLine,
  };
}

function pct(part: number, whole: number): number | null {
  return whole > 0 ? (100 * part) / whole : null;
}

/** Great Expectations' rule: nulls are not in the denominator; zero values pass. */
export function passesMostly(nonNull: number, unexpected: number, mostly = 1): boolean {
  if (nonNull === 0) return true;
  return (nonNull - unexpected) / nonNull >= mostly;
}

/** Turn the schema into SQL for the scan and the decisions made after it. */
export async function planChecks(loaded: LoadedSchema | undefined, table: Table, engine: Engine): Promise<CheckPlan> {
  const rowChecks: RowCheck[] = [];
  const late: LateCheck[] = [];
  const immediate: CheckResult[] = [];
  const schema = loaded?.schema;
  if (schema) {
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    for (const [name, rules] of Object.entries(schema.columns)) {
      const line = (key?: string) => loaded!.lineOf(key ? ['columns', name, key] : ['columns', name]);
      const column = byName.get(name);
      if (!column) {
        const r = base(`${name}.exists`, 'exists', 'column is present', rules.severity, line(), name);
        r.passed = !rules.required;
        if (!r.passed) r.message = `column "${name}" is missing (found: ${table.columns.map((c) => c.name).join(', ')})`;
        immediate.push(r);
        continue;
      }
      await assertValuesFit(engine, loaded!, name, rules, column);
      planColumn(column, rules, line, rowChecks, late);
    }
    if (schema.table.unknown_columns !== 'allow') {
      const unknown = table.columns.filter((c) => !(c.name in schema.columns)).map((c) => c.name);
      const r = base('table.unknown_columns', 'unknown_columns', 'only the columns the schema lists', schema.table.unknown_columns === 'error' ? 'error' : 'warning', loaded!.lineOf(['table', 'unknown_columns']));
      r.passed = unknown.length === 0;
      r.unexpected_count = unknown.length;
      r.observed = unknown.join(', ');
      if (!r.passed) r.message = `columns not in the schema: ${unknown.join(', ')}`;
      immediate.push(r);
    }
    const rows = schema.table.rows;
    if (rows) {
      late.push(async (profile) => {
        const r = base('table.rows', 'rows', boundsText('row count', rows.min, rows.max), 'error', loaded!.lineOf(['table', 'rows']));
        r.observed = profile.rows;
        r.element_count = profile.rows;
        r.passed = (rows.min === undefined || profile.rows >= rows.min) && (rows.max === undefined || profile.rows <= rows.max);
        return r;
      });
    }
    for (const [i, c] of schema.checks.entries()) {
      const line = loaded!.lineOf(['checks', i]);
      const expr = c.where ?? c.assert!;
      await assertSql(engine, expr, !!c.assert, loaded!.file, loaded!.lineOf(['checks', i, c.where ? 'where' : 'assert']), c.name);
      if (c.where !== undefined) {
        const r = base(`checks.${c.name}`, 'sql', c.description ?? c.where, c.severity, line);
        if (c.mostly !== undefined) r.mostly = c.mostly;
        rowChecks.push({ result: r, bad: `NOT (${c.where})`, value: WHOLE_ROW });
      } else {
        late.push(async (profile, eng) => {
          const r = base(`checks.${c.name}`, 'sql', c.description ?? c.assert!, c.severity, line);
          const [row] = await eng.query(`SELECT (${c.assert}) AS ok FROM ${VIEW}`);
          r.observed = (row?.ok as boolean | null) ?? null;
          r.element_count = profile.rows;
          r.passed = row?.ok === true;
          return r;
        });
      }
    }
  }

  const aggregates: Record<string, string> = {};
  // CASE, not FILTER: a FILTER's cost grows with every other aggregate of the query.
  rowChecks.forEach((c, i) => (aggregates[`c${i}_bad`] = `count(CASE WHEN ${c.bad} THEN 1 END)`));

  return {
    aggregates,
    async finish(agg, profile, eng, tbl) {
      const results: CheckResult[] = [...immediate];
      const offsets = new FileOffsets(eng, tbl);
      for (const [i, c] of rowChecks.entries()) {
        const r = c.result;
        const col = c.column ? profile.columns.find((p) => p.name === c.column) : undefined;
        r.element_count = profile.rows;
        r.missing_count = col ? col.nulls : 0;
        r.unexpected_count = Number(agg[`c${i}_bad`]);
        const nonNull = r.element_count - r.missing_count;
        r.unexpected_percent = pct(r.unexpected_count, nonNull);
        r.unexpected_percent_total = pct(r.unexpected_count, r.element_count);
        r.passed = passesMostly(nonNull, r.unexpected_count, r.mostly);
        if (r.unexpected_count > 0) r.partial_unexpected_list = await sampleRows(eng, tbl, offsets, c.bad, c.value);
        results.push(r);
      }
      for (const check of late) results.push(await check(profile, eng));
      for (const r of results) {
        if (r.partial_unexpected_list.length === 0 && r.check === 'unique' && r.unexpected_count > 0) {
          const q = quoteIdent(r.column!);
          r.partial_unexpected_list = await sampleRows(eng, tbl, offsets, `${q} IN (SELECT ${q} FROM ${VIEW} WHERE ${q} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)`, q);
        }
        if (r.partial_unexpected_list.length === 0 && (r.check === 'nullable' || r.check === 'max_null_fraction') && r.missing_count > 0) {
          r.partial_unexpected_list = await sampleRows(eng, tbl, offsets, `${quoteIdent(r.column!)} IS NULL`, 'NULL');
        }
      }
      return results;
    },
  };
}

function boundsText(what: string, min: unknown, max: unknown): string {
  if (min !== undefined && max !== undefined) return `${what} between ${min} and ${max}`;
  if (min !== undefined) return `${what} >= ${min}`;
  return `${what} <= ${max}`;
}

function planColumn(column: Column, rules: ColumnRules, line: (key?: string) => number | undefined, rowChecks: RowCheck[], late: LateCheck[]): void {
  const q = quoteIdent(column.name);
  const name = column.name;
  const add = (check: string, expectation: string, badWhenNotNull: string) => {
    const r = base(`${name}.${check}`, check, expectation, rules.severity, line(check), name);
    if (rules.mostly !== undefined) r.mostly = rules.mostly;
    rowChecks.push({ result: r, bad: `${q} IS NOT NULL AND (${badWhenNotNull})`, value: q, column: name });
  };
  if (rules.type) {
    const target = DUCKDB_TYPE[rules.type];
    const matches = typeMatches(rules.type, column.type);
    add('type', `type ${rules.type}${matches ? '' : ` (found ${column.type})`}`, matches ? 'FALSE' : `TRY_CAST(CAST(${q} AS VARCHAR) AS ${target}) IS NULL`);
  }
  if (rules.min !== undefined) add('min', `values >= ${rules.min}`, `${q} < ${literal(rules.min, column)}`);
  if (rules.max !== undefined) add('max', `values <= ${rules.max}`, `${q} > ${literal(rules.max, column)}`);
  if (rules.allowed) add('allowed', `values in {${rules.allowed.join(', ')}}`, `${q} NOT IN (${rules.allowed.map((v) => literal(v, column)).join(', ')})`);
  if (rules.regex !== undefined) add('regex', `values match /${rules.regex}/`, `NOT regexp_full_match(CAST(${q} AS VARCHAR), ${quoteString(rules.regex)})`);
  if (rules.min_length !== undefined) add('min_length', `length >= ${rules.min_length}`, `length(CAST(${q} AS VARCHAR)) < ${rules.min_length}`);
  if (rules.max_length !== undefined) add('max_length', `length <= ${rules.max_length}`, `length(CAST(${q} AS VARCHAR)) > ${rules.max_length}`);
  if (!rules.nullable || rules.max_null_fraction !== undefined) {
    const check = rules.nullable ? 'max_null_fraction' : 'nullable';
    late.push(async (profile) => {
      const col = profile.columns.find((c) => c.name === name)!;
      const r = base(`${name}.${check}`, check, rules.nullable ? `null fraction <= ${rules.max_null_fraction}` : 'no nulls', rules.severity, line(check), name);
      r.element_count = profile.rows;
      r.missing_count = col.nulls;
      r.unexpected_count = col.nulls;
      r.unexpected_percent = pct(col.nulls, profile.rows);
      r.unexpected_percent_total = r.unexpected_percent;
      r.observed = profile.rows > 0 ? col.nulls / profile.rows : 0;
      r.passed = rules.nullable ? (r.observed as number) <= rules.max_null_fraction! : col.nulls === 0;
      return r;
    });
  }
  if (rules.unique) {
    late.push(async (profile, engine) => {
      const col = profile.columns.find((c) => c.name === name)!;
      const r = base(`${name}.unique`, 'unique', 'values are unique', rules.severity, line('unique'), name);
      const [row] = await engine.query(`SELECT coalesce(sum(n), 0) AS dup FROM (SELECT count(*) AS n FROM ${VIEW} WHERE ${q} IS NOT NULL GROUP BY ${q} HAVING count(*) > 1)`);
      r.element_count = profile.rows;
      r.missing_count = col.nulls;
      r.unexpected_count = Number(row!.dup);
      r.unexpected_percent = pct(r.unexpected_count, col.count);
      r.unexpected_percent_total = pct(r.unexpected_count, profile.rows);
      if (rules.mostly !== undefined) r.mostly = rules.mostly;
      r.passed = passesMostly(col.count, r.unexpected_count, rules.mostly);
      return r;
    });
  }
  for (const stat of ['mean', 'stdev'] as const) {
    const bounds = rules[stat];
    if (!bounds) continue;
    late.push(async (profile) => {
      const col = profile.columns.find((c) => c.name === name)!;
      const r = base(`${name}.${stat}`, stat, boundsText(stat, bounds.min, bounds.max), rules.severity, line(stat), name);
      const n = col.numeric;
      const value = !n || n.finite === 0 ? null : stat === 'mean' ? n.mean : Math.sqrt(n.finite > 1 ? n.m2 / (n.finite - 1) : 0);
      r.observed = value;
      r.element_count = profile.rows;
      r.missing_count = col.nulls;
      r.passed = value !== null && (bounds.min === undefined || value >= bounds.min) && (bounds.max === undefined || value <= bounds.max);
      if (!n) r.message = `column "${name}" is not numeric (${col.type})`;
      return r;
    });
  }
}

/**
 * The schema's own values (min, max, allowed) must be values of the column's type: a schema
 * mistake is reported at its place in the schema, not met later as a failure to read the data.
 */
async function assertValuesFit(engine: Engine, loaded: LoadedSchema, name: string, rules: ColumnRules, column: Column): Promise<void> {
  const kind = kindOf(column.type);
  const given: [(string | number)[], string | number | boolean][] = [];
  for (const key of ['min', 'max'] as const) if (rules[key] !== undefined) given.push([[key], rules[key]]);
  rules.allowed?.forEach((v, i) => given.push([['allowed', i], v]));
  for (const [path, value] of given) {
    const check = String(path[0]);
    const where = () => ({ file: loaded.file, ...loaded.positionOf(['columns', name, ...path]) });
    if (typeof value === 'number' && kind === 'text' && check !== 'allowed') {
      throw new UserError(`${check} of column "${name}" is the number ${value}, but the column holds text (${column.type}), which compares as text`, {
        where: where(),
        fix: `declare the column's type (e.g. \`type: float\`) so its values compare as numbers, or quote the bound to compare text`,
      });
    }
    const [row] = await engine.query(`SELECT TRY_CAST(${sqlValue(value)} AS ${column.type}) IS NULL AS bad`);
    if (row?.bad === true) {
      throw new UserError(`${check} of column "${name}": ${JSON.stringify(value)} is not a value of the column's type (${column.type})`, {
        where: where(),
        fix: kind === 'numeric' ? `write a number, e.g. \`${check === 'allowed' ? 'allowed: [1, 2]' : `${check}: 0`}\`` : kind === 'datetime' ? 'write a date or timestamp, e.g. `2024-01-31`' : `write a ${column.type} value`,
      });
    }
  }
}

/** A user's SQL must parse and be boolean; otherwise point at its line in the schema. */
async function assertSql(engine: Engine, expr: string, aggregate: boolean, file: string, line: number | undefined, name: string): Promise<void> {
  try {
    const [row] = await engine.query(`SELECT typeof(${aggregate ? `(SELECT (${expr}) FROM ${VIEW} LIMIT 0)` : `(${expr})`}) AS t FROM ${VIEW} LIMIT 1`);
    if (row && row.t !== 'BOOLEAN' && row.t !== 'NULL') throw new Error(`the expression is ${row.t}, not a boolean`);
  } catch (e) {
    throw new UserError(`check "${name}": ${(e as Error).message.split('\n')[0]}`, {
      where: { file, line },
      fix: aggregate ? '`assert` is an aggregate SQL expression that is true when the data is good, e.g. `avg(x) > 0`' : '`where` is a SQL expression true for a good row, e.g. `a >= b`',
    });
  }
}

/** Global row number -> (file, row in file), counting rows per file only when needed. */
class FileOffsets {
  private starts: { file: string; start: number }[] | undefined;
  constructor(
    private engine: Engine,
    private table: Table,
  ) {}
  async locate(file: string, globalRow: number): Promise<number> {
    if (this.table.source.files.length === 1) return globalRow;
    if (!this.starts) {
      const counts = await this.engine.query(`SELECT ${quoteIdent(FILE_COLUMN)} AS f, count(*) AS n FROM ${VIEW} GROUP BY 1`);
      const n = new Map(counts.map((r) => [String(r.f), Number(r.n)]));
      let start = 0;
      this.starts = this.table.source.files.map((f) => {
        const s = { file: f.absolute, start };
        start += n.get(f.absolute) ?? 0;
        return s;
      });
    }
    return globalRow - (this.starts.find((s) => s.file === file)?.start ?? 0);
  }
}

async function sampleRows(engine: Engine, table: Table, offsets: FileOffsets, bad: string, value: string): Promise<Sample[]> {
  const rows = await engine.query(
    `SELECT ${quoteIdent(FILE_COLUMN)} AS f, __row AS r, ${value === WHOLE_ROW ? 'to_json(s)::VARCHAR' : value} AS v FROM (SELECT *, row_number() OVER () AS __row FROM ${VIEW}) s WHERE ${bad} LIMIT ${SAMPLE_SIZE}`,
  );
  const out: Sample[] = [];
  for (const r of rows) {
    const abs = String(r.f);
    const row = await offsets.locate(abs, Number(r.r));
    const file = table.source.files.find((f) => f.absolute === abs)?.path ?? abs;
    let v = r.v ?? null;
    if (value === WHOLE_ROW && typeof v === 'string') {
      const { [FILE_COLUMN]: _f, __row: _r, ...fields } = JSON.parse(v) as Record<string, unknown>;
      v = fields;
    }
    out.push({ value: v, row, file, line: await table.lineOf(abs, row) });
  }
  return out;
}
