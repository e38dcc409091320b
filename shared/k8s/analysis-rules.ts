/**
 * The canary analysis's rules: `name: <PromQL> <op> <threshold>`, one per line, and the two
 * defaults every canary gets (the model server's error rate and p99 latency against the stable
 * pods). Pure: parsing, defaults and the expansion of `$canary`, `$stable`... into PromQL.
 */
import { UserError } from '../runtime/errors.js';

export type Operator = '<' | '<=' | '>' | '>=';

export interface AnalysisRule {
  name: string;
  /** PromQL with `$canary`, `$stable`, `$namespace`, `$name` and `$interval` not yet expanded. */
  query: string;
  op: Operator;
  threshold: number;
  /** `analysis` line it came from (none for a default). */
  line?: number;
}

/** The canary's and the stable's pods, and the window, as the rules' placeholders see them. */
export interface AnalysisTarget {
  namespace: string;
  name: string;
  intervalSeconds: number;
}

/** Requests to the prediction endpoints only (not /metrics scrapes nor health probes). */
const PREDICTIONS = 'endpoint=~".*/infer|.*predict"';

/** The rules every canary is judged by, unless an `analysis` line of the same name replaces or turns off one. */
export const DEFAULT_RULES: readonly AnalysisRule[] = [
  {
    // 5xx share of the canary's prediction requests; no 5xx series yet means none happened.
    name: 'error-rate',
    query: `(sum(rate(mlops_http_requests_total{$canary, ${PREDICTIONS}, code=~"5.."}[$interval])) or vector(0)) / sum(rate(mlops_http_requests_total{$canary, ${PREDICTIONS}}[$interval]))`,
    op: '<',
    threshold: 0.01,
  },
  {
    // The canary's p99 over the stable's, the stable's taken as at least 50 ms: fails when the
    // canary's p99 is over twice the stable's and over 100 ms, not on a few slow requests
    // between two fast servers.
    name: 'latency-p99',
    query: `histogram_quantile(0.99, sum by (le) (rate(mlops_http_request_duration_seconds_bucket{$canary, ${PREDICTIONS}}[$interval]))) / clamp_min(histogram_quantile(0.99, sum by (le) (rate(mlops_http_request_duration_seconds_bucket{$stable, ${PREDICTIONS}}[$interval]))), 0.05)`,
    op: '<',
    threshold: 2,
  },
];

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const RULE = /^(.*?\S)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$/;
const PLACEHOLDERS = ['canary', 'stable', 'namespace', 'name', 'interval'] as const;

/**
 * The `analysis` input: `name: <PromQL> <op> <number>` per line (`#` comments and blank lines
 * skipped), e.g. `error-rate: <query> < 0.01`; `name: off` turns a default off. The result is the
 * defaults, replaced or removed by name, plus the user's rules in their order.
 */
export function parseAnalysis(text: string, input = 'analysis'): AnalysisRule[] {
  const rules = new Map<string, AnalysisRule | null>(DEFAULT_RULES.map((r) => [r.name, r]));
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = { input, line: i + 1 };
    const at = `line ${i + 1}: `;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const fix = 'write one rule per line as `name: <PromQL> <op> <threshold>`, e.g. `error-rate: <query> < 0.01` (op: <, <=, > or >=)';
    if (!NAME.test(name)) throw new UserError(`${at}expected \`name: <PromQL> <op> <threshold>\`, got "${line}"`, { where, fix });
    if (seen.has(name)) throw new UserError(`${at}the rule ${name} is given twice`, { where, fix: 'give each rule a different name' });
    seen.add(name);
    const rest = line.slice(colon + 1).trim();
    if (rest === 'off') {
      if (!rules.has(name)) throw new UserError(`${at}${name}: off turns off a default rule, and there is no default rule ${name}`, { where, fix: `the defaults are ${DEFAULT_RULES.map((r) => r.name).join(', ')}` });
      rules.set(name, null);
      return;
    }
    const m = RULE.exec(rest);
    if (!m) throw new UserError(`${at}the rule ${name} has no threshold: it must end with <, <=, > or >= and a number, got "${rest}"`, { where, fix });
    for (const [, placeholder] of m[1]!.matchAll(/\$([A-Za-z_]\w*)/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(placeholder!)) {
        throw new UserError(`${at}the rule ${name} uses $${placeholder}, which is not a placeholder`, { where, fix: `use ${PLACEHOLDERS.map((p) => `$${p}`).join(', ')}` });
      }
    }
    rules.set(name, { name, query: m[1]!, op: m[2] as Operator, threshold: Number(m[3]), line: i + 1 });
  });
  return [...rules.values()].filter((r): r is AnalysisRule => r !== null);
}

/** PromQL label matchers selecting the canary's or the stable's pods of `name` in `namespace`. */
export function podMatchers(t: Pick<AnalysisTarget, 'namespace' | 'name'>, track: 'canary' | 'stable'): string {
  const ns = `namespace="${t.namespace}"`;
  // Pods are <deployment>-<template hash>-<suffix>; the stable's may predate the track label.
  return track === 'canary' ? `${ns}, track="canary", pod=~"${t.name}-canary-[a-z0-9]+-[a-z0-9]+"` : `${ns}, track!="canary", pod=~"${t.name}-[a-z0-9]+-[a-z0-9]+"`;
}

/** The rule's PromQL for this canary: placeholders replaced. */
export function expandQuery(rule: AnalysisRule, t: AnalysisTarget): string {
  const values: Record<(typeof PLACEHOLDERS)[number], string> = {
    canary: podMatchers(t, 'canary'),
    stable: podMatchers(t, 'stable'),
    namespace: t.namespace,
    name: t.name,
    interval: `${t.intervalSeconds}s`,
  };
  return rule.query.replace(/\$([A-Za-z_]\w*)/g, (all, p: string) => values[p as keyof typeof values] ?? all);
}

/** Does `value` meet the rule (`value <op> threshold`)? */
export function meets(rule: Pick<AnalysisRule, 'op' | 'threshold'>, value: number): boolean {
  switch (rule.op) {
    case '<':
      return value < rule.threshold;
    case '<=':
      return value <= rule.threshold;
    case '>':
      return value > rule.threshold;
    case '>=':
      return value >= rule.threshold;
  }
}
