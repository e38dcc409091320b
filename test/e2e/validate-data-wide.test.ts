import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProfile } from '../../shared/data/profile.js';
import { runAction, workspaceWith } from '../harness/runner.js';

const COLUMNS = 2500;
const ROWS = 40;

/** Column k, row r: integers, floats, a category and dates in turn. */
function value(k: number, r: number): string {
  switch (k % 4) {
    case 0:
      return String((k * 31 + r * 7) % 50);
    case 1:
      return ((k + r * r) / 8).toFixed(3);
    case 2:
      return ['red', 'green', 'blue'][(k + r) % 3]!;
    default:
      return new Date(Date.UTC(2024, 0, 1 + ((k + r * 3) % 90))).toISOString().slice(0, 10);
  }
}

function wideCsv(): string {
  const lines = [Array.from({ length: COLUMNS }, (_, k) => `c${k}`).join(',')];
  for (let r = 0; r < ROWS; r++) lines.push(Array.from({ length: COLUMNS }, (_, k) => value(k, r)).join(','));
  return lines.join('\n') + '\n';
}

const workspaces: string[] = [];
afterAll(() => workspaces.forEach((ws) => fs.rmSync(ws, { recursive: true, force: true })));

describe('validate-data on wide data', () => {
  it(`profiles and validates ${COLUMNS} columns: every column profiled, a check in the last columns reported at its line`, async () => {
    // c2496 holds integers up to 49; a max of 45 fails on the rows holding 46..49.
    const schema = ['table:', '  rows: { min: 1 }', 'columns:', '  c0: { type: int, min: 0 }', '  c2496: { type: int, max: 45 }', '  c2499: { type: date, nullable: false }', ''].join('\n');
    const ws = workspaceWith({ 'wide.csv': wideCsv(), 'schema.yml': schema });
    workspaces.push(ws);
    const r = await runAction('validate-data', { data: 'wide.csv', schema: 'schema.yml', profile: 'profile.json', report: 'report.json', 'fail-on': 'error' }, { workspace: ws });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ passed: 'false', rows: String(ROWS), 'failed-checks': '1' });

    const bad = Array.from({ length: ROWS }, (_, row) => row).filter((row) => Number(value(2496, row)) > 45);
    const report = JSON.parse(fs.readFileSync(path.join(ws, 'report.json'), 'utf8'));
    const failed = report.results.filter((c: { passed: boolean }) => !c.passed);
    expect(failed.map((c: { id: string }) => c.id)).toEqual(['c2496.max']);
    expect(failed[0].unexpected_count).toBe(bad.length);
    expect(r.annotations.find((a) => a.title === 'validate-data: c2496.max')).toMatchObject({ file: 'wide.csv', line: bad[0]! + 2 });

    const profile = parseProfile(JSON.parse(fs.readFileSync(path.join(ws, 'profile.json'), 'utf8')), 'profile.json');
    expect(profile.columns).toHaveLength(COLUMNS);
    for (const k of [0, 1, 2, 3, 1001, 1998, 2496, 2499]) {
      const c = profile.columns[k]!;
      const values = Array.from({ length: ROWS }, (_, row) => value(k, row));
      const distinct = new Set(values);
      expect(c.name).toBe(`c${k}`);
      expect(c).toMatchObject({ count: ROWS, nulls: 0, distinct: { value: distinct.size, exact: true } });
      expect(c.kind).toBe(['numeric', 'numeric', 'categorical', 'datetime'][k % 4]);
      expect(Object.fromEntries(c.values!.counts)).toEqual(Object.fromEntries([...distinct].map((v) => [k % 4 === 1 ? String(Number(v)) : v, values.filter((x) => x === v).length])));
      if (k % 4 < 2) {
        const xs = values.map(Number);
        expect(c.numeric!.min).toBe(Math.min(...xs));
        expect(c.numeric!.max).toBe(Math.max(...xs));
        expect(c.numeric!.mean).toBeCloseTo(xs.reduce((s, x) => s + x, 0) / ROWS, 9);
      }
      if (k % 4 === 3) expect(c.range).toEqual({ min: [...values].sort()[0], max: [...values].sort().at(-1) });
    }
  });

  it('reports a value that does not parse in a column far right of a wide file, at its line', async () => {
    const columns = 1200;
    const header = Array.from({ length: columns }, (_, k) => `c${k}`).join(',');
    const row = (r: number) => Array.from({ length: columns }, (_, k) => (k === 1100 && r === 1 ? 'abc' : String(r + k))).join(',');
    const ws = workspaceWith({ 'wide.csv': [header, row(0), row(1), row(2)].join('\n') + '\n', 's.yml': 'columns:\n  c1100: { type: float }\n' });
    workspaces.push(ws);
    const r = await runAction('validate-data', { data: 'wide.csv', schema: 's.yml', profile: 'out/profile.json', report: 'out/report.json', 'fail-on': 'error' }, { workspace: ws });
    expect(r.exitCode).toBe(1);
    expect(r.annotations).toHaveLength(1);
    expect(r.annotations[0]).toMatchObject({ level: 'error', file: 'wide.csv', line: 3, title: 'validate-data: invalid input' });
    expect(r.annotations[0]!.message).toMatch(/cast in column "c1100".*"abc".*DOUBLE/i);
    expect(r.annotations[0]!.message).not.toMatch(/bad rows in all/);
    expect(fs.existsSync(path.join(ws, 'out'))).toBe(false);
  });
});
