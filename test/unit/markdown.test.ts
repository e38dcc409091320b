import { describe, expect, it } from 'vitest';
import { code, details, escape, md, Md, table, truncate } from '../../shared/report/markdown.js';

describe('markdown escaping', () => {
  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a | b', 'a \\| b'],
    ['[click](https://evil.example)', '\\[click\\](https://evil.example)'],
    ['**bold** _it_ `code`', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\`'],
    ['ping @octocat', 'ping &#64;octocat'],
    ['two\nlines', 'two lines'],
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
