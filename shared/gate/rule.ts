/**
 * The gate rule language's syntax tree: one `Rule` per line of the `gates` input, e.g.
 * `f1[segment=mobile] >= baseline - 2% significant`. Pure: no I/O.
 */

export type Comparison = '>=' | '>' | '<=' | '<' | '==';

/** A slice of the evaluation data: the rows where `column` equals `value`. */
export interface Slice {
  column: string;
  value: string;
}

/** What the candidate is compared to. Signs live in the numbers: `baseline - 0.01` is offset -0.01. */
export type Threshold =
  | { kind: 'absolute'; value: number }
  /** baseline + offset; plain `baseline` is offset 0. */
  | { kind: 'baseline'; offset: number }
  /** baseline + percent/100 * |baseline|. */
  | { kind: 'baseline-percent'; percent: number }
  /** baseline * factor (factor >= 0). */
  | { kind: 'baseline-factor'; factor: number };

export interface Rule {
  metric: string;
  slice: Slice | null;
  op: Comparison;
  threshold: Threshold;
  /** Fail only when the shortfall is statistically significant. */
  significant: boolean;
  /** 1-based line in the `gates` input. */
  line: number;
}

export const COMPARISONS: readonly Comparison[] = ['>=', '>', '<=', '<', '=='];

/** A metric name written without quotes: letters, digits, `_` and `.`, not starting with a digit or dot. */
export function isPlainName(s: string): boolean {
  if (s === '' || !isNameStart(s[0]!)) return false;
  for (const ch of s) if (!isNameChar(ch)) return false;
  return true;
}

export function isNameStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

export function isNameChar(ch: string): boolean {
  return isNameStart(ch) || (ch >= '0' && ch <= '9') || ch === '.';
}

/** A slice column or value written without quotes: no whitespace and none of `[ ] = " #`. */
export function isPlainSliceWord(s: string): boolean {
  if (s === '') return false;
  for (const ch of s) if (!isSliceWordChar(ch)) return false;
  return true;
}

export function isSliceWordChar(ch: string): boolean {
  return !/\s/.test(ch) && !'[]="#'.includes(ch);
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The key of a slice in `GateInputs.slices`: `column=value`, unquoted. */
export function sliceKey(slice: Slice): string {
  return `${slice.column}=${slice.value}`;
}

/** The key of a rule's metric in `GateInputs.differences` and `intervals`: `f1` or `f1[segment=mobile]`. */
export function metricKey(rule: Pick<Rule, 'metric' | 'slice'>): string {
  return rule.slice ? `${rule.metric}[${sliceKey(rule.slice)}]` : rule.metric;
}

function formatThreshold(t: Threshold): string {
  switch (t.kind) {
    case 'absolute':
      return String(t.value);
    case 'baseline':
      return t.offset === 0 ? 'baseline' : `baseline ${t.offset < 0 ? '-' : '+'} ${Math.abs(t.offset)}`;
    case 'baseline-percent':
      return `baseline ${t.percent < 0 || Object.is(t.percent, -0) ? '-' : '+'} ${Math.abs(t.percent)}%`;
    case 'baseline-factor':
      return `baseline * ${t.factor}`;
  }
}

/** The canonical text of a rule; parsing it gives the same rule back (line aside). */
export function formatRule(rule: Rule): string {
  const name = isPlainName(rule.metric) ? rule.metric : quote(rule.metric);
  const word = (s: string) => (isPlainSliceWord(s) ? s : quote(s));
  const slice = rule.slice ? `[${word(rule.slice.column)}=${word(rule.slice.value)}]` : '';
  return `${name}${slice} ${rule.op} ${formatThreshold(rule.threshold)}${rule.significant ? ' significant' : ''}`;
}
