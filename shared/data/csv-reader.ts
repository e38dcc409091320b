import { UserError } from '../runtime/errors.js';
import { type CsvRecords, readCsvHeader, scanCsv } from './csv-records.js';
import { type Engine, quoteString } from './engine.js';
import { type Column, type Diagnosis, FILE_COLUMN, type Reader } from './reader.js';
import type { DataFile, DataSource } from './source.js';

/**
 * CSV/TSV: names from our parse of the header, types from DuckDB's sniffer (or the schema), read
 * strictly with rejected rows recorded; our reader counts the records in the background.
 */
export async function csvReader(engine: Engine, source: DataSource, list: string, types: Record<string, string>): Promise<Reader> {
  const delim = source.format === 'csv' ? ',' : '\t';
  // One file at a time: a dataset of thousands of shards must not open them all at once.
  const headers: Awaited<ReturnType<typeof readCsvHeader>>[] = [];
  for (const f of source.files) headers.push(await readCsvHeader(f, delim));
  assertSameHeader(source.files, headers.map((h) => h.header), delim);
  const names = columnNames(headers[0]!.header, source.files[0]!);
  const sniffed = await sniffTypes(engine, source.files[0]!, delim);
  // The sniffer's types by position, when it saw the same number of columns as we did.
  const columns = names.map((name, i) => ({ name, type: types[name] ?? (sniffed.length === names.length ? sniffed[i]! : 'VARCHAR') }));
  const struct = `{${columns.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(', ')}}`;
  // Counted while DuckDB scans; awaited after the scan.
  const records = inBackground(source.files, (f) => scanCsv(f, delim));
  return {
    from: `read_csv(${list}, delim=${quoteString(delim)}, quote='"', escape='"', header=true, auto_detect=false, columns=${struct}, strict_mode=true, store_rejects=true, rejects_table='mlops_rejects', rejects_scan='mlops_scans', rejects_limit=1000, filename=${quoteString(FILE_COLUMN)})`,
    select: '*',
    records,
    assertNoRejects: () => assertNoCsvRejects(engine, source),
    async diagnose(file) {
      const scan = await records.get(file.absolute)?.catch(() => undefined);
      return scan && diagnose(scan);
    },
  };
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
function diagnose(scan: CsvRecords): Diagnosis | undefined {
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

/** Column names as written; an empty name gets DuckDB's `column<i>` (pandas writes its index so). */
function columnNames(header: string[], file: DataFile): string[] {
  const first = new Map<string, number>();
  const names = header.map((raw, i) => (raw === '' ? `column${i}` : raw));
  names.forEach((name, i) => {
    // SQL names are case-insensitive: "a" and "A" would be one column.
    const seen = first.get(name.toLowerCase());
    if (seen !== undefined) {
      const what = names[seen] === name ? `column name ${JSON.stringify(name)} appears twice` : `column names ${JSON.stringify(names[seen])} and ${JSON.stringify(name)} differ only in case, which SQL does not tell apart,`;
      throw new UserError(`${what} in the header (fields ${seen + 1} and ${i + 1})`, { where: { file: file.path, line: 1 }, fix: 'give every column a name of its own' });
    }
    first.set(name.toLowerCase(), i);
  });
  return names;
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

