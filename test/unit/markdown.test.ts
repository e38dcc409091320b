import { describe, expect, it } from 'vitest';
import { code, details, escape, md, Md, preformatted, table, truncate } from '../../shared/report/markdown.js';

describe('markdown escaping', () => {
  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a | b', 'a \\| b'],
    ['[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    ['**bold** _it_ `code`', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\`'],
    ['ping @octocat', 'ping &#64;octocat'],
    ['two\nlines', 'two\\\\nlines'], // shown as `two\nlines`: a value keeps to its line
    ['a\u202Eevil', 'a\\\\u202Eevil'],
    ['zero\u200Bwidth', 'zero\\\\u200Bwidth'],
    ['# heading', '\\# heading'],
    ['<!-- marker -->', '&lt;!-- marker --&gt;'],
  ])('escapes %j', (input, expected) => {
    expect(escape(input)).toBe(expected);
  });

  it('escapes plain strings in tables but keeps Md markup', () => {
    const t = table(['Name', 'Value'], [['x|y', new Md('<b>ok</b>')], [1.23456, null]]).text;
    expect(t.split('\n')).toEqual(['| Name | Value |', '| :-- | :-- |', '| x\\|y | <b>ok</b> |', '| 1.235 |  |']);
  });

  it('md`` escapes interpolations only', () => {
    expect(md`**${'*not bold*'}**`.text).toBe('**\\*not bold\\***');
  });

  it('code spans cannot be broken out of', () => {
    expect(code('a`</code><script>|[x](y)').text).toBe('<code>a\\`&lt;/code&gt;&lt;script&gt;\\|\\[x\\](y)</code>');
  });

  it('details escapes its summary', () => {
    expect(details('<x>', new Md('body')).text).toContain('<summary>&lt;x&gt;</summary>');
  });
});

describe('truncate', () => {
  it('keeps the head, cuts at a line, closes open details and says so', () => {
    const text = `# verdict\n\n<details><summary>s</summary>\n\n${'row\n'.repeat(1000)}</details>\n`;
    const out = truncate(text, 500);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(500 + '\n\n</details>'.length);
    expect(out.startsWith('# verdict')).toBe(true);
    expect(out).toContain('</details>');
    expect(out).toContain('report truncated');
    expect(truncate('short', 500)).toBe('short');
  });
});

describe('values in every builder are made plain and cut (report/text.ts)', () => {
  const long = 'x'.repeat(100_000);
  it.each([
    ['md``', (v: string) => md`value ${v}`.text],
    ['code', (v: string) => code(v).text],
    ['table', (v: string) => table(['h'], [[v]]).text],
    ['details', (v: string) => details(v, new Md('')).text],
  ])('%s', (_name, render) => {
    const out = render(`${long}\u202E\u200B`);
    expect(out.length).toBeLessThan(1000);
    expect(out).toMatch(/…\\\[\+\d+ chars\\\]/);
    const spoof = render('safe\u202Etxt.exe\u2066\u200B\u0007');
    expect(spoof).not.toMatch(/[\u202E\u2066\u200B\u0007]/);
    expect(spoof).toContain('\\\\u202E');
  });
  it('preformatted output cannot close its fence and shows controls', () => {
    const out = preformatted(['ok', '````', 'x\u202Ey\u001b[31m']).text;
    expect(out.split('\n')[0]).toBe('`````text');
    expect(out.split('\n').at(-1)).toBe('`````');
    expect(out).toContain('x\\u202Ey\\u001B[31m');
  });
});
