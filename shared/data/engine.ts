import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import { ensureDuckDBBinding } from '../native/loader.js';
import type { Logger } from '../runtime/context.js';
import { withScanProgress } from './scan-progress.js';
import { importCommonJs } from '../runtime/import.js';

export type Row = Record<string, unknown>;

/** One DuckDB database for one operation: bounded memory, spilling to the temp dir. */
export interface Engine {
  query(sql: string): Promise<Row[]>;
  /** Rows in order, a chunk (about 2048 rows) at a time, awaited; stop early by returning false. */
  stream(sql: string, onRows: (rows: Row[]) => Promise<boolean | void> | boolean | void): Promise<void>;
  /**
   * Like stream, with each chunk also as DuckDB values (`chunk`), to copy columns into another
   * table with their types (`appender`).
   */
  streamChunks(sql: string, onChunk: (rows: Row[], chunk: DuckDBDataChunk, types: DuckDBType[]) => Promise<boolean | void> | boolean | void): Promise<void>;
  /**
   * A connection to a second, separate in-memory database, for staging tables and COPYs while a
   * stream is open on the first (a statement on the first would end the stream). Separate, not a
   * second connection to the same database: the stream's transaction stays open for the whole
   * scan, and DuckDB keeps every table dropped in the same database after it began alive until it
   * ends (MVCC), so staged rows would add up for the whole run instead of being freed per part.
   */
  sideConnection(): Promise<DuckDBConnection>;
  /** A directory of this engine's own under the temp dir (for database files), removed by close(). */
  scratchDir(): string;
  close(): void;
}

export interface EngineOptions {
  log: Logger;
  tempDir: string;
  /** DuckDB memory_limit (default MLOPS_MEMORY_LIMIT or 2GB): beyond it, work spills to disk. */
  memoryLimit?: string;
  threads?: number;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * DuckDB values -> plain JS. Queries here return scalars (complex values are turned into JSON
 * text in SQL with to_json), so: BIGINT/HUGEINT/DECIMAL as number (exact up to 2^53), BLOB as
 * its bytes, other DuckDB value objects (dates, timestamps) as their text.
 */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || typeof value !== 'object') return value;
  if (value.constructor?.name === 'DuckDBDecimalValue') return Number(String(value));
  if (value.constructor?.name === 'DuckDBBlobValue') return (value as { bytes: Uint8Array }).bytes;
  return String(value);
}

export async function openEngine(opts: EngineOptions): Promise<Engine> {
  await ensureDuckDBBinding(opts.log);
  const { DuckDBInstance } = await importCommonJs(() => import('@duckdb/node-api'));
  const settings = {
    threads: String(opts.threads ?? Math.max(1, os.availableParallelism())),
    memory_limit: opts.memoryLimit ?? process.env.MLOPS_MEMORY_LIMIT ?? '2GB',
    temp_directory: opts.tempDir,
    preserve_insertion_order: 'true',
    enable_external_access: 'true',
  };
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:', settings);
  const conn: DuckDBConnection = await instance.connect();
  await conn.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false'); // read by withScanProgress
  let scratch: string | undefined;
  let side: { instance: DuckDBInstance; conn: DuckDBConnection } | undefined;
  const streamChunks: Engine['streamChunks'] = async (sql, onChunk) => {
    const result = await conn.stream(sql);
    const names = result.columnNames();
    const types = result.columnTypes();
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      const rows = chunk.getRows().map((values) => {
        const row: Row = {};
        values.forEach((v, i) => (row[names[i]!] = plain(v)));
        return row;
      });
      if ((await onChunk(rows, chunk, types)) === false) return;
    }
  };
  return {
    async query(sql) {
      const start = performance.now();
      const reader = await withScanProgress(conn, opts.log, () => conn.runAndReadAll(sql));
      opts.log.debug(`query ${Math.round(performance.now() - start)} ms: ${process.env.MLOPS_DEBUG_SQL ? sql : sql.slice(0, 300)}`);
      return reader.getRowObjects().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
    },
    stream: (sql, onRows) => streamChunks(sql, (rows) => onRows(rows)),
    streamChunks,
    async sideConnection() {
      if (!side) {
        const other: DuckDBInstance = await DuckDBInstance.create(':memory:', settings);
        side = { instance: other, conn: await other.connect() };
      }
      return side.conn;
    },
    scratchDir() {
      scratch ??= fs.mkdtempSync(path.join(opts.tempDir, 'mlops-duckdb-'));
      return scratch;
    },
    close() {
      side?.conn.closeSync();
      side?.instance.closeSync();
      conn.closeSync();
      instance.closeSync();
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}
