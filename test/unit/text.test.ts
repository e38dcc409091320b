import { describe, expect, it } from 'vitest';
import { clip, commandSafe, neutralize, plainText, plainValue, printableJson } from '../../shared/report/text.js';

describe('neutralize: what cannot be seen or moves other text is shown as an escape', () => {
  it.each([
    ['after\n::error::x', 'after\\n::error::x'],
    ['cr\rlf', 'cr\\rlf'],
    ['tab\there', 'tab\\there'],
    ['rlo\u202Egnp.exe', 'rlo\\u202Egnp.exe'],
    ['isolate\u2066x\u2069', 'isolate\\u2066x\\u2069'],
    ['zw\u200Bsp\u200Cnj\uFEFFbom', 'zw\\u200Bsp\\u200Cnj\\uFEFFbom'],
    ['ls\u2028ps\u2029', 'ls\\u2028ps\\u2029'],
    ['esc\u001b[2J', 'esc\\u001B[2J'],
    ['c1\u0085', 'c1\\u0085'],
    ['tag\u{E0041}', 'tag\\u{E0041}'],
    ['filler\u3164', 'filler\\u3164'],
    ['lone\uD800', 'lone\\uD800'],
    ['plain ünïcødé 数据 ✅', 'plain ünïcødé 数据 ✅'],
    ['emoji 👩\u200D💻 kept', 'emoji 👩\u200D💻 kept'],
    ['skin tone 👩🏽\u200D💻 kept', 'skin tone 👩🏽\u200D💻 kept'],
    ['flag 🏳️\u200D🌈 kept', 'flag 🏳️\u200D🌈 kept'],
    ['joiner\u200Dalone', 'joiner\\u200Dalone'],
  ])('%j', (input, expected) => {
    expect(neutralize(input)).toBe(expected);
  });
  it('keeps line breaks of composed text when asked', () => {
    expect(neutralize('a\r\nb\u202E', true)).toBe('a\nb\\u202E');
  });
});

describe('clip', () => {
  it('cuts long values by characters, saying how much', () => {
    const out = clip('é'.repeat(100_000), 60);
    expect(Array.from(out.split('…')[0]!).length).toBe(44);
    expect(out).toBe(`${'é'.repeat(44)}…[+99956 chars]`);
    expect(clip('short', 60)).toBe('short');
  });
  it('never splits a surrogate pair', () => {
    expect(clip('😀'.repeat(100), 20)).toMatch(/^(😀){4}…/u);
  });
  it('plainValue and plainText compose both', () => {
    expect(Array.from(plainValue('x'.repeat(1000))).length).toBeLessThanOrEqual(500);
    expect(plainText('line1\nline2\u202E')).toBe('line1\nline2\\u202E');
  });
});

describe('commandSafe: no line the runner reads as a workflow command', () => {
  it.each([
    ['::error::x', '\\::error::x'],
    ['  ::add-mask::x', '  \\::add-mask::x'],
    ['ok\n::set-output name=a::b', 'ok\n\\::set-output name=a::b'],
    ['ok\r::warning::lone cr', 'ok\r\\::warning::lone cr'],
    ['text ##[error]legacy anywhere', 'text #\\#[error]legacy anywhere'],
    ['a :: b', 'a :: b'],
  ])('%j', (input, expected) => {
    const out = commandSafe(input);
    expect(out).toBe(expected);
    for (const line of out.split(/\r\n|\r|\n/)) {
      expect(line.trimStart().startsWith('::')).toBe(false);
      expect(line).not.toContain('##[');
    }
  });
});

describe('printableJson', () => {
  it('parses back to the same value, with nothing invisible or command-like in its text', () => {
    const value = { a: 'x\u202Ey\u200B\u0007z', b: '##[error]legacy', c: 'tag\u{E0041}', d: 'emoji 👩‍💻 ünï' };
    const text = printableJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/[\u202E\u200B\u0007\u200D]|##\[/u);
    expect(text).toBe(commandSafe(text));
  });
});
