import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeProfiles, type Profile, profileSchema } from '../../shared/data/profile.js';
import { REPO_ROOT, runAction, workspaceWith } from '../harness/runner.js';

/** Public data no one here wrote: vega-datasets ships JSON arrays, pretty and single-line. */
const VEGA = path.join(REPO_ROOT, 'node_modules/vega-datasets/data');
const vega = (name: string) => fs.readFileSync(path.join(VEGA, name));

const workspaces: string[] = [];
afterAll(() => workspaces.forEach((ws) => fs.rmSync(ws, { recursive: true, force: true })));
function ws(files: Record<string, string | Buffer>): string {
  const dir = workspaceWith(files);
  workspaces.push(dir);
  return dir;
}

async function validate(workspace: string, data: string, extra: Record<string, string> = {}) {
  const r = await runAction('validate-data', { data, profile: 'p.json', report: 'r.json', 'fail-on': 'error', ...extra }, { workspace });
  const profile = fs.existsSync(path.join(workspace, 'p.json')) ? profileSchema.parse(JSON.parse(fs.readFileSync(path.join(workspace, 'p.json'), 'utf8'))) : undefined;
  return { ...r, profile };
}

describe('JSON data as users have it, through the runner protocol', () => {
  for (const name of ['cars.json', 'movies.json', 'flights-2k.json', 'penguins.json']) {
    it(`${name}: every record is a row, every key a column`, async () => {
      const records = JSON.parse(vega(name).toString()) as Record<string, unknown>[];
      const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
      const r = await validate(ws({ [name]: vega(name) }), name);
      expect(r.exitCode).toBe(0);
      expect(r.outputs.rows).toBe(String(records.length));
      expect(r.profile!.columns.map((c) => c.name)).toEqual(keys);
      for (const c of r.profile!.columns) {
        expect(c.type).not.toMatch(/STRUCT|JSON|\[\]/);
        expect(c.count + c.nulls).toBe(records.length);
        expect(c.count).toBe(records.filter((x) => x[c.name] !== null && x[c.name] !== undefined).length);
      }
    });
  }

  it('a column of mixed types (movies.json "Title": text and numbers) keeps plain values', async () => {
    const records = JSON.parse(vega('movies.json').toString()) as { Title: unknown }[];
    const numeric = records.filter((x) => typeof x.Title === 'number').map((x) => String(x.Title));
    expect(numeric.length).toBeGreaterThan(0);
    const lines = records.map((x) => JSON.stringify(x)).join('\n');
    for (const [file, content] of [['movies.json', vega('movies.json')], ['movies.jsonl', lines]] as const) {
      const r = await validate(ws({ [file]: content }), file);
      const title = r.profile!.columns.find((c) => c.name === 'Title')!;
      expect(title.type).toBe('VARCHAR');
      const values = new Map(title.values!.counts);
      for (const v of numeric) expect(values.has(v) || !title.values!.complete).toBe(true);
      expect(title.values!.counts.some(([v]) => v.startsWith('"'))).toBe(false);
    }
    const mixed = await validate(ws({ 'm.jsonl': '{"a": 1, "n": {"k": [1, 2]}}\n{"a": "x", "n": null}\n{"a": 2.5, "n": {"k": []}}\n' }), 'm.jsonl');
    const byName = Object.fromEntries(mixed.profile!.columns.map((c) => [c.name, c]));
    expect(Object.fromEntries(byName.a!.values!.counts)).toEqual({ '1': 1, x: 1, '2.5': 1 });
    expect(Object.fromEntries(byName.n!.values!.counts)).toEqual({ '{"k":[1,2]}': 1, '{"k":[]}': 1 });
  });

  it('the same records as an array, pretty or on one line, and as JSON Lines give one profile; .json holding JSON Lines too', async () => {
    const records = JSON.parse(vega('cars.json').toString()) as unknown[];
    const forms = {
      'pretty.json': JSON.stringify(records, null, 2),
      'one-line.json': JSON.stringify(records),
      'cars.jsonl': records.map((x) => JSON.stringify(x)).join('\n') + '\n',
      'cars.ndjson': records.map((x) => JSON.stringify(x)).join('\r\n'),
      'lines-in.json': records.map((x) => JSON.stringify(x)).join('\n'),
    };
    const workspace = ws(forms);
    const profiles: Profile[] = [];
    for (const file of Object.keys(forms)) {
      const r = await validate(workspace, file);
      expect({ file, exit: r.exitCode, rows: r.outputs.rows }).toEqual({ file, exit: 0, rows: String(records.length) });
      profiles.push(r.profile!);
    }
    for (const p of profiles.slice(1)) expect(p.columns).toEqual(profiles[0]!.columns);
  });

  it('types come from every record: a string after 30,000 numbers makes the column text, not a failed read', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ a: i }));
    const r = await validate(ws({ 'late.jsonl': `${lines.join('\n')}\n{"a": "oops"}\n` }), 'late.jsonl');
    expect(r.exitCode).toBe(0);
    expect(r.outputs.rows).toBe('30001');
    expect(r.profile!.columns).toMatchObject([{ name: 'a', type: 'VARCHAR', count: 30001 }]);
  });

  it('failed checks point at the line where the record starts in a pretty array', async () => {
    const r = await validate(ws({ 'cars.json': vega('cars.json'), 's.yml': 'version: 1\ncolumns:\n  Cylinders: { max: 7 }\n' }), 'cars.json', { schema: 's.yml' });
    expect(r.exitCode).toBe(1);
    const text = vega('cars.json').toString().split('\n');
    const report = JSON.parse(fs.readFileSync(path.join(workspaces.at(-1)!, 'r.json'), 'utf8'));
    const first = report.results.find((c: { id: string }) => c.id === 'Cylinders.max').partial_unexpected_list[0];
    expect(first.value).toBe(8);
    // The record's opening brace is on that line, and its Cylinders value within a few lines.
    expect(text[first.line - 1]!.trim()).toBe('{');
    expect(text.slice(first.line - 1, first.line + 10).join('\n')).toMatch(/"Cylinders":8/);
    expect(r.annotations.find((a) => a.title === 'validate-data: Cylinders.max')).toMatchObject({ file: 'cars.json', line: first.line });
  });

  it('profiles of shards whose types differ (int in one, text in another) merge into the profile of the whole', async () => {
    const workspace = ws({
      'a/zip.jsonl': '{"zip": 98101, "x": 1}\n{"zip": 98102, "x": 2}\n{"zip": null, "x": 3}\n',
      'b/zip.jsonl': '{"zip": "98101-1234", "x": 0.5}\n{"zip": "98101", "x": null}\n',
    });
    const a = (await validate(workspace, 'a/zip.jsonl')).profile!;
    const b = (await validate(workspace, 'b/zip.jsonl')).profile!;
    const whole = (await validate(workspace, 'a/zip.jsonl\nb/zip.jsonl')).profile!;
    expect(a.columns.map((c) => c.type)).toEqual(['BIGINT', 'BIGINT']);
    expect(b.columns.map((c) => c.type)).toEqual(['VARCHAR', 'DOUBLE']);
    for (const merged of [mergeProfiles(a, b), mergeProfiles(b, a)]) {
      expect(merged.rows).toBe(5);
      for (const col of whole.columns) {
        const m = merged.columns.find((c) => c.name === col.name)!;
        const { numeric, ...rest } = m;
        const { numeric: wholeNumeric, ...wholeRest } = col;
        expect(rest).toEqual(wholeRest);
        if (wholeNumeric) {
          expect(numeric!.sketch).toEqual(wholeNumeric.sketch);
          expect(numeric!.mean!).toBeCloseTo(wholeNumeric.mean!, 12);
        }
      }
    }
  });
});

describe('CSV read faithfully, through the runner protocol', () => {
  it('quoted fields spanning lines are rows, and failures point at the line each row starts on', async () => {
    const csv = 'id,note,weather\r\n1,"rain\r\nall day",sun\r\n2,"a ""quoted""\nnote",hail\r\n3,ok,sun\r\n';
    const r = await validate(ws({ 'd.csv': csv, 's.yml': 'version: 1\ncolumns:\n  weather: { allowed: [sun] }\n' }), 'd.csv', { schema: 's.yml' });
    expect(r.outputs.rows).toBe('3');
    expect(r.annotations.find((a) => a.title === 'validate-data: weather.allowed')).toMatchObject({ file: 'd.csv', line: 4 });
    expect(r.profile!.columns.find((c) => c.name === 'note')!.values!.counts.map(([v]) => v).sort()).toEqual(['a "quoted"\nnote', 'ok', 'rain\r\nall day']);
  });

  it('a header spanning lines is read as written where the reader can (LF)', async () => {
    const r = await validate(ws({ 'd.csv': 'id,weather,"col\nX"\n1,sun,1\n2,sun,1\n' }), 'd.csv');
    expect(r.exitCode).toBe(0);
    expect(r.outputs.rows).toBe('2');
    expect(r.profile!.columns.map((c) => c.name)).toEqual(['id', 'weather', 'col\nX']);
  });

  it('names as written: spaces kept, an empty name gets DuckDB\'s column<i>, a BOM is no part of a name', async () => {
    const r = await validate(ws({ 'd.csv': '\ufeffid, temp ,\n1,2,3\n' }), 'd.csv');
    expect(r.exitCode).toBe(0);
    expect(r.profile!.columns.map((c) => c.name)).toEqual(['id', ' temp ', 'column2']);
  });
});
