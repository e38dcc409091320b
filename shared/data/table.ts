import fs from 'node:fs';
import { UserError } from '../runtime/errors.js';
import { type CsvRecords, readCsvHeader, scanCsv } from './csv-records.js';
import { type Engine, quoteIdent, quoteString } from './engine.js';
import { firstBadJsonRecord, scanJson } from './json-records.js';
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
  /**
   * After a full scan that returned `rows` rows: malformed CSV rows, and a row count that
   * differs from what the files hold (counted by our own reader), become a UserError.
   */
  assertReadFully(rows: number): Promise<void>;
  /** The 1-based line where a 1-based row of a file starts (CSV/TSV and JSON; not Parquet). */
  lineOf(file: string, row: number): Promise<number | undefined>;
  /** An engine error while reading -> a UserError at its file and line where we can tell. */
  asUserError(e: unknown): Promise<unknown>;
}

/** What our own reader found in each file: rows and the line each starts on. */
interface Records {
  rows: number;
  lines: { lineOf(row: number): number | undefined };
}

/**
 * Make the files queryable as the view `data`. `types` (from the user's schema) override the
 * sniffed type of a CSV column, so a value that does not parse is reported at its line.
 * Every file is also read by our own reader (csv-records.ts, json-records.ts), independently of
 * DuckDB: its header gives the column names, its record count is checked against DuckDB's.
 */
export async function openTable(engine: Engine, source: DataSource, types: Record<string, string> = {}): Promise<Table> {
  for (const f of source.files) if (fs.statSync(f.absolute).size === 0) throw new UserError('file is empty', { where: { file: f.path }, fix: 'a data file needs a header line (CSV/TSV) or at least one record' });
  const list = `[${source.files.map((f) => quoteString(f.absolute)).join(', ')}]`;
  let reader: string;
  let select = '*';
  let records: Map<string, Promise<Records>> | undefined;
  let csv: Map<string, Promise<CsvRecords>> | undefined;
  let assertNoRejects = async () => {};
  if (source.format === 'csv' || source.format === 'tsv') {
    const delim = source.format === 'csv' ? ',' : '\t';
    const headers = await Promise.all(source.files.map((f) => readCsvHeader(f, delim)));
    assertSameHeader(source.files, headers.map((h) => h.header), delim);
    const names = columnNames(headers[0]!.header, source.files[0]!);
    const sniffed = await sniffTypes(engine, source.files[0]!, delim);
    // The sniffer's types by position, when it saw the same number of columns as we did.
    const columns = names.map((name, i) => ({ name, type: types[name] ?? (sniffed.length === names.length ? sniffed[i]! : 'VARCHAR') }));
    const struct = `{${columns.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(', ')}}`;
    reader = `read_csv(${list}, delim=${quoteString(delim)}, quote='"', escape='"', header=true, auto_detect=false, columns=${struct}, strict_mode=true, store_rejects=true, rejects_table='mlops_rejects', rejects_scan='mlops_scans', rejects_limit=1000, filename=${quoteString(FILE_COLUMN)})`;
    // Counted in the background, while DuckDB scans; awaited by assertReadFully.
    csv = inBackground(source.files, (f) => scanCsv(f, delim));
    records = csv;
    assertNoRejects = () => assertNoCsvRejects(engine, source);
  } else if (source.format === 'json') {
    const scans = await Promise.all(source.files.map((f) => scanJson(f)));
    records = new Map(source.files.map((f, i) => [f.absolute, Promise.resolve(scans[i]!)]));
    const format = scans.every((s) => s.shape === 'array')
      ? 'array'
      : scans.every((s) => s.shape === 'objects' && s.onePerLine)
        ? 'newline_delimited'
        : scans.every((s) => s.shape === 'objects')
          ? 'unstructured'
          : 'auto';
    const columns = await inferJsonColumns(engine, list, format, source);
    const struct = `{${columns.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(', ')}}`;
    reader = `read_json(${list}, format=${quoteString(format)}, columns=${struct}, filename=${quoteString(FILE_COLUMN)})`;
    // A column of mixed or nested values is read as JSON and kept as plain text: "a", not "\"a\"".
    select = [...columns.map((c) => (c.type === 'JSON' ? `(${quoteIdent(c.name)} ->> '$') AS ${quoteIdent(c.name)}` : quoteIdent(c.name))), quoteIdent(FILE_COLUMN)].join(', ');
  } else {
    reader = `read_parquet(${list}, filename=${quoteString(FILE_COLUMN)}, union_by_name=true)`;
  }
  const scanned = async (file: string) => (records ? await records.get(file) : undefined);
  const table: Table = {
    source,
    columns: [],
    async assertReadFully(rows) {
      await assertNoRejects();
      if (!records) return;
      const held = await Promise.all(source.files.map(async (f) => (await records.get(f.absolute)!).rows));
      const total = held.reduce((s, n) => s + n, 0);
      if (rows === total) return;
      const counts = await engine.query(`SELECT ${quoteIdent(FILE_COLUMN)} AS f, count(*) AS n FROM ${VIEW} GROUP BY 1`);
      const read = new Map(counts.map((r) => [String(r.f), Number(r.n)]));
      const i = source.files.findIndex((f, k) => (read.get(f.absolute) ?? 0) !== held[k]);
      const file = source.files[i < 0 ? 0 : i]!;
      const got = i < 0 ? rows : (read.get(file.absolute) ?? 0);
      const want = i < 0 ? total : held[i]!;
      throw await lostRows(file, got, want, csv && (await csv.get(file.absolute)));
    },
    async lineOf(file, row) {
      return (await scanned(file))?.lines.lineOf(row);
    },
    async asUserError(e) {
      if (csv && e instanceof Error && !(e instanceof UserError) && /CSV/.test(e.message)) {
        // DuckDB gave up on the file: the mixed line endings or multi-line header it cannot read.
        for (const f of source.files) {
          const scan = await csv.get(f.absolute)!.catch(() => undefined);
          const why = scan && diagnose(scan);
          if (why) return new UserError(`the CSV reader cannot read this file: ${why.message}`, { where: { file: f.path, line: why.line }, fix: why.fix });
        }
      }
      return asUserError(e, source);
    },
  };
  try {
    await engine.query(`CREATE OR REPLACE VIEW ${VIEW} AS SELECT ${select} FROM ${reader}`);
    const described = await engine.query(`DESCRIBE SELECT * FROM ${VIEW}`);
    table.columns = described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })).filter((c) => c.name !== FILE_COLUMN);
    return table;
  } catch (e) {
    throw await table.asUserError(e);
  }
}

/** Start reading every file in the background; a failure surfaces where it is awaited. */
function inBackground<T>(files: DataFile[], read: (f: DataFile) => Promise<T>): Map<string, Promise<T>> {
  const out = new Map<string, Promise<T>>();
  let previous: Promise<unknown> = Promise.resolve();
  for (const f of files) {
    // One file at a time: the disk is shared with DuckDB's own scan.
    const p = previous.then(() => read(f));
    p.catch(() => {});
    out.set(f.absolute, p);
    previous = p.catch(() => {});
  }
  return out;
}

/** What is known to make DuckDB read a CSV differently from the file. */
function diagnose(scan: CsvRecords): { message: string; line: number; fix: string } | undefined {
  if (scan.mixedNewline) {
    return {
      message: `line ${scan.mixedNewline.line} ends with ${scan.mixedNewline.found} while line 1 ends with ${scan.newline}`,
      line: scan.mixedNewline.line,
      fix: 'end every line the same way (e.g. convert the file with `dos2unix`)',
    };
  }
  if (scan.headerLines > 1) {
    const name = scan.header.find((h) => /[\r\n]/.test(h)) ?? '';
    return {
      message: `the header spans lines 1-${scan.headerLines}: column name ${JSON.stringify(name)} holds a line break`,
      line: 1,
      fix: 'remove the line break from the column name',
    };
  }
  return undefined;
}

async function lostRows(file: DataFile, got: number, want: number, scan: CsvRecords | undefined): Promise<UserError> {
  const what = `read ${got} row(s), but the file holds ${want}`;
  const why = scan && diagnose(scan);
  if (why) return new UserError(`${what}: ${why.message}`, { where: { file: file.path, line: why.line }, fix: why.fix });
  return new UserError(`${what} (counted by an independent reader)`, {
    where: { file: file.path },
    fix: 'check the quoting and line endings of the file; if it is valid, please report this, as no row may be lost silently',
  });
}

/** Column names as written; an empty name gets DuckDB's `column<i>` (pandas writes its index so). */
function columnNames(header: string[], file: DataFile): string[] {
  const first = new Map<string, number>();
  return header.map((raw, i) => {
    const name = raw === '' ? `column${i}` : raw;
    const seen = first.get(name);
    if (seen !== undefined) {
      throw new UserError(`column name ${JSON.stringify(name)} appears twice in the header (fields ${seen + 1} and ${i + 1})`, {
        where: { file: file.path, line: 1 },
        fix: 'give every column a name of its own',
      });
    }
    first.set(name, i);
    return name;
  });
}

/** DuckDB's sniffed column types, or none when its sniffer gives up (the strict read will say why). */
async function sniffTypes(engine: Engine, file: DataFile, delim: string): Promise<string[]> {
  try {
    const rows = await engine.query(
      `SELECT to_json(Columns)::VARCHAR AS columns FROM sniff_csv(${quoteString(file.absolute)}, delim=${quoteString(delim)}, quote='"', escape='"', header=true, sample_size=20480)`,
    );
    return (JSON.parse(String(rows[0]!.columns)) as Column[]).map((c) => c.type);
  } catch {
    return [];
  }
}

/** Types from every record (not a sample: a late string in a number column must not fail the read). */
async function inferJsonColumns(engine: Engine, list: string, format: string, source: DataSource): Promise<Column[]> {
  try {
    const described = await engine.query(`DESCRIBE SELECT * FROM read_json(${list}, format=${quoteString(format)}, sample_size=-1)`);
    return described.map((r) => {
      const type = String(r.column_type);
      // Nested and mixed values stay JSON, turned into text in the view.
      return { name: String(r.column_name), type: /^(JSON|STRUCT|MAP|UNION)|\[\]$|\[\d+\]$/.test(type) ? 'JSON' : type };
    });
  } catch (e) {
    throw await asUserError(e, source);
  }
}

/** Shards are read by position: every file must have the first file's header. */
function assertSameHeader(files: DataFile[], headers: string[][], delim: string): void {
  const expected = headers[0]!;
  files.forEach((f, i) => {
    const header = headers[i]!;
    if (header.join('\u0000') !== expected.join('\u0000')) {
      throw new UserError(`header differs from ${files[0]!.path}: expected ${expected.join(delim)}, found ${header.join(delim)}`, {
        where: { file: f.path, line: 1 },
        fix: 'give every file of a dataset the same columns in the same order, or validate them separately',
      });
    }
  });
}

async function assertNoCsvRejects(engine: Engine, source: DataSource): Promise<void> {
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
  if (/Malformed JSON|JSON transform error/.test(msg) && file) {
    const bad = /Malformed JSON/.test(msg) ? await firstBadJsonRecord(file) : undefined;
    const line = /in line (\d+)/.exec(msg)?.[1];
    const said = msg.split('\n')[0]!.replace(/^.*?(in line \d+|in record\/value \d+|at byte \d+[^:]*): /, '');
    return new UserError(`malformed JSON: ${bad?.error ?? said}`, {
      where: { file: file.path, line: bad?.line ?? (line ? Number(line) : undefined) },
      fix: 'JSON data is an array of objects, or one object per line (JSON Lines); fix the record at this line',
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
