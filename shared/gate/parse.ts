/**
 * Parse the `gates` input: one rule per line,
 *   <metric>[<column>=<value>]? <op> <threshold> [significant]
 * with a small hand-written lexer and a recursive descent parser, so every mistake is reported
 * at its line and column with a caret under the offending token. Pure: no I/O.
 */
import { UserError } from '../runtime/errors.js';
import { COMPARISONS, isNameChar, isNameStart, isSliceWordChar, type Comparison, type Rule, type Slice, type Threshold } from './rule.js';
import { nearest } from './suggest.js';

type TokenKind = 'name' | 'string' | 'number' | 'symbol' | 'word' | 'end' | 'unknown';

interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** The token's meaning: a string's unescaped content, a number's text. */
  value: string;
  /** 0-based offsets in the line. */
  start: number;
  end: number;
}

/** `rule` outside brackets; `slice` inside `[...]`, where unquoted words may contain `-`, `.`, `:` and so on. */
type Mode = 'rule' | 'slice';

const SYMBOLS = ['>=', '<=', '==', '!=', '>', '<', '=', '+', '-', '*', '%', '[', ']'];

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';
const isSpace = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v';

class ParseError extends Error {
  constructor(
    readonly at: number,
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

class Lexer {
  private pos = 0;
  constructor(private readonly line: string) {}

  peek(mode: Mode): Token {
    return this.scan(this.pos, mode);
  }

  take(mode: Mode): Token {
    const t = this.scan(this.pos, mode);
    this.pos = t.end;
    return t;
  }

  private scan(from: number, mode: Mode): Token {
    const s = this.line;
    let i = from;
    while (isSpace(s[i])) i++;
    const start = i;
    const tok = (kind: TokenKind, end: number, value = s.slice(start, end)): Token => ({ kind, text: s.slice(start, end), value, start, end });
    const ch = s[i];
    if (ch === undefined || ch === '#') return tok('end', s.length, '');
    if (ch === '"') return this.quoted(start);
    if (mode === 'slice') {
      if (ch === '[' || ch === ']' || ch === '=') return tok('symbol', i + 1);
      while (i < s.length && isSliceWordChar(s[i]!)) i++;
      return tok('word', i);
    }
    if (isNameStart(ch)) {
      while (i < s.length && isNameChar(s[i]!)) i++;
      return tok('name', i);
    }
    if (isDigit(ch) || (ch === '.' && isDigit(s[i + 1]))) {
      while (isDigit(s[i])) i++;
      if (s[i] === '.') for (i++; isDigit(s[i]); i++);
      if ((s[i] === 'e' || s[i] === 'E') && (isDigit(s[i + 1]) || ((s[i + 1] === '+' || s[i + 1] === '-') && isDigit(s[i + 2])))) {
        for (i += 2; isDigit(s[i]); i++);
      }
      return tok('number', i);
    }
    for (const sym of SYMBOLS) if (s.startsWith(sym, i)) return tok('symbol', i + sym.length);
    const cp = String.fromCodePoint(s.codePointAt(i)!);
    return tok('unknown', i + cp.length);
  }

  /** A "..." string; `\"` and `\\` escape. */
  private quoted(start: number): Token {
    const s = this.line;
    let value = '';
    for (let i = start + 1; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\')) value += s[++i];
      else if (ch === '"') return { kind: 'string', text: s.slice(start, i + 1), value, start, end: i + 1 };
      else value += ch;
    }
    throw new ParseError(start, 'unterminated quoted text', 'close the quotes with " (write \\" for a quote inside)');
  }
}

function found(t: Token): string {
  return t.kind === 'end' ? 'the end of the rule' : `"${t.text}"`;
}

const OPS_TEXT = '>=, >, <=, < or ==';
const EXAMPLES = '`accuracy >= 0.8`, `latency_p95_ms <= baseline + 10%`, `f1.macro[season=winter] >= baseline - 0.01 significant`';

class RuleParser {
  private readonly lex: Lexer;
  constructor(line: string) {
    this.lex = new Lexer(line);
  }

  private error(t: Token, expected: string, fix: string): never {
    throw new ParseError(t.start, `expected ${expected}, found ${found(t)}`, fix);
  }

  /** rule := metric slice? op threshold 'significant'? end */
  rule(line: number): Rule {
    const metric = this.metric();
    const slice = this.lex.peek('rule').text === '[' ? this.slice() : null;
    const op = this.op(slice !== null);
    const threshold = this.threshold(op);
    const significant = this.significant();
    return { metric, slice, op, threshold, significant, line };
  }

  /** metric := name | string */
  private metric(): string {
    const t = this.lex.take('rule');
    if (t.kind === 'name') return t.value;
    if (t.kind === 'string' && t.value !== '') return t.value;
    return this.error(t, 'a metric name at the start of the rule', `start with the metric, e.g. ${EXAMPLES}; quote names with other characters: "f1.class.light rain"`);
  }

  /** slice := '[' word '=' word ']' */
  private slice(): Slice {
    this.lex.take('rule');
    const column = this.sliceWord('a column name after [');
    const eq = this.lex.take('slice');
    if (eq.text !== '=') this.error(eq, '= after the column name', 'write the slice as [column=value], e.g. f1.macro[season=winter]');
    const value = this.sliceWord('a value after =');
    const close = this.lex.take('slice');
    if (close.text !== ']') this.error(close, '] to close the slice', 'quote values with spaces or brackets: f1[device="iPhone 15"]');
    return { column, value };
  }

  private sliceWord(expected: string): string {
    const t = this.lex.take('slice');
    if (t.kind === 'word' || (t.kind === 'string' && t.value !== '')) return t.value;
    return this.error(t, expected, 'write the slice as [column=value], e.g. f1.macro[season=winter]; quote values with spaces or brackets');
  }

  /** op := '>=' | '>' | '<=' | '<' | '==' */
  private op(afterSlice: boolean): Comparison {
    const t = this.lex.take('rule');
    if (t.kind === 'symbol' && (COMPARISONS as readonly string[]).includes(t.text)) return t.text as Comparison;
    const fix = t.text === '[' && afterSlice ? 'a rule has at most one slice' : `compare the metric with ${OPS_TEXT}, e.g. ${EXAMPLES}`;
    return this.error(t, `${OPS_TEXT} after the ${afterSlice ? 'slice' : 'metric'}`, fix);
  }

  /** threshold := '-'? number | 'baseline' (('+' | '-') number '%'? | '*' number)? */
  private threshold(op: Comparison): Threshold {
    const t = this.lex.take('rule');
    if (t.kind === 'name' && t.value === 'baseline') return this.baselineThreshold();
    if (t.kind === 'number' || (t.kind === 'symbol' && (t.text === '-' || t.text === '+'))) {
      const sign = t.kind === 'symbol' ? (t.text === '-' ? -1 : 1) : 1;
      const n = t.kind === 'number' ? t : this.lex.take('rule');
      if (n.kind !== 'number') this.error(n, `a number after ${t.text}`, `write a number such as ${t.text}0.01`);
      const value = sign * this.number(n);
      const pct = this.lex.peek('rule');
      if (pct.text === '%') throw new ParseError(pct.start, 'a percentage needs a baseline', `write a fraction (0.8 for 80%), or a change relative to the baseline: baseline - 2%`);
      return { kind: 'absolute', value };
    }
    const near = t.kind === 'name' ? nearest(t.value, ['baseline']) : undefined;
    return this.error(t, `a number or baseline after ${op}`, near ? `did you mean baseline?` : `e.g. ${EXAMPLES}`);
  }

  private baselineThreshold(): Threshold {
    const t = this.lex.peek('rule');
    if (t.text !== '+' && t.text !== '-' && t.text !== '*') return { kind: 'baseline', offset: 0 };
    this.lex.take('rule');
    const n = this.lex.take('rule');
    if (n.kind !== 'number') {
      const fix = t.text === '*' ? 'write a non-negative factor such as baseline * 1.05' : `write a non-negative number: baseline ${t.text} 0.01 (absolute) or baseline ${t.text} 2% (relative to |baseline|)`;
      this.error(n, `a number after ${t.text}`, fix);
    }
    const x = this.number(n);
    if (t.text === '*') return { kind: 'baseline-factor', factor: x };
    const sign = t.text === '-' ? -1 : 1;
    if (this.lex.peek('rule').text === '%') {
      this.lex.take('rule');
      return { kind: 'baseline-percent', percent: sign * x };
    }
    return { kind: 'baseline', offset: sign * x };
  }

  private number(t: Token): number {
    const x = Number(t.value);
    if (!Number.isFinite(x)) throw new ParseError(t.start, `the number ${t.text} is out of range`, 'write a finite number');
    return x;
  }

  /** 'significant'? end */
  private significant(): boolean {
    const t = this.lex.take('rule');
    if (t.kind === 'end') return false;
    if (t.kind === 'name' && t.value === 'significant') {
      const rest = this.lex.take('rule');
      if (rest.kind !== 'end') this.error(rest, 'the end of the rule after significant', 'write one rule per line');
      return true;
    }
    const near = t.kind === 'name' ? nearest(t.value, ['significant']) : undefined;
    return this.error(t, 'significant or the end of the rule', near ? 'did you mean significant?' : 'write one rule per line; comments start with #');
  }
}

/** The line with a caret under column `at` (0-based); tabs are kept so the caret lines up. */
function pointAt(line: string, at: number): string {
  const pad = [...line.slice(0, at)].map((ch) => (ch === '\t' ? '\t' : ' ')).join('');
  return `  ${line}\n  ${pad}^`;
}

/**
 * The rules of a `gates` input, in order. Blank lines and `#` comments are skipped. A mistake is
 * a UserError naming the input, the line and column, with the rule and a caret under the token.
 */
export function parseRules(text: string, input = 'gates'): Rule[] {
  const rules: Rule[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const parser = new RuleParser(line);
    try {
      if (new Lexer(line).peek('rule').kind === 'end') return;
      rules.push(parser.rule(i + 1));
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      const column = e.at + 1;
      throw new UserError(`\`${input}\` line ${i + 1}, column ${column}: ${e.message}\n${pointAt(line, e.at)}`, {
        where: { input, line: i + 1, column },
        fix: e.fix,
      });
    }
  });
  return rules;
}
