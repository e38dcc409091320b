// What a step loads before its inputs parse is what every run pays at start (docs/bench.md,
// "startup"): the action bundles and the CLI must reach the heavy libraries (undici, octokit,
// DuckDB, ONNX Runtime, the Kubernetes client) only through dynamic imports, on first use.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The files a bundle loads at start: its static `import ... from "./..."` closure. */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^"']*?from\s*)?"(\.[^"]+)"/g)) walk(path.resolve(path.dirname(file), m[1] ?? ""));
  };
  walk(entry);
  return [...seen];
}

const heavy = { undici: 'undici', octokit: 'octokit-core', DuckDB: 'DuckDBInstance', 'ONNX Runtime': 'InferenceSession', 'the Kubernetes client': 'KubeConfig' };
const entries = [
  ...fs.readdirSync(path.join(root, 'actions')).filter((a) => fs.existsSync(path.join(root, 'actions', a, 'dist', 'index.js'))).map((a) => `actions/${a}/dist/index.js`),
  'cli/dist/mlops.js',
];

describe('bundles load the heavy libraries on first use only', () => {
  it('finds the bundles and their static imports', () => {
    expect(entries.length).toBeGreaterThan(8);
    // The walk follows imports: an action's entry reaches the shared chunks.
    expect(staticClosure(path.join(root, 'actions/train/dist/index.js')).length).toBeGreaterThan(3);
    // ...and the heavy libraries are in the build, in chunks loaded later.
    const chunks = fs.readdirSync(path.join(root, 'dist')).map((f) => fs.readFileSync(path.join(root, 'dist', f), 'utf8'));
    for (const marker of Object.values(heavy)) expect(chunks.some((c) => c.includes(marker)), marker).toBe(true);
  });

  it.each(entries)('%s', (entry) => {
    const loaded = staticClosure(path.join(root, entry)).map((f) => fs.readFileSync(f, 'utf8'));
    for (const [name, marker] of Object.entries(heavy)) {
      expect(loaded.some((text) => text.includes(marker)), `${entry} loads ${name} at start`).toBe(false);
    }
  });
});
