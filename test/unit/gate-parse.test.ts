import { describe, expect, it } from 'vitest';
import { parseRules } from '../../shared/gate/parse.js';
import { formatRule, metricKey, type Rule } from '../../shared/gate/rule.js';
import { UserError } from '../../shared/runtime/errors.js';

type Parsed = Omit<Rule, 'line'>;
const rule = (metric: string, op: Rule['op'], threshold: Rule['threshold'], more: Partial<Parsed> = {}): Parsed => ({ metric, slice: null, op, threshold, significant: false, ...more });
const abs = (value: number) => ({ kind: 'absolute', value }) as const;
const off = (offset: number) => ({ kind: 'baseline', offset }) as const;
const pct = (percent: number) => ({ kind: 'baseline-percent', percent }) as const;
const fac = (factor: number) => ({ kind: 'baseline-factor', factor }) as const;

describe('parseRules: valid rules', () => {
  // [text, parsed rule, canonical text]
  const cases: [string, Parsed, string][] = [
    ['f1 >= 0.8', rule('f1', '>=', abs(0.8)), 'f1 >= 0.8'],
    ['accuracy>0.9', rule('accuracy', '>', abs(0.9)), 'accuracy > 0.9'],
    ['latency_p95_ms <= 20', rule('latency_p95_ms', '<=', abs(20)), 'latency_p95_ms <= 20'],
    ['loss < 1e-3', rule('loss', '<', abs(0.001)), 'loss < 0.001'],
    ['bias == 0', rule('bias', '==', abs(0)), 'bias == 0'],
    ['delta > -1e-3', rule('delta', '>', abs(-0.001)), 'delta > -0.001'],
    ['delta > - 2.5', rule('delta', '>', abs(-2.5)), 'delta > -2.5'],
    ['delta > +.5', rule('delta', '>', abs(0.5)), 'delta > 0.5'],
    ['f1.macro >= 0.75', rule('f1.macro', '>=', abs(0.75)), 'f1.macro >= 0.75'],
    ['f1.class.rain >= 0.6', rule('f1.class.rain', '>=', abs(0.6)), 'f1.class.rain >= 0.6'],
    ['roc_auc >= baseline', rule('roc_auc', '>=', off(0)), 'roc_auc >= baseline'],
    ['f1 >= baseline - 0.01', rule('f1', '>=', off(-0.01)), 'f1 >= baseline - 0.01'],
    ['latency_p95_ms <= baseline + 5', rule('latency_p95_ms', '<=', off(5)), 'latency_p95_ms <= baseline + 5'],
    ['f1 >= baseline - 2%', rule('f1', '>=', pct(-2)), 'f1 >= baseline - 2%'],
    ['latency_p95_ms <= baseline + 10 %', rule('latency_p95_ms', '<=', pct(10)), 'latency_p95_ms <= baseline + 10%'],
    ['f1 >= baseline + 150%', rule('f1', '>=', pct(150)), 'f1 >= baseline + 150%'],
    ['latency_p95_ms <= baseline * 1.1', rule('latency_p95_ms', '<=', fac(1.1)), 'latency_p95_ms <= baseline * 1.1'],
    ['f1 >= baseline - 0.01 significant', rule('f1', '>=', off(-0.01), { significant: true }), 'f1 >= baseline - 0.01 significant'],
    ['f1 >= 0.8 significant', rule('f1', '>=', abs(0.8), { significant: true }), 'f1 >= 0.8 significant'],
    ['f1[segment=mobile] >= 0.7', rule('f1', '>=', abs(0.7), { slice: { column: 'segment', value: 'mobile' } }), 'f1[segment=mobile] >= 0.7'],
    ['f1[ region = us-east-1 ] >= baseline', rule('f1', '>=', off(0), { slice: { column: 'region', value: 'us-east-1' } }), 'f1[region=us-east-1] >= baseline'],
    ['f1[age=18-25] >= 0.7', rule('f1', '>=', abs(0.7), { slice: { column: 'age', value: '18-25' } }), 'f1[age=18-25] >= 0.7'],
    ['f1[device="iPhone 15"] >= 0.7', rule('f1', '>=', abs(0.7), { slice: { column: 'device', value: 'iPhone 15' } }), 'f1[device="iPhone 15"] >= 0.7'],
    ['f1[tag="a]b"] >= 0.7', rule('f1', '>=', abs(0.7), { slice: { column: 'tag', value: 'a]b' } }), 'f1[tag="a]b"] >= 0.7'],
    ['f1[tag="say \\"hi\\" # not a comment"] >= 0.7', rule('f1', '>=', abs(0.7), { slice: { column: 'tag', value: 'say "hi" # not a comment' } }), 'f1[tag="say \\"hi\\" # not a comment"] >= 0.7'],
    ['"f1.class.light rain" >= baseline - 1% significant', rule('f1.class.light rain', '>=', pct(-1), { significant: true }), '"f1.class.light rain" >= baseline - 1% significant'],
    ['f1 >= 0.8 # from the paper', rule('f1', '>=', abs(0.8)), 'f1 >= 0.8'],
    ['  \tf1 >= 0.8  ', rule('f1', '>=', abs(0.8)), 'f1 >= 0.8'],
  ];
  it.each(cases)('%s', (text, expected, canonical) => {
    expect(parseRules(text)).toEqual([{ ...expected, line: 1 }]);
    const [parsed] = parseRules(text);
    expect(formatRule(parsed!)).toBe(canonical);
    // The canonical text parses back to the same rule.
    expect(parseRules(canonical)).toEqual([{ ...expected, line: 1 }]);
  });

  it('skips blank lines and comments, keeps line numbers, handles CRLF', () => {
    const rules = parseRules('# gates for the weather model\r\n\r\nf1 >= 0.8\r\n   # indented comment\r\nlatency_p95_ms <= baseline * 1.1\r\n');
    expect(rules.map((r) => [r.line, formatRule(r)])).toEqual([
      [3, 'f1 >= 0.8'],
      [5, 'latency_p95_ms <= baseline * 1.1'],
    ]);
  });

  it('an empty input has no rules', () => {
    expect(parseRules('')).toEqual([]);
    expect(parseRules('\n# nothing yet\n')).toEqual([]);
  });

  it.each([
    ['f1', 'f1'],
    ['f1[segment=mobile]', 'f1[segment=mobile]'],
    ['f1[device="iPhone 15"]', 'f1[device=iPhone 15]'],
  ])('metricKey of %s is %s', (lhs, key) => {
    expect(metricKey(parseRules(`${lhs} >= 0`)[0]!)).toBe(key);
  });
});

describe('parseRules: mistakes point at the line and column', () => {
  // [input, line, column, message, fix (substring)]
  const cases: [string, number, number, string, string][] = [
    ['f1 => 0.8', 1, 4, 'expected >=, >, <=, < or == after the metric, found "="\n  f1 => 0.8\n     ^', 'compare the metric with'],
    ['f1 = 0.8', 1, 4, 'expected >=, >, <=, < or == after the metric, found "="\n  f1 = 0.8\n     ^', 'compare the metric with'],
    ['f1 != 0.8', 1, 4, 'expected >=, >, <=, < or == after the metric, found "!="\n  f1 != 0.8\n     ^', 'compare the metric with'],
    ['f1', 1, 3, 'expected >=, >, <=, < or == after the metric, found the end of the rule\n  f1\n    ^', 'compare the metric with'],
    ['f1 macro >= 0.8', 1, 4, 'expected >=, >, <=, < or == after the metric, found "macro"\n  f1 macro >= 0.8\n     ^', 'compare the metric with'],
    ['f1[segment=mobile] 0.8', 1, 20, 'expected >=, >, <=, < or == after the slice, found "0.8"\n  f1[segment=mobile] 0.8\n                     ^', 'compare the metric with'],
    ['f1[a=b][c=d] >= 1', 1, 8, 'expected >=, >, <=, < or == after the slice, found "["\n  f1[a=b][c=d] >= 1\n         ^', 'at most one slice'],
    ['>= 0.8', 1, 1, 'expected a metric name at the start of the rule, found ">="\n  >= 0.8\n  ^', 'start with the metric'],
    ['0.8 <= f1', 1, 1, 'expected a metric name at the start of the rule, found "0.8"\n  0.8 <= f1\n  ^', 'start with the metric'],
    ['f1 >=', 1, 6, 'expected a number or baseline after >=, found the end of the rule\n  f1 >=\n       ^', 'e.g.'],
    ['f1 >= basline', 1, 7, 'expected a number or baseline after >=, found "basline"\n  f1 >= basline\n        ^', 'did you mean baseline?'],
    ['f1 >= f2', 1, 7, 'expected a number or baseline after >=, found "f2"\n  f1 >= f2\n        ^', 'e.g.'],
    ['f1 >= 80%', 1, 9, 'a percentage needs a baseline\n  f1 >= 80%\n          ^', 'write a fraction (0.8 for 80%)'],
    ['f1 >= -', 1, 8, 'expected a number after -, found the end of the rule\n  f1 >= -\n         ^', 'write a number'],
    ['f1 >= baseline -', 1, 17, 'expected a number after -, found the end of the rule\n  f1 >= baseline -\n                  ^', 'baseline - 2%'],
    ['f1 >= baseline + -0.01', 1, 18, 'expected a number after +, found "-"\n  f1 >= baseline + -0.01\n                   ^', 'non-negative number'],
    ['f1 >= baseline * -1', 1, 18, 'expected a number after *, found "-"\n  f1 >= baseline * -1\n                   ^', 'non-negative factor'],
    ['f1 >= baseline * 2%', 1, 19, 'expected significant or the end of the rule, found "%"\n  f1 >= baseline * 2%\n                    ^', 'one rule per line'],
    ['f1 >= baseline 0.01', 1, 16, 'expected significant or the end of the rule, found "0.01"\n  f1 >= baseline 0.01\n                 ^', 'one rule per line'],
    ['f1 >= baseline - 0.01 signifcant', 1, 23, 'expected significant or the end of the rule, found "signifcant"\n  f1 >= baseline - 0.01 signifcant\n                        ^', 'did you mean significant?'],
    ['f1 >= 0.8 and f2 >= 0.7', 1, 11, 'expected significant or the end of the rule, found "and"\n  f1 >= 0.8 and f2 >= 0.7\n            ^', 'one rule per line'],
    ['f1 >= 0.8 significant please', 1, 23, 'expected the end of the rule after significant, found "please"\n  f1 >= 0.8 significant please\n                        ^', 'one rule per line'],
    ['f1 >= 0.8 @', 1, 11, 'expected significant or the end of the rule, found "@"\n  f1 >= 0.8 @', 'one rule per line'],
    ['f1 >= 1e999', 1, 7, 'the number 1e999 is out of range\n  f1 >= 1e999\n        ^', 'finite'],
    ['f1[segment] >= 0.7', 1, 11, 'expected = after the column name, found "]"\n  f1[segment] >= 0.7\n            ^', '[column=value]'],
    ['f1[=mobile] >= 0.7', 1, 4, 'expected a column name after [, found "="\n  f1[=mobile] >= 0.7\n     ^', '[column=value]'],
    ['f1[segment=] >= 0.7', 1, 12, 'expected a value after =, found "]"\n  f1[segment=] >= 0.7\n             ^', '[column=value]'],
    ['f1[device=iPhone 15] >= 0.7', 1, 18, 'expected ] to close the slice, found "15"\n  f1[device=iPhone 15] >= 0.7\n                   ^', 'quote values'],
    ['f1[segment=mobile >= 0.7', 1, 19, 'expected ] to close the slice, found ">"\n  f1[segment=mobile >= 0.7\n                    ^', 'quote values'],
    ['f1[device="iPhone 15] >= 0.7', 1, 11, 'unterminated quoted text\n  f1[device="iPhone 15] >= 0.7\n            ^', 'close the quotes'],
    ['"" >= 0.7', 1, 1, 'expected a metric name at the start of the rule, found """"\n  "" >= 0.7\n  ^', 'start with the metric'],
    // Later lines: the line number counts blank lines and comments.
    ['f1 >= 0.8\n\n# latency\nlatency_p95_ms =< 20', 4, 16, 'expected >=, >, <=, < or == after the metric, found "="\n  latency_p95_ms =< 20\n                 ^', 'compare the metric with'],
    // Tabs before the mistake are kept so the caret lines up.
    ['\tf1 >= baseline +', 1, 18, 'expected a number after +, found the end of the rule\n  \tf1 >= baseline +\n  \t                ^', 'baseline + 2%'],
  ];
  it.each(cases)('%j', (text, line, column, message, fix) => {
    let error: unknown;
    try {
      parseRules(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const e = error as UserError;
    expect(e.message).toBe(`\`gates\` line ${line}, column ${column}: ${message.includes('^') ? message : `${message}\n${' '.repeat(column + 1)}^`}`);
    expect(e.where).toEqual({ input: 'gates', line, column });
    expect(e.fix).toContain(fix);
  });

  it('names the input it was given', () => {
    expect(() => parseRules('f1 >=', 'slice-gates')).toThrow(/^`slice-gates` line 1, column 6: /);
    try {
      parseRules('f1 >=', 'slice-gates');
    } catch (e) {
      expect((e as UserError).where.input).toBe('slice-gates');
    }
  });
});
