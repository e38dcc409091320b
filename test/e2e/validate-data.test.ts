import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runAction, workspaceWith } from '../harness/runner.js';

const weather = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'));
const schema = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/schema.yml'));

/** The weather data with a few rows broken on purpose, at known lines. */
function badWeather(): string {
  const lines = weather.toString().trimEnd().split('\n');
  lines[10] = lines[10]!.replace(/,(drizzle|rain|sun|snow|fog)$/, ',hail'); // line 11: unknown category
  lines[20] = lines[20]!.replace(/^([^,]+),[^,]+,/, '$1,-3.5,'); // line 21: negative precipitation
  const f = lines[30]!.split(',');
  [f[2], f[3]] = ['1.0', '9.0']; // line 31: temp_max < temp_min
  lines[30] = f.join(',');
  return lines.join('\n') + '\n';
}

describe('validate-data through the runner protocol', () => {
  it('passes good data: outputs, profile, report, summary', async () => {
    const ws = workspaceWith({ 'data/weather.csv': weather, 'schema.yml': schema });
    const r = await runAction('validate-data', { data: 'data/weather.csv', schema: 'schema.yml', profile: '.mlops/profile.json', report: '.mlops/report.json', 'fail-on': 'error', 'infer-schema': '' }, { workspace: ws });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({
      passed: 'true',
      rows: '1461',
      'failed-checks': '0',
      profile: '.mlops/profile.json',
      report: '.mlops/report.json',
      'data-digest': `sha256:${crypto.createHash('sha256').update(weather).digest('hex')}`,
    });
    expect(r.annotations).toEqual([]);
    expect(r.summary).toMatch(/^### ✅ validate-data passed: 1461 rows, 27 checks, 0 warnings$/m);
    expect(r.summary).toContain('<details><summary>Profile: 6 columns</summary>');
    const profile = JSON.parse(fs.readFileSync(path.join(ws, '.mlops/profile.json'), 'utf8'));
    expect(profile).toMatchObject({ schemaVersion: 2, kind: 'mlops/profile', rows: 1461 });
    const report = JSON.parse(fs.readFileSync(path.join(ws, '.mlops/report.json'), 'utf8'));
    expect(report.results).toHaveLength(27);
    expect(report.results.every((c: { passed: boolean }) => c.passed)).toBe(true);
  });

  it('fails bad data with the offending rows, annotations at file:line and GE result fields', async () => {
    const ws = workspaceWith({ 'data/weather.csv': badWeather(), 'schema.yml': schema });
    const r = await runAction('validate-data', { data: 'data/weather.csv', schema: 'schema.yml', profile: '.mlops/profile.json', report: '.mlops/report.json', 'fail-on': 'error' }, { workspace: ws });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.passed).toBe('false');
    expect(r.outputs['failed-checks']).toBe('3');
    const errors = r.annotations.filter((a) => a.level === 'error');
    const at = (id: string) => errors.find((a) => a.title === `validate-data: ${id}`);
    expect(at('weather.allowed')).toMatchObject({ file: 'data/weather.csv', line: 11 });
    expect(at('weather.allowed')!.message).toContain('first: hail at row 10');
    expect(at('precipitation.min')).toMatchObject({ file: 'data/weather.csv', line: 21 });
    expect(at('checks.temp_order')).toMatchObject({ file: 'data/weather.csv', line: 31 });
    // The step fails with one message naming the failed checks.
    expect(errors.some((a) => /3 check\(s\) failed .*weather\.allowed/.test(a.message))).toBe(true);
    expect(r.summary).toMatch(/^### ❌ validate-data failed: 3 of 27 checks failed on 1461 rows/);
    expect(r.summary).toContain('| <code>weather.allowed</code> | values in {drizzle, fog, rain, snow, sun} | error | 1 |');
    const report = JSON.parse(fs.readFileSync(path.join(ws, '.mlops/report.json'), 'utf8'));
    const allowed = report.results.find((c: { id: string }) => c.id === 'weather.allowed');
    expect(allowed).toMatchObject({
      passed: false,
      element_count: 1461,
      missing_count: 0,
      unexpected_count: 1,
      partial_unexpected_list: [{ value: 'hail', row: 10, line: 11, file: 'data/weather.csv' }],
    });
    expect(allowed.unexpected_percent).toBeCloseTo(100 / 1461, 10);
    const order = report.results.find((c: { id: string }) => c.id === 'checks.temp_order');
    expect(order.partial_unexpected_list[0].value).toMatchObject({ temp_max: 1, temp_min: 9 });
  });

  it('fail-on never reports but does not fail the step; mostly tolerates a fraction', async () => {
    const lenient = schema.toString().replace('allowed: [drizzle, fog, rain, snow, sun] }', 'allowed: [drizzle, fog, rain, snow, sun], mostly: 0.99 }');
    const ws = workspaceWith({ 'd.csv': badWeather(), 'schema.yml': lenient });
    const r = await runAction('validate-data', { data: 'd.csv', schema: 'schema.yml', profile: 'p.json', report: 'r.json', 'fail-on': 'never' }, { workspace: ws });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.passed).toBe('false');
    expect(r.outputs['failed-checks']).toBe('2');
    const report = JSON.parse(fs.readFileSync(path.join(ws, 'r.json'), 'utf8'));
    expect(report.results.find((c: { id: string }) => c.id === 'weather.allowed')).toMatchObject({ passed: true, unexpected_count: 1, mostly: 0.99 });
  });

  it('warnings fail the step only with fail-on warning', async () => {
    const warn = 'version: 1\ncolumns:\n  wind: { max: 5, severity: warning }\n';
    const ws = workspaceWith({ 'd.csv': weather, 'schema.yml': warn });
    const inputs = { data: 'd.csv', schema: 'schema.yml', profile: 'p.json', report: 'r.json' };
    const relaxed = await runAction('validate-data', { ...inputs, 'fail-on': 'error' }, { workspace: ws });
    expect(relaxed.exitCode).toBe(0);
    expect(relaxed.outputs).toMatchObject({ passed: 'true', 'failed-checks': '1' });
    expect(relaxed.annotations.filter((a) => a.level === 'warning')).toHaveLength(1);
    const strict = await runAction('validate-data', { ...inputs, 'fail-on': 'warning' }, { workspace: ws });
    expect(strict.exitCode).toBe(1);
  });

  it('caps annotations at 10 per level and says how many more there are', async () => {
    const cols = Array.from({ length: 14 }, (_, i) => `c${i}`);
    const data = [cols.join(','), ...Array.from({ length: 5 }, () => cols.map(() => '5').join(','))].join('\n') + '\n';
    const rules = `version: 1\ncolumns:\n${cols.map((c) => `  ${c}: { max: 1 }`).join('\n')}\n`;
    const ws = workspaceWith({ 'd.csv': data, 'schema.yml': rules });
    const r = await runAction('validate-data', { data: 'd.csv', schema: 'schema.yml', profile: 'p.json', report: 'r.json', 'fail-on': 'error' }, { workspace: ws });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    // GitHub shows 10 errors a step: 8 checks, one "6 more", and the step's failure message.
    expect(errors).toHaveLength(10);
    expect(errors.filter((a) => a.title?.startsWith('validate-data: c'))).toHaveLength(8);
    expect(errors.some((a) => /^6 more error annotations/.test(a.message))).toBe(true);
    expect(errors.some((a) => /^14 check\(s\) failed/.test(a.message))).toBe(true);
  });

  it('escapes hostile column names and values in the summary', async () => {
    const data = '"<img src=x onerror=alert(1)>","[x](https://evil.example)|"\n"@octocat **b**","<script>"\n';
    const rules = 'version: 1\ncolumns:\n  "<img src=x onerror=alert(1)>": { allowed: [ok] }\n';
    const ws = workspaceWith({ 'd.csv': data, 'schema.yml': rules });
    const r = await runAction('validate-data', { data: 'd.csv', schema: 'schema.yml', profile: 'p.json', report: 'r.json', 'fail-on': 'never' }, { workspace: ws });
    expect(r.exitCode).toBe(0);
    expect(r.summary).not.toMatch(/<img|<script|[^\\]\]\(https|[^;]@octocat/);
    expect(r.summary).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(r.summary).toContain('&#64;octocat \\*\\*b\\*\\*');
  });

  it('reads directories, globs, TSV, JSON Lines and gzip with the same checks', async () => {
    const tsv = weather.toString().replace(/,/g, '\t');
    const jsonl = weather
      .toString()
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => {
        const [date, precipitation, temp_max, temp_min, wind, w] = l.split(',');
        return JSON.stringify({ date, precipitation: Number(precipitation), temp_max: Number(temp_max), temp_min: Number(temp_min), wind: Number(wind), weather: w });
      })
      .join('\n');
    const zlib = await import('node:zlib');
    const ws = workspaceWith({ 'a/w.tsv': tsv, 'b/w.jsonl': jsonl, 'c/w.csv.gz': zlib.gzipSync(weather), 'schema.yml': schema });
    for (const data of ['a', 'b/*.jsonl', 'c/w.csv.gz']) {
      const r = await runAction('validate-data', { data, schema: 'schema.yml', profile: 'p.json', report: 'r.json', 'fail-on': 'error' }, { workspace: ws });
      expect({ data, exit: r.exitCode, rows: r.outputs.rows, passed: r.outputs.passed, err: r.stdout.match(/::error.*/)?.[0] }).toEqual({ data, exit: 0, rows: '1461', passed: 'true', err: undefined });
    }
  });
});
