import fs from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { UserError } from '../runtime/errors.js';
import { type Engine, quoteIdent, quoteString } from './engine.js';
import type { DataFile, DataSource } from './source.js';

/** The DuckDB view every query reads; `__file` holds each row's source file. */
export const VIEW = 'data';
export const FILE_COLUMN = '__file';

export interface Column {
  name: string;
  /** DuckDB type name: BIGINT, DOUBLE, VARCHAR, BOOLEAN, DATE, TIMESTAMP... */
  type: string;
}

export interface Table {
  source: DataSource;
  columns: Column[];
  /** After a full scan: malformed CSV rows become a UserError naming file and line. */
  assertNoRejects(): Promise<void>;
  /** 1-based line of a 1-based row in a file (CSV: after the header; JSON Lines: the row). */
  lineOf(row: number): number | undefined;
}

/**
 * Make the files queryable as the view `data`. `types` (from the user's schema) override the
 * sniffed type of a CSV column, so a value that does not parse is reported at its line.
 */
export async function openTable(engine: Engine, source: DataSource, types: Record<string, string> = {}): Promise<Table> {
  for (const f of source.files) if (fs.statSync(f.absolute).size === 0) throw new UserError('file is empty', { where: { file: f.path }, fix: 'a data file needs a header line (CSV/TSV) or at least one record' });
  const list = `[${source.files.map((f) => quoteString(f.absolute)).join(', ')}]`;
  let reader: string;
  let assertNoRejects = async () => {};
  let lineOf = (_row: number): number | undefined => undefined;
  if (source.format === 'csv' || source.format === 'tsv') {
    const delim = source.format === 'csv' ? ',' : '\t';
    const first = source.files[0]!;
    const sniffed = await sniffColumns(engine, first, delim);
    await assertSameHeader(source.files, delim);
    const columns = sniffed.map((c) => ({ name: c.name, type: types[c.name] ?? c.type }));
    const struct = `{${columns.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(', ')}}`;
    reader = `read_csv(${list}, delim=${quoteString(delim)}, quote='"', escape='"', header=true, auto_detect=false, columns=${struct}, strict_mode=true, store_rejects=true, rejects_table='mlops_rejects', rejects_scan='mlops_scans', rejects_limit=1000, filename=${quoteString(FILE_COLUMN)})`;
    assertNoRejects = async () => {
      const rejects = await engine.query(
        `SELECT s.file_path AS file, e.line, e.column_name, e.error_type, e.error_message, e.csv_line FROM mlops_rejects e JOIN mlops_scans s USING (scan_id, file_id) ORDER BY s.file_path, e.line LIMIT 10`,
      );
      if (rejects.length === 0) return;
      const [{ n }] = (await engine.query(`SELECT count(*) AS n FROM mlops_rejects`)) as [{ n: number }];
      const at = (r: (typeof rejects)[number]) => source.files.find((f) => f.absolute === r.file)?.path ?? String(r.file);
      const first = rejects[0]!;
      const more = rejects.slice(1).map((r) => `  ${at(r)}:${r.line}: ${describeReject(r)}`).join('\n');
      throw new UserError(`malformed ${source.format.toUpperCase()}: ${describeReject(first)}${n > 1 ? ` (${n} bad rows in all${more ? `; more:\n${more}` : ''})` : ''}`, {
        where: { file: at(first), line: Number(first.line) },
        fix: fixFor(String(first.error_type)),
      });
    };
    lineOf = (row) => row + 1;
  } else if (source.format === 'jsonl') {
    reader = `read_json(${list}, format='newline_delimited', filename=${quoteString(FILE_COLUMN)})`;
    lineOf = (row) => row;
  } else {
    reader = `read_parquet(${list}, filename=${quoteString(FILE_COLUMN)}, union_by_name=true)`;
  }
  try {
    await engine.query(`CREATE OR REPLACE VIEW ${VIEW} AS SELECT * FROM ${reader}`);
    const described = await engine.query(`DESCRIBE SELECT * FROM ${VIEW}`);
    const columns = described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })).filter((c) => c.name !== FILE_COLUMN);
    return { source, columns, assertNoRejects, lineOf };
  } catch (e) {
    throw await asUserError(e, source);
  }
}

async function sniffColumns(engine: Engine, file: DataFile, delim: string): Promise<Column[]> {
  try {
    const rows = await engine.query(
      `SELECT to_json(Columns)::VARCHAR AS columns FROM sniff_csv(${quoteString(file.absolute)}, delim=${quoteString(delim)}, quote='"', escape='"', header=true, sample_size=20480)`,
    );
    return JSON.parse(String(rows[0]!.columns)) as Column[];
  } catch {
    // The sniffer gives up on malformed files; take the names from the header line and let the
    // strict read report the first bad line precisely.
    const header = await firstLine(file.absolute);
    if (header === undefined || header.trim() === '') throw new UserError('file has no header line', { where: { file: file.path, line: 1 }, fix: 'the first line must name the columns' });
    return splitHeader(header, delim).map((name) => ({ name, type: 'VARCHAR' }));
  }
}

/** Shards are read by position: every file must have the first file's header. */
async function assertSameHeader(files: DataFile[], delim: string): Promise<void> {
  if (files.length < 2) return;
  const expected = splitHeader((await firstLine(files[0]!.absolute)) ?? '', delim);
  for (const f of files.slice(1)) {
    const header = splitHeader((await firstLine(f.absolute)) ?? '', delim);
    if (header.join('\u0000') !== expected.join('\u0000')) {
      throw new UserError(`header differs from ${files[0]!.path}: expected ${expected.join(delim)}, found ${header.join(delim)}`, {
        where: { file: f.path, line: 1 },
        fix: 'give every file of a dataset the same columns in the same order, or validate them separately',
      });
    }
  }
}

export async function* readLines(file: string): AsyncGenerator<string> {
  const stream = fs.createReadStream(file);
  const input = /\.gz$/i.test(file) ? stream.pipe(zlib.createGunzip()) : stream;
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    stream.destroy();
  }
}

async function firstLine(file: string): Promise<string | undefined> {
  for await (const line of readLines(file)) return line;
  return undefined;
}

function splitHeader(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}

function describeReject(r: Record<string, unknown>): string {
  const col = r.column_name ? ` in column "${r.column_name}"` : '';
  return `${String(r.error_type).toLowerCase()}${col}: ${String(r.error_message).replace(/\s+$/, '')}`;
}

function fixFor(type: string): string {
  switch (type) {
    case 'CAST':
      return 'correct the value, or declare the column with a type that accepts it (e.g. `type: string`) in the schema';
    case 'TOO MANY COLUMNS':
    case 'MISSING COLUMNS':
      return 'every row must have as many fields as the header; quote fields that contain the delimiter';
    case 'UNQUOTED VALUE':
      return 'close the quote, and double any quote inside a quoted field ("")';
    case 'INVALID ENCODING':
      return 'save the file as UTF-8';
    case 'LINE SIZE OVER MAXIMUM':
      return 'a line is longer than DuckDB accepts; check for a missing newline or quote';
    default:
      return 'fix the line shown';
  }
}

/** DuckDB's errors about the user's files -> UserError with file and line where we can find them. */
export async function asUserError(e: unknown, source: DataSource): Promise<unknown> {
  if (!(e instanceof Error) || e instanceof UserError) return e;
  const msg = e.message;
  const inFile = /file "([^"]+)"|file '([^']+)'/.exec(msg);
  const abs = inFile?.[1] ?? inFile?.[2];
  const file = source.files.find((f) => f.absolute === abs);
  if (/Malformed JSON/.test(msg) && file) {
    const bad = await firstBadJsonLine(file.absolute);
    return new UserError(`malformed JSON Lines record${bad ? `: ${bad.error}` : ''}`, {
      where: { file: file.path, line: bad?.line },
      fix: 'each line must hold one complete JSON object',
    });
  }
  if (/No magic bytes|Invalid Input Error.*parquet|not a parquet file/i.test(msg)) {
    return new UserError(`not a valid Parquet file: ${msg.split('\n')[0]}`, { where: { file: file?.path ?? abs }, fix: 'check the file is complete and really Parquet' });
  }
  if (/Conversion Error|Invalid Input Error|Could not convert/i.test(msg)) {
    return new UserError(msg.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, ''), { where: { file: file?.path ?? source.files[0]?.path } });
  }
  return e;
}

async function firstBadJsonLine(file: string): Promise<{ line: number; error: string } | undefined> {
  let n = 0;
  for await (const line of readLines(file)) {
    n++;
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return { line: n, error: 'the line is not a JSON object' };
    } catch (err) {
      return { line: n, error: (err as Error).message };
    }
  }
  return undefined;
}
