import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateData } from '../../actions/validate-data/validate-data.js';
import type { CheckResult } from '../../shared/data/checks.js';
import { passesMostly } from '../../shared/data/checks.js';
import { openEngine } from '../../shared/data/engine.js';
import { testContext } from '../harness/context.js';
import { workspaceWith } from '../harness/runner.js';

// 10 rows; nulls in `score` (rows 3, 7) and `code` (row 5); known bad values per rule.
const CSV = `id,score,code,email,team
1,0.5,AB1,a@x.io,red
2,1.5,AB2,b@x.io,blue
3,,AB3,c@x.io,red
4,0.9,zz,not-an-email,green
5,0.1,,e@x.io,red
6,-0.2,AB6,f@x.io,blue
7,,AB7,g@x.io,blue
8,0.3,AB8,h@x.io,red
9,0.4,AB9,i@x.io,purple
9,0.6,AB10,j@x.io,red
`;

const SCHEMA = `version: 1
table:
  rows: { min: 11 }
  unknown_columns: error
columns:
  id: { type: int, unique: true }
  score: { type: float, min: 0, max: 1, max_null_fraction: 0.1 }
  code: { type: string, nullable: false, regex: "AB[0-9]+", min_length: 3, max_length: 3 }
  email: { regex: "[^@]+@[^@]+", mostly: 0.9 }
  team: { allowed: [red, blue, green], mean: { min: 0 } }
  missing: { required: true }
  optional: { required: false }
checks:
  - name: score_small
    where: score < 1
  - name: mostly_red
    assert: avg(CASE WHEN team = 'red' THEN 1 ELSE 0 END) > 0.6
`;

describe('checks follow Great Expectations semantics', () => {
  let results: Map<string, CheckResult>;
  beforeAll(async () => {
    const ws = workspaceWith({ 'd.csv': CSV, 's.yml': SCHEMA });
    await validateData({ data: 'd.csv', schema: 's.yml', 'infer-schema': undefined, profile: 'p.json', report: 'r.json', 'fail-on': 'error' }, testContext(ws));
    const report = JSON.parse(fs.readFileSync(path.join(ws, 'r.json'), 'utf8')) as { results: CheckResult[] };
    results = new Map(report.results.map((r) => [r.id, r]));
  });

  // [id, passed, unexpected_count, missing_count, unexpected_percent (of non-missing), rows of the samples]
  it.each([
    ['id.unique', false, 2, 0, 20, [9, 10]],
    ['score.min', false, 1, 2, 12.5, [6]],
    ['score.max', false, 1, 2, 12.5, [2]],
    ['score.max_null_fraction', false, 2, 2, 20, [3, 7]],
    ['code.nullable', false, 1, 1, 10, [5]],
    ['code.regex', false, 1, 1, (100 * 1) / 9, [4]],
    ['code.min_length', false, 1, 1, (100 * 1) / 9, [4]],
    ['code.max_length', false, 1, 1, (100 * 1) / 9, [10]],
    ['email.regex', true, 1, 0, 10, [4]],
    ['team.allowed', false, 1, 0, 10, [9]],
    ['checks.score_small', false, 1, 0, 10, [2]],
  ])('%s', (id, passed, unexpected, missing, percent, rows) => {
    const r = results.get(id)!;
    expect(r).toBeDefined();
    expect(r.passed).toBe(passed);
    expect(r.element_count).toBe(10);
    expect(r.unexpected_count).toBe(unexpected);
    expect(r.missing_count).toBe(missing);
    expect(r.unexpected_percent).toBeCloseTo(percent, 10);
    expect(r.partial_unexpected_list.map((s) => s.row)).toEqual(rows);
    for (const s of r.partial_unexpected_list) expect(s.line).toBe(s.row + 1);
  });

  it('table, aggregate and presence checks', () => {
    expect(results.get('table.rows')).toMatchObject({ passed: false, observed: 10 });
    expect(results.get('table.unknown_columns')).toMatchObject({ passed: true });
    expect(results.get('missing.exists')).toMatchObject({ passed: false, message: expect.stringMatching(/column "missing" is missing/) });
    expect(results.get('optional.exists')).toMatchObject({ passed: true });
    expect(results.get('checks.mostly_red')).toMatchObject({ passed: false, observed: false });
    expect(results.get('team.mean')).toMatchObject({ passed: false, message: expect.stringMatching(/not numeric/) });
    expect(results.get('id.type')).toMatchObject({ passed: true });
  });

  it.each([
    [0, 0, 1, true],
    [10, 0, 1, true],
    [10, 1, 1, false],
    [10, 1, 0.9, true],
    [10, 2, 0.9, false],
  ])('mostly: %i non-null, %i unexpected, mostly %f -> %s', (nonNull, unexpected, mostly, pass) => {
    expect(passesMostly(nonNull, unexpected, mostly)).toBe(pass);
  });
});

describe('types from the file (Parquet) are checked, not coerced', () => {
  it('reports a string column declared int, with the offending values', async () => {
    const ws = workspaceWith({ 's.yml': 'version: 1\ncolumns:\n  n: { type: int }\n  f: { type: float }\n' });
    const engine = await openEngine({ log: testContext(ws).log, tempDir: ws });
    await engine.query(`COPY (SELECT * FROM (VALUES ('1', 1.5), ('x2', 2.5), ('3', NULL)) t(n, f)) TO '${path.join(ws, 'd.parquet')}' (FORMAT parquet)`);
    engine.close();
    const out = await validateData({ data: 'd.parquet', schema: 's.yml', 'infer-schema': undefined, profile: 'p.json', report: 'r.json', 'fail-on': 'error' }, testContext(ws));
    const report = JSON.parse(fs.readFileSync(path.join(ws, 'r.json'), 'utf8')) as { results: CheckResult[] };
    const n = report.results.find((r) => r.id === 'n.type')!;
    expect(n).toMatchObject({ passed: false, unexpected_count: 1, expectation: 'type int (found VARCHAR)' });
    expect(n.partial_unexpected_list).toEqual([{ value: 'x2', row: 2, file: 'd.parquet' }]);
    expect(report.results.find((r) => r.id === 'f.type')).toMatchObject({ passed: true });
    expect(out.outputs.rows).toBe('3');
    expect(out.failure).toMatch(/n\.type/);
  });
});
