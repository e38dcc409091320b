/**
 * A canary without a controller: the new pod template runs as a second Deployment,
 * `<name>-canary` (pods labelled `track: canary`), beside the stable one; a traffic router gives
 * it a share of the traffic at each step, and between steps an analysis on Prometheus decides
 * whether it goes on (with every rule turned off there is none: each step only holds, and no
 * Prometheus is needed). The caller promotes a canary that passes every step (the stable Deployment's
 * normal rolling update) and then removes it; a failing canary is removed here, its traffic given
 * back to the stable pods first.
 */
import type { KubernetesClient } from './client.js';
import { DEFAULT_RULES, expandQuery, parseAnalysis } from './analysis-rules.js';
import { type AnalysisResult, analyze, formatValue } from './analysis.js';
import { apiFailure, onCluster } from './api-error.js';
import { setRouteWeight } from './canary-route.js';
import { type CanaryDeps, canaryName, CanaryNotReady, httpRouteRouter, replicaRatioRouter } from './canary-routers.js';
import type { Cluster } from './kubeconfig.js';
import { prometheusClient } from '../monitor/prometheus.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';

export interface CanaryOptions {
  /** Traffic percentages, increasing; the analysis runs after each step below 100, then the canary is promoted. */
  steps: number[];
  intervalSeconds: number;
  count: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  prometheus?: string;
  prometheusToken?: string;
  /** The `analysis` input's text (user rules; the defaults always apply unless turned off). */
  analysis: string;
  /** An HTTPRoute in the namespace: the canary's share is its backendRef weight there, not its pods' share. */
  route?: string;
}

export interface CanaryStep {
  /** The share asked for, in percent. */
  weight: number;
  canaryReplicas: number;
  stableReplicas: number;
  /** The share the replicas give, in percent. */
  share: number;
  analysis: AnalysisResult | null;
}

export interface CanaryResult {
  phase: 'promoted' | 'aborted';
  name: string;
  /** The Prometheus the analysis queried (null: no rules, no analysis). */
  prometheus: string | null;
  /** Seconds each step held after its pods were ready (`count` x `interval`). */
  holdSeconds: number;
  steps: CanaryStep[];
  /** The HTTPRoute whose weights split the traffic (none: the replicas do). */
  route?: string;
  /** Why it was aborted: the rule, its value and threshold, and its query. */
  failure: { message: string; query: string | null } | null;
}

/** A canary is judged on Prometheus unless every rule is off: without one, say so before anything else. */
export function requirePrometheus(o: CanaryOptions | undefined): asserts o is CanaryOptions {
  if (o?.prometheus || parseAnalysis(o?.analysis ?? '').length === 0) return;
  throw new UserError('strategy: canary needs `prometheus`, the Prometheus that scrapes the model server, to judge the canary', {
    where: { input: 'prometheus' },
    fix: `set \`prometheus: http://prometheus.monitoring:9090\` (or use strategy: rolling; or, for steps with no analysis at all, turn every rule off in \`analysis\`: ${DEFAULT_RULES.map((r) => `\`${r.name}: off\``).join(', ')})`,
  });
}

/** The canary's rules, checked against Prometheus before anything changes in the cluster. */
export async function prepareAnalysis(o: CanaryOptions, target: { namespace: string; name: string }, ctx: Context) {
  requirePrometheus(o);
  const rules = parseAnalysis(o.analysis).map((rule) => ({ rule, query: expandQuery(rule, { ...target, intervalSeconds: o.intervalSeconds }) }));
  if (rules.length === 0) {
    ctx.log.info(`No analysis: every rule is turned off, so each step only waits for the canary's pods to be ready, then holds ${o.count} x ${o.intervalSeconds} s`);
    return { client: null, rules };
  }
  if (!o.prometheus) throw new Error('requirePrometheus let a canary with rules through without `prometheus`');
  if (o.prometheusToken) ctx.mask(o.prometheusToken);
  const password = /^[a-z]+:\/\/[^/@:]*:([^/@]+)@/i.exec(o.prometheus)?.[1];
  if (password) ctx.mask(decodeURIComponent(password));
  const client = prometheusClient({ url: o.prometheus, token: o.prometheusToken, input: 'prometheus' });
  await ctx.log.group(`Checking the ${rules.length} analysis queries against ${client.url}`, async () => {
    for (const { rule, query } of rules) {
      try {
        await client.query(query);
      } catch (e) {
        const what = (e as Error).message.split('\n')[0];
        throw new UserError(`the analysis rule ${rule.name}${rule.line ? ` (line ${rule.line})` : ''} cannot be queried: ${what}\n  query: ${query}`, { where: { input: rule.line ? 'analysis' : 'prometheus', line: rule.line }, fix: e instanceof UserError && e.fix ? e.fix : 'check `prometheus` and the rule' });
      }
      ctx.log.info(`${rule.name}: ${query} ${rule.op} ${rule.threshold}`);
    }
  });
  return { client, rules };
}

/** Run the canary through its steps; an aborted one is removed before this returns. */
export async function runCanary(o: CanaryOptions, analysis: Awaited<ReturnType<typeof prepareAnalysis>>, d: CanaryDeps): Promise<CanaryResult> {
  const name = d.deployment.metadata.name;
  const router = o.route ? await httpRouteRouter(d, o.route) : replicaRatioRouter(d);
  const result: CanaryResult = { phase: 'promoted', name: canaryName(name), prometheus: analysis.client?.url ?? null, holdSeconds: o.count * o.intervalSeconds, steps: [], ...(o.route ? { route: o.route } : {}), failure: null };
  const client = analysis.client;
  // Without a client there are no rules, so nothing is ever queried.
  const query = async (promql: string) => (client ? (await client.query(promql)).map((s) => s.value) : []);
  const abort = () =>
    d.ctx.log.group(`Aborting the canary: all traffic back to deployment/${name}, removing deployment/${canaryName(name)}`, async () => {
      await router.reset();
      await removeCanary(d.k8s, d.cluster, d.deployment.metadata.namespace!, name, { route: o.route, fieldManager: d.apply.fieldManager });
    });
  try {
    await steps();
  } catch (e) {
    // Our failure, or the cluster's: the canary goes all the same, then the error is reported.
    await abort().catch((cleanup: unknown) => d.ctx.log.warn(`removing the canary failed too: ${(cleanup as Error).message}`));
    throw e;
  }
  if (result.phase === 'aborted') await abort();
  return result;

  async function steps(): Promise<void> {
    for (const weight of o.steps.filter((w) => w < 100)) {
      const plan = router.plan(weight);
      const step: CanaryStep = { weight, ...plan, stableReplicas: d.stableReplicas, analysis: null };
      result.steps.push(step);
      try {
        await d.ctx.log.group(`Canary step ${weight}%: deployment/${canaryName(name)} at ${plan.canaryReplicas} replica(s)`, () => router.setWeight(weight));
      } catch (e) {
        if (!(e instanceof CanaryNotReady)) throw e;
        result.phase = 'aborted';
        result.failure = { message: `the canary's pods did not become ready at step ${weight}%: ${e.message}`, query: null };
        return;
      }
      step.analysis = await d.ctx.log.group(`Canary step ${weight}% (${plan.canaryReplicas} canary pod(s) beside ${d.stableReplicas}, ${plan.share}% of the traffic): ${analysis.client ? `analysis, ${o.count} x every ${o.intervalSeconds} s` : `no analysis, holding ${result.holdSeconds} s`}`, () =>
        analyze(analysis.rules, o, {
          query,
          sleep: (s) => new Promise((resolve) => setTimeout(resolve, s * 1000)),
          onMeasurement: (r, m, i) => d.ctx.log.info(`#${i + 1} ${r.rule.name} = ${formatValue(m.value)} (${r.rule.op} ${r.rule.threshold}): ${m.phase}${m.message ? `, ${m.message}` : ''}`),
        }),
      );
      if (step.analysis.phase !== 'successful') {
        result.phase = 'aborted';
        const v = step.analysis.verdict!;
        result.failure = { message: `canary analysis ${step.analysis.phase} at step ${weight}%: ${v.message}`, query: v.rule.query };
        return;
      }
    }
  }
}

/** All traffic to the stable Service (with a route), then `<name>-canary` deleted (absent is fine). */
export async function removeCanary(k8s: KubernetesClient, cluster: Cluster, namespace: string, name: string, o: { route?: string; fieldManager: string }): Promise<void> {
  const canary = canaryName(name);
  if (o.route) await setRouteWeight(k8s, cluster, { namespace, route: o.route, name, canary, fieldManager: o.fieldManager }, null);
  const apps = cluster.config.makeApiClient(k8s.AppsV1Api);
  const core = cluster.config.makeApiClient(k8s.CoreV1Api);
  const gone = (what: string) => (e: unknown) => (apiFailure(e)?.code === 404 ? undefined : onCluster(cluster, `deleting ${what} ${namespace}/${canary}`, () => Promise.reject(e)));
  await apps.deleteNamespacedDeployment({ namespace, name: canary, propagationPolicy: 'Background' }).catch(gone('deployment'));
  if (o.route) await core.deleteNamespacedService({ namespace, name: canary }).catch(gone('service'));
}
