import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NODE24, REPO_ROOT, workspaceWith } from '../harness/runner.js';

const run = promisify(execFile);
const weather = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'));

async function mlops(cwd: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(NODE24, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('mlops CLI (the same operation as the action, same input names)', () => {
  it('prints outputs as JSON on stdout and the summary as terminal text on stderr', async () => {
    const ws = workspaceWith({ 'w.csv': weather });
    const r = await mlops(ws, 'validate-data', '--data', 'w.csv', '--infer-schema', 'inferred.yml');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ passed: 'true', rows: '1461', profile: '.mlops/profile.json' });
    expect(r.stderr).toMatch(/^✅ validate-data passed: 1461 rows/m);
    expect(r.stderr).not.toMatch(/<\/?(code|details|summary)>|&#64;|^#+ /m);
    // The inferred schema is a valid schema that the same data passes.
    const again = await mlops(ws, 'validate-data', '--data', 'w.csv', '--schema', 'inferred.yml');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)['failed-checks']).toBe('0');
    expect(fs.readFileSync(path.join(ws, 'inferred.yml'), 'utf8')).toMatch(/weather:\n\s+type: category\n\s+nullable: false\n\s+allowed:\n\s+- drizzle/);
  });

  it('exits 1 on failed checks and on user errors, naming the flag', async () => {
    const ws = workspaceWith({ 'w.csv': weather, 's.yml': 'version: 1\ncolumns:\n  wind: { max: 1 }\n' });
    const failed = await mlops(ws, 'validate-data', '--data', 'w.csv', '--schema', 's.yml');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: \.\/w\.csv:\d+: wind\.max: expected values <= 1/m);
    const typo = await mlops(ws, 'validate-data', '--data', 'w.csv', '--fail-on', 'maybe');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^error: --fail-on is invalid/);
    expect(typo.stdout).toBe('');
  });
});

describe('mlops CLI: usage', () => {
  it('usage on stderr with exit 2 without an action; --help and --version on stdout with 0', async () => {
    const ws = workspaceWith({});
    const none = await mlops(ws);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^usage: mlops <action>/);
    const help = await mlops(ws, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: mlops <action>/);
    const version = await mlops(ws, '--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`mlops ${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cli/package.json'), 'utf8')).version}\n`);
    fs.rmSync(ws, { recursive: true, force: true });
  });
});
