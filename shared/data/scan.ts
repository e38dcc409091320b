import path from 'node:path';
import { type Engine, quoteIdent, quoteString } from './engine.js';
import { type Table, VIEW } from './table.js';

/**
 * Aggregates per query. DuckDB's cost per aggregate grows with the number of aggregates in one
 * query (and a query of some 25,000 of them dies with SIGFPE), so wide tables are read a group
 * of columns at a time; a group this size costs about as much per column as a narrow table.
 */
export const AGGREGATES_PER_QUERY = 600;
/** The database file of the columnar copy: on disk, compressed, read through the buffer pool. */
const COPY_DB = 'mlops_columns';
/**
 * Columns per table of the copy. DuckDB holds a block (256 KiB) per column of a table being
 * written, so 10,000 columns in one table ran out of its 2 GB; parts of this many stay far
 * below, at one parse of the file per part.
 */
export const COPY_COLUMNS = 1000;

/** Aggregates (alias -> SQL) that stay in one query; `column`: the one column they read, if so. */
export interface AggregateGroup {
  column?: string;
  aggregates: Record<string, string>;
}

export interface AggregateQuery {
  aggregates: Record<string, string>;
  /** The columns read, when every group named its column. */
  columns?: string[];
}

/** Groups packed into queries of at most `limit` aggregates (a bigger group gets its own). */
export function packQueries(groups: AggregateGroup[], limit = AGGREGATES_PER_QUERY): AggregateQuery[] {
  const queries: AggregateQuery[] = [];
  let current: AggregateQuery = { aggregates: {}, columns: [] };
  let size = 0;
  for (const g of groups) {
    const n = Object.keys(g.aggregates).length;
    if (size > 0 && size + n > limit) {
      queries.push(current);
      current = { aggregates: {}, columns: [] };
      size = 0;
    }
    Object.assign(current.aggregates, g.aggregates);
    if (g.column === undefined) current.columns = undefined;
    else current.columns?.push(g.column);
    size += n;
  }
  if (size > 0) queries.push(current);
  return queries;
}

/**
 * One row of all the aggregates over the view. They fit in one query for all but wide tables:
 * then one scan. Otherwise a text file is first copied into a DuckDB database file in the temp
 * dir (one parse per COPY_COLUMNS columns; columnar and compressed, read through the buffer
 * pool, so memory stays within the engine's limit) and the view is pointed at the copy, so each
 * group, and every later query, reads only its columns: cost grows linearly with the columns.
 * Parquet is columnar already and is read in place.
 */
export async function scanAggregates(engine: Engine, table: Table, groups: AggregateGroup[]): Promise<Record<string, unknown>> {
  const queries = packQueries(groups);
  if (queries.length > 1) await copyToColumns(engine, table);
  const row: Record<string, unknown> = {};
  for (const q of queries) Object.assign(row, await aggregateRow(engine, q));
  return row;
}

/** Per engine: the copy's table holding each column. */
const copies = new WeakMap<Engine, Map<string, string>>();

/** Whether a query of one column reads only that column (Parquet, or the columnar copy). */
function readsByColumn(engine: Engine, table: Table): boolean {
  return table.source.format === 'parquet' || copies.has(engine);
}

/**
 * Where to read `columns` from: the copy's tables holding them (a query over the whole view
 * would bind every column of a wide table, a cost per query that grows with the width), else
 * the view.
 */
export function sourceOf(engine: Engine, columns?: string[]): string {
  const partOf = copies.get(engine);
  if (!partOf || !columns || columns.length === 0) return VIEW;
  const parts = [...new Set(columns.map((c) => partOf.get(c)))];
  if (parts.some((p) => p === undefined)) return VIEW;
  return parts.join(' POSITIONAL JOIN ');
}

/**
 * Copy the view into a DuckDB database file, COPY_COLUMNS columns per table, rows in file order,
 * and make the view their POSITIONAL JOIN. Malformed rows are reported after each part (a part
 * reads only its columns' values), before the file is parsed again.
 */
async function copyToColumns(engine: Engine, table: Table): Promise<void> {
  if (readsByColumn(engine, table)) return;
  const names = (await engine.query(`DESCRIBE SELECT * FROM ${VIEW}`)).map((r) => String(r.column_name));
  await engine.query(`ATTACH ${quoteString(path.join(engine.scratchDir(), 'columns.duckdb'))} AS ${COPY_DB}`);
  const partOf = new Map<string, string>();
  const parts: string[] = [];
  for (let start = 0; start < names.length; start += COPY_COLUMNS) {
    const part = `${COPY_DB}.part${parts.length}`;
    const columns = names.slice(start, start + COPY_COLUMNS);
    await engine.query(`CREATE TABLE ${part} AS SELECT ${columns.map(quoteIdent).join(', ')} FROM ${VIEW}`);
    await table.assertNoRejects();
    for (const c of columns) partOf.set(c, part);
    parts.push(part);
  }
  await engine.query(`CREATE OR REPLACE VIEW ${VIEW} AS SELECT * FROM ${parts.join(' POSITIONAL JOIN ')}`);
  copies.set(engine, partOf);
}

export async function aggregateRow(engine: Engine, query: AggregateQuery): Promise<Record<string, unknown>> {
  if (Object.keys(query.aggregates).length === 0) return {};
  const select = Object.entries(query.aggregates).map(([alias, sql]) => `${sql} AS "${alias}"`).join(',\n  ');
  const [row] = await engine.query(`SELECT\n  ${select}\nFROM ${sourceOf(engine, query.columns)}`);
  return row!;
}
