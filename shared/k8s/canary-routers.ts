/**
 * How a canary step gets its share of the traffic, behind one interface (Flagger's routers): the
 * replica ratio (the Service spreads requests over its pods) or the weights of a Gateway API
 * HTTPRoute (canary-route.ts). Both run `<name>-canary`, the desired Deployment renamed.
 */
import type { KubernetesClient } from './client.js';
import { apiFailure, onCluster } from './api-error.js';
import { type ApplyOptions, serverSideApply } from './apply.js';
import { canaryService, checkRoute, setRouteWeight } from './canary-route.js';
import type { Cluster } from './kubeconfig.js';
import type { KubeObject } from './manifests.js';
import { waitForRollout } from './rollout.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';

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

/** The canary's rollout did not complete (kubectl's verdict as the message). */
export class CanaryNotReady extends Error {}

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
export function replicaRatioRouter(d: CanaryDeps): TrafficRouter {
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
export async function httpRouteRouter(d: CanaryDeps, route: string): Promise<TrafficRouter> {
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
  await checkRoute(d.k8s, d.cluster, at);
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
