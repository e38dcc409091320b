import { type ApplyOptions, serverSideApply } from './apply.js';
import { apiFailure, onCluster } from './api-error.js';
import type { KubernetesClient } from './client.js';
import type { Cluster } from './kubeconfig.js';
import type { KubeObject } from './manifests.js';
import type { MonitoringBundle } from './monitoring.js';

export interface MonitoringApplied {
  applied: string[];
  /** Why an object was not applied (its CRD is not installed). */
  skipped: string[];
}

/**
 * Apply the bundle: the ServiceMonitor and the PrometheusRule only when the cluster serves their
 * kinds (the prometheus-operator's CRDs, asked through API discovery), the dashboard ConfigMap always.
 */
export async function applyMonitoring(k8s: KubernetesClient, cluster: Cluster, bundle: MonitoringBundle, apply: ApplyOptions): Promise<MonitoringApplied> {
  const out: MonitoringApplied = { applied: [], skipped: [] };
  for (const object of [bundle.serviceMonitor, bundle.prometheusRule, bundle.dashboard]) {
    if (!object) continue;
    if (object.apiVersion !== 'v1' && !(await served(k8s, cluster, object))) {
      out.skipped.push(`${object.kind}/${object.metadata.name} not applied: the cluster does not serve ${object.kind} (${object.apiVersion}); install the prometheus-operator CRDs, or use the files`);
      continue;
    }
    await serverSideApply(k8s, cluster, object, apply);
    out.applied.push(`${object.kind}/${object.metadata.name}`);
  }
  return out;
}

/** Whether API discovery lists the object's kind under its group version. */
async function served(k8s: KubernetesClient, cluster: Cluster, object: KubeObject): Promise<boolean> {
  const [group = '', version = ''] = object.apiVersion.split('/');
  const api = cluster.config.makeApiClient(k8s.CustomObjectsApi);
  return onCluster(cluster, `discovering ${object.apiVersion}`, async () => {
    try {
      return (await api.getAPIResources({ group, version })).resources.some((r) => r.kind === object.kind);
    } catch (e) {
      if (apiFailure(e)?.code === 404) return false;
      throw e;
    }
  });
}
