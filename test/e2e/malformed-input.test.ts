import { describe, expect, it } from 'vitest';
import { runAction, workspaceWith } from '../harness/runner.js';

const header = 'id,score,label\n';
interface Case {
  name: string;
  files: Record<string, string | Buffer>;
  inputs?: Record<string, string>;
  file: string;
  line?: number;
  column?: number;
  message: RegExp;
  input?: string;
}

const cases: Case[] = [
  { name: 'a ragged row', files: { 'd.csv': `${header}1,0.5,a\n2,0.7,b,extra\n3,0.1,c\n` }, file: 'd.csv', line: 3, message: /too many columns.*Expected Number of Columns: 3 Found: 4/i },
  { name: 'a missing field', files: { 'd.csv': `${header}1,0.5,a\n2,0.7\n` }, file: 'd.csv', line: 3, message: /missing columns/i },
  { name: 'bad quoting', files: { 'd.csv': `${header}1,0.5,a\n2,0.7,"open\n` }, file: 'd.csv', line: 3, message: /unquoted value|unterminated quote/i },
  { name: 'undecodable bytes', files: { 'd.csv': Buffer.concat([Buffer.from(`${header}1,0.5,a\n2,0.7,`), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]) }, file: 'd.csv', line: 3, message: /invalid encoding.*not utf-8/i },
  {
    name: 'an unparseable value in a typed column',
    files: { 'd.csv': `${header}1,0.5,a\n2,abc,b\n`, 's.yml': 'version: 1\ncolumns:\n  score: { type: float }\n' },
    inputs: { schema: 's.yml' },
    file: 'd.csv',
    line: 3,
    message: /cast in column "score".*"abc".*DOUBLE/i,
  },
  { name: 'shards with different headers', files: { 'd/a.csv': `${header}1,0.5,a\n`, 'd/b.csv': 'id,label,score\n2,b,0.1\n' }, inputs: { data: 'd' }, file: 'd/b.csv', line: 1, message: /header differs from d\/a\.csv/ },
  { name: 'an empty file', files: { 'd.csv': '' }, file: 'd.csv', message: /file is empty/ },
  { name: 'malformed JSON Lines', files: { 'd.jsonl': '{"a":1}\n{"a":2,"b":}\n{"a":3}\n' }, inputs: { data: 'd.jsonl' }, file: 'd.jsonl', line: 2, message: /malformed JSON: Unexpected token/ },
  {
    name: 'a CRLF CSV whose quoted header holds a line break (DuckDB loses every row)',
    files: { 'd.csv': 'id,weather,"col\nX"\r\n1,sun,1\r\n2,sun,1\r\n' },
    file: 'd.csv',
    line: 1,
    message: /read 0 row\(s\), but the file holds 2: the header spans lines 1-2: column name "col\\nX" holds a line break/,
  },
  { name: 'a header whose quote never closes', files: { 'd.csv': 'a,"b\n1,2\n3,4\n' }, file: 'd.csv', line: 1, message: /a quote opened in the header is never closed/ },
  { name: 'mixed line endings', files: { 'd.csv': 'id,score,label\r\n1,0.5,a\r\n2,0.7,b\n3,0.1,c\r\n' }, file: 'd.csv', line: 3, message: /line 3 ends with LF while line 1 ends with CR LF/ },
  { name: 'a UTF-16 file', files: { 'd.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${header}1,0.5,a\n`, 'utf16le')]) }, file: 'd.csv', message: /UTF-16 encoded/ },
  { name: 'a Latin-1 header', files: { 'd.csv': Buffer.concat([Buffer.from('id,temp'), Buffer.from([0xe9]), Buffer.from('rature\n1,2\n')]) }, file: 'd.csv', line: 1, message: /not valid UTF-8/ },
  { name: 'a column named twice', files: { 'd.csv': 'id,x,id\n1,2,3\n' }, file: 'd.csv', line: 1, message: /column name "id" appears twice in the header \(fields 1 and 3\)/ },
  { name: 'column names that differ only in case', files: { 'd.csv': 'id,Temp,temp\n1,2,3\n' }, file: 'd.csv', line: 1, message: /column names "Temp" and "temp" differ only in case/ },
  { name: 'JSON keys that differ only in case', files: { 'd.jsonl': '{"id": 1, "Temp": 2, "temp": 3}\n' }, inputs: { data: 'd.jsonl' }, file: 'd.jsonl', message: /keys "Temp" and "temp" differ only in case/ },
  { name: 'a JSON record that is not an object', files: { 'd.json': '[\n  {"a": 1},\n  [1, 2]\n]\n' }, inputs: { data: 'd.json' }, file: 'd.json', line: 3, message: /record 2 is an array, not a JSON object/ },
  { name: 'malformed pretty JSON', files: { 'd.json': '[\n  {"a": 1},\n  {"a": 2,\n   "b": }\n]\n' }, inputs: { data: 'd.json' }, file: 'd.json', line: 3, message: /malformed JSON/ },
  {
    name: 'a schema bound that is not a value of the column type',
    files: { 'd.csv': `${header}1,0.5,a\n`, 's.yml': 'version: 1\ncolumns:\n  score:\n    min: "abc"\n' },
    inputs: { schema: 's.yml' },
    file: 's.yml',
    line: 4,
    column: 5,
    message: /min of column "score": "abc" is not a value of the column's type \(DOUBLE\)/,
  },
  {
    name: 'an allowed value that is not a value of the column type',
    files: { 'd.csv': `${header}1,0.5,a\n`, 's.yml': 'version: 1\ncolumns:\n  id: { allowed: [1, two] }\n' },
    inputs: { schema: 's.yml' },
    file: 's.yml',
    line: 3,
    column: 22,
    message: /allowed of column "id": "two" is not a value/,
  },
  { name: 'a file that is not Parquet', files: { 'd.parquet': 'not parquet at all' }, inputs: { data: 'd.parquet' }, file: 'd.parquet', message: /not a valid Parquet file/ },
  {
    name: 'invalid schema YAML',
    files: { 'd.csv': `${header}1,0.5,a\n`, 's.yml': 'version: 1\ncolumns:\n  score: { min: 0\n  label: {}\n' },
    inputs: { schema: 's.yml' },
    file: 's.yml',
    line: 4,
    message: /invalid YAML/,
  },
  {
    name: 'an unknown check',
    files: { 'd.csv': `${header}1,0.5,a\n`, 's.yml': 'version: 1\ncolumns:\n  score:\n    type: float\n    maxx: 3\n' },
    inputs: { schema: 's.yml' },
    file: 's.yml',
    line: 5,
    column: 5,
    message: /unknown column check "maxx"/,
  },
  {
    name: 'a bad SQL check',
    files: { 'd.csv': `${header}1,0.5,a\n`, 's.yml': 'version: 1\nchecks:\n  - name: bad\n    where: scor > 0\n' },
    inputs: { schema: 's.yml' },
    file: 's.yml',
    line: 4,
    message: /check "bad".*scor/,
  },
  {
    name: 'a SQL check that is not boolean',
    files: { 'd.csv': `${header}1,0.5,a\n`, 's.yml': 'version: 1\nchecks:\n  - name: sum\n    assert: sum(score)\n' },
    inputs: { schema: 's.yml' },
    file: 's.yml',
    line: 4,
    message: /check "sum".*not a boolean/,
  },
];

describe('malformed input is a clear error naming file and line, with no stack trace', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const ws = workspaceWith(c.files);
      const r = await runAction('validate-data', { data: 'd.csv', profile: 'out/profile.json', report: 'out/report.json', 'fail-on': 'error', ...c.inputs }, { workspace: ws });
      expect(r.exitCode).toBe(1);
      expect(r.annotations).toHaveLength(1);
      const a = r.annotations[0]!;
      expect(a).toMatchObject({ level: 'error', file: c.file, title: 'validate-data: invalid input' });
      expect(a.line).toBe(c.line);
      if (c.column) expect(a.col).toBe(c.column);
      expect(a.message).toMatch(c.message);
      expect(a.message).toMatch(/\nFix: /);
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at \S+ \(|Internal error/);
      // Nothing half-written: no profile or report appears on a failed read.
      expect(r.outputs).toEqual({});
      const fs = await import('node:fs');
      expect(fs.existsSync(`${ws}/out`)).toBe(false);
    });
  }

  it('a missing file names the input', async () => {
    const r = await runAction('validate-data', { data: 'nope/*.csv', profile: 'p.json', report: 'r.json', 'fail-on': 'error' }, { workspace: workspaceWith({}) });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toMatch(/nope\/\*\.csv: matched no CSV, TSV, Parquet or JSON file \(input `data`\)/);
  });

  it('a missing required input names it', async () => {
    const r = await runAction('validate-data', { data: '', profile: 'p.json', report: 'r.json', 'fail-on': 'error' }, { workspace: workspaceWith({}) });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toMatch(/input "data" is required/);
  });
});
