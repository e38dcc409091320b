import path from 'node:path';
import { type Engine, quoteString } from './engine.js';
import { type Table, VIEW } from './table.js';

/**
 * Aggregates per query. DuckDB's cost per aggregate grows with the number of aggregates in one
 * query (and a query of some 25,000 of them dies with SIGFPE), so wide tables are read a group
 * of columns at a time; a group this size costs about as much per column as a narrow table.
 */
export const AGGREGATES_PER_QUERY = 600;
/** DuckDB's own table behind the view, when a wide file is read once and scanned per group. */
const COPY = 'mlops_data';
/** The database file holding it: on disk, compressed, so memory stays bounded whatever the size. */
const COPY_DB = 'mlops_columns';

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
 * dir (one parse; columnar and compressed, read through the buffer pool, so memory stays within
 * the engine's limit) and the view is pointed at the copy,
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
  const [copy] = await engine.query(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '${COPY}'`);
  return Number(copy!.n) > 0;
}

async function copyToColumns(engine: Engine, table: Table): Promise<void> {
  if (await readsByColumn(engine, table)) return;
  await engine.query(`ATTACH ${quoteString(path.join(engine.scratchDir(), 'columns.duckdb'))} AS ${COPY_DB}`);
  await engine.query(`CREATE TABLE ${COPY_DB}.${COPY} AS SELECT * FROM ${VIEW}`);
  await engine.query(`CREATE OR REPLACE VIEW ${VIEW} AS SELECT * FROM ${COPY_DB}.${COPY}`);
}

export async function aggregateRow(engine: Engine, aggregates: Record<string, string>): Promise<Record<string, unknown>> {
  if (Object.keys(aggregates).length === 0) return {};
  const select = Object.entries(aggregates).map(([alias, sql]) => `${sql} AS "${alias}"`).join(',\n  ');
  const [row] = await engine.query(`SELECT\n  ${select}\nFROM ${VIEW}`);
  return row!;
}
