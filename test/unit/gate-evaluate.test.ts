import { describe, expect, it } from 'vitest';
import { evaluateRules, type GateInputs, type GateOptions, type RuleResult } from '../../shared/gate/evaluate.js';
import { parseRules } from '../../shared/gate/parse.js';
import { byDistance, editDistance, nearest } from '../../shared/gate/suggest.js';

function evaluate(text: string, inputs: GateInputs, opts: GateOptions = { firstModel: 'fail' }): RuleResult {
  const results = evaluateRules(parseRules(text), inputs, opts);
  expect(results).toHaveLength(1);
  return results[0]!;
}

type Expected = Pick<RuleResult, 'passed' | 'threshold' | 'reason'> & Partial<Pick<RuleResult, 'candidate' | 'baseline' | 'significant'>>;

/** [rule, candidate value, baseline value (null: first model), expected] for one metric named by the rule. */
type Case = [string, number, number | null, Expected];

function single(text: string, c: number, b: number | null): GateInputs {
  const metric = parseRules(text)[0]!.metric;
  return { candidate: { [metric]: c }, baseline: b === null ? null : { [metric]: b } };
}

function check([text, c, b, expected]: Case, opts?: GateOptions) {
  const r = evaluate(text, single(text, c, b), opts);
  expect({ passed: r.passed, threshold: r.threshold, reason: r.reason }).toEqual({
    passed: expected.passed,
    threshold: expected.threshold === null ? null : expect.closeTo(expected.threshold, 12),
    reason: expected.reason,
  });
  if (expected.candidate !== undefined) expect(r.candidate).toBe(expected.candidate);
  if (expected.baseline !== undefined) expect(r.baseline).toBe(expected.baseline);
  if (expected.significant !== undefined) expect(r.significant).toBe(expected.significant);
}

describe('absolute thresholds, both directions', () => {
  const cases: Case[] = [
    ['f1 >= 0.8', 0.812, null, { passed: true, threshold: 0.8, reason: '0.812 >= 0.8', candidate: 0.812, baseline: null }],
    ['f1 >= 0.8', 0.79, null, { passed: false, threshold: 0.8, reason: '0.79 < 0.8' }],
    ['f1 >= 0.8', 0.8, null, { passed: true, threshold: 0.8, reason: '0.8 >= 0.8' }],
    // Digits are added until the two numbers differ.
    ['f1 >= 0.8', 0.79999, null, { passed: false, threshold: 0.8, reason: '0.79999 < 0.8' }],
    ['f1 > 0.8', 0.8, null, { passed: false, threshold: 0.8, reason: '0.8 <= 0.8' }],
    ['f1 > 0.8', 0.81, null, { passed: true, threshold: 0.8, reason: '0.81 > 0.8' }],
    ['latency_p95_ms <= 20', 19, null, { passed: true, threshold: 20, reason: '19 <= 20' }],
    ['latency_p95_ms <= 20', 20, null, { passed: true, threshold: 20, reason: '20 <= 20' }],
    ['latency_p95_ms <= 20', 21, null, { passed: false, threshold: 20, reason: '21 > 20' }],
    ['latency_p95_ms < 20', 20, null, { passed: false, threshold: 20, reason: '20 >= 20' }],
    ['latency_p95_ms < 20', 19.5, null, { passed: true, threshold: 20, reason: '19.5 < 20' }],
    ['accuracy == 1', 1, null, { passed: true, threshold: 1, reason: '1 == 1' }],
    ['accuracy == 1', 0.99, null, { passed: false, threshold: 1, reason: '0.99 != 1' }],
    ['delta > -1e-3', -0.002, null, { passed: false, threshold: -0.001, reason: '-0.002 <= -0.001' }],
    ['delta > -1e-3', -0.0005, null, { passed: true, threshold: -0.001, reason: '-0.0005 > -0.001' }],
    // Absolute rules still apply to a first model, whatever the first-model policy.
    ['f1 >= 0.8', 0.7, null, { passed: false, threshold: 0.8, reason: '0.7 < 0.8' }],
  ];
  it.each(cases)('%s with candidate %s', (...c) => check(c, { firstModel: 'pass' }));

  it('reports the baseline value of an absolute rule when there is one, and does not need it', () => {
    expect(evaluate('f1 >= 0.8', { candidate: { f1: 0.85 }, baseline: { f1: 0.83 } })).toMatchObject({ passed: true, baseline: 0.83, threshold: 0.8 });
    expect(evaluate('f1 >= 0.8', { candidate: { f1: 0.85 }, baseline: { accuracy: 0.9 } })).toMatchObject({ passed: true, baseline: null, reason: '0.85 >= 0.8' });
  });
});

describe('baseline-relative thresholds', () => {
  const cases: Case[] = [
    ['f1 >= baseline', 0.81, 0.8, { passed: true, threshold: 0.8, reason: '0.81 >= 0.8 (baseline)', baseline: 0.8 }],
    ['f1 >= baseline', 0.79, 0.8, { passed: false, threshold: 0.8, reason: '0.79 < 0.8 (baseline)' }],
    // Rounding: 0.3 - 0.1 is 0.19999999999999998 and 100 * 1.1 is 110.00000000000001; both still meet the rule.
    ['loss <= baseline - 0.1', 0.2, 0.3, { passed: true, threshold: 0.2, reason: '0.2 <= 0.2 (baseline 0.3 - 0.1)' }],
    ['throughput >= baseline * 1.1', 110, 100, { passed: true, threshold: 110, reason: '110 >= 110 (baseline 100 * 1.1)' }],
    ['throughput > baseline * 1.1', 110, 100, { passed: false, threshold: 110, reason: '110 <= 110 (baseline 100 * 1.1)' }],
    ['f1 >= baseline - 0.01', 0.8, 0.81, { passed: true, threshold: 0.8, reason: '0.8 >= 0.8 (baseline 0.81 - 0.01)' }],
    ['f1 >= baseline - 0.01', 0.79, 0.81, { passed: false, threshold: 0.8, reason: '0.79 < 0.8 (baseline 0.81 - 0.01)' }],
    ['f1 > baseline + 0.01', 0.82, 0.81, { passed: false, threshold: 0.82, reason: '0.82 <= 0.82 (baseline 0.81 + 0.01)' }],
    ['loss <= baseline + 0.05', 0.56, 0.5, { passed: false, threshold: 0.55, reason: '0.56 > 0.55 (baseline 0.5 + 0.05)' }],
    ['loss <= baseline + 0.05', 0.54, 0.5, { passed: true, threshold: 0.55, reason: '0.54 <= 0.55 (baseline 0.5 + 0.05)' }],
    ['loss < baseline', 0.5, 0.5, { passed: false, threshold: 0.5, reason: '0.5 >= 0.5 (baseline)' }],
    // Relative offsets: a percentage of |baseline|.
    ['f1 >= baseline - 2%', 0.785, 0.8, { passed: true, threshold: 0.784, reason: '0.785 >= 0.784 (baseline 0.8 - 2% of 0.8)' }],
    ['f1 >= baseline - 2%', 0.78, 0.8, { passed: false, threshold: 0.784, reason: '0.78 < 0.784 (baseline 0.8 - 2% of 0.8)' }],
    ['latency_p95_ms <= baseline + 10%', 54, 50, { passed: true, threshold: 55, reason: '54 <= 55 (baseline 50 + 10% of 50)' }],
    ['latency_p95_ms <= baseline + 10%', 56, 50, { passed: false, threshold: 55, reason: '56 > 55 (baseline 50 + 10% of 50)' }],
    // Relative and absolute offsets differ: 2% of 50 is 1, an offset of 2 is 2.
    ['latency_p95_ms <= baseline + 2%', 51.5, 50, { passed: false, threshold: 51, reason: '51.5 > 51 (baseline 50 + 2% of 50)' }],
    ['latency_p95_ms <= baseline + 2', 51.5, 50, { passed: true, threshold: 52, reason: '51.5 <= 52 (baseline 50 + 2)' }],
    // No cap on relative change (MLflow caps it at 1): +150% really means 2.5x.
    ['f1 >= baseline + 150%', 0.45, 0.2, { passed: false, threshold: 0.5, reason: '0.45 < 0.5 (baseline 0.2 + 150% of 0.2)' }],
    ['f1 >= baseline + 150%', 0.5, 0.2, { passed: true, threshold: 0.5, reason: '0.5 >= 0.5 (baseline 0.2 + 150% of 0.2)' }],
    // Factors.
    ['latency_p95_ms <= baseline * 1.1', 105, 100, { passed: true, threshold: 110, reason: '105 <= 110 (baseline 100 * 1.1)' }],
    ['latency_p95_ms <= baseline * 1.1', 111, 100, { passed: false, threshold: 110, reason: '111 > 110 (baseline 100 * 1.1)' }],
    ['f1 >= baseline * 0.98', 0.78, 0.8, { passed: false, threshold: 0.784, reason: '0.78 < 0.784 (baseline 0.8 * 0.98)' }],
  ];
  it.each(cases)('%s with candidate %s, baseline %s', (...c) => check(c));
});

describe('zero and negative baselines', () => {
  const cases: Case[] = [
    // Zero: a percentage of 0 is 0, so the threshold is the baseline itself (MLflow asks for a 1e-10 improvement).
    ['f1 >= baseline - 5%', 0, 0, { passed: true, threshold: 0, reason: '0 >= 0 (baseline 0 - 5% of 0)' }],
    ['f1 >= baseline - 5%', -0.001, 0, { passed: false, threshold: 0, reason: '-0.001 < 0 (baseline 0 - 5% of 0)' }],
    ['loss <= baseline + 5%', 0.001, 0, { passed: false, threshold: 0, reason: '0.001 > 0 (baseline 0 + 5% of 0)' }],
    ['loss <= baseline * 2', 0, 0, { passed: true, threshold: 0, reason: '0 <= 0 (baseline 0 * 2)' }],
    ['gain >= baseline + 0.01', 0.01, 0, { passed: true, threshold: 0.01, reason: '0.01 >= 0.01 (baseline 0 + 0.01)' }],
    // Negative, percentages of |baseline|: "+" raises the threshold, "-" lowers it, whatever the sign.
    // MLflow divides by the signed baseline and gets the direction backwards here.
    ['log_likelihood >= baseline - 10%', -2.1, -2, { passed: true, threshold: -2.2, reason: '-2.1 >= -2.2 (baseline -2 - 10% of 2)' }],
    ['log_likelihood >= baseline - 10%', -2.3, -2, { passed: false, threshold: -2.2, reason: '-2.3 < -2.2 (baseline -2 - 10% of 2)' }],
    ['log_likelihood >= baseline + 10%', -1.9, -2, { passed: false, threshold: -1.8, reason: '-1.9 < -1.8 (baseline -2 + 10% of 2)' }],
    ['log_likelihood >= baseline + 10%', -1.8, -2, { passed: true, threshold: -1.8, reason: '-1.8 >= -1.8 (baseline -2 + 10% of 2)' }],
    ['neg_loss <= baseline + 10%', -1.9, -2, { passed: true, threshold: -1.8, reason: '-1.9 <= -1.8 (baseline -2 + 10% of 2)' }],
    ['neg_loss <= baseline - 10%', -2.1, -2, { passed: false, threshold: -2.2, reason: '-2.1 > -2.2 (baseline -2 - 10% of 2)' }],
    ['neg_loss <= baseline + 0.5', -1.6, -2, { passed: true, threshold: -1.5, reason: '-1.6 <= -1.5 (baseline -2 + 0.5)' }],
    // Negative, factors scale the signed value: * 1.1 lowers a negative threshold, so it tightens a <= rule
    // that it would loosen for a positive baseline.
    ['neg_loss <= baseline * 1.1', -2.1, -2, { passed: false, threshold: -2.2, reason: '-2.1 > -2.2 (baseline -2 * 1.1)' }],
    ['neg_loss <= baseline * 1.1', -2.2, -2, { passed: true, threshold: -2.2, reason: '-2.2 <= -2.2 (baseline -2 * 1.1)' }],
    ['log_likelihood >= baseline * 1.1', -2.1, -2, { passed: true, threshold: -2.2, reason: '-2.1 >= -2.2 (baseline -2 * 1.1)' }],
  ];
  it.each(cases)('%s with candidate %s, baseline %s', (...c) => check(c));
});

describe('missing metrics and the first model', () => {
  const inputs: GateInputs = { candidate: { f1_macro: 0.8, accuracy: 0.9, 'f1.micro': 0.82 }, baseline: { f1_macro: 0.79, accuracy: 0.91 } };
  const cases: [string, GateInputs, GateOptions['firstModel'], Expected][] = [
    ['f1.macro >= 0.8', inputs, 'fail', { passed: false, threshold: null, candidate: null, reason: 'missing metric f1.macro in the candidate; did you mean f1_macro? (available: f1_macro, f1.micro, accuracy)' }],
    ['f1_macr >= 0.8', inputs, 'fail', { passed: false, threshold: null, reason: 'missing metric f1_macr in the candidate; did you mean f1_macro? (available: f1_macro, f1.micro, accuracy)' }],
    ['roc_auc >= 0.8', inputs, 'fail', { passed: false, threshold: null, reason: 'missing metric roc_auc in the candidate (available: accuracy, f1.micro, f1_macro)' }],
    ['roc_auc >= 0.8', { candidate: {}, baseline: null }, 'pass', { passed: false, threshold: null, reason: 'missing metric roc_auc in the candidate (available: none)' }],
    // A missing candidate metric fails even for a first model that passes by policy.
    ['roc_auc >= baseline', { candidate: { accuracy: 1 }, baseline: null }, 'pass', { passed: false, threshold: null, reason: 'missing metric roc_auc in the candidate (available: accuracy)' }],
    ['f1.micro >= baseline', inputs, 'pass', { passed: false, threshold: null, candidate: 0.82, baseline: null, reason: 'missing metric f1.micro in the baseline; did you mean f1_macro? (available: f1_macro, accuracy)' }],
    ['f1_macro >= baseline', { candidate: { f1_macro: 0.8 }, baseline: null }, 'pass', { passed: true, threshold: null, candidate: 0.8, baseline: null, reason: 'no baseline: first model passes by policy (first-model: pass)' }],
    ['f1_macro >= baseline - 2% significant', { candidate: { f1_macro: 0.8 }, baseline: null }, 'fail', { passed: false, threshold: null, candidate: 0.8, reason: 'no baseline: first model fails by policy (first-model: fail; set first-model: pass to accept a first model)' }],
    ['f1_macro >= 0.85', { candidate: { f1_macro: 0.8 }, baseline: null }, 'pass', { passed: false, threshold: 0.85, reason: '0.8 < 0.85' }],
    ['f1_macro >= 0.75', { candidate: { f1_macro: 0.8 }, baseline: null }, 'fail', { passed: true, threshold: 0.75, reason: '0.8 >= 0.75' }],
    ['f1_macro >= 0.75', { candidate: { f1_macro: Number.NaN }, baseline: null }, 'pass', { passed: false, threshold: null, reason: 'f1_macro is NaN in the candidate, not a finite number' }],
    ['f1_macro >= baseline', { candidate: { f1_macro: 0.8 }, baseline: { f1_macro: Number.NaN } }, 'pass', { passed: false, threshold: null, reason: 'f1_macro is NaN in the baseline, not a finite number' }],
    // Why a metric is undefined, when the evaluation knows.
    ['roc_auc >= 0.8', { candidate: { roc_auc: Number.NaN }, baseline: null, undefinedWhy: { roc_auc: 'class "snow" never occurs in the evaluation data' } }, 'pass', { passed: false, threshold: null, reason: 'roc_auc is NaN in the candidate, not a finite number: class "snow" never occurs in the evaluation data' }],
    ['roc_auc[season=winter] >= baseline', { candidate: {}, baseline: {}, slices: { 'season=winter': { candidate: { roc_auc: 0.9 }, baseline: { roc_auc: Number.NaN } } }, undefinedWhy: { 'roc_auc[season=winter]': 'only class "rain" occurs in slice season=winter' } }, 'pass', { passed: false, threshold: null, reason: 'roc_auc is NaN in the baseline for slice season=winter, not a finite number: only class "rain" occurs in slice season=winter' }],
    // The suite's names: a bare average, the old names, the old per-class names.
    ['f1 >= 0.8', { candidate: { 'f1.macro': 0.8, 'f1.weighted': 0.8, 'f1.class.rain': 0.7, accuracy: 0.9 }, baseline: null }, 'pass', { passed: false, threshold: null, reason: 'missing metric f1 in the candidate; did you mean f1.macro? (available: f1.macro, accuracy, f1.weighted, f1.class.rain)' }],
    ['f1_macro >= 0.8', { candidate: { 'f1.macro': 0.8, accuracy: 0.9 }, baseline: null }, 'pass', { passed: false, threshold: null, reason: 'missing metric f1_macro in the candidate; did you mean f1.macro? (available: f1.macro, accuracy)' }],
    ['f1.rain >= 0.5', { candidate: { 'f1.macro': 0.8, 'f1.class.rain': 0.7, 'f1.class.sun': 0.9 }, baseline: null }, 'pass', { passed: false, threshold: null, reason: 'missing metric f1.rain in the candidate; did you mean f1.class.rain? (available: f1.macro, f1.class.rain, f1.class.sun)' }],
    ['f1_per_class.rain >= 0.5', { candidate: { 'f1.macro': 0.8, 'f1.class.rain': 0.7 }, baseline: null }, 'pass', { passed: false, threshold: null, reason: 'missing metric f1_per_class.rain in the candidate; did you mean f1.class.rain? (available: f1.class.rain, f1.macro)' }],
    // Inherited object keys are not metrics.
    ['constructor >= 0', { candidate: {}, baseline: null }, 'pass', { passed: false, threshold: null, reason: 'missing metric constructor in the candidate (available: none)' }],
  ];
  it.each(cases)('%s', (text, values, firstModel, expected) => {
    const r = evaluate(text, values, { firstModel });
    expect(r).toMatchObject(expected);
  });

  it('lists at most 10 names, nearest first', () => {
    const candidate = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`f1.class.c${i}`, 0.5]));
    expect(evaluate('f1.class.c15 >= 0', { candidate, baseline: null }).reason).toBe(
      'missing metric f1.class.c15 in the candidate; did you mean f1.class.c1? (available: f1.class.c1, f1.class.c10, f1.class.c11, f1.class.c12, f1.class.c13, f1.class.c5, f1.class.c0, f1.class.c2, f1.class.c3, f1.class.c4 and 4 more)',
    );
  });
});

describe('slices', () => {
  const inputs: GateInputs = {
    candidate: { f1: 0.9 },
    baseline: { f1: 0.88 },
    slices: {
      'segment=mobile': { candidate: { f1: 0.7, recall: 0.6 }, baseline: { f1: 0.72 } },
      'segment=desktop': { candidate: { f1: 0.95 }, baseline: { f1: 0.9 } },
      'device=iPhone 15': { candidate: { f1: 0.65 }, baseline: null },
    },
  };
  const cases: [string, GateInputs, Expected][] = [
    // The slice's value (0.7), not the overall one (0.9).
    ['f1[segment=mobile] >= 0.75', inputs, { passed: false, threshold: 0.75, candidate: 0.7, baseline: 0.72, reason: '0.7 < 0.75' }],
    ['f1[segment=desktop] >= 0.75', inputs, { passed: true, threshold: 0.75, candidate: 0.95, reason: '0.95 >= 0.75' }],
    ['f1[segment=mobile] >= baseline - 0.01', inputs, { passed: false, threshold: 0.71, baseline: 0.72, reason: '0.7 < 0.71 (baseline 0.72 - 0.01)' }],
    ['f1[segment=desktop] >= baseline', inputs, { passed: true, threshold: 0.9, reason: '0.95 >= 0.9 (baseline)' }],
    ['f1[device="iPhone 15"] >= 0.6', inputs, { passed: true, threshold: 0.6, baseline: null, reason: '0.65 >= 0.6' }],
    ['f1[device="iPhone 15"] >= baseline', inputs, { passed: false, threshold: null, candidate: 0.65, reason: 'the baseline has no metrics for slice device=iPhone 15' }],
    ['f1[segment=mobil] >= 0.5', inputs, { passed: false, threshold: null, candidate: null, reason: 'missing slice segment=mobil; did you mean segment=mobile? (available: segment=mobile, segment=desktop, device=iPhone 15)' }],
    ['f1[region=eu] >= 0.5', inputs, { passed: false, threshold: null, reason: 'missing slice region=eu (available: segment=desktop, segment=mobile, device=iPhone 15)' }],
    ['f1[region=eu] >= 0.5', { candidate: { f1: 1 }, baseline: null }, { passed: false, threshold: null, reason: 'missing slice region=eu (available: none)' }],
    ['recal[segment=mobile] >= 0.5', inputs, { passed: false, threshold: null, reason: 'missing metric recal in the candidate for slice segment=mobile; did you mean recall? (available: recall, f1)' }],
    ['recall[segment=mobile] >= baseline', inputs, { passed: false, threshold: null, candidate: 0.6, reason: 'missing metric recall in the baseline for slice segment=mobile (available: f1)' }],
    // A first model: slice baseline rules follow the policy too.
    ['f1[segment=mobile] >= baseline', { ...inputs, baseline: null }, { passed: false, threshold: null, reason: 'no baseline: first model fails by policy (first-model: fail; set first-model: pass to accept a first model)' }],
  ];
  it.each(cases)('%s', (text, values, expected) => {
    expect(evaluate(text, values)).toMatchObject(expected);
  });
});

describe('significant', () => {
  const base: GateInputs = { candidate: { f1: 0.79, latency_p95_ms: 108, bias: 0.02 }, baseline: { f1: 0.81, latency_p95_ms: 100, bias: 0 } };
  const diff = (key: string, lo: number, hi: number): GateInputs => ({ ...base, differences: { [key]: { lo, hi } } });
  const ci = (key: string, lo: number, hi: number): GateInputs => ({ ...base, intervals: { [key]: { lo, hi } } });
  const cases: [string, GateInputs, Expected][] = [
    // Baseline rules: the CI of candidate - baseline against the allowed gap (threshold - baseline = -0.01).
    ['f1 >= baseline - 0.01 significant', diff('f1', -0.03, 0.01), { passed: true, significant: false, threshold: 0.8, reason: '0.79 < 0.8 (baseline 0.81 - 0.01) but the drop is not significant (CI of the difference [-0.03, 0.01] includes the allowed -0.01)' }],
    ['f1 >= baseline - 0.01 significant', diff('f1', -0.03, -0.01), { passed: true, significant: false, threshold: 0.8, reason: '0.79 < 0.8 (baseline 0.81 - 0.01) but the drop is not significant (CI of the difference [-0.03, -0.01] includes the allowed -0.01)' }],
    ['f1 >= baseline - 0.01 significant', diff('f1', -0.035, -0.011), { passed: false, significant: true, threshold: 0.8, reason: '0.79 < 0.8 (baseline 0.81 - 0.01) and the drop is significant (CI of the difference [-0.035, -0.011] lies entirely below the allowed -0.01)' }],
    ['f1 >= baseline - 2% significant', diff('f1', -0.03, -0.01), { passed: true, significant: false, threshold: 0.7938, reason: '0.79 < 0.7938 (baseline 0.81 - 2% of 0.81) but the drop is not significant (CI of the difference [-0.03, -0.01] includes the allowed -0.0162)' }],
    // Lower is better: only a rise entirely above the allowed gap (+5) fails.
    ['latency_p95_ms <= baseline + 5 significant', diff('latency_p95_ms', 2, 14), { passed: true, significant: false, threshold: 105, reason: '108 > 105 (baseline 100 + 5) but the rise is not significant (CI of the difference [2, 14] includes the allowed 5)' }],
    ['latency_p95_ms <= baseline + 5 significant', diff('latency_p95_ms', 6, 10), { passed: false, significant: true, threshold: 105, reason: '108 > 105 (baseline 100 + 5) and the rise is significant (CI of the difference [6, 10] lies entirely above the allowed 5)' }],
    ['latency_p95_ms <= baseline * 1.05 significant', diff('latency_p95_ms', 5.5, 10), { passed: false, significant: true, threshold: 105, reason: '108 > 105 (baseline 100 * 1.05) and the rise is significant (CI of the difference [5.5, 10] lies entirely above the allowed 5)' }],
    // A candidate that improved, but by less than asked, fell short: no "drop".
    ['f1 >= baseline + 0.05 significant', { candidate: { f1: 0.83 }, baseline: { f1: 0.81 }, differences: { f1: { lo: 0.01, hi: 0.06 } } }, { passed: true, significant: false, threshold: 0.86, reason: '0.83 < 0.86 (baseline 0.81 + 0.05) but the shortfall is not significant (CI of the difference [0.01, 0.06] includes the allowed 0.05)' }],
    ['latency_p95_ms <= baseline - 10 significant', { candidate: { latency_p95_ms: 95 }, baseline: { latency_p95_ms: 100 }, differences: { latency_p95_ms: { lo: -8, hi: -2 } } }, { passed: false, significant: true, threshold: 90, reason: '95 > 90 (baseline 100 - 10) and the shortfall is significant (CI of the difference [-8, -2] lies entirely above the allowed -10)' }],
    // Absolute rules: the candidate's own CI against the threshold.
    ['f1 >= 0.8 significant', ci('f1', 0.76, 0.82), { passed: true, significant: false, threshold: 0.8, reason: '0.79 < 0.8 but the shortfall is not significant (CI of f1 [0.76, 0.82] includes the threshold 0.8)' }],
    ['f1 >= 0.8 significant', ci('f1', 0.7, 0.78), { passed: false, significant: true, threshold: 0.8, reason: '0.79 < 0.8 and the shortfall is significant (CI of f1 [0.7, 0.78] lies entirely below the threshold 0.8)' }],
    ['latency_p95_ms < 100 significant', ci('latency_p95_ms', 99, 120), { passed: true, significant: false, threshold: 100, reason: '108 >= 100 but the shortfall is not significant (CI of latency_p95_ms [99, 120] includes the threshold 100)' }],
    ['latency_p95_ms < 100 significant', ci('latency_p95_ms', 100, 120), { passed: false, significant: true, threshold: 100, reason: '108 >= 100 and the shortfall is significant (CI of latency_p95_ms [100, 120] includes the threshold 100)' }],
    ['bias == 0 significant', ci('bias', -0.01, 0.05), { passed: true, significant: false, threshold: 0, reason: '0.02 != 0 but the difference is not significant (CI of bias [-0.01, 0.05] includes the threshold 0)' }],
    ['bias == 0 significant', ci('bias', 0.01, 0.05), { passed: false, significant: true, threshold: 0, reason: '0.02 != 0 and the difference is significant (CI of bias [0.01, 0.05] lies entirely above the threshold 0)' }],
    // A passing point estimate needs no CI.
    ['f1 >= 0.7 significant', base, { passed: true, significant: null, threshold: 0.7, reason: '0.79 >= 0.7' }],
    // Without the CI a failing rule cannot be excused, and says why.
    ['f1 >= baseline - 0.01 significant', base, { passed: false, significant: null, threshold: 0.8, reason: '0.79 < 0.8 (baseline 0.81 - 0.01) and significance could not be assessed: no confidence intervals of differences candidate - baseline were computed' }],
    ['f1 >= baseline - 0.01 significant', diff('accuracy', -1, 1), { passed: false, significant: null, threshold: 0.8, reason: '0.79 < 0.8 (baseline 0.81 - 0.01) and significance could not be assessed: no confidence interval of the difference candidate - baseline for f1' }],
    // The candidate's CI does not stand in for the difference's.
    ['f1 >= baseline - 0.01 significant', ci('f1', 0.7, 0.9), { passed: false, significant: null, threshold: 0.8, reason: '0.79 < 0.8 (baseline 0.81 - 0.01) and significance could not be assessed: no confidence intervals of differences candidate - baseline were computed' }],
    ['f1 >= 0.8 significant', base, { passed: false, significant: null, threshold: 0.8, reason: '0.79 < 0.8 and significance could not be assessed: no confidence intervals of candidate metrics were computed' }],
    ['f1 >= 0.8 significant', ci('accuracy', 0, 1), { passed: false, significant: null, threshold: 0.8, reason: '0.79 < 0.8 and significance could not be assessed: no confidence interval for f1' }],
    ['f1 >= 0.8 significant', ci('f1', 0.9, 0.7), { passed: false, significant: null, threshold: 0.8, reason: '0.79 < 0.8 and significance could not be assessed: the CI of f1 [0.9, 0.7] is not a valid interval' }],
    // Without `significant`, the CI is ignored.
    ['f1 >= baseline - 0.01', diff('f1', -0.03, 0.01), { passed: false, significant: null, threshold: 0.8, reason: '0.79 < 0.8 (baseline 0.81 - 0.01)' }],
  ];
  it.each(cases)('%s', (text, values, expected) => {
    expect(evaluate(text, values)).toMatchObject({ ...expected, threshold: expected.threshold === null || expected.threshold === undefined ? expected.threshold : expect.closeTo(expected.threshold, 12) });
  });

  it('a slice rule reads the CI keyed metric[column=value]', () => {
    const values: GateInputs = {
      candidate: { f1: 0.9 },
      baseline: { f1: 0.9 },
      slices: { 'segment=mobile': { candidate: { f1: 0.7 }, baseline: { f1: 0.75 } } },
      differences: { f1: { lo: -0.2, hi: -0.1 }, 'f1[segment=mobile]': { lo: -0.08, hi: 0.01 } },
    };
    expect(evaluate('f1[segment=mobile] >= baseline significant', values)).toMatchObject({ passed: true, significant: false });
    values.differences = { f1: { lo: -0.2, hi: -0.1 } };
    expect(evaluate('f1[segment=mobile] >= baseline significant', values).reason).toBe(
      '0.7 < 0.75 (baseline) and significance could not be assessed: no confidence interval of the difference candidate - baseline for f1[segment=mobile]',
    );
  });
});

describe('evaluateRules', () => {
  it('returns one result per rule, in order, never stopping at the first failure', () => {
    const rules = parseRules('roc_auc >= 0.8\nf1 >= baseline\nlatency_p95_ms <= 20\nf1[segment=x] >= 0\nf1 >= 0.5');
    const results = evaluateRules(rules, { candidate: { f1: 0.7, latency_p95_ms: 25 }, baseline: { f1: 0.75 } }, { firstModel: 'pass' });
    expect(results.map((r) => [r.rule.line, r.passed])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, true],
    ]);
    expect(results[1]!.rule).toBe(rules[1]);
  });

  it('no rules, no results', () => {
    expect(evaluateRules([], { candidate: {}, baseline: null }, { firstModel: 'fail' })).toEqual([]);
  });
});

describe('suggestions', () => {
  it.each([
    ['f1', 'f1', 0],
    ['f1', 'f2', 1],
    ['f1_macro', 'f1.macro', 1],
    ['acuracy', 'accuracy', 1],
    ['accruacy', 'accuracy', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('editDistance(%j, %j) = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('suggests only likely typos', () => {
    expect(nearest('acuracy', ['accuracy', 'f1'])).toBe('accuracy');
    expect(nearest('ACCURACY', ['accuracy'])).toBe('accuracy');
    expect(nearest('auc', ['f1', 'precision'])).toBeUndefined();
    expect(nearest('x', [])).toBeUndefined();
    expect(byDistance('f1', ['recall', 'f2', 'f1.macro'])).toEqual(['f2', 'f1.macro', 'recall']);
  });
});
