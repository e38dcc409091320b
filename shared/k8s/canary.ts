/**
 * A canary without a controller: the new pod template runs as a second Deployment,
 * `<name>-canary` (pods labelled `track: canary`), beside the stable one; a traffic router gives
 * it a share of the traffic at each step, and between steps an analysis on Prometheus decides
 * whether it goes on. The caller promotes a canary that passes every step (the stable Deployment's
 * normal rolling update) and then removes it; a failing canary is removed here, its traffic given
 * back to the stable pods first.
 */
import type { KubernetesClient } from './client.js';
import { expandQuery, parseAnalysis } from './analysis-rules.js';
import { type AnalysisResult, analyze, formatValue } from './analysis.js';
import { apiFailure, onCluster } from './api-error.js';
import { type ApplyOptions, serverSideApply } from './apply.js';
import type { Cluster } from './kubeconfig.js';
import type { KubeObject } from './manifests.js';
import { canaryService, setRouteWeight } from './canary-route.js';
import { waitForRollout } from './rollout.js';
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
  prometheus: string;
  steps: CanaryStep[];
  /** The HTTPRoute whose weights split the traffic (none: the replicas do). */
  route?: string;
  /** Why it was aborted: the rule, its value and threshold, and its query. */
  failure: { message: string; query: string | null } | null;
}

/** What a step changes: how the canary gets its share of the traffic (Flagger's router interface). */
export interface TrafficRouter {
  /** The canary's pods and share for `weight` percent. */
  plan(weight: number): { canaryReplicas: number; share: number };
  /** Give the canary `weight` percent; resolves once its pods serve. */
  setWeight(weight: number): Promise<void>;
  /** All traffic back to the stable pods, the canary scaled to zero. */
  reset(): Promise<void>;
}

export interface CanaryDeps {
  k8s: KubernetesClient;
  cluster: Cluster;
  /** The desired Deployment (new image, stamped), as the rolling update would apply it. */
  deployment: KubeObject;
  /** The stable Deployment's replicas now. */
  stableReplicas: number;
  /** The Service in front of the Deployment, as applied (a route's canary Service copies it). */
  service?: KubeObject;
  apply: ApplyOptions;
  waitMs: number;
  ctx: Context;
}

export const canaryName = (name: string) => `${name}-canary`;

/** A canary is judged on Prometheus: without one, say so before anything else. */
export function requirePrometheus(o: CanaryOptions | undefined): asserts o is CanaryOptions & { prometheus: string } {
  if (!o?.prometheus) throw new UserError('strategy: canary needs `prometheus`, the Prometheus that scrapes the model server, to judge the canary', { where: { input: 'prometheus' }, fix: 'set `prometheus: http://prometheus.monitoring:9090` (or use strategy: rolling)' });
}

/** The canary's rules, checked against Prometheus before anything changes in the cluster. */
export async function prepareAnalysis(o: CanaryOptions, target: { namespace: string; name: string }, ctx: Context) {
  requirePrometheus(o);
  if (o.prometheusToken) ctx.mask(o.prometheusToken);
  const password = /^[a-z]+:\/\/[^/@:]*:([^/@]+)@/i.exec(o.prometheus)?.[1];
  if (password) ctx.mask(decodeURIComponent(password));
  const client = prometheusClient({ url: o.prometheus, token: o.prometheusToken, input: 'prometheus' });
  const rules = parseAnalysis(o.analysis).map((rule) => ({ rule, query: expandQuery(rule, { ...target, intervalSeconds: o.intervalSeconds }) }));
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
  const result: CanaryResult = { phase: 'promoted', name: canaryName(name), prometheus: analysis.client.url, steps: [], ...(o.route ? { route: o.route } : {}), failure: null };
  const query = async (promql: string) => (await analysis.client.query(promql)).map((s) => s.value);
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
      break;
    }
    step.analysis = await d.ctx.log.group(`Canary step ${weight}% (${plan.canaryReplicas} canary pod(s) beside ${d.stableReplicas}, ${plan.share}% of the traffic): analysis, ${o.count} x every ${o.intervalSeconds} s`, () =>
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
      break;
    }
  }
  if (result.phase === 'aborted') {
    await d.ctx.log.group(`Aborting the canary: all traffic back to deployment/${name}, removing deployment/${canaryName(name)}`, async () => {
      await router.reset();
      await removeCanary(d.k8s, d.cluster, d.deployment.metadata.namespace!, name, { route: o.route, fieldManager: d.apply.fieldManager });
    });
  }
  return result;
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

class CanaryNotReady extends Error {}

/**
 * The canary Deployment: the desired one renamed, its selector and pods narrowed by
 * `track: canary` (so it never claims the stable pods), with `replicas`.
 */
export function canaryDeployment(desired: KubeObject, replicas: number, own = false): KubeObject {
  const d = JSON.parse(JSON.stringify(desired)) as KubeObject;
  const spec = d.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> } } };
  if (spec.selector?.matchLabels?.track !== undefined || (spec.selector as { matchExpressions?: { key: string }[] } | undefined)?.matchExpressions?.some((e) => e.key === 'track')) {
    throw new UserError(`the selector of Deployment ${desired.metadata.name} uses the label track, which the canary sets`, { where: { input: 'manifests' }, fix: 'select the pods by other labels (the canary adds track: canary to its own)' });
  }
  d.metadata = { ...d.metadata, name: canaryName(desired.metadata.name), labels: { ...d.metadata.labels, track: 'canary' }, annotations: { ...d.metadata.annotations, 'mlops.io/canary-of': desired.metadata.name } };
  spec.replicas = replicas;
  // `own`: pods the stable Service does not select (a route sends to them through <name>-canary).
  const mine = Object.fromEntries(Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => [k, own ? (v ? `${v.slice(0, 56)}-canary` : 'canary') : v]));
  spec.selector = { ...spec.selector, matchLabels: { ...mine, track: 'canary' } };
  spec.template ??= {};
  spec.template.metadata = { ...spec.template.metadata, labels: { ...spec.template.metadata?.labels, ...mine, track: 'canary' } };
  return d;
}

/**
 * Canary pods beside the untouched stable ones, so that the canary's share of the pods behind the
 * Service is as close to `weight` as whole pods allow (at least one pod).
 */
export function canaryReplicas(stable: number, weight: number): { canaryReplicas: number; share: number } {
  const canary = Math.max(1, Math.round((stable * weight) / (100 - weight)));
  return { canaryReplicas: canary, share: Math.round((1000 * canary) / (canary + stable)) / 10 };
}

/** Apply `<name>-canary` with `replicas` and wait for it (kubectl's rollout logic). */
async function scaleCanary(d: CanaryDeps, replicas: number, own: boolean): Promise<void> {
  const name = d.deployment.metadata.name;
  await serverSideApply(d.k8s, d.cluster, canaryDeployment(d.deployment, replicas, own), d.apply);
  const waited = await waitForRollout(d.k8s, d.cluster, { namespace: d.deployment.metadata.namespace!, name: canaryName(name) }, { timeoutMs: d.waitMs, log: d.ctx.log });
  if (waited.state.phase !== 'done') throw new CanaryNotReady(waited.state.message);
}

const scaledToZero = (e: unknown) => {
  if (!(e instanceof CanaryNotReady)) throw e;
};

/** The default router: the Service spreads requests over its pods, so replicas set the share. */
function replicaRatioRouter(d: CanaryDeps): TrafficRouter {
  return {
    plan: (weight) => canaryReplicas(d.stableReplicas, weight),
    setWeight: (weight) => scaleCanary(d, canaryReplicas(d.stableReplicas, weight).canaryReplicas, false),
    reset: () => scaleCanary(d, 0, false).catch(scaledToZero),
  };
}

/**
 * The Gateway API router: the weight in the HTTPRoute sets the share, the canary's own Service
 * receives it; enough canary pods for that share of the stable's load.
 */
async function httpRouteRouter(d: CanaryDeps, route: string): Promise<TrafficRouter> {
  const name = d.deployment.metadata.name;
  const namespace = d.deployment.metadata.namespace!;
  const at = { namespace, route, name, canary: canaryName(name), fieldManager: d.apply.fieldManager };
  let service = d.service;
  if (!service) {
    const core = d.cluster.config.makeApiClient(d.k8s.CoreV1Api);
    const live = await core.readNamespacedService({ namespace, name }).catch((e: unknown) => {
      if (apiFailure(e)?.code === 404) throw new UserError(`a canary by HTTPRoute needs the Service ${namespace}/${name}, and there is none`, { where: { input: 'route' }, fix: 'put the Service in `manifests`' });
      return onCluster(d.cluster, `reading service ${namespace}/${name}`, () => Promise.reject(e));
    });
    service = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: live.metadata?.labels ?? {} }, spec: { ports: live.spec?.ports ?? [] } };
  }
  const selector = (canaryDeployment(d.deployment, 0, true).spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
  let serviceApplied = false;
  const plan = (weight: number) => ({ canaryReplicas: Math.max(1, Math.ceil((d.stableReplicas * weight) / 100)), share: weight });
  return {
    plan,
    async setWeight(weight) {
      await scaleCanary(d, plan(weight).canaryReplicas, true);
      if (!serviceApplied) await serverSideApply(d.k8s, d.cluster, canaryService(service, at.canary, selector), d.apply);
      serviceApplied = true;
      await setRouteWeight(d.k8s, d.cluster, at, weight);
    },
    async reset() {
      await setRouteWeight(d.k8s, d.cluster, at, null);
      await scaleCanary(d, 0, true).catch(scaledToZero);
    },
  };
}
