import { type Engine, quoteIdent, quoteString } from './engine.js';
import { asUserError } from './engine-errors.js';
import { scanJson } from './json-records.js';
import { type Column, FILE_COLUMN, type Reader } from './reader.js';
import type { DataSource } from './source.js';

/**
 * JSON: our reader first (shape, records, lines; every record an object), then DuckDB with the
 * format that shape needs and the types of every record.
 */
export async function jsonReader(engine: Engine, source: DataSource, list: string): Promise<Reader> {
  const scans = await Promise.all(source.files.map((f) => scanJson(f)));
  const format = scans.every((s) => s.shape === 'array')
    ? 'array'
    : scans.every((s) => s.shape === 'objects' && s.onePerLine)
      ? 'newline_delimited'
      : scans.every((s) => s.shape === 'objects')
        ? 'unstructured'
        : 'auto';
  const columns = await inferJsonColumns(engine, list, format, source);
  const struct = `{${columns.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(', ')}}`;
  return {
    from: `read_json(${list}, format=${quoteString(format)}, columns=${struct}, filename=${quoteString(FILE_COLUMN)})`,
    // A column of mixed or nested values is read as JSON and kept as plain text: a, not "a".
    select: [...columns.map((c) => (c.type === 'JSON' ? `(${quoteIdent(c.name)} ->> '$') AS ${quoteIdent(c.name)}` : quoteIdent(c.name))), quoteIdent(FILE_COLUMN)].join(', '),
    records: new Map(source.files.map((f, i) => [f.absolute, Promise.resolve(scans[i]!)])),
    assertNoRejects: async () => {},
  };
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

