import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { KubernetesClient } from './client.js';
import { onCluster } from './api-error.js';
import type { Cluster } from './kubeconfig.js';

export const REVISION = 'deployment.kubernetes.io/revision';

export interface Revision {
  revision: number;
  replicaSet: V1ReplicaSet;
}

/** The Deployment's ReplicaSets (owned by its uid) by revision, newest first. */
export async function revisions(k8s: KubernetesClient, cluster: Cluster, deployment: { namespace: string; name: string; uid: string; matchLabels: Record<string, string> }): Promise<Revision[]> {
  const apps = cluster.config.makeApiClient(k8s.AppsV1Api);
  const labelSelector = Object.entries(deployment.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
  const list = await onCluster(cluster, `listing the ReplicaSets of ${deployment.namespace}/${deployment.name}`, () => apps.listNamespacedReplicaSet({ namespace: deployment.namespace, labelSelector }));
  return list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.uid && o.controller))
    .map((rs) => ({ revision: Number(rs.metadata?.annotations?.[REVISION] ?? 0), replicaSet: rs }))
    .filter((r) => r.revision > 0)
    .sort((a, b) => b.revision - a.revision);
}

/**
 * kubectl rollout undo: the pod template of the revision before `current`, minus the
 * pod-template-hash label the controller added (it would otherwise not match a new hash).
 */
export function previousTemplate(all: Revision[], current: number): { revision: number; template: Record<string, unknown> } | undefined {
  const previous = all.find((r) => r.revision < current);
  const template = previous?.replicaSet.spec?.template;
  if (!previous || !template) return undefined;
  const copy = JSON.parse(JSON.stringify(template)) as { metadata?: { labels?: Record<string, string> } };
  delete copy.metadata?.labels?.['pod-template-hash'];
  return { revision: previous.revision, template: copy };
}
