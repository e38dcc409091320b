import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UserError } from '../runtime/errors.js';
import { displayPath } from '../runtime/files.js';

export type Format = 'csv' | 'tsv' | 'parquet' | 'jsonl';

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
  [/\.(jsonl|ndjson|json)(\.gz)?$/i, 'jsonl'],
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
    const abs = path.resolve(workspace, entry);
    let matches: string[];
    if (isDynamicPattern(entry)) {
      matches = (await glob(entry, { cwd: workspace, absolute: true, onlyFiles: true, dot: false })).filter((f) => formatOf(f));
    } else if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
      matches = (await glob('**/*', { cwd: abs, absolute: true, onlyFiles: true })).filter((f) => formatOf(f));
    } else if (fs.existsSync(abs)) {
      if (!formatOf(abs)) {
        throw new UserError(`${entry}: unsupported file type`, {
          where: { input: inputName },
          fix: 'use .csv, .tsv, .parquet, .jsonl/.ndjson (optionally .gz)',
        });
      }
      matches = [abs];
    } else {
      throw new UserError(`${entry}: no such file or directory`, { where: { input: inputName }, fix: `check the path; it is resolved from ${workspace}` });
    }
    if (matches.length === 0) throw new UserError(`${entry}: matched no CSV, TSV, Parquet or JSON Lines file`, { where: { input: inputName } });
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

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * sha256 over the data content, the same on every run and machine: for one file, the file's
 * own sha256 (what `sha256sum` prints); for several, the sha256 of the sorted
 * "<sha256>  <path>" lines (paths relative to the workspace, `/`-separated; absolute outside it).
 */
export async function digestData(source: DataSource): Promise<{ digest: string; files: { path: string; sha256: string }[] }> {
  const files = await Promise.all(source.files.map(async (f) => ({ path: f.path, sha256: await sha256File(f.absolute) })));
  return { digest: digestOf(files), files };
}

export function digestOf(files: { path: string; sha256: string }[]): string {
  if (files.length === 1) return `sha256:${files[0]!.sha256}`;
  const manifest = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join('');
  return `sha256:${crypto.createHash('sha256').update(manifest).digest('hex')}`;
}
