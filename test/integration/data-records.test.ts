import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { scanCsv } from '../../shared/data/csv-records.js';
import { openEngine } from '../../shared/data/engine.js';
import { scanJson } from '../../shared/data/json-records.js';
import type { DataSource } from '../../shared/data/source.js';
import { openTable } from '../../shared/data/table.js';
import type { UserError } from '../../shared/runtime/errors.js';
import { testContext } from '../harness/context.js';
import { tempDir } from '../harness/temp.js';

const dir = tempDir('mlops-records-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer, ext: string): { absolute: string; path: string } {
  const name = `f${n++}.${ext}`;
  fs.writeFileSync(path.join(dir, name), content);
  return { absolute: path.join(dir, name), path: name };
}

/** What DuckDB reads through openTable, checked against our own count (assertReadFully). */
async function readWithDuckDB(source: DataSource): Promise<{ rows: number; columns: string[]; lines: (number | undefined)[] }> {
  const engine = await openEngine({ log: testContext(dir).log, tempDir: dir, threads: 2 });
  try {
    const table = await openTable(engine, source);
    const [{ rows }] = (await engine.query('SELECT count(*) AS rows FROM data')) as [{ rows: number }];
    await table.assertReadFully(rows);
    const lines = [];
    for (let r = 1; r <= Math.min(rows, 5); r++) lines.push(await table.lineOf(source.files[0]!.absolute, r));
    return { rows, columns: table.columns.map((c) => c.name), lines };
  } finally {
    engine.close();
  }
}

interface CsvCase {
  name: string;
  text: string | Buffer;
  header: string[];
  rows: number;
  /** The line each row starts on. */
  lines: number[];
}

const BOM = '\ufeff';
const csvCases: CsvCase[] = [
  { name: 'LF', text: 'a,b\n1,2\n3,4\n', header: ['a', 'b'], rows: 2, lines: [2, 3] },
  { name: 'CR LF', text: 'a,b\r\n1,2\r\n3,4\r\n', header: ['a', 'b'], rows: 2, lines: [2, 3] },
  { name: 'CR (old Mac)', text: 'a,b\r1,2\r3,4\r', header: ['a', 'b'], rows: 2, lines: [2, 3] },
  { name: 'no final line break', text: 'a,b\n1,2\n3,4', header: ['a', 'b'], rows: 2, lines: [2, 3] },
  { name: 'a BOM', text: `${BOM}a,b\n1,2\n`, header: ['a', 'b'], rows: 1, lines: [2] },
  { name: 'blank lines are no rows', text: 'a,b\n1,2\n\n3,4\n\n', header: ['a', 'b'], rows: 2, lines: [2, 4] },
  { name: 'one column: a blank line is an empty value', text: 'x\n1\n\n2\n', header: ['x'], rows: 3, lines: [2, 3, 4] },
  { name: 'quoted fields spanning lines (LF)', text: 'id,note\n1,"a\nb\nc"\n2,"x,""y"""\n3,z\n', header: ['id', 'note'], rows: 3, lines: [2, 5, 6] },
  { name: 'quoted fields spanning lines (CR LF)', text: 'id,note\r\n1,"a\r\nb"\r\n2,"c\nd"\r\n3,z\r\n', header: ['id', 'note'], rows: 3, lines: [2, 4, 6] },
  { name: 'a header spanning lines (LF)', text: 'id,weather,"col\nX"\n1,sun,1\n2,sun,1\n', header: ['id', 'weather', 'col\nX'], rows: 2, lines: [3, 4] },
  { name: 'quotes, delimiters and spaces in names', text: 'id," a,b ",  c ,"q""d"\n1,2,3,4\n', header: ['id', ' a,b ', '  c ', 'q"d'], rows: 1, lines: [2] },
  { name: 'an unnamed column (pandas index)', text: ',a\n0,1\n1,2\n', header: ['', 'a'], rows: 2, lines: [2, 3] },
];

describe('our CSV reader and DuckDB read the same rows', () => {
  for (const c of csvCases) {
    it(c.name, async () => {
      const f = file(c.text, 'csv');
      const scan = await scanCsv(f, ',');
      expect(scan.header).toEqual(c.header);
      expect(scan.rows).toBe(c.rows);
      expect(c.lines.map((_, i) => scan.lines.lineOf(i + 1))).toEqual(c.lines);
      const duck = await readWithDuckDB({ format: 'csv', files: [f] });
      expect(duck.rows).toBe(c.rows);
      expect(duck.columns).toEqual(c.header.map((h, i) => h || `column${i}`));
      expect(duck.lines).toEqual(c.lines.slice(0, 5));
    });
  }

  it('gzip', async () => {
    const f = file(zlib.gzipSync('a,b\n1,"x\ny"\n2,z\n'), 'csv.gz');
    expect((await scanCsv(f, ',')).rows).toBe(2);
    expect((await readWithDuckDB({ format: 'csv', files: [f] })).rows).toBe(2);
    const j = file(zlib.gzipSync('[\n {"a": 1},\n {"a": 2}\n]\n'), 'json.gz');
    expect((await scanJson(j)).rows).toBe(2);
    expect((await readWithDuckDB({ format: 'json', files: [j] })).rows).toBe(2);
  });

  it('random quoting, embedded line breaks and both line endings, across read chunks', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const newline of ['\n', '\r\n']) {
      const parts = [`id,text,n${newline}`];
      const starts: number[] = [];
      let line = 2;
      let size = 0;
      for (let id = 1; size < 3_000_000; id++) {
        const pieces = ['a', ',', '""', '\n', '\r\n', ' ', 'é', '{', 'x'];
        let text = '';
        for (let k = Math.floor(rand() * 12); k > 0; k--) text += pieces[Math.floor(rand() * pieces.length)];
        const quoted = /[,"\r\n]/.test(text) || rand() < 0.3;
        const field = quoted ? `"${text}"` : text;
        starts.push(line);
        line += (text.match(/\r\n|\n/g) ?? []).length + 1;
        parts.push(`${id},${field},${Math.floor(rand() * 100)}${newline}`);
        size += parts.at(-1)!.length;
      }
      const f = file(parts.join(''), 'csv');
      const scan = await scanCsv(f, ',');
      expect(scan.rows).toBe(starts.length);
      for (const r of [1, 2, 3, Math.floor(starts.length / 2), starts.length]) expect(scan.lines.lineOf(r)).toBe(starts[r - 1]);
      expect((await readWithDuckDB({ format: 'csv', files: [f] })).rows).toBe(starts.length);
    }
  });
});

describe('JSON: arrays and objects one after another, told apart by content', () => {
  const records = [{ a: 1, s: 'x' }, { a: 2, s: 'a "quoted" {brace} [bracket] \\ back' }, { a: 3, s: null }];
  const cases: [string, string, 'array' | 'objects', number[]][] = [
    ['a one-line array', JSON.stringify(records), 'array', [1, 1, 1]],
    ['a pretty array', JSON.stringify(records, null, 2), 'array', [2, 6, 10]],
    ['JSON Lines', records.map((r) => JSON.stringify(r)).join('\n'), 'objects', [1, 2, 3]],
    ['JSON Lines with CR LF and blank lines', records.map((r) => JSON.stringify(r)).join('\r\n\r\n') + '\r\n', 'objects', [1, 3, 5]],
    ['pretty objects one after another', records.map((r) => JSON.stringify(r, null, 1)).join('\n'), 'objects', [1, 5, 9]],
    ['a BOM before an array', `${BOM}${JSON.stringify(records)}`, 'array', [1, 1, 1]],
    ['a BOM before JSON Lines', `${BOM}${records.map((r) => JSON.stringify(r)).join('\n')}`, 'objects', [1, 2, 3]],
  ];
  for (const [name, text, shape, lines] of cases) {
    it(name, async () => {
      const f = file(text, 'json');
      const scan = await scanJson(f);
      expect({ shape: scan.shape, rows: scan.rows }).toEqual({ shape, rows: 3 });
      expect([1, 2, 3].map((r) => scan.lines.lineOf(r))).toEqual(lines);
      const duck = await readWithDuckDB({ format: 'json', files: [f] });
      expect(duck).toEqual({ rows: 3, columns: ['a', 's'], lines });
    });
  }

  it('a large array with escapes across read chunks', async () => {
    const big = Array.from({ length: 60_000 }, (_, i) => ({ i, s: `\\"}{][${'\\'.repeat(i % 3)}"` }));
    const f = file(JSON.stringify(big), 'json');
    expect((await scanJson(f)).rows).toBe(big.length);
    expect((await readWithDuckDB({ format: 'json', files: [f] })).rows).toBe(big.length);
  });

  it('a record that is not an object is an error at its line', async () => {
    await expect(scanJson(file('[\n {"a": 1},\n 2\n]', 'json'))).rejects.toMatchObject({ message: 'record 2 is a number, not a JSON object', where: { line: 3 } });
    const e = await scanJson(file('{"a": 1}\n"x"\n', 'jsonl')).catch((err: UserError) => err);
    expect(e).toMatchObject({ message: 'record 2 is a string, not a JSON object', where: { line: 2 } });
    await expect(scanJson(file('[]', 'json'))).rejects.toThrow(/holds no records/);
  });
});
