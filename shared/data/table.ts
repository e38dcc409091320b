import fs from 'node:fs';
import { UserError } from '../runtime/errors.js';
import { csvReader } from './csv-reader.js';
import { type Engine, quoteIdent, quoteString } from './engine.js';
import { asUserError } from './engine-errors.js';
import { jsonReader } from './json-reader.js';
import { type Column, FILE_COLUMN, type Reader, VIEW } from './reader.js';
import type { DataFile, DataSource } from './source.js';

export { asUserError } from './engine-errors.js';
export { type Column, FILE_COLUMN, VIEW } from './reader.js';

export interface Table {
  source: DataSource;
  columns: Column[];
  /**
   * After a full scan that returned `rows` rows: malformed CSV rows, and a row count that
   * differs from what the files hold (counted by our own reader), become a UserError.
   */
  assertReadFully(rows: number): Promise<void>;
  /** Malformed CSV rows met so far (by any query over the view) become a UserError. */
  assertNoRejects(): Promise<void>;
  /** The 1-based line where a 1-based row of a file starts (CSV/TSV and JSON; not Parquet). */
  lineOf(file: string, row: number): Promise<number | undefined>;
  /** An engine error while reading -> a UserError at its file and line where we can tell. */
  asUserError(e: unknown): Promise<unknown>;
}

/**
 * Make the files queryable as the view `data`. `types` (from the user's schema) override the
 * sniffed type of a CSV column, so a value that does not parse is reported at its line.
 * Every CSV/TSV and JSON file is also read by our own reader (csv-records.ts, json-records.ts),
 * independently of DuckDB: the header gives the column names, the record count is checked
 * against DuckDB's, and each row's line is known.
 */
export async function openTable(engine: Engine, source: DataSource, types: Record<string, string> = {}): Promise<Table> {
  for (const f of source.files) if (fs.statSync(f.absolute).size === 0) throw new UserError('file is empty', { where: { file: f.path }, fix: 'a data file needs a header line (CSV/TSV) or at least one record' });
  const list = `[${source.files.map((f) => quoteString(f.absolute)).join(', ')}]`;
  const reader: Reader =
    source.format === 'csv' || source.format === 'tsv'
      ? await csvReader(engine, source, list, types)
      : source.format === 'json'
        ? await jsonReader(engine, source, list)
        : { from: `read_parquet(${list}, filename=${quoteString(FILE_COLUMN)}, union_by_name=true)`, select: '*', assertNoRejects: async () => {} };
  const records = reader.records;
  const table: Table = {
    source,
    columns: [],
    async assertReadFully(rows) {
      await reader.assertNoRejects();
      if (!records) return;
      const held = await Promise.all(source.files.map(async (f) => (await records.get(f.absolute)!).rows));
      const total = held.reduce((s, n) => s + n, 0);
      if (rows === total) return;
      const counts = await engine.query(`SELECT ${quoteIdent(FILE_COLUMN)} AS f, count(*) AS n FROM ${VIEW} GROUP BY 1`);
      const read = new Map(counts.map((r) => [String(r.f), Number(r.n)]));
      const i = Math.max(0, source.files.findIndex((f, k) => (read.get(f.absolute) ?? 0) !== held[k]));
      throw await lostRows(reader, source.files[i]!, read.get(source.files[i]!.absolute) ?? 0, held[i]!);
    },
    assertNoRejects: () => reader.assertNoRejects(),
    async lineOf(file, row) {
      return (await records?.get(file))?.lines.lineOf(row);
    },
    async asUserError(e) {
      if (reader.diagnose && e instanceof Error && !(e instanceof UserError) && /CSV/.test(e.message)) {
        // DuckDB's CSV reader gave up on a file: say why where we know (mixed line endings, a
        // header it cannot read).
        for (const f of source.files) {
          const why = await reader.diagnose(f);
          if (why) return new UserError(`the file cannot be read: ${why.message}`, { where: { file: f.path, line: why.line }, fix: why.fix });
        }
      }
      return asUserError(e, source);
    },
  };
  try {
    await engine.query(`CREATE OR REPLACE VIEW ${VIEW} AS SELECT ${reader.select} FROM ${reader.from}`);
    const described = await engine.query(`DESCRIBE SELECT * FROM ${VIEW}`);
    table.columns = described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })).filter((c) => c.name !== FILE_COLUMN);
    return table;
  } catch (e) {
    throw await table.asUserError(e);
  }
}

async function lostRows(reader: Reader, file: DataFile, got: number, want: number): Promise<UserError> {
  const what = `read ${got} row(s), but the file holds ${want}`;
  const why = await reader.diagnose?.(file);
  if (why) return new UserError(`${what}: ${why.message}`, { where: { file: file.path, line: why.line }, fix: why.fix });
  return new UserError(`${what} (counted by an independent reader)`, {
    where: { file: file.path },
    fix: 'check the quoting and line endings of the file; if it is valid, please report this, as no row may be lost silently',
  });
}
