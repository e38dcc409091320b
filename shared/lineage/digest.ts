import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { displayPath, sha256File } from '../runtime/files.js';

export interface FileDigest {
  /** Relative to the workspace, `/`-separated (absolute outside it). */
  path: string;
  sha256: string;
}

/** Directories that are never anyone's data or code. */
export const ALWAYS_IGNORED = ['**/.git/**', '**/node_modules/**', '**/.mlops/**', '**/__pycache__/**', '**/.venv/**', '**/venv/**'];

/**
 * Files named by paths, globs or directories (one per entry), relative to `cwd`, sorted.
 * Nothing is dropped silently: a plain path that does not exist is returned in `missing`, a glob
 * or directory that holds no file in `unmatched` (callers decide whether that is an error).
 */
export async function matchFiles(patterns: string[], cwd: string, ignore: string[] = []): Promise<{ files: string[]; missing: string[]; unmatched: string[] }> {
  const found = new Set<string>();
  const missing: string[] = [];
  const unmatched: string[] = [];
  const options = { absolute: true, onlyFiles: true, ignore: [...ALWAYS_IGNORED, ...ignore] };
  for (const p of patterns) {
    const abs = path.resolve(cwd, p);
    let matched: string[];
    if (isDynamicPattern(p)) matched = await glob(p, { cwd, ...options });
    else if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) matched = await glob('**/*', { cwd: abs, ...options });
    else if (fs.existsSync(abs)) matched = [abs];
    else {
      missing.push(p);
      continue;
    }
    if (matched.length === 0) unmatched.push(p);
    for (const f of matched) found.add(f);
  }
  return { files: [...found].sort(), missing, unmatched };
}

export async function digestFiles(files: string[], workspace: string): Promise<FileDigest[]> {
  return Promise.all(files.map(async (f) => ({ path: displayPath(workspace, f), sha256: await sha256File(f) })));
}

/**
 * One digest for a set of files, the same on every machine: for one file its own sha256 (what
 * `sha256sum` prints); for several, the sha256 of the sorted "<sha256>  <path>" lines.
 */
export function digestOf(files: FileDigest[]): string {
  if (files.length === 1) return `sha256:${files[0]!.sha256}`;
  const manifest = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join('');
  return `sha256:${crypto.createHash('sha256').update(manifest).digest('hex')}`;
}

export function sha256Text(text: string): string {
  return `sha256:${crypto.createHash('sha256').update(text).digest('hex')}`;
}
