/**
 * Evaluate gate rules against a candidate's and a baseline's metrics: one result per rule, all
 * failures collected, each with a reason a person can act on. MLflow's MetricThreshold semantics
 * with its flaws fixed (docs/gates.md). Pure: no I/O, no clock.
 */
import { metricKey, sliceKey, type Comparison, type Rule, type Threshold } from './rule.js';
import { describeAlternatives } from './suggest.js';

/** A confidence interval. */
export interface Interval {
  lo: number;
  hi: number;
}

/** Metrics of the candidate and of the baseline (null: no baseline, the first model). */
export interface MetricSet {
  candidate: Record<string, number>;
  baseline: Record<string, number> | null;
}

export interface GateInputs extends MetricSet {
  /** Per slice, keyed "column=value". */
  slices?: Record<string, MetricSet>;
  /** CI of the paired difference candidate - baseline, keyed "metric" or "metric[column=value]". */
  differences?: Record<string, Interval>;
  /** CI of the candidate metric, keyed like `differences`. */
  intervals?: Record<string, Interval>;
  /** Why a metric is undefined (NaN) on these rows, keyed like `differences`: "class snow never occurs...". */
  undefinedWhy?: Record<string, string>;
}

export interface GateOptions {
  /** What a baseline-relative rule does when there is no baseline yet. */
  firstModel: 'pass' | 'fail';
}

export interface RuleResult {
  rule: Rule;
  passed: boolean;
  candidate: number | null;
  baseline: number | null;
  threshold: number | null;
  /** Whether the shortfall is significant; null when not assessed (rule passed, not a `significant` rule, or no CI). */
  significant: boolean | null;
  reason: string;
}

/**
 * Numbers closer than this (relative to their size, at least 1) compare as equal, so
 * `0.81 - 0.01` meets `>= 0.8` despite floating-point rounding.
 */
export const TOLERANCE = 1e-12;

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Whether `x op t` holds, with equality up to TOLERANCE. */
export function holds(x: number, op: Comparison, t: number): boolean {
  const eq = near(x, t);
  switch (op) {
    case '>=':
      return eq || x > t;
    case '>':
      return !eq && x > t;
    case '<=':
      return eq || x < t;
    case '<':
      return !eq && x < t;
    case '==':
      return eq;
  }
}

/** The relation that makes `op` fail, for a failing reason: "0.79 < 0.8". */
const FAILING: Record<Comparison, string> = { '>=': '<', '>': '<=', '<=': '>', '<': '>=', '==': '!=' };

/** Up to 4 significant digits; more when needed to tell `a` and `b` apart. */
function fmt(x: number, digits = 4): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(digits)));
}

function fmtPair(a: number, b: number): [string, string] {
  if (near(a, b)) return [fmt(a), fmt(b)];
  for (let d = 4; d < 17; d++) if (fmt(a, d) !== fmt(b, d)) return [fmt(a, d), fmt(b, d)];
  return [String(a), String(b)];
}

function fmtInterval(ci: Interval): string {
  return `[${fmt(ci.lo)}, ${fmt(ci.hi)}]`;
}

/** The threshold a baseline-relative rule implies, and how it was derived ("baseline 0.81 - 0.01"). */
function relativeThreshold(th: Exclude<Threshold, { kind: 'absolute' }>, b: number): { t: number; how: string } {
  switch (th.kind) {
    case 'baseline':
      return th.offset === 0 ? { t: b, how: 'baseline' } : { t: b + th.offset, how: `baseline ${fmt(b)} ${th.offset < 0 ? '-' : '+'} ${fmt(Math.abs(th.offset))}` };
    case 'baseline-percent':
      // Percentages are of |baseline|, so "+" always raises the threshold whatever the sign.
      return { t: b + (th.percent / 100) * Math.abs(b), how: `baseline ${fmt(b)} ${th.percent < 0 ? '-' : '+'} ${fmt(Math.abs(th.percent))}% of ${fmt(Math.abs(b))}` };
    case 'baseline-factor':
      return { t: b * th.factor, how: `baseline ${fmt(b)} * ${fmt(th.factor)}` };
  }
}

/** Whether every value in the interval fails `x op t`: only then is a shortfall significant. */
function wholeIntervalFails(ci: Interval, op: Comparison, t: number): boolean {
  switch (op) {
    case '>=':
    case '>':
      return !holds(ci.hi, op, t);
    case '<=':
    case '<':
      return !holds(ci.lo, op, t);
    case '==':
      return !holds(ci.hi, '>=', t) || !holds(ci.lo, '<=', t);
  }
}

/** Where the interval sits relative to a value, in words. */
function position(ci: Interval, t: number): string {
  if (holds(ci.lo, '<=', t) && holds(ci.hi, '>=', t)) return 'includes';
  return ci.hi < t ? 'lies entirely below' : 'lies entirely above';
}

/**
 * What fell short, in words: a "drop" or "rise" only for a baseline rule whose candidate really
 * moved the wrong way; a candidate that improved, but not by as much as asked, and an absolute
 * rule's miss are a shortfall.
 */
function shortfallName(op: Comparison, c: number, b: number | null): string {
  if (op === '==') return 'difference';
  const worse = b !== null && (op.startsWith('>') ? c < b : c > b);
  return worse ? (op.startsWith('>') ? 'drop' : 'rise') : 'shortfall';
}

function invalidInterval(ci: Interval): boolean {
  return !Number.isFinite(ci.lo) || !Number.isFinite(ci.hi) || ci.lo > ci.hi;
}

function lookup(values: Record<string, number>, name: string): number | undefined {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

function evaluateRule(rule: Rule, inputs: GateInputs, opts: GateOptions): RuleResult {
  const result = (passed: boolean, reason: string, more: Partial<RuleResult> = {}): RuleResult => ({
    rule,
    passed,
    candidate: null,
    baseline: null,
    threshold: null,
    significant: null,
    reason,
    ...more,
  });
  const key = metricKey(rule);
  const where = rule.slice ? ` for slice ${sliceKey(rule.slice)}` : '';

  let set: MetricSet = inputs;
  if (rule.slice) {
    const name = sliceKey(rule.slice);
    const slices = inputs.slices ?? {};
    const found = Object.hasOwn(slices, name) ? slices[name] : undefined;
    if (found === undefined) return result(false, `missing slice ${name}${describeAlternatives(name, Object.keys(slices))}`);
    set = found;
  }

  const why = inputs.undefinedWhy && Object.hasOwn(inputs.undefinedWhy, key) ? `: ${inputs.undefinedWhy[key]}` : '';
  const c = lookup(set.candidate, rule.metric);
  if (c === undefined) return result(false, `missing metric ${rule.metric} in the candidate${where}${describeAlternatives(rule.metric, Object.keys(set.candidate))}`);
  if (!Number.isFinite(c)) return result(false, `${rule.metric} is ${c} in the candidate${where}, not a finite number${why}`);

  // The baseline's value is reported for absolute rules too, but only baseline rules need it.
  const th = rule.threshold;
  let b: number | null = null;
  if (inputs.baseline === null) {
    if (th.kind !== 'absolute') {
      const reason = opts.firstModel === 'pass' ? 'no baseline: first model passes by policy (first-model: pass)' : 'no baseline: first model fails by policy (first-model: fail; set first-model: pass to accept a first model)';
      return result(opts.firstModel === 'pass', reason, { candidate: c });
    }
  } else if (set.baseline === null) {
    if (th.kind !== 'absolute') return result(false, `the baseline has no metrics${where}`, { candidate: c });
  } else {
    const found = lookup(set.baseline, rule.metric);
    if (found !== undefined && Number.isFinite(found)) b = found;
    else if (th.kind !== 'absolute') {
      const reason = found === undefined ? `missing metric ${rule.metric} in the baseline${where}${describeAlternatives(rule.metric, Object.keys(set.baseline))}` : `${rule.metric} is ${found} in the baseline${where}, not a finite number${why}`;
      return result(false, reason, { candidate: c });
    }
  }

  let t: number;
  let derived = '';
  let allowed: number;
  const relative = th.kind !== 'absolute';
  if (th.kind === 'absolute') {
    t = th.value;
    allowed = t;
  } else {
    // Non-null here: every path without a baseline value has returned above.
    const base = b as number;
    const r = relativeThreshold(th, base);
    t = r.t;
    derived = ` (${r.how})`;
    allowed = t - base;
  }
  const values = { candidate: c, baseline: b, threshold: t };
  const [cs, ts] = fmtPair(c, t);
  if (holds(c, rule.op, t)) return result(true, `${cs} ${rule.op} ${ts}${derived}`, values);
  const failing = `${cs} ${FAILING[rule.op]} ${ts}${derived}`;
  if (!rule.significant) return result(false, failing, values);

  // Baseline rules test the paired difference against the allowed gap; absolute rules the candidate's own CI.
  const source = relative ? inputs.differences : inputs.intervals;
  const what = relative ? 'CI of the difference' : `CI of ${key}`;
  const ci = source && Object.hasOwn(source, key) ? source[key] : undefined;
  if (ci === undefined) {
    const why = source === undefined ? `no confidence intervals ${relative ? 'of differences candidate - baseline' : 'of candidate metrics'} were computed` : `no confidence interval ${relative ? 'of the difference candidate - baseline ' : ''}for ${key}`;
    return result(false, `${failing} and significance could not be assessed: ${why}`, values);
  }
  if (invalidInterval(ci)) return result(false, `${failing} and significance could not be assessed: the ${what} ${fmtInterval(ci)} is not a valid interval`, values);
  const allowedText = `${relative ? 'the allowed' : 'the threshold'} ${fmt(allowed)}`;
  const versus = `${what} ${fmtInterval(ci)} ${position(ci, allowed)} ${allowedText}`;
  const shortfall = shortfallName(rule.op, c, relative ? b : null);
  if (wholeIntervalFails(ci, rule.op, allowed)) return result(false, `${failing} and the ${shortfall} is significant (${versus})`, { ...values, significant: true });
  return result(true, `${failing} but the ${shortfall} is not significant (${versus})`, { ...values, significant: false });
}

/** One result per rule, in order; never stops at the first failure. */
export function evaluateRules(rules: Rule[], values: GateInputs, opts: GateOptions): RuleResult[] {
  return rules.map((rule) => evaluateRule(rule, values, opts));
}
