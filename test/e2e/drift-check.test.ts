/**
 * drift-check through the runner protocol on examples/weather: the reference profile is the one
 * validate-data writes for seattle-weather.csv (2012-2015); the current data is a later slice
 * (2013-2014), unchanged or shifted on purpose.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftReportSchema, type DriftReport } from '../../shared/drift/report.js';
import { columnDrift } from '../../shared/stats/drift/column.js';
import { rawEvidence, type RawValue } from '../../shared/stats/drift/raw.js';
import { REPO_ROOT, runAction, workspaceWith } from '../harness/runner.js';
import { VENV_PYTHON } from '../harness/sklearn.js';

const weather = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), 'utf8');
const [header, ...rows] = weather.trimEnd().split('\n');
const slice = rows.filter((r) => /^201[34]-/.test(r));
const csv = (lines: string[]) => `${header}\n${lines.join('\n')}\n`;

/** temp_max + 5 degrees; every 8th day's weather is a category the reference never saw. */
const shifted = slice.map((r, i) => {
  const f = r.split(',');
  f[2] = (Number(f[2]) + 5).toFixed(1);
  if (i % 8 === 0) f[5] = 'hail';
  return f.join(',');
});

// `date` is the clock of the weather data (a later slice is always later): not a feature.
const DEFAULTS = { 'time-column': 'date', 'reference-data': '', columns: '', stattest: '', 'stattest-threshold': '', 'drift-share': '0.5', 'fail-on': 'drift', report: '.mlops/drift-report.json', 'report-md': '.mlops/drift-report.md' };

let ws: string;
beforeAll(async () => {
  const noWind = slice.map((r) => r.split(',').map((v, i) => (i === 4 ? '' : v)).join(','));
  ws = workspaceWith({ 'data/empty.csv': `${header}\n`, 'data/ref-no-wind.csv': [header!, ...rows].map((l) => l.split(',').filter((_, i) => i !== 4).join(',')).join('\n') + '\n', 'data/text.csv': csv(slice.map((r, i) => (i === 3 ? r.replace(/^([^,]*,[^,]*,)[^,]*/, '$1hot') : r))), 'data/no-wind.csv': csv(noWind), 'data/reference.csv': weather, 'data/later.csv': csv(slice), 'data/shifted.csv': csv(shifted), 'shards/a.csv': csv(rows.slice(0, 700)), 'shards/b.csv': csv(rows.slice(700)) });
  for (const [data, profile] of [['data/reference.csv', '.mlops/profile.json'], ['shards/a.csv', 'profiles/a.json'], ['shards/b.csv', 'profiles/b.json']]) {
    const r = await runAction('validate-data', { data: data!, schema: '', 'infer-schema': '', profile: profile!, report: `${profile}.report`, 'fail-on': 'error' }, { workspace: ws });
    expect(r.exitCode, r.stdout).toBe(0);
  }
}, 300_000);

const check = (inputs: Record<string, string>) => runAction('drift-check', { ...DEFAULTS, reference: '.mlops/profile.json', ...inputs }, { workspace: ws });
const reportOf = (file = '.mlops/drift-report.json'): DriftReport => driftReportSchema.parse(JSON.parse(fs.readFileSync(path.join(ws, file), 'utf8')));

describe('drift-check through the runner protocol', () => {
  it('no shift: ok, every column tested, exit 0', async () => {
    const r = await check({ current: 'data/later.csv' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({ status: 'ok', drifted: 'false', 'drift-share': '0', 'drifted-columns': '[]', report: '.mlops/drift-report.json', 'report-md': '.mlops/drift-report.md', 'issue-url': '', 'retrain-dispatched': 'false', 'prediction-drifted': '', 'performance-passed': '', 'webhook-sent': 'false' });
    expect(r.annotations).toEqual([]);
    const report = reportOf();
    expect(report).toMatchObject({ schemaVersion: 1, kind: 'mlops/drift-report', status: 'ok', basis: 'fixed bins', tested: 5, current: { rows: 730 } });
    expect(report.columns.map((c) => [c.column, c.test])).toEqual(expect.arrayContaining([['temp_max', 'wasserstein'], ['weather', 'jensenshannon']]));
    expect(report.skipped).toEqual([{ column: 'date', reason: expect.stringMatching(/^the time of each row \(time-column\)/) }]);
    expect(r.summary).toMatch(/^### ✅ drift-check: ok: 0 of 5 tested columns drifted/);
    expect(fs.readFileSync(path.join(ws, '.mlops/drift-report.md'), 'utf8')).toBe(`${r.summary.trimEnd()}\n`);
  });

  it('a mean shift and a new category: drift naming the columns, the tests and why', async () => {
    const r = await check({ current: 'data/shifted.csv', 'drift-share': '0.3' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ status: 'drift', drifted: 'true', 'drift-share': '0.4' });
    expect(JSON.parse(r.outputs['drifted-columns']!).sort()).toEqual(['temp_max', 'weather']);
    const report = reportOf();
    const col = (name: string) => report.columns.find((c) => c.column === name)!;
    expect(col('temp_max')).toMatchObject({ drifted: true, test: 'wasserstein', condition: 'wasserstein >= 0.1', reason: expect.stringMatching(/^numeric column with \d+ distinct values and 1461 reference values \(> 1000\)/) });
    expect(col('weather')).toMatchObject({ drifted: true, test: 'jensenshannon', newCategories: ['hail'] });
    // Sorted by severity: the drifted columns first.
    expect(report.columns.slice(0, 2).every((c) => c.drifted)).toBe(true);
    const titles = r.annotations.filter((a) => a.level === 'warning').map((a) => a.title).sort();
    expect(titles).toEqual(['drift-check: temp_max drifted', 'drift-check: weather drifted']);
    expect(r.annotations.find((a) => a.title === 'drift-check: weather drifted')!.message).toMatch(/^weather: jensenshannon 0\.\d+ \(drift when jensenshannon >= 0\.1\)/);
    expect(r.annotations.some((a) => a.level === 'error' && /drift-check: drift .*fail-on: drift/.test(a.message))).toBe(true);
    expect(r.summary).toMatch(/^### 🔴 drift-check: drift: 2 of 5 tested columns drifted \(share 0\.4 &gt;= 0\.3\)/);
    expect(r.summary).toMatch(/\| <code>temp\\_max<\/code> \| \*\*yes\*\* \| wasserstein \| 0\.\d+ \| wasserstein &gt;= 0\.1 \| /);
    expect(r.summary).toContain('new categories in current data: hail');
  });

  it('fewer drifted columns than drift-share: warn, which fails the step only with fail-on warn', async () => {
    const relaxed = await check({ current: 'data/shifted.csv' });
    expect(relaxed.exitCode).toBe(0);
    expect(relaxed.outputs).toMatchObject({ status: 'warn', drifted: 'false', 'drift-share': '0.4' });
    const strict = await check({ current: 'data/shifted.csv', 'fail-on': 'warn' });
    expect(strict.exitCode).toBe(1);
    const never = await check({ current: 'data/shifted.csv', 'drift-share': '0.3', 'fail-on': 'never' });
    expect(never.exitCode).toBe(0);
    expect(never.outputs.status).toBe('drift');
  });

  it('with reference-data the numbers are the drift core\'s raw-value numbers (Evidently\'s)', async () => {
    const r = await check({ current: 'data/shifted.csv', 'reference-data': 'data/reference.csv', 'drift-share': '0.3', 'fail-on': 'never', report: 'raw.json', 'report-md': 'raw.md' });
    expect(r.exitCode).toBe(0);
    const report = reportOf('raw.json');
    expect(report).toMatchObject({ basis: 'raw values', status: 'drift', reference: { data: { rows: 1461, files: ['data/reference.csv'] } }, current: { rows: 730 } });
    const parse = (lines: string[], column: number): RawValue[] => lines.map((l) => l.split(',')[column]!).map((v) => (column === 5 ? v : Number(v)));
    const names = header!.split(',');
    for (const c of report.columns) {
      const i = names.indexOf(c.column);
      const ours = columnDrift(c.column, rawEvidence(c.column, c.kind, parse(rows, i), parse(shifted, i)));
      expect({ column: c.column, test: c.test, value: c.value, basis: c.basis }).toEqual({ column: c.column, test: ours.test, value: ours.value, basis: 'raw values' });
    }
    expect(report.columns).toHaveLength(5);
  });

  it('with reference-data the action\'s numbers equal the real evidently package\'s on the same files (1e-6)', async () => {
    if (!fs.existsSync(VENV_PYTHON)) throw new Error(`no Python venv at ${VENV_PYTHON}: run scripts/install-evidently.sh`);
    const r = await check({ current: 'data/shifted.csv', 'reference-data': 'data/reference.csv', 'fail-on': 'never', report: 'ev.json', 'report-md': 'ev.md' });
    expect(r.exitCode).toBe(0);
    const report = reportOf('ev.json');
    const columns = report.columns.map((c) => c.column);
    const script = path.join(REPO_ROOT, 'test/evidently/evidently_files.py');
    const out = execFileSync(VENV_PYTHON, [script, path.join(ws, 'data/reference.csv'), path.join(ws, 'data/shifted.csv'), ...columns], { env: { ...process.env, PYTHONWARNINGS: 'ignore' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const theirs = JSON.parse(out.toString()) as Record<string, { test: string; value: number }>;
    const largest = Math.max(...report.columns.map((c) => Math.abs(c.value! - theirs[c.column]!.value)));
    console.log(`drift-check (reference-data) vs evidently on the weather files: largest difference ${largest.toExponential(2)}`);
    for (const c of report.columns) {
      expect(c.test, c.column).toBe(theirs[c.column]!.test);
      expect(Math.abs(c.value! - theirs[c.column]!.value), `${c.column}: ours ${c.value} vs Evidently ${theirs[c.column]!.value}`).toBeLessThanOrEqual(1e-6);
    }
    expect(columns.sort()).toEqual(['precipitation', 'temp_max', 'temp_min', 'weather', 'wind']);
  }, 300_000);

  it('a profile column the reference data lacks is listed as not compared', async () => {
    const r = await check({ current: 'data/later.csv', 'reference-data': 'data/ref-no-wind.csv', report: 'nw.json', 'report-md': 'nw.md' });
    expect(r.exitCode).toBe(0);
    const report = reportOf('nw.json');
    expect(report.skipped).toContainEqual({ column: 'wind', reason: 'not in the reference data' });
    expect(report.columns.map((c) => c.column)).not.toContain('wind');
  });

  it('stattest and thresholds set per column', async () => {
    const r = await check({ current: 'data/later.csv', stattest: 'temp_max: psi\nweather: chisquare', 'stattest-threshold': 'temp_max: 0.5', 'fail-on': 'never' });
    expect(r.exitCode).toBe(0);
    const report = reportOf();
    expect(report.columns.find((c) => c.column === 'temp_max')).toMatchObject({ test: 'psi', threshold: 0.5, reason: 'set for this column (the automatic choice: wasserstein)' });
    expect(report.columns.find((c) => c.column === 'weather')).toMatchObject({ test: 'chisquare', valueKind: 'p-value', effect: { name: "Cramer's V" } });
  });

  it('a directory of shard profiles is merged: the same numbers as the whole profile', async () => {
    const whole = await check({ current: 'data/shifted.csv', 'fail-on': 'never', report: 'whole.json', 'report-md': 'whole.md' });
    const shards = await check({ current: 'data/shifted.csv', reference: 'profiles', 'fail-on': 'never', report: 'shards.json', 'report-md': 'shards.md' });
    expect([whole.exitCode, shards.exitCode]).toEqual([0, 0]);
    const a = reportOf('whole.json');
    const b = reportOf('shards.json');
    expect(b.reference.profile).toEqual(['profiles/a.json', 'profiles/b.json']);
    expect(b.columns.map((c) => [c.column, c.test, c.drifted])).toEqual(a.columns.map((c) => [c.column, c.test, c.drifted]));
    b.columns.forEach((c, k) => expect(c.value).toBeCloseTo(a.columns[k]!.value!, 9));
  });

  it('an empty window and an all-null column are not tested, never a NaN verdict', async () => {
    const empty = await check({ current: 'data/empty.csv', 'report-md': 'e.md', report: 'e.json' });
    expect(empty.exitCode).toBe(0);
    expect(empty.outputs).toMatchObject({ status: 'warn', drifted: 'false', 'drift-share': '0' });
    const e = reportOf('e.json');
    expect(e.columns.map((c) => [c.status, c.value, c.drifted])).toEqual(Array(5).fill(['no-data', null, false]));
    expect(e.reason).toBe('no column could be tested (no reference or no current values)');
    expect(e.columns[0]!.reason).toMatch(/^no current values/);
    for (const raw of ['', 'data/reference.csv']) {
      const r = await check({ current: 'data/no-wind.csv', 'reference-data': raw, report: 'n.json', 'report-md': 'n.md' });
      expect(r.exitCode).toBe(0);
      const n = reportOf('n.json');
      expect(n.status).toBe('warn');
      expect(n.untested).toEqual(['wind']);
      expect(n.columns.find((c) => c.column === 'wind')).toMatchObject({ status: 'no-data', value: null, drifted: false, reason: expect.stringMatching(/^no current values/) });
      expect(n.columns.filter((c) => c.status === 'tested')).toHaveLength(4);
    }
  });

  const bad: [string, Record<string, string>, RegExp, string?][] = [
    ['a reference that is not a profile', { reference: 'data/reference.csv', current: 'data/later.csv' }, /not JSON/, 'data/reference.csv'],
    ['an unknown test', { current: 'data/later.csv', stattest: 'temp_max: t-test' }, /"temp_max: t-test" is not `column: test \(one of ks, chisquare/],
    ['a test that does not fit the column', { current: 'data/later.csv', stattest: 'weather: ks' }, /drift test 'ks' does not apply to categorical column 'weather'/],
    ['a column not in the reference', { current: 'data/later.csv', columns: 'temp_max, humidity' }, /column 'humidity' is not in the reference/],
    ['a missing current file', { current: 'data/nope.csv' }, /data\/nope\.csv: no such file or directory/],
    ['a column whose type changed', { current: 'data/text.csv' }, /column 'temp_max' is DOUBLE in the reference but VARCHAR in the current data/],
    ['a drift share out of range', { current: 'data/later.csv', 'drift-share': '1.5' }, /input "drift-share" is invalid/],
  ];
  for (const [name, inputs, message, file] of bad) {
    it(`bad input is a UserError: ${name}`, async () => {
      const r = await check(inputs);
      expect(r.exitCode).toBe(1);
      const errors = r.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ title: 'drift-check: invalid input', ...(file ? { file } : {}) });
      expect(errors[0]!.message).toMatch(message);
      expect(r.stdout + r.stderr).not.toMatch(/Internal error|\n\s+at \S+ \(/);
    });
  }
});
