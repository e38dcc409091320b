import type { CoreV1Event, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodeSupportsClient } from '../../shared/k8s/client.js';
import { problemsOf } from '../../shared/k8s/diagnose.js';
import { previousTemplate, REVISION } from '../../shared/k8s/history.js';
import { type DeploymentState, rolloutState } from '../../shared/k8s/rollout.js';

const deployment = (generation: number, spec: number, status: NonNullable<DeploymentState['status']>): DeploymentState => ({ metadata: { name: 'iris', generation }, spec: { replicas: spec }, status });

describe('rolloutState: kubectl rollout status, case by case', () => {
  const cases: [string, DeploymentState, string, string][] = [
    ['spec not yet observed', deployment(3, 2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), 'waiting', 'Waiting for deployment spec update to be observed...'],
    ['progress deadline exceeded', deployment(2, 2, { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }), 'failed', 'deployment "iris" exceeded its progress deadline'],
    ['a deadline of an older generation does not count', deployment(3, 2, { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }), 'waiting', 'Waiting for deployment spec update to be observed...'],
    ['new replicas being created', deployment(2, 3, { observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 3 }), 'waiting', 'Waiting for deployment "iris" rollout to finish: 1 out of 3 new replicas have been updated...'],
    ['old replicas terminating', deployment(2, 2, { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }), 'waiting', 'Waiting for deployment "iris" rollout to finish: 1 old replicas are pending termination...'],
    ['updated but not available', deployment(2, 2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), 'waiting', 'Waiting for deployment "iris" rollout to finish: 1 of 2 updated replicas are available...'],
    ['done', deployment(2, 2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), 'done', 'deployment "iris" successfully rolled out'],
    ['scaled to zero', deployment(1, 0, { observedGeneration: 1 }), 'done', 'deployment "iris" successfully rolled out'],
  ];
  for (const [what, d, phase, message] of cases) {
    it(what, () => expect(rolloutState(d)).toEqual({ phase, message }));
  }
});

describe('problemsOf: why a pod of a failed revision does not serve', () => {
  const pod = (status: V1Pod['status']): V1Pod => ({ metadata: { name: 'iris-abc-1' }, status });
  const notReady = [{ type: 'Ready', status: 'False' }];
  it('a crash loop, with its last exit', () => {
    const p = pod({ conditions: notReady, containerStatuses: [{ name: 'server', image: 'x', imageID: '', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] });
    expect(problemsOf(p, [])).toEqual([{ pod: 'iris-abc-1', reason: 'CrashLoopBackOff', detail: 'container server: back-off 40s; last exit: OOMKilled, code 137', restarts: 4 }]);
  });
  it('an image that cannot be pulled', () => {
    const p = pod({ conditions: notReady, containerStatuses: [{ name: 'server', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } } }] });
    expect(problemsOf(p, [])[0]).toMatchObject({ reason: 'ImagePullBackOff', detail: 'container server: Back-off pulling image "x"' });
  });
  it('a failing readiness probe, told by the events', () => {
    const p = pod({ conditions: notReady, containerStatuses: [{ name: 'server', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } }] });
    const events: CoreV1Event[] = [{ metadata: {}, involvedObject: { kind: 'Pod', name: 'iris-abc-1' }, type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503' }];
    expect(problemsOf(p, events).map((x) => x.reason)).toEqual(['NotReady', 'ProbeFailed']);
    expect(problemsOf(p, events)[1]!.detail).toContain('statuscode: 503');
  });
  it('a pod that cannot be scheduled', () => {
    const p = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.' }] });
    expect(problemsOf(p, [])).toEqual([{ pod: 'iris-abc-1', reason: 'Unschedulable', detail: '0/1 nodes are available: 1 Insufficient memory.', restarts: 0 }]);
  });
  it('nothing for a ready pod', () => {
    expect(problemsOf(pod({ conditions: [{ type: 'Ready', status: 'True' }] }), [])).toEqual([]);
  });
});

describe('previousTemplate: kubectl rollout undo', () => {
  const rs = (revision: number, image: string): { revision: number; replicaSet: V1ReplicaSet } => ({
    revision,
    replicaSet: { metadata: { annotations: { [REVISION]: String(revision) } }, spec: { selector: {}, template: { metadata: { labels: { app: 'iris', 'pod-template-hash': `h${revision}` } }, spec: { containers: [{ name: 'server', image }] } } } },
  });
  const history = [rs(5, 'e'), rs(3, 'c'), rs(2, 'b')];
  it('takes the newest revision before the current one, without its pod-template-hash', () => {
    expect(previousTemplate(history, 5)).toEqual({ revision: 3, template: { metadata: { labels: { app: 'iris' } }, spec: { containers: [{ name: 'server', image: 'c' }] } } });
    expect(history[1]!.replicaSet.spec!.template!.metadata!.labels!['pod-template-hash']).toBe('h3');
  });
  it('has nothing to go back to on a first revision', () => {
    expect(previousTemplate([rs(1, 'a')], 1)).toBeUndefined();
  });
});

describe('nodeSupportsClient', () => {
  it.each([
    ['20.20.2', false],
    ['22.18.0', false],
    ['22.19.0', true],
    ['23.0.0', true],
    ['24.21.0', true],
  ])('%s -> %s', (version, ok) => expect(nodeSupportsClient(version)).toBe(ok));
});
