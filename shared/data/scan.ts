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

/** Aggregate groups (alias -> SQL; one group's aliases stay in one query) packed into queries. */
export function packQueries(groups: Record<string, string>[], limit = AGGREGATES_PER_QUERY): Record<string, string>[] {
  const queries: Record<string, string>[] = [];
  let current: Record<string, string> = {};
  let size = 0;
  for (const g of groups) {
    const n = Object.keys(g).length;
    if (size > 0 && size + n > limit) {
      queries.push(current);
      current = {};
      size = 0;
    }
    Object.assign(current, g);
    size += n;
  }
  if (size > 0) queries.push(current);
  return queries;
}

/**
 * One row of all the aggregates over the view. They fit in one query for all but wide tables:
 * then one scan. Otherwise a text file is first copied into a DuckDB database file in the temp
 * dir (one parse per COPY_COLUMNS columns; columnar and compressed, read through the buffer
 * pool, so memory stays within the engine's limit) and the view is pointed at the copy,
 * so each group, and every later query, reads only its columns: cost grows linearly with the
 * columns. Parquet is columnar already and is read in place.
 */
export async function scanAggregates(engine: Engine, table: Table, groups: Record<string, string>[]): Promise<Record<string, unknown>> {
  const queries = packQueries(groups);
  if (queries.length > 1) await copyToColumns(engine, table);
  const row: Record<string, unknown> = {};
  for (const q of queries) Object.assign(row, await aggregateRow(engine, q));
  return row;
}

/** Whether a query of one column reads only that column (Parquet, or the columnar copy). */
export async function readsByColumn(engine: Engine, table: Table): Promise<boolean> {
  if (table.source.format === 'parquet') return true;
  const [copy] = await engine.query(`SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = '${COPY_DB}'`);
  return Number(copy!.n) > 0;
}

/**
 * Copy the view into a DuckDB database file, COPY_COLUMNS columns per table, rows in file order,
 * and make the view their POSITIONAL JOIN. Malformed rows are reported after each part (a part
 * reads only its columns' values), before the file is parsed again.
 */
async function copyToColumns(engine: Engine, table: Table): Promise<void> {
  if (await readsByColumn(engine, table)) return;
  const names = (await engine.query(`DESCRIBE SELECT * FROM ${VIEW}`)).map((r) => quoteIdent(String(r.column_name)));
  await engine.query(`ATTACH ${quoteString(path.join(engine.scratchDir(), 'columns.duckdb'))} AS ${COPY_DB}`);
  const parts: string[] = [];
  for (let start = 0; start < names.length; start += COPY_COLUMNS) {
    const part = `${COPY_DB}.part${parts.length}`;
    await engine.query(`CREATE TABLE ${part} AS SELECT ${names.slice(start, start + COPY_COLUMNS).join(', ')} FROM ${VIEW}`);
    await table.assertNoRejects();
    parts.push(part);
  }
  await engine.query(`CREATE OR REPLACE VIEW ${VIEW} AS SELECT * FROM ${parts.join(' POSITIONAL JOIN ')}`);
}

export async function aggregateRow(engine: Engine, aggregates: Record<string, string>): Promise<Record<string, unknown>> {
  if (Object.keys(aggregates).length === 0) return {};
  const select = Object.entries(aggregates).map(([alias, sql]) => `${sql} AS "${alias}"`).join(',\n  ');
  const [row] = await engine.query(`SELECT\n  ${select}\nFROM ${VIEW}`);
  return row!;
}
