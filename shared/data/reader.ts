import type { DataFile } from './source.js';

/** The DuckDB view every query reads; `__file` holds each row's source file. */
export const VIEW = 'data';
export const FILE_COLUMN = '__file';

export interface Column {
  name: string;
  /** DuckDB type name: BIGINT, DOUBLE, VARCHAR, BOOLEAN, DATE, TIMESTAMP... */
  type: string;
}

/** What our own reader found in a file: its rows and the line each starts on. */
export interface Records {
  rows: number;
  lines: { lineOf(row: number): number | undefined };
}

/** Why DuckDB reads a file differently from what it holds, when we know. */
export interface Diagnosis {
  message: string;
  line: number;
  fix: string;
}

/** How one format is read: DuckDB's table function, and our own reader's findings beside it. */
export interface Reader {
  /** The table function over the files, e.g. `read_csv([...], ...)`. */
  from: string;
  /** The view's select list over it. */
  select: string;
  /** Per file (absolute path); none for Parquet, whose row count DuckDB reads from its footer. */
  records?: Map<string, Promise<Records>>;
  /** After a full scan: rows DuckDB set aside as malformed become a UserError. */
  assertNoRejects(): Promise<void>;
  diagnose?(file: DataFile): Promise<Diagnosis | undefined>;
}
