/**
 * One canary analysis, with Argo Rollouts' semantics: every `interval`, each rule's query is
 * measured, `count` times. A measurement is successful (the value meets the threshold), failed
 * (it does not), inconclusive (no data: an empty result or NaN) or an error (the query failed).
 * A rule fails once its failures exceed `failureLimit`, is inconclusive once its inconclusive
 * measurements exceed `inconclusiveLimit`, errs once more than `consecutiveErrorLimit` errors come
 * in a row; the analysis stops at the first rule that does. The query and the wait are given, so
 * tests drive it with a fake clock and fake data.
 */
import { type AnalysisRule, meets } from './analysis-rules.js';
import { formatNumber } from '../report/markdown.js';

export type MeasurementPhase = 'successful' | 'failed' | 'inconclusive' | 'error';
export type AnalysisPhase = 'successful' | 'failed' | 'inconclusive' | 'error';

export interface Measurement {
  phase: MeasurementPhase;
  /** The query's value (null: no data or an error). */
  value: number | null;
  /** Why it is inconclusive or an error. */
  message?: string;
}

export interface RuleResult {
  rule: AnalysisRule;
  /** The PromQL as sent. */
  query: string;
  phase: AnalysisPhase | 'running';
  measurements: Measurement[];
}

export interface AnalysisResult {
  phase: AnalysisPhase;
  rules: RuleResult[];
  /** The rule that decided a phase other than successful, and why, in words. */
  verdict?: { rule: RuleResult; message: string };
}

export interface AnalysisLimits {
  intervalSeconds: number;
  count: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
}

export interface AnalysisDeps {
  /** One instant query: the samples' values (an empty array: no data). Throws when the query fails. */
  query(promql: string): Promise<number[]>;
  sleep(seconds: number): Promise<void>;
  /** Each measurement as it comes (the live log). */
  onMeasurement?(rule: RuleResult, m: Measurement, index: number): void;
}

/** Measure `count` times, `interval` apart (the first after one interval: the canary needs traffic to judge). */
export async function analyze(rules: { rule: AnalysisRule; query: string }[], limits: AnalysisLimits, deps: AnalysisDeps): Promise<AnalysisResult> {
  const results: RuleResult[] = rules.map(({ rule, query }) => ({ rule, query, phase: 'running', measurements: [] }));
  for (let i = 0; i < limits.count; i++) {
    await deps.sleep(limits.intervalSeconds);
    for (const r of results) {
      const m = await measure(r.rule, r.query, deps.query);
      r.measurements.push(m);
      deps.onMeasurement?.(r, m, i);
      r.phase = assess(r.measurements, limits);
      if (r.phase !== 'running' && r.phase !== 'successful') return { phase: r.phase, rules: results, verdict: { rule: r, message: explain(r, limits) } };
    }
  }
  return { phase: 'successful', rules: results };
}

export async function measure(rule: AnalysisRule, promql: string, query: AnalysisDeps['query']): Promise<Measurement> {
  let values: number[];
  try {
    values = await query(promql);
  } catch (e) {
    return { phase: 'error', value: null, message: (e as Error).message.split('\n')[0] };
  }
  if (values.length === 0) return { phase: 'inconclusive', value: null, message: 'the query returned no data' };
  if (values.length > 1) return { phase: 'error', value: null, message: `the query returned ${values.length} series; a rule needs one value (aggregate it, e.g. with sum())` };
  const value = values[0]!;
  if (Number.isNaN(value)) return { phase: 'inconclusive', value, message: 'the query returned NaN (no requests in the window?)' };
  return { phase: meets(rule, value) ? 'successful' : 'failed', value };
}

/** The rule's phase after its measurements so far (Argo's assessMetricStatus). */
export function assess(ms: Measurement[], limits: AnalysisLimits): AnalysisPhase | 'running' {
  const count = (p: MeasurementPhase) => ms.filter((m) => m.phase === p).length;
  if (count('failed') > limits.failureLimit) return 'failed';
  if (count('inconclusive') > limits.inconclusiveLimit) return 'inconclusive';
  let consecutive = 0;
  for (let i = ms.length - 1; i >= 0 && ms[i]!.phase === 'error'; i--) consecutive++;
  if (consecutive > limits.consecutiveErrorLimit) return 'error';
  if (ms.length < limits.count) return 'running';
  // Unlike Argo, a rule never measured (every query failed) does not pass.
  return ms.every((m) => m.phase === 'error') ? 'error' : 'successful';
}

/** "error-rate = 0.5 (threshold < 0.01): 1 of 1 measurements failed (failure-limit 0)" */
function explain(r: RuleResult, limits: AnalysisLimits): string {
  const n = (p: MeasurementPhase) => r.measurements.filter((m) => m.phase === p).length;
  const last = r.measurements[r.measurements.length - 1]!;
  const of = `of ${r.measurements.length} measurement(s)`;
  const threshold = `threshold ${r.rule.op} ${r.rule.threshold}`;
  switch (r.phase) {
    case 'failed': {
      const failed = [...r.measurements].reverse().find((m) => m.phase === 'failed')!;
      return `${r.rule.name} = ${formatValue(failed.value)} (${threshold}): ${n('failed')} ${of} failed (failure-limit ${limits.failureLimit})`;
    }
    case 'inconclusive':
      return `${r.rule.name} was inconclusive (${threshold}): ${n('inconclusive')} ${of} had no value, ${last.message ?? ''} (inconclusive-limit ${limits.inconclusiveLimit})`;
    default:
      return `${r.rule.name} could not be measured (${threshold}): ${n('error')} ${of} failed to query, the last: ${last.message ?? ''} (consecutive-error-limit ${limits.consecutiveErrorLimit})`;
  }
}

/** A measured value for people (report/markdown's numbers), NaN and no data spelled out. */
export function formatValue(v: number | null): string {
  if (v === null) return 'no data';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return formatNumber(v);
}
