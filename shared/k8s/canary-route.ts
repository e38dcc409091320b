/**
 * The Gateway API router: the canary's share is its backendRef weight in the user's HTTPRoute,
 * beside the stable Service `<name>`, through a Service of its own, `<name>-canary`, selecting
 * only the canary's pods. The route's weights before the canary are kept in an annotation on the
 * route, so a later run (or this one, after a crash) can restore them.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesClient } from './client.js';
import { apiFailure, onCluster } from './api-error.js';
import type { Cluster } from './kubeconfig.js';
import type { KubeObject } from './manifests.js';
import { UserError } from '../runtime/errors.js';

export const ORIGINAL_WEIGHTS = 'mlops.io/canary-stable-weights';

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
}
interface HttpRoute extends KubernetesObject {
  metadata: { name: string; namespace: string; annotations?: Record<string, string>; resourceVersion?: string };
  spec?: { rules?: { backendRefs?: BackendRef[] }[] };
}

const isService = (ref: BackendRef, name: string, namespace: string) => ref.name === name && (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '' && (ref.namespace ?? namespace) === namespace;

/**
 * The route's weights with `weight` percent to `<name>-canary` in every rule that sends to the
 * Service `<name>`; `weight` null: the canary's refs gone and the original weights back. Pure.
 */
export function routeWithWeight(route: HttpRoute, name: string, canary: string, weight: number | null): HttpRoute {
  const r = JSON.parse(JSON.stringify(route)) as HttpRoute;
  const ns = r.metadata.namespace;
  const rules = r.spec?.rules ?? [];
  const saved = r.metadata.annotations?.[ORIGINAL_WEIGHTS];
  const original: (number | null)[] = saved ? (JSON.parse(saved) as (number | null)[]) : rules.map((rule) => rule.backendRefs?.find((b) => isService(b, name, ns))?.weight ?? null);
  rules.forEach((rule, i) => {
    const refs = rule.backendRefs ?? [];
    const stable = refs.find((b) => isService(b, name, ns));
    if (!stable) return;
    const others = refs.filter((b) => !isService(b, canary, ns));
    if (weight === null) {
      if (original[i] === null || original[i] === undefined) delete stable.weight;
      else stable.weight = original[i]!;
      rule.backendRefs = others;
      return;
    }
    stable.weight = 100 - weight;
    const { weight: _ignored, ...like } = stable;
    rule.backendRefs = [...others, { ...like, name: canary, weight }];
  });
  const annotations = { ...r.metadata.annotations };
  if (weight === null) delete annotations[ORIGINAL_WEIGHTS];
  else annotations[ORIGINAL_WEIGHTS] = JSON.stringify(original);
  r.metadata.annotations = annotations;
  return r;
}

interface RouteAt {
  namespace: string;
  route: string;
  name: string;
  canary: string;
  fieldManager: string;
}

/** The route, sending to the Service `name`; undefined when it is gone and `must` is false. */
async function readRoute(k8s: KubernetesClient, cluster: Cluster, at: RouteAt, must: boolean): Promise<HttpRoute | undefined> {
  const api = k8s.KubernetesObjectApi.makeApiClient(cluster.config);
  let route: HttpRoute;
  try {
    route = (await api.read({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: at.route, namespace: at.namespace } })) as HttpRoute;
  } catch (e) {
    if (apiFailure(e)?.code !== 404) return onCluster(cluster, `reading HTTPRoute ${at.namespace}/${at.route}`, () => Promise.reject(e));
    if (!must) return undefined;
    throw new UserError(`there is no HTTPRoute ${at.namespace}/${at.route} (or the Gateway API is not installed in the cluster)`, { where: { input: 'route' }, fix: 'name an HTTPRoute in `namespace` whose backendRefs send to the Service `name`, or leave `route` empty to split by replicas' });
  }
  if (must && !(route.spec?.rules ?? []).some((r) => r.backendRefs?.some((b) => isService(b, at.name, at.namespace)))) {
    throw new UserError(`HTTPRoute ${at.namespace}/${at.route} sends no traffic to the Service ${at.name}`, { where: { input: 'route' }, fix: `add a backendRef to the Service ${at.name} in the rule to split` });
  }
  return route;
}

/** Is the route there, sending to the Service? (Before the canary starts.) */
export async function checkRoute(k8s: KubernetesClient, cluster: Cluster, at: RouteAt): Promise<void> {
  await readRoute(k8s, cluster, at, true);
}

/** Read the route, change its weights, write it back (again on a concurrent change). */
export async function setRouteWeight(k8s: KubernetesClient, cluster: Cluster, at: RouteAt, weight: number | null): Promise<void> {
  const api = k8s.KubernetesObjectApi.makeApiClient(cluster.config);
  for (let attempt = 1; ; attempt++) {
    const route = await readRoute(k8s, cluster, at, weight !== null);
    if (!route) return;
    try {
      await api.replace(routeWithWeight(route, at.name, at.canary, weight), undefined, undefined, at.fieldManager);
      return;
    } catch (e) {
      if (apiFailure(e)?.code === 409 && attempt < 5) continue;
      return onCluster(cluster, `updating HTTPRoute ${at.namespace}/${at.route}`, () => Promise.reject(e));
    }
  }
}

/** `<name>-canary`: the Service's ports and labels, selecting the canary's pods only. */
export function canaryService(service: KubeObject, canary: string, selector: Record<string, string>): KubeObject {
  const spec = service.spec as { ports?: unknown[] } | undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: canary, namespace: service.metadata.namespace, labels: { ...service.metadata.labels, track: 'canary' }, annotations: { 'mlops.io/canary-of': service.metadata.name } },
    spec: { selector, ports: spec?.ports ?? [] },
  };
}
