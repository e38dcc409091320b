import { describe, expect, it } from 'vitest';
import { code, details, heading, join, md, Md, preformatted, table } from '../../shared/report/markdown.js';
import { toTerminal } from '../../shared/report/terminal.js';
import { plainValue } from '../../shared/report/text.js';

const hostile = [
  'plain',
  'a|b\\c`d*e_f[g]h#i~j',
  '<b>bold</b> &amp; &lt; @user',
  '&#64;&#x41;',
  'line\n::error::x',
  'rlo\u202Eexe.txt',
  '##[warning]legacy',
  '<!-- marker -->',
  'x'.repeat(2000),
  'trailing backslash \\',
];

describe('toTerminal: the report as plain text', () => {
  it.each(hostile)('a value comes back as its plain form: %j', (v) => {
    expect(toTerminal(md`Value ${v} end.`.text)).toBe(`Value ${plainValue(v)} end.`);
    expect(toTerminal(md`Code ${code(v)}.`.text)).toBe(`Code ${plainValue(v)}.`);
  });

  it('draws tables with borders, aligned, values never first on a line', () => {
    const t = table(['Check', 'Count'], [[code('::error::x'), 12], ['b|c', 3]], ['l', 'r']).text;
    expect(toTerminal(t).split('\n')).toEqual(['│ Check      │ Count │', '├────────────┼───────┤', '│ ::error::x │    12 │', '│ b|c        │     3 │']);
  });

  it('turns headings, details, code blocks and charts into readable text', () => {
    const report = join([
      heading(3, 'Verdict <ok>'),
      md`Data ${code('a.csv')} (${'sha256:abc'}).`,
      details('All 2 checks', table(['A'], [['1']])),
      details('Output', preformatted(['line one', '::warning::x'])),
      new Md('```mermaid\nxychart-beta\n```'),
      md`_(report truncated)_`,
    ]).text;
    expect(toTerminal(report)).toBe(
      ['Verdict <ok>', '', 'Data a.csv (sha256:abc).', '', 'All 2 checks:', '  │ A │', '  ├───┤', '  │ 1 │', '', 'Output:', '  │ line one', '  │ ::warning::x', '', '(a chart: see the job summary or the markdown report)', '', '(report truncated)'].join('\n'),
    );
  });

  it('leaves no markup behind on the real reports', () => {
    const t = toTerminal(md`<code>x</code> ${'@'}`.text + '\n\n<details><summary>S</summary>\n\nbody\n\n</details>');
    expect(t).not.toMatch(/<\/?(code|details|summary)>|&#64;|&amp;/);
  });
});

describe('toTerminal: key/value tables', () => {
  it('draws a table whose header is empty without it', () => {
    expect(toTerminal(table(['', ''], [['data', 'none'], ['seed', 42]]).text).split('\n')).toEqual(['│ data │ none │', '│ seed │ 42   │']);
  });
});
