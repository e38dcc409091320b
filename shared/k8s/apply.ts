import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesClient } from './client.js';
import { apiFailure, clusterError } from './api-error.js';
import type { Cluster } from './kubeconfig.js';
import type { KubeObject } from './manifests.js';
import { UserError, type Where } from '../runtime/errors.js';

export interface ApplyOptions {
  fieldManager: string;
  force: boolean;
}

const describe = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/**
 * Server-side apply (PATCH application/apply-patch+yaml) as `fieldManager`. A field another
 * manager owns is a conflict (409) unless `force` takes it over: reported with each field and
 * its manager, as the apiserver names them.
 */
export async function serverSideApply<T extends KubernetesObject>(k8s: KubernetesClient, cluster: Cluster, object: KubeObject, opts: ApplyOptions, where: Where = {}): Promise<T> {
  const api = k8s.KubernetesObjectApi.makeApiClient(cluster.config);
  try {
    return (await api.patch(object as KubernetesObject, undefined, undefined, opts.fieldManager, opts.force, k8s.PatchStrategy.ServerSideApply)) as T;
  } catch (e) {
    const failure = apiFailure(e);
    if (failure?.code === 409) {
      const causes = failure.status.details?.causes ?? [];
      const fields = causes.map((c) => `${c.field ?? '?'} (${/conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? c.message ?? 'another manager'})`);
      throw new UserError(`applying ${describe(object)} as field manager "${opts.fieldManager}" conflicts with other field managers over ${fields.length ? fields.join(', ') : 'some fields'}`, {
        title: 'apply conflict',
        where: { input: 'force-conflicts', ...where },
        fix: 'set `force-conflicts: true` to take these fields over (the other manager loses them), or stop the other tool from managing them',
      });
    }
    if (failure?.code === 404 && failure.status.details && (failure.status.details as { kind?: string }).kind === 'namespaces') {
      throw new UserError(`the namespace ${object.metadata.namespace} does not exist in the cluster at ${cluster.server}`, { where: { input: 'namespace' }, fix: 'create it first (kubectl create namespace ...) or deploy into an existing one' });
    }
    throw clusterError(e, cluster, `applying ${describe(object)}${where.file ? ` from ${where.file}` : ''}`);
  }
}
