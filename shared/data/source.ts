import path from 'node:path';
import { UserError } from '../runtime/errors.js';
import { displayPath, sha256File } from '../runtime/files.js';
import { digestOf, type FileDigest, matchFiles } from '../lineage/digest.js';

/** json: an array of objects, or objects one per line (JSON Lines), told apart by content. */
export type Format = 'csv' | 'tsv' | 'parquet' | 'json';

export interface DataFile {
  /** Absolute path, what DuckDB reads. */
  absolute: string;
  /** Path relative to the workspace, what reports and annotations show. */
  path: string;
}

export interface DataSource {
  format: Format;
  files: DataFile[];
}

const EXTENSIONS: [RegExp, Format][] = [
  [/\.csv(\.gz)?$/i, 'csv'],
  [/\.(tsv|tab)(\.gz)?$/i, 'tsv'],
  [/\.(parquet|pq)$/i, 'parquet'],
  [/\.(jsonl|ndjson|json)(\.gz)?$/i, 'json'],
];

export function formatOf(file: string): Format | undefined {
  return EXTENSIONS.find(([re]) => re.test(file))?.[1];
}

/**
 * `data` input -> files: one path, a glob, a directory (all supported files below it), or
 * several of these on separate lines. All files must share one format.
 */
export async function resolveData(spec: string, workspace: string, inputName = 'data'): Promise<DataSource> {
  const entries = spec.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new UserError('no data given', { where: { input: inputName }, fix: 'set it to a file, a glob or a directory' });
  const found = new Set<string>();
  for (const entry of entries) {
    const { files, missing } = await matchFiles([entry], workspace);
    if (missing.length) throw new UserError(`${entry}: no such file or directory`, { where: { input: inputName }, fix: `check the path; it is resolved from ${workspace}` });
    const single = files.length === 1 && path.resolve(workspace, entry) === files[0];
    if (single && !formatOf(files[0]!)) {
      throw new UserError(`${entry}: unsupported file type`, { where: { input: inputName }, fix: 'use .csv, .tsv, .parquet, .json, .jsonl/.ndjson (optionally .gz)' });
    }
    const matches = files.filter((f) => formatOf(f));
    if (matches.length === 0) throw new UserError(`${entry}: matched no CSV, TSV, Parquet or JSON file`, { where: { input: inputName } });
    for (const m of matches) found.add(m);
  }
  const absolute = [...found].sort();
  const formats = new Set(absolute.map((f) => formatOf(f)!));
  if (formats.size > 1) {
    throw new UserError(`data mixes formats (${[...formats].join(', ')})`, { where: { input: inputName }, fix: 'point the input at files of one format' });
  }
  return {
    format: [...formats][0]!,
    files: absolute.map((a) => ({ absolute: a, path: displayPath(workspace, a) })),
  };
}

/** sha256 over the data content, the same on every run and machine (see lineage/digest.ts). */
export async function digestData(source: DataSource): Promise<{ digest: string; files: FileDigest[] }> {
  const files = await Promise.all(source.files.map(async (f) => ({ path: f.path, sha256: await sha256File(f.absolute) })));
  return { digest: digestOf(files), files };
}
