import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCluster, startCluster } from '../harness/k8s/cluster.js';

// The control plane the deploy tests run on: real apiserver, controller-manager and scheduler,
// kwok simulating the kubelet. Checked here with the ecosystem's own client, kubectl.
let cluster: RunningCluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
});

function deployment(name: string, annotations: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 2,
      progressDeadlineSeconds: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { containers: [{ name: 'server', image: 'registry.example/model-server@sha256:' + '0'.repeat(64) }] },
      },
    },
  });
}

describe('test control plane (scripts/k8s)', () => {
  it('schedules pods on the kwok node and completes a rollout', async () => {
    expect(await cluster.kubectl(['get', 'nodes', '-o', 'name'])).toContain('node/kwok-node-0');
    await cluster.kubectl(['apply', '--server-side', '--field-manager', 'mlops-test', '-f', '-'], deployment('good'));
    const status = await cluster.kubectl(['rollout', 'status', 'deployment/good', '--timeout=120s']);
    expect(status).toContain('successfully rolled out');
    const ready = await cluster.kubectl(['get', 'deployment', 'good', '-o', 'jsonpath={.status.availableReplicas}']);
    expect(ready).toBe('2');
  });

  it('a crash-looping pod never becomes ready and the rollout exceeds its deadline', async () => {
    await cluster.kubectl(['apply', '--server-side', '--field-manager', 'mlops-test', '-f', '-'], deployment('bad', { 'kwok.mlops.test/stage': 'crashloop' }));
    await expect(cluster.kubectl(['rollout', 'status', 'deployment/bad', '--timeout=120s'])).rejects.toThrow(/exceeded its progress deadline/);
    const waiting = await cluster.kubectl(['get', 'pods', '-l', 'app=bad', '-o', 'jsonpath={.items[*].status.containerStatuses[0].state.waiting.reason}']);
    expect(waiting.split(' ')).toEqual(['CrashLoopBackOff', 'CrashLoopBackOff']);
  });

  it('a bearer-token kubeconfig reaches the same cluster', async () => {
    const out = await cluster.kubectl(['--kubeconfig', cluster.tokenKubeconfig, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(out).toBe('mlops-admin-token');
  });
});
