// The benches cannot rot silently: every stage bench/run.sh names has its script, every shell
// script parses (bash -n), every Python file compiles, and the shared table writer puts the
// goal beside each ratio as documented. (Their TypeScript is type-checked by `npm run check`.)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bench = path.join(root, 'bench');

function files(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext) && !e.parentPath.includes('.data') && !e.parentPath.includes('.venv'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('bench/', () => {
  const dispatcher = fs.readFileSync(path.join(bench, 'run.sh'), 'utf8');
  const stages = [...dispatcher.matchAll(/^#   ([a-z][a-z0-9-]+) {2,}/gm)].map((m) => m[1]);

  it('names every stage in its usage, and each has an executable script', () => {
    expect(stages).toEqual(expect.arrayContaining(['validate-data', 'validate-data-wide', 'model-store', 'train', 'evaluate-gate', 'serving', 'build-image', 'predict', 'drift-check', 'deploy-k8s', 'startup']));
    for (const stage of stages) {
      const script = stage === 'validate-data-wide' ? 'validate-data/wide.sh' : `${stage}/run.sh`;
      const stat = fs.statSync(path.join(bench, script));
      expect(stat.mode & 0o111, `${script} is executable`).not.toBe(0);
      expect(dispatcher, `bench/run.sh dispatches ${stage}`).toContain(stage);
    }
  });

  it('refuses an unknown stage with its usage (exit 2)', () => {
    const r = spawnSync(path.join(bench, 'run.sh'), ['no-such-stage'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bench/run.sh STAGE');
  });

  it('has shell scripts that parse', () => {
    const scripts = files(bench, '.sh');
    expect(scripts.length).toBeGreaterThan(10);
    for (const f of scripts) {
      const r = spawnSync('bash', ['-n', f], { encoding: 'utf8' });
      expect(r.stderr, path.relative(root, f)).toBe('');
    }
  });

  it('has Python files that compile', () => {
    const py = files(bench, '.py');
    const r = spawnSync('python3', ['-c', 'import ast, sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)', ...py], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('writes each ratio with its goal and whether it is met', () => {
    const code = [
      'import sys; sys.path.insert(0, "bench/lib")',
      'from benchtable import ratio, ratio_with_goal',
      'print(ratio_with_goal(ratio(2.8, 1.7), "<= 1.0x"))',
      'print(ratio_with_goal(ratio(8.0, 1.6), ">= 5x"))',
      'print(ratio_with_goal(ratio(1.0, None), "<= 1.3x"))',
      'print(ratio_with_goal(1.234))',
    ].join('\n');
    const r = spawnSync('python3', ['-B', '-c', code], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['1.65x (goal ≤ 1.0x: missed)', '5.00x (goal ≥ 5x: met)', 'n/a (goal ≤ 1.3x)', '1.23x']);
  });
});
