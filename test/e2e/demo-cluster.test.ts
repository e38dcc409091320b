// `npm run demo -- --cluster` against a real control plane started by the project's script
// (startCluster: etcd, kube-apiserver, controller-manager, scheduler, kwok simulating the pods):
// the champion deployed, the retrained model rolled out as a canary judged by a real Prometheus
// (scripts/install-services.sh) on two real server processes standing for the pods, then promoted;
// checked with kubectl, not only from what the demo prints. Without Prometheus the canary's steps
// run without analysis; without a cluster the demo stops before its first step.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCheckout, type DemoRun, runDemo } from '../harness/demo.js';
import { type RunningCluster, startCluster } from '../harness/k8s/cluster.js';

const ns = 'demo';
let cluster: RunningCluster;
let dir: string;
let out: DemoRun;

beforeAll(async () => {
  cluster = await startCluster();
  dir = demoCheckout();
  // The README's command as it is: the cluster where scripts/k8s/start.sh puts it by default.
  fs.mkdirSync(path.join(dir, '.mlops'));
  fs.symlinkSync(cluster.stateDir, path.join(dir, '.mlops/cluster'));
  out = runDemo(dir, ['--cluster']);
}, 900_000);

afterAll(async () => {
  await cluster?.stop();
});

const read = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, '.mlops/demo', file), 'utf8'));
const jsonpath = (what: string, p: string) => cluster.kubectl(['get', what, '-n', ns, '-o', `jsonpath=${p}`]);
const pods = async () => {
  const list = JSON.parse(await cluster.kubectl(['get', 'pods', '-n', ns, '-o', 'json'])) as { items: { metadata: { name: string; labels: Record<string, string> }; status: { phase: string } }[] };
  return list.items.map((p) => ({ track: p.metadata.labels.track, model: p.metadata.labels['mlops.io/model-version'], phase: p.status.phase }));
};
/** Processes still running in the checkout (what the demo starts runs there: servers, Prometheus, kubectl, traffic). */
function leftovers(): string[] {
  const here = fs.realpathSync(dir);
  const proc = (pid: string, what: (p: string) => string) => {
    try {
      return what(`/proc/${pid}`);
    } catch {
      return null; // gone meanwhile, or not ours to read
    }
  };
  return fs
    .readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid) && proc(pid, (p) => fs.realpathSync(`${p}/cwd`)) === here)
    .map((pid) => proc(pid, (p) => fs.readFileSync(`${p}/cmdline`, 'utf8').replaceAll('\0', ' ')) ?? pid);
}

describe('npm run demo -- --cluster', () => {
  it('deploys the champion, then the retrained model as a canary judged by Prometheus, and promotes it', async () => {
    expect(out.status, out.stderr.slice(-3000)).toBe(0);
    const champion = read('build-image-outputs.json').image as string;
    const retrained = read('build-image-retrained-outputs.json').image as string;
    expect(retrained).not.toBe(champion);
    expect(read('deploy-outputs.json')).toMatchObject({ revision: '1', status: 'deployed' });
    const canary = read('canary-outputs.json');
    expect(canary).toMatchObject({ revision: '2', 'previous-revision': '1', status: 'deployed' });
    const steps = JSON.parse(canary['canary-steps']) as { weight: number; canaryReplicas: number; stableReplicas: number; phase: string; rules: { name: string; phase: string; values: number[] }[] }[];
    expect(steps.map((s) => [s.weight, s.canaryReplicas, s.stableReplicas, s.phase])).toEqual([
      [10, 1, 2, 'successful'],
      [50, 2, 2, 'successful'],
    ]);
    for (const s of steps) {
      expect(s.rules.map((r) => [r.name, r.phase, r.values.length])).toEqual([
        ['error-rate', 'successful', 2],
        ['latency-p99', 'successful', 2],
      ]);
      expect(s.rules[0]!.values).toEqual([0, 0]);
    }

    // kubectl: revision 1 ran the champion's image, revision 2 (the promoted canary) the retrained
    // one; the canary's Deployment and pods are gone; two stable pods of model 2 run.
    const sets = JSON.parse(await cluster.kubectl(['get', 'replicasets', '-n', ns, '-o', 'json'])) as { items: { metadata: { name: string; annotations: Record<string, string> }; spec: { template: { spec: { containers: { image: string }[] } } } }[] };
    const byRevision = Object.fromEntries(sets.items.filter((r) => !r.metadata.name.startsWith('weather-canary-')).map((r) => [r.metadata.annotations['deployment.kubernetes.io/revision'], r.spec.template.spec.containers[0]!.image]));
    expect(byRevision).toEqual({ '1': champion, '2': retrained });
    expect(await jsonpath('deployment/weather', '{.spec.template.metadata.labels.mlops\\.io/model-version}')).toBe('2');
    expect(await cluster.kubectl(['rollout', 'status', 'deployment/weather', '-n', ns, '--timeout=120s'])).toContain('successfully rolled out');
    expect(await cluster.kubectl(['get', 'deployment/weather-canary', '-n', ns, '--ignore-not-found', '-o', 'name'])).toBe('');
    expect(await pods()).toEqual([
      { track: 'stable', model: '2', phase: 'Running' },
      { track: 'stable', model: '2', phase: 'Running' },
    ]);

    // What the user reads: the canary's pods as kubectl saw them, and the story, saying kwok simulated them.
    expect(out.stdout).toMatch(/kubectl get pods --watch saw the canary's pods come and go:\n {6}ADDED weather-canary-[a-z0-9]+-[a-z0-9]+ \(track canary, model version 2\)\n {6}DELETED weather-canary-/);
    expect(out.stdout).toMatch(/==> what happened\n[\s\S]*deploy-k8s rolled weather 1 out to the cluster \(revision 1, deployed\); kwok simulated its pods: no container ran\.\n {2}the retrained weather 2 went out as a canary, 1 of 3 pods, then 2 of 4 pods, each judged by Prometheus on the metrics of two server processes standing for a stable and a canary pod: promoted, revision 2\./);
    // Everything it started is stopped, its temp files removed.
    expect(leftovers()).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'tmp')).filter((f) => f.startsWith('mlops-demo-'))).toEqual([]);
  });

  it('without Prometheus, runs the canary steps without analysis and says so', async () => {
    const again = runDemo(dir, ['--cluster', cluster.stateDir], { MLOPS_DEMO_PROMETHEUS: 'prometheus-not-installed' });
    expect(again.status, again.stderr.slice(-3000)).toBe(0);
    expect(again.stdout).toContain("no `prometheus-not-installed` found (scripts/install-services.sh installs Debian's Prometheus): the canary's steps run\n    WITHOUT analysis");
    expect(again.stdout).toContain('went out as a canary, 1 of 3 pods, then 2 of 4 pods, without analysis (no Prometheus installed): promoted');
    const canary = read('canary-outputs.json');
    expect(canary).toMatchObject({ status: 'deployed' });
    expect(JSON.parse(canary['canary-steps'])).toEqual([
      { weight: 10, canaryReplicas: 1, stableReplicas: 2, share: 33.3, phase: 'successful', rules: [] },
      { weight: 50, canaryReplicas: 2, stableReplicas: 2, share: 50, phase: 'successful', rules: [] },
    ]);
    expect(await jsonpath('deployment/weather', '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}')).toBe(canary.revision);
    expect(await cluster.kubectl(['get', 'deployment/weather-canary', '-n', ns, '--ignore-not-found', '-o', 'name'])).toBe('');
    expect(leftovers()).toEqual([]);
  }, 600_000);

  it('stops before its first step when no cluster runs, naming the command that starts one', () => {
    const missing = path.join(dir, 'no-cluster');
    const r = runDemo(dir, ['--cluster', missing]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: --cluster deploys to the control plane scripts/k8s/start.sh runs, and ${missing}/kubeconfig does not exist.\nStart it with: scripts/k8s/start.sh ${missing}`);
  });
});
