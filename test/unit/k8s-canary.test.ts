import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { action } from '../../actions/deploy-k8s/deploy-k8s.js';
import { type AnalysisLimits, analyze, assess, type Measurement, measure } from '../../shared/k8s/analysis.js';
import { type AnalysisRule, DEFAULT_RULES, expandQuery, parseAnalysis, podMatchers } from '../../shared/k8s/analysis-rules.js';
import { canaryDeployment, canaryReplicas } from '../../shared/k8s/canary-routers.js';
import { canaryService, ORIGINAL_WEIGHTS, routeWithWeight } from '../../shared/k8s/canary-route.js';
import { canarySteps, renderCanary } from '../../shared/k8s/canary-report.js';
import { type CanaryOptions, requirePrometheus } from '../../shared/k8s/canary.js';
import { generateManifests } from '../../shared/k8s/manifests.js';
import { parseInputs } from '../../shared/runtime/action.js';
import { REPO_ROOT } from '../harness/runner.js';
import { userError } from '../harness/user-error.js';


const rule = (threshold = 0.01, op: AnalysisRule['op'] = '<'): AnalysisRule => ({ name: 'r', query: 'q', op, threshold });
const limits = (o: Partial<AnalysisLimits> = {}): AnalysisLimits => ({ intervalSeconds: 60, count: 3, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, ...o });

/** A fake Prometheus answering each query from a script: a value list, [] (no data) or an Error. */
function scripted(answers: (number[] | Error)[]) {
  let i = 0;
  const slept: number[] = [];
  return {
    slept,
    deps: {
      query: async () => {
        const a = answers[Math.min(i++, answers.length - 1)]!;
        if (a instanceof Error) throw a;
        return a;
      },
      sleep: async (s: number) => void slept.push(s),
    },
  };
}

describe('analysis rules (the `analysis` input)', () => {
  it('are the defaults plus the user lines; a default is replaced by name or turned off', () => {
    expect(parseAnalysis('').map((r) => r.name)).toEqual(['error-rate', 'latency-p99']);
    const rules = parseAnalysis(['# business metric', '', 'class-mix: sum(rate(mlops_predictions_total{$canary, class="rain"}[$interval])) / sum(rate(mlops_predictions_total{$canary}[$interval])) <= 0.5', 'error-rate: x > 1e-3', 'latency-p99: off'].join('\n'));
    expect(rules.map((r) => [r.name, r.op, r.threshold, r.line])).toEqual([
      ['error-rate', '>', 0.001, 4],
      ['class-mix', '<=', 0.5, 3],
    ]);
    // The last comparison and number are the threshold; comparisons inside the PromQL stay.
    expect(parseAnalysis('hot: max(x > 2) < 3')[2]).toMatchObject({ query: 'max(x > 2)', op: '<', threshold: 3 });
  });

  it('name the line and what is wrong', () => {
    expect(userError(() => parseAnalysis('\nno threshold here')).message).toMatch(/^line 2: expected `name: <PromQL> <op> <threshold>`, got "no threshold here"/);
    const e = userError(() => parseAnalysis('a: sum(x)'));
    expect(e.message).toBe('line 1: the rule a has no threshold: it must end with <, <=, > or >= and a number, got "sum(x)"');
    expect(e.where).toEqual({ input: 'analysis', line: 1 });
    expect(userError(() => parseAnalysis('a: x < 1\na: y < 2')).message).toBe('line 2: the rule a is given twice');
    expect(userError(() => parseAnalysis('a: x{$pod} < 1')).message).toBe('line 1: the rule a uses $pod, which is not a placeholder');
    expect(userError(() => parseAnalysis('mine: off')).message).toMatch(/^line 1: mine: off turns off a default rule, and there is no default rule mine/);
  });

  it('expand the placeholders into matchers for the canary and the stable pods', () => {
    const t = { namespace: 'prod', name: 'iris', intervalSeconds: 30 };
    expect(expandQuery({ ...rule(), query: 'sum(rate(x{$canary}[$interval])) / sum(rate(x{$stable}[$interval])) + count(y{namespace="$namespace", app="$name"})' }, t)).toBe(
      'sum(rate(x{namespace="prod", track="canary", pod=~"iris-canary-[a-z0-9]+-[a-z0-9]+"}[30s])) / sum(rate(x{namespace="prod", track!="canary", pod=~"iris-[a-z0-9]+-[a-z0-9]+"}[30s])) + count(y{namespace="prod", app="iris"})',
    );
    // The defaults, exactly as docs/deploy.md shows them.
    expect(DEFAULT_RULES.map((r) => `${r.name}: ${expandQuery(r, t)} ${r.op} ${r.threshold}`)).toEqual([
      'error-rate: (sum(rate(mlops_http_requests_total{namespace="prod", track="canary", pod=~"iris-canary-[a-z0-9]+-[a-z0-9]+", endpoint=~".*/infer|.*predict", code=~"5.."}[30s])) or vector(0)) / sum(rate(mlops_http_requests_total{namespace="prod", track="canary", pod=~"iris-canary-[a-z0-9]+-[a-z0-9]+", endpoint=~".*/infer|.*predict"}[30s])) < 0.01',
      'latency-p99: histogram_quantile(0.99, sum by (le) (rate(mlops_http_request_duration_seconds_bucket{namespace="prod", track="canary", pod=~"iris-canary-[a-z0-9]+-[a-z0-9]+", endpoint=~".*/infer|.*predict"}[30s]))) / clamp_min(histogram_quantile(0.99, sum by (le) (rate(mlops_http_request_duration_seconds_bucket{namespace="prod", track!="canary", pod=~"iris-[a-z0-9]+-[a-z0-9]+", endpoint=~".*/infer|.*predict"}[30s]))), 0.05) < 2',
    ]);
  });
});

describe('docs/deploy.md', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
  it('shows the default rules and the placeholders as they are', () => {
    for (const r of DEFAULT_RULES) expect(doc).toContain(`\n${r.name}: ${r.query} ${r.op} ${r.threshold}\n`);
    const t = { namespace: 'production', name: 'iris' };
    expect(doc).toContain(`| \`$canary\` | \`${podMatchers(t, 'canary')}\` |`);
    expect(doc).toContain(`| \`$stable\` | \`${podMatchers(t, 'stable')}\` (`);
    // The example's own rule parses.
    const example = /analysis: \|\n((?: {12}.*\n)+)/.exec(doc)![1]!.replace(/^ {12}/gm, '');
    expect(parseAnalysis(example).map((r) => r.name)).toEqual(['error-rate', 'latency-p99', 'rain-shift']);
  });
});

describe('measurements (Argo Rollouts semantics)', () => {
  it.each([
    [[0.001], 'successful', 0.001],
    [[0.5], 'failed', 0.5],
    [[], 'inconclusive', null],
    [[NaN], 'inconclusive', NaN],
    [[1, 2], 'error', null],
    [new Error('connection refused'), 'error', null],
  ] as const)('%j -> %s', async (answer, phase, value) => {
    const m = await measure(rule(), 'q', async () => {
      if (answer instanceof Error) throw answer;
      return [...answer];
    });
    expect(m.phase).toBe(phase);
    expect(m.value).toEqual(value);
  });

  it('thresholds compare with each operator', async () => {
    const at = async (op: AnalysisRule['op'], v: number) => (await measure(rule(1, op), 'q', async () => [v])).phase;
    expect([await at('<', 1), await at('<=', 1), await at('>', 1), await at('>=', 1), await at('>', 2)]).toEqual(['failed', 'successful', 'failed', 'successful', 'successful']);
  });

  const ms = (...phases: Measurement['phase'][]): Measurement[] => phases.map((phase) => ({ phase, value: null }));
  it.each([
    [ms('successful'), {}, 'running'],
    [ms('successful', 'successful', 'successful'), {}, 'successful'],
    [ms('failed'), {}, 'failed'],
    [ms('failed', 'successful', 'successful'), { failureLimit: 1 }, 'successful'],
    [ms('failed', 'failed'), { failureLimit: 1 }, 'failed'],
    [ms('inconclusive'), {}, 'inconclusive'],
    [ms('inconclusive', 'successful', 'successful'), { inconclusiveLimit: 1 }, 'successful'],
    [ms('error', 'error'), { consecutiveErrorLimit: 1 }, 'error'],
    [ms('error', 'successful', 'error'), { consecutiveErrorLimit: 1 }, 'successful'],
    // Argo would call this successful; a rule never measured does not pass here.
    [ms('error', 'error', 'error'), {}, 'error'],
  ] as const)('%j with %j: %s', (measurements, l, phase) => {
    expect(assess(measurements, limits(l))).toBe(phase);
  });
});

describe('analyze', () => {
  const one = [{ rule: rule(), query: 'q' }];
  it('measures count times, an interval apart, and passes', async () => {
    const s = scripted([[0]]);
    const r = await analyze(one, limits(), s.deps);
    expect(r.phase).toBe('successful');
    expect(s.slept).toEqual([60, 60, 60]);
    expect(r.rules[0]!.measurements.map((m) => m.value)).toEqual([0, 0, 0]);
  });

  it('stops at the failure past the failure limit, naming the value and the threshold', async () => {
    const s = scripted([[0.2], [0], [0.5], [0]]);
    const r = await analyze(one, limits({ count: 4, failureLimit: 1 }), s.deps);
    expect(r.phase).toBe('failed');
    expect(s.slept).toHaveLength(3);
    expect(r.verdict!.message).toBe('r = 0.5 (threshold < 0.01): 2 of 3 measurement(s) failed (failure-limit 1)');
  });

  it('no data past the inconclusive limit is inconclusive', async () => {
    const s = scripted([[], [0], []]);
    const r = await analyze(one, limits({ inconclusiveLimit: 1 }), s.deps);
    expect(r.phase).toBe('inconclusive');
    expect(r.verdict!.message).toBe('r was inconclusive (threshold < 0.01): 2 of 3 measurement(s) had no value, the query returned no data (inconclusive-limit 1)');
  });

  it('query errors count only in a row', async () => {
    const flaky = scripted([new Error('503'), [0], new Error('503'), new Error('timeout')]);
    expect((await analyze(one, limits({ count: 4, consecutiveErrorLimit: 1 }), flaky.deps)).phase).toBe('error');
    const down = scripted([new Error('503'), [0], new Error('503'), [0]]);
    expect((await analyze(one, limits({ count: 4, consecutiveErrorLimit: 1 }), down.deps)).phase).toBe('successful');
    const r = await analyze(one, limits({ count: 4, consecutiveErrorLimit: 1 }), scripted([new Error('connection refused')]).deps);
    expect(r.verdict!.message).toBe('r could not be measured (threshold < 0.01): 2 of 2 measurement(s) failed to query, the last: connection refused (consecutive-error-limit 1)');
  });
});

describe('the canary Deployment', () => {
  it('puts whole canary pods beside the stable ones, at least one', () => {
    expect([canaryReplicas(2, 10), canaryReplicas(2, 50), canaryReplicas(4, 10), canaryReplicas(10, 10), canaryReplicas(3, 90)]).toEqual([
      { canaryReplicas: 1, share: 33.3 },
      { canaryReplicas: 2, share: 50 },
      { canaryReplicas: 1, share: 20 },
      { canaryReplicas: 1, share: 9.1 },
      { canaryReplicas: 27, share: 90 },
    ]);
  });

  it('is the desired Deployment renamed, narrowed by track: canary in its selector and pods', () => {
    const [deployment] = generateManifests({ name: 'iris', namespace: 'prod', image: 'r.example/iris@sha256:ab', replicas: 2, env: {}, progressDeadlineSeconds: 60 });
    const c = canaryDeployment(deployment!, 1);
    expect(c.metadata).toMatchObject({ name: 'iris-canary', labels: { track: 'canary' }, annotations: { 'mlops.io/canary-of': 'iris' } });
    expect(c.spec).toMatchObject({
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/instance': 'iris', track: 'canary' } },
      template: { metadata: { labels: { 'app.kubernetes.io/name': 'iris', track: 'canary' } } },
    });
    // The desired (stable) one is left as it was.
    expect((deployment!.spec!.template as { metadata: { labels: Record<string, string> } }).metadata.labels.track).toBe('stable');
    const selecting = { ...deployment!, spec: { ...deployment!.spec, selector: { matchLabels: { app: 'iris', track: 'stable' } } } };
    expect(userError(() => canaryDeployment(selecting, 1)).message).toBe('the selector of Deployment iris uses the label track, which the canary sets');
  });
});

describe('the HTTPRoute router', () => {
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: 'prod', resourceVersion: '7' },
    spec: {
      rules: [
        { backendRefs: [{ name: 'iris', port: 80 }] },
        { backendRefs: [{ name: 'iris', port: 80, weight: 3 }, { name: 'other', port: 80, weight: 1 }] },
        { backendRefs: [{ name: 'iris', kind: 'ServiceImport', group: 'multicluster.x-k8s.io' }] },
      ],
    },
  };
  it('weighs <name> and <name>-canary in every rule sending to the Service, keeping the original weights', () => {
    const at10 = routeWithWeight(route, 'iris', 'iris-canary', 10);
    expect(at10.spec!.rules!.map((r) => r.backendRefs)).toEqual([
      [{ name: 'iris', port: 80, weight: 90 }, { name: 'iris-canary', port: 80, weight: 10 }],
      [{ name: 'iris', port: 80, weight: 90 }, { name: 'other', port: 80, weight: 1 }, { name: 'iris-canary', port: 80, weight: 10 }],
      [{ name: 'iris', kind: 'ServiceImport', group: 'multicluster.x-k8s.io' }],
    ]);
    expect(at10.metadata.annotations).toEqual({ [ORIGINAL_WEIGHTS]: '[null,3,null]' });
    const at50 = routeWithWeight(at10, 'iris', 'iris-canary', 50);
    expect(at50.spec!.rules![0]!.backendRefs).toEqual([{ name: 'iris', port: 80, weight: 50 }, { name: 'iris-canary', port: 80, weight: 50 }]);
    expect(at50.metadata.annotations).toEqual({ [ORIGINAL_WEIGHTS]: '[null,3,null]' });
    // Restored: the canary's refs gone, each weight as it was, the annotation removed.
    const back = routeWithWeight(at50, 'iris', 'iris-canary', null);
    expect(back.spec).toEqual(route.spec);
    expect(back.metadata.annotations).toEqual({});
    expect(route.metadata).not.toHaveProperty('annotations');
  });

  it('sends to canary pods the stable Service does not select, through a Service of their own', () => {
    const [deployment, service] = generateManifests({ name: 'iris', namespace: 'prod', image: 'r.example/iris@sha256:ab', replicas: 2, env: {}, progressDeadlineSeconds: 60 });
    const c = canaryDeployment(deployment!, 1, true);
    const selector = { 'app.kubernetes.io/name': 'iris-canary', 'app.kubernetes.io/instance': 'iris-canary', track: 'canary' };
    expect(c.spec).toMatchObject({ selector: { matchLabels: selector }, template: { metadata: { labels: selector } } });
    expect(canaryService(service!, 'iris-canary', selector)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'iris-canary', namespace: 'prod', labels: { 'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/instance': 'iris', track: 'canary' }, annotations: { 'mlops.io/canary-of': 'iris' } },
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    });
  });
});

describe('canary inputs and report', () => {
  const required = { image: 'r.example/iris@sha256:ab', name: 'iris' };
  it('parses steps and durations, naming the input of a bad one', () => {
    const i = parseInputs(action, { ...required, steps: '5, 25,100', interval: '1m30s' });
    expect([i.steps, i.interval, i.count, i['failure-limit'], i['inconclusive-limit'], i['consecutive-error-limit']]).toEqual([[5, 25, 100], 90, 3, 0, 0, 4]);
    expect(parseInputs(action, { ...required, interval: '2s' }).interval).toBe(2);
    expect(userError(() => parseInputs(action, { ...required, steps: '50,10' })).message).toBe('input "steps" is invalid: expected increasing percentages from 1 to 100, e.g. 10,50,100; got "50,10" (got "50,10")');
    expect(userError(() => parseInputs(action, { ...required, interval: '1 minute' })).where).toEqual({ input: 'interval' });
    expect(userError(() => parseInputs(action, { ...required, interval: '0s' })).message).toMatch(/expected a duration such as 30s, 1m or 1m30s, got "0s"/);
  });

  it('shows each step and measurement, escaped, and the steps as JSON', async () => {
    const s = scripted([[0], [0.25]]);
    const analysis = await analyze([{ rule: { ...rule(), name: 'err|<b>' }, query: 'sum(x{a="<b>"})' }], limits({ count: 2 }), s.deps);
    const c = { phase: 'aborted' as const, name: 'iris-canary', prometheus: 'http://prom:9090', holdSeconds: 3, steps: [{ weight: 10, canaryReplicas: 1, stableReplicas: 2, share: 33.3, analysis }], failure: { message: `canary analysis failed at step 10%: ${analysis.verdict!.message}`, query: 'sum(x{a="<b>"})' } };
    const text = renderCanary(c).text;
    expect(text).toContain('was aborted at step 10% and removed');
    expect(text).toContain('| 10% | 1 of 3 pods (33.3%) | <code>err\\|&lt;b&gt;</code> | <code>&lt; 0.01</code> | 0, 0.25 | ❌ failed |');
    expect(text).not.toContain('<b>');
    expect(canarySteps(c)).toEqual([{ weight: 10, canaryReplicas: 1, stableReplicas: 2, share: 33.3, phase: 'failed', rules: [{ name: 'err|<b>', op: '<', threshold: 0.01, phase: 'failed', values: [0, 0.25] }] }]);
  });

  it('needs a Prometheus only for a canary with rules: every rule off is steps without analysis', async () => {
    const o = (analysis: string, prometheus?: string): CanaryOptions => ({ steps: [10, 100], intervalSeconds: 1, count: 1, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, analysis, prometheus });
    const e = userError(() => requirePrometheus(o('')));
    expect(e.where).toEqual({ input: 'prometheus' });
    expect(e.fix).toContain('turn every rule off in `analysis`: `error-rate: off`, `latency-p99: off`');
    expect(userError(() => requirePrometheus(o('error-rate: off'))).where).toEqual({ input: 'prometheus' });
    expect(() => requirePrometheus(o('error-rate: off\nlatency-p99: off'))).not.toThrow();
    expect(() => requirePrometheus(o('', 'http://prom:9090'))).not.toThrow();
    const analysis = await analyze([], limits({ count: 2 }), scripted([]).deps);
    const c = { phase: 'promoted' as const, name: 'iris-canary', prometheus: null, holdSeconds: 120, steps: [{ weight: 10, canaryReplicas: 1, stableReplicas: 2, share: 33.3, analysis }], failure: null };
    const text = renderCanary(c).text;
    expect(text).toContain('No analysis: every rule was turned off, so each step waited for the canary\'s pods to be ready, then held 120 s');
    expect(text).toContain('| 10% | 1 of 3 pods (33.3%) |');
    expect(text).not.toContain('Prometheus');
    expect(canarySteps(c)).toEqual([{ weight: 10, canaryReplicas: 1, stableReplicas: 2, share: 33.3, phase: 'successful', rules: [] }]);
  });
});
