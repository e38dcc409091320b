import { UserError } from '../runtime/errors.js';
import { type Engine, quoteIdent, quoteString } from './engine.js';
import { asUserError } from './engine-errors.js';
import { type JsonRecords, scanJson } from './json-records.js';
import { type Column, FILE_COLUMN, type Reader } from './reader.js';
import type { DataSource } from './source.js';

/**
 * JSON: our reader first (shape, records, lines; every record an object), then DuckDB with the
 * format that shape needs and the types of every record.
 */
export async function jsonReader(engine: Engine, source: DataSource, list: string): Promise<Reader> {
  const scans: JsonRecords[] = [];
  for (const f of source.files) scans.push(await scanJson(f)); // one file at a time
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
    // DuckDB renames a key that differs from another only in case ("A" -> "A_1"): look closer.
    if (described.some((r) => /_\d+$/.test(String(r.column_name)))) await assertKeysDistinct(engine, list, format, source);
    return described.map((r) => {
      const type = String(r.column_type);
      // Nested and mixed values stay JSON, turned into text in the view.
      return { name: String(r.column_name), type: /^(JSON|STRUCT|MAP|UNION)|\[\]$|\[\d+\]$/.test(type) ? 'JSON' : type };
    });
  } catch (e) {
    throw await asUserError(e, source);
  }
}


/** Keys that differ only in case would be one SQL column: an error, not a silent rename. */
async function assertKeysDistinct(engine: Engine, list: string, format: string, source: DataSource): Promise<void> {
  const keys = await engine.query(`SELECT DISTINCT unnest(json_keys(json)) AS k FROM read_json_objects(${list}, format=${quoteString(format)}) ORDER BY 1`);
  const byLower = new Map<string, string>();
  for (const { k } of keys) {
    const key = String(k);
    const other = byLower.get(key.toLowerCase());
    if (other !== undefined) {
      throw new UserError(`keys ${JSON.stringify(other)} and ${JSON.stringify(key)} differ only in case, which SQL does not tell apart`, {
        where: { file: source.files.length === 1 ? source.files[0]!.path : undefined, input: source.files.length === 1 ? undefined : 'data' },
        fix: 'give every key a name of its own',
      });
    }
    byLower.set(key.toLowerCase(), key);
  }
}
