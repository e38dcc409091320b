import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { KubernetesClient } from './client.js';
import { onCluster } from './api-error.js';
import type { Cluster } from './kubeconfig.js';

/** Why one pod of a failed revision is not serving. */
export interface PodProblem {
  pod: string;
  /** CrashLoopBackOff, ImagePullBackOff, Unschedulable, probe failures, ... */
  reason: string;
  detail: string;
  restarts: number;
}

/** The pods of one ReplicaSet (by its pod-template-hash) and what keeps each from being ready. */
export async function podProblems(k8s: KubernetesClient, cluster: Cluster, namespace: string, matchLabels: Record<string, string>, podTemplateHash: string): Promise<PodProblem[]> {
  const core = cluster.config.makeApiClient(k8s.CoreV1Api);
  const labelSelector = Object.entries({ ...matchLabels, 'pod-template-hash': podTemplateHash }).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await onCluster(cluster, `listing the pods of ${namespace}`, () => core.listNamespacedPod({ namespace, labelSelector }));
  const events = await onCluster(cluster, `listing the events of ${namespace}`, () => core.listNamespacedEvent({ namespace })).catch(() => ({ items: [] as CoreV1Event[] }));
  return pods.items.flatMap((pod) => problemsOf(pod, events.items));
}

/** A pod's problems from its status and its Warning events; none when it is ready. */
export function problemsOf(pod: V1Pod, events: CoreV1Event[]): PodProblem[] {
  const name = pod.metadata?.name ?? '';
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  if (ready) return [];
  const out: PodProblem[] = [];
  for (const c of pod.status?.containerStatuses ?? []) {
    const restarts = c.restartCount ?? 0;
    const waiting = c.state?.waiting;
    const last = c.lastState?.terminated;
    const exited = last ? `; last exit: ${last.reason ?? 'terminated'}, code ${last.exitCode}` : '';
    if (waiting?.reason && waiting.reason !== 'ContainerCreating') out.push({ pod: name, reason: waiting.reason, detail: `container ${c.name}: ${waiting.message ?? waiting.reason}${exited}`, restarts });
    else if (c.state?.terminated) out.push({ pod: name, reason: c.state.terminated.reason ?? 'Terminated', detail: `container ${c.name} exited with code ${c.state.terminated.exitCode}`, restarts });
    else if (c.state?.running && !c.ready) out.push({ pod: name, reason: 'NotReady', detail: `container ${c.name} runs but its readiness probe fails${exited}`, restarts });
  }
  const warnings = events.filter((e) => e.type === 'Warning' && e.involvedObject?.kind === 'Pod' && e.involvedObject.name === name);
  for (const e of warnings) {
    // Probe failures and scheduling problems are only told by events.
    if (e.reason === 'Unhealthy' || e.reason === 'FailedScheduling' || !out.length) out.push({ pod: name, reason: e.reason === 'Unhealthy' ? 'ProbeFailed' : (e.reason ?? 'Warning'), detail: e.message ?? '', restarts: 0 });
  }
  if (!out.length) {
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False') out.push({ pod: name, reason: scheduled.reason ?? 'Unschedulable', detail: scheduled.message ?? 'not scheduled', restarts: 0 });
    else out.push({ pod: name, reason: pod.status?.phase ?? 'Pending', detail: 'not ready', restarts: 0 });
  }
  return out;
}
