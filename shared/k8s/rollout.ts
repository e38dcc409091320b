import type { KubernetesClient } from './client.js';
import { onCluster } from './api-error.js';
import type { Cluster } from './kubeconfig.js';
import type { Logger } from '../runtime/context.js';

/** The parts of a Deployment the rollout logic reads. */
export interface DeploymentState {
  metadata?: { name?: string; generation?: number; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status?: string; reason?: string; message?: string }[];
  };
}

export type RolloutState = { phase: 'waiting'; message: string } | { phase: 'done'; message: string } | { phase: 'failed'; message: string };

/**
 * kubectl rollout status, exactly (kubectl/pkg/polymorphichelpers/rollout_status.go): nothing
 * counts until the controller has observed this generation; then a ProgressDeadlineExceeded
 * condition fails, and the rollout is done when every replica is updated and available and no
 * old one is left.
 */
export function rolloutState(d: DeploymentState): RolloutState {
  const name = d.metadata?.name ?? '';
  const status = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) return { phase: 'waiting', message: 'Waiting for deployment spec update to be observed...' };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { phase: 'failed', message: `deployment "${name}" exceeded its progress deadline` };
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (d.spec?.replicas !== undefined && updated < d.spec.replicas) return { phase: 'waiting', message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${d.spec.replicas} new replicas have been updated...` };
  if (replicas > updated) return { phase: 'waiting', message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...` };
  if (available < updated) return { phase: 'waiting', message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
  return { phase: 'done', message: `deployment "${name}" successfully rolled out` };
}

export interface WaitResult {
  state: RolloutState;
  deployment: DeploymentState;
  /** The wait gave up before the controller decided (no ProgressDeadlineExceeded yet). */
  timedOut: boolean;
}

/**
 * Wait for a Deployment's rollout from a watch (list, then watch from the list's
 * resourceVersion; re-list when the server ends the watch), printing each new progress line.
 */
export async function waitForRollout(k8s: KubernetesClient, cluster: Cluster, where: { namespace: string; name: string }, opts: { timeoutMs: number; log: Logger }): Promise<WaitResult> {
  const apps = cluster.config.makeApiClient(k8s.AppsV1Api);
  const watch = new k8s.Watch(cluster.config);
  const fieldSelector = `metadata.name=${where.name}`;
  const deadline = Date.now() + opts.timeoutMs;
  let last: DeploymentState = {};
  let lastMessage = '';
  const seen = (d: DeploymentState): RolloutState => {
    last = d;
    const state = rolloutState(d);
    if (state.message !== lastMessage) {
      lastMessage = state.message;
      opts.log.info(state.message);
    }
    return state;
  };
  while (Date.now() < deadline) {
    const list = await onCluster(cluster, `reading Deployment ${where.namespace}/${where.name}`, () => apps.listNamespacedDeployment({ namespace: where.namespace, fieldSelector }));
    const current = list.items[0] as DeploymentState | undefined;
    if (current) {
      const state = seen(current);
      if (state.phase !== 'waiting') return { state, deployment: current, timedOut: false };
    }
    const outcome = await new Promise<RolloutState | 'again'>((resolve, reject) => {
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (value: RolloutState | 'again') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        controller?.abort();
        resolve(value);
      };
      const timer = setTimeout(() => finish('again'), Math.max(0, deadline - Date.now()));
      watch
        .watch(
          `/apis/apps/v1/namespaces/${where.namespace}/deployments`,
          { fieldSelector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
          (phase, obj: DeploymentState) => {
            if (phase === 'ERROR') return finish('again'); // e.g. 410 Gone: too old a resourceVersion
            if (phase !== 'ADDED' && phase !== 'MODIFIED') return;
            const state = seen(obj);
            if (state.phase !== 'waiting') finish(state);
          },
          // The server ended the watch (its timeout): list again. A broken connection is an error.
          (err: unknown) => (err ? fail(err) : finish('again')),
        )
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        })
        .catch(fail);
      function fail(e: unknown) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      }
    }).catch((e: unknown) => onCluster(cluster, `watching Deployment ${where.namespace}/${where.name}`, () => Promise.reject(e)));
    if (outcome !== 'again') return { state: outcome, deployment: last, timedOut: false };
  }
  return { state: { phase: 'failed', message: `timed out waiting for the rollout: ${lastMessage}` }, deployment: last, timedOut: true };
}
