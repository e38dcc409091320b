import fs from 'node:fs';
import net from 'node:net';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type RunningCluster, startCluster } from '../harness/k8s/cluster.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { pushTestBases } from '../harness/base-image.js';
import { manifestFor } from '../harness/models.js';
import { startRegistry } from '../harness/registry/registry.js';
import { NODE24, REPO_ROOT, runAction, type RunResult, workspaceWith } from '../harness/runner.js';

// deploy-k8s as the runner runs it (node24, INPUT_*), against a real control plane (apiserver,
// controller-manager, scheduler; kwok for the kubelet), checked with kubectl each time.
let cluster: RunningCluster;
const workspaces: string[] = [];
beforeAll(async () => {
  cluster = await startCluster();
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
  for (const ws of workspaces) fs.rmSync(ws, { recursive: true, force: true });
});

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const image = (c: string) => `registry.example/iris@sha256:${c.repeat(64)}`;

async function deployK8s(inputs: Record<string, string>, files: Record<string, string> = {}): Promise<RunResult> {
  const ws = workspaceWith(files);
  workspaces.push(ws);
  return runAction('deploy-k8s', { kubeconfig: cluster.kubeconfig, ...inputs }, { workspace: ws });
}

async function namespace(name: string): Promise<string> {
  await cluster.kubectl(['create', 'namespace', name]);
  return name;
}

interface Deployment {
  metadata: { labels: Record<string, string>; annotations: Record<string, string>; managedFields: { manager: string; operation: string; fieldsV1?: unknown }[] };
  spec: { replicas: number; progressDeadlineSeconds: number; template: { metadata: { annotations: Record<string, string>; labels: Record<string, string> }; spec: { securityContext: Record<string, unknown>; containers: { image: string; readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } } }[] } } };
  status: { availableReplicas?: number };
}
const getDeployment = async (ns: string, name: string) => JSON.parse(await cluster.kubectl(['get', 'deployment', name, '-n', ns, '-o', 'json', '--show-managed-fields'])) as Deployment;

describe('deploy-k8s (real control plane, runner protocol)', () => {
  it('deploys revision 1, then 2, and rolls a crash-looping revision 3 back to 2', async () => {
    const ns = await namespace('rollout');
    const first = await deployK8s({ image: image('a'), name: 'iris', namespace: ns });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(first.outputs).toEqual({ revision: '1', 'previous-revision': '', status: 'deployed', url: 'http://iris.rollout.svc.cluster.local', 'canary-steps': '' });
    expect(first.stdout).toContain('deployment "iris" successfully rolled out');
    let d = await getDeployment(ns, 'iris');
    expect(d.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'mlops.io/image-digest': `sha256:${'a'.repeat(64)}`,
      'mlops.io/git-sha': '0123456789abcdef0123456789abcdef01234567',
      'mlops.io/run-url': 'https://github.com/octo-org/ml-project/actions/runs/1',
    });
    const pod = d.spec.template;
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(pod.spec.containers[0]!.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(pod.spec.containers[0]!.livenessProbe.httpGet.path).toBe('/v2/health/live');
    expect(d.metadata.managedFields.filter((f) => f.operation === 'Apply').map((f) => f.manager)).toEqual(['mlops-deploy-k8s']);
    expect(await cluster.kubectl(['get', 'service', 'iris', '-n', ns, '-o', 'jsonpath={.spec.ports[0].port}'])).toBe('80');

    const second = await deployK8s({ image: image('b'), name: 'iris', namespace: ns });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.outputs).toMatchObject({ revision: '2', 'previous-revision': '1', status: 'deployed' });
    expect(await cluster.kubectl(['rollout', 'status', 'deployment/iris', '-n', ns, '--timeout=120s'])).toContain('successfully rolled out');

    // kwok crash-loops pods with this annotation: the rollout makes no progress for `timeout` seconds.
    const third = await deployK8s({ image: image('c'), name: 'iris', namespace: ns, annotations: 'kwok.mlops.test/stage=crashloop', timeout: '5' });
    expect(third.exitCode).toBe(1);
    expect(third.outputs).toMatchObject({ revision: '3', 'previous-revision': '2', status: 'rolled-back' });
    expect(third.summary).toContain('deploy-k8s: rolled-back');
    expect(third.summary).toContain('exceeded its progress deadline');
    expect(third.summary).toMatch(/\| <code>iris-[a-z0-9]+-[a-z0-9]+<\/code> \| CrashLoopBackOff \| 5 \| container server: back-off/);
    expect(third.annotations.find((a) => a.level === 'error')?.message).toMatch(/revision 3 failed: .*CrashLoopBackOff.*rolled back to revision 2 \(now revision 4\)/);
    // kubectl rollout undo semantics: revision 2's template serves again, renumbered 4.
    d = await getDeployment(ns, 'iris');
    expect(d.spec.template.spec.containers[0]!.image).toBe(image('b'));
    expect(d.spec.template.metadata.annotations['kwok.mlops.test/stage']).toBeUndefined();
    expect(d.spec.template.metadata.labels['pod-template-hash']).toBeUndefined();
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('4');
    expect(d.status.availableReplicas).toBe(2);
    expect(d.metadata.managedFields.map((f) => f.manager)).not.toContain('kubectl');
    expect(await cluster.kubectl(['rollout', 'status', 'deployment/iris', '-n', ns, '--timeout=120s'])).toContain('successfully rolled out');
  }, 600_000);

  it('fails without rolling back when there is no previous revision, or with rollback: never', async () => {
    const ns = await namespace('no-rollback');
    const crash = { annotations: 'kwok.mlops.test/stage=crashloop', timeout: '3' };
    const first = await deployK8s({ image: image('a'), name: 'iris', namespace: ns, ...crash });
    expect(first.exitCode).toBe(1);
    expect(first.outputs).toMatchObject({ revision: '1', 'previous-revision': '', status: 'failed' });
    expect(first.annotations.find((a) => a.level === 'error')?.message).toMatch(/revision 1 failed: .*; no previous revision to roll back to$/);

    expect((await deployK8s({ image: image('b'), name: 'iris', namespace: ns })).exitCode).toBe(0);
    const never = await deployK8s({ image: image('c'), name: 'iris', namespace: ns, rollback: 'never', ...crash });
    expect(never.exitCode).toBe(1);
    expect(never.outputs).toMatchObject({ revision: '3', 'previous-revision': '2', status: 'failed' });
    expect(never.annotations.find((a) => a.level === 'error')?.message).toMatch(/revision 3 failed: .*CrashLoopBackOff.*; not rolled back \(rollback: never\)$/);
    const d = await getDeployment(ns, 'iris');
    expect(d.spec.template.spec.containers[0]!.image).toBe(image('c'));
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
  }, 600_000);

  it('reports a server-side apply conflict with the fields and their manager, and takes them over with force-conflicts', async () => {
    const ns = await namespace('conflict');
    expect((await deployK8s({ image: image('a'), name: 'iris', namespace: ns })).exitCode).toBe(0);
    // Another tool takes spec.replicas over.
    const theirs = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'iris', namespace: ns }, spec: { replicas: 3 } });
    await cluster.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'autoscaler-script', '-f', '-'], theirs);

    const conflict = await deployK8s({ image: image('b'), name: 'iris', namespace: ns });
    expect(conflict.exitCode).toBe(1);
    const error = conflict.annotations.find((a) => a.level === 'error')!;
    expect(error.title).toBe('deploy-k8s: apply conflict');
    expect(error.message).toContain('applying Deployment conflict/iris as field manager "mlops-deploy-k8s" conflicts with other field managers over .spec.replicas (autoscaler-script)');
    expect(error.message).toContain('Fix: set `force-conflicts: true`');
    expect(error.message).not.toContain('Internal error');
    expect((await getDeployment(ns, 'iris')).spec.replicas).toBe(3);

    const forced = await deployK8s({ image: image('b'), name: 'iris', namespace: ns, 'force-conflicts': 'true' });
    expect(forced.exitCode, forced.stdout).toBe(0);
    expect(forced.outputs).toMatchObject({ revision: '2', status: 'deployed' });
    const d = await getDeployment(ns, 'iris');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.containers[0]!.image).toBe(image('b'));
    const replicasOwner = d.metadata.managedFields.filter((f) => (f.fieldsV1 as { 'f:spec'?: { 'f:replicas'?: unknown } } | undefined)?.['f:spec']?.['f:replicas']).map((f) => f.manager);
    expect(replicasOwner).toEqual(['mlops-deploy-k8s']);
  }, 600_000);

  it("applies the user's manifests, pointing the Deployment's container at the image", async () => {
    const ns = await namespace('manifests');
    const files = {
      'k8s/10-config.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: iris-config\ndata:\n  BATCH: "8"\n`,
      'k8s/20-deployment.yml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: iris }',
        'spec:',
        '  replicas: 1',
        '  selector: { matchLabels: { app: iris } }',
        '  template:',
        '    metadata: { labels: { app: iris } }',
        '    spec:',
        '      containers:',
        '      - { name: model, image: "registry.example/iris:placeholder" }',
        '      - { name: sidecar, image: "registry.example/log-agent:1.0" }',
        '',
      ].join('\n'),
    };
    const onnx = Buffer.from('not really onnx: deploy-k8s reads only the manifest and the digest');
    const digest = `sha256:${crypto.createHash('sha256').update(onnx).digest('hex')}`;
    const manifest = { ...manifestFor(digest, onnx.length, 'iris'), version: '7' };
    const model = { 'model/model.onnx': onnx.toString(), 'model/mlops-model.json': JSON.stringify(manifest) };
    const r = await deployK8s({ image: image('d'), name: 'iris', namespace: ns, manifests: 'k8s', model: 'model/model.onnx' }, { ...files, ...model });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ revision: '1', status: 'deployed', url: '' });
    const d = await getDeployment(ns, 'iris');
    expect(d.spec.template.spec.containers.map((c) => c.image)).toEqual([image('d'), 'registry.example/log-agent:1.0']);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    // The model's identity on the Deployment and its pods.
    const identity = { 'mlops.io/model-name': 'iris', 'mlops.io/model-version': '7' };
    expect(d.metadata).toMatchObject({ labels: identity, annotations: { ...identity, 'mlops.io/model-digest': digest } });
    expect(d.spec.template.metadata).toMatchObject({ labels: identity, annotations: { 'mlops.io/model-digest': digest, 'mlops.io/image-digest': `sha256:${'d'.repeat(64)}` } });
    expect(await cluster.kubectl(['get', 'configmap', 'iris-config', '-n', ns, '-o', 'jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}'])).toBe('mlops-actions');
  }, 600_000);

  it('masks the kubeconfig token, and names what is wrong with a kubeconfig', async () => {
    const token = /token: (\S+)/.exec(fs.readFileSync(cluster.tokenKubeconfig, 'utf8'))![1]!;
    const ns = await namespace('token');
    const r = await deployK8s({ image: image('a'), name: 'iris', namespace: ns, kubeconfig: fs.readFileSync(cluster.tokenKubeconfig, 'utf8') });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toContain(`::add-mask::${token}`);
    expect(r.stdout.replace(`::add-mask::${token}`, '')).not.toContain(token);
    // The client certificate's key, from the file the kubeconfig names: every base64 line masked.
    const keyFile = /client-key: (\S+)/.exec(fs.readFileSync(cluster.kubeconfig, 'utf8'))![1]!;
    const keyLines = fs.readFileSync(keyFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'));
    const withKey = await deployK8s({ image: image('b'), name: 'iris', namespace: ns });
    expect(withKey.exitCode).toBe(0);
    for (const line of keyLines) expect(withKey.stdout).toContain(`::add-mask::${line}\n`);
    expect(withKey.stdout).not.toContain('::add-mask::-----BEGIN');

    const malformed = await deployK8s({ image: image('a'), name: 'iris', kubeconfig: 'kc.yml' }, { 'kc.yml': 'apiVersion: v1\nclusters:\n  - name: a\n    cluster: {server: "https://x\n' });
    expect(malformed.exitCode).toBe(1);
    const bad = malformed.annotations.find((a) => a.level === 'error')!;
    expect(bad).toMatchObject({ title: 'deploy-k8s: invalid kubeconfig', file: 'kc.yml' });
    expect(bad.message).toMatch(/^kc\.yml:\d+:\d+: kc\.yml is not a usable kubeconfig: /);

    const port = await closedPort();
    const nowhere = fs.readFileSync(cluster.kubeconfig, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`);
    const unreachable = await deployK8s({ image: image('a'), name: 'iris', kubeconfig: 'kc.yml' }, { 'kc.yml': nowhere });
    expect(unreachable.exitCode).toBe(1);
    expect(unreachable.annotations.find((a) => a.level === 'error')).toMatchObject({
      title: 'deploy-k8s: cluster unreachable',
      message: expect.stringContaining(`cannot reach the cluster at https://127.0.0.1:${port} named by kc.yml: nothing listens there (connection refused)`),
    });

    const noContext = await deployK8s({ image: image('a'), name: 'iris', kubeconfig: 'kc.yml' }, { 'kc.yml': nowhere.replace(/current-context: \S+/, 'current-context: prod') });
    expect(noContext.annotations.find((a) => a.level === 'error')?.message).toContain('kc.yml is not a usable kubeconfig: its current-context "prod" is not among its contexts');
  }, 600_000);

  it('resolves a tag to its digest in the registry, and names a tag that does not exist', async () => {
    const registry = await startRegistry({ auth: 'none' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-k8s-bases-'));
    try {
      const bases = await pushTestBases(new RegistryClient({ registry: registry.host }), dir, 'models/iris');
      const ns = await namespace('by-tag');
      const r = await deployK8s({ image: `${registry.host}/models/iris:${bases.oci.tag}`, name: 'iris', namespace: ns });
      expect(r.exitCode, r.stdout).toBe(0);
      expect(r.stdout).toContain(`${registry.host}/models/iris:${bases.oci.tag} is ${bases.oci.digest}`);
      expect(await cluster.kubectl(['get', 'deployment', 'iris', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe(`${registry.host}/models/iris@${bases.oci.digest}`);
      const missing = await deployK8s({ image: `${registry.host}/models/iris:v9`, name: 'iris', namespace: ns });
      expect(missing.annotations.find((a) => a.level === 'error')?.message).toContain(`image ${registry.host}/models/iris:v9: the tag v9 does not exist in ${registry.host}/models/iris`);
    } finally {
      await registry.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  it('needs a digest or a tag it can resolve, an existing namespace, and a Prometheus for a canary', async () => {
    const tag = await deployK8s({ image: '127.0.0.1:1/iris:v3', name: 'iris' });
    expect(tag.exitCode).toBe(1);
    expect(tag.annotations.find((a) => a.level === 'error')?.message).toMatch(/^image 127\.0\.0\.1:1\/iris:v3 is a tag, and resolving it to a digest at 127\.0\.0\.1:1 failed: .*\(input `image`\)\nFix: give the image by digest/s);
    const canary = await deployK8s({ image: image('a'), name: 'iris', strategy: 'canary' });
    expect(canary.annotations.find((a) => a.level === 'error')?.message).toMatch(/^strategy: canary needs `prometheus`, the Prometheus that scrapes the model server, to judge the canary \(input `prometheus`\)\nFix: set `prometheus: /);
    const noNamespace = await deployK8s({ image: image('a'), name: 'iris', namespace: 'nope' });
    expect(noNamespace.annotations.find((a) => a.level === 'error')?.message).toMatch(/^the namespace nope does not exist in the cluster at https:\/\/127\.0\.0\.1:\d+ \(input `namespace`\)\nFix: create it first/);
  }, 600_000);

  it("runs docs/deploy.md's examples: the workflow step and the CLI", async () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
    const step = (YAML.parse(/```yaml\n([\s\S]*?uses: mlops-actions\/mlops\/actions\/deploy-k8s@v1[\s\S]*?)```/.exec(doc)![1]!) as { with: Record<string, string | number> }[])[0]!;
    const expressions: Record<string, string> = { '${{ needs.build.outputs.image }}': image('e'), '${{ secrets.KUBECONFIG }}': fs.readFileSync(cluster.kubeconfig, 'utf8') };
    const inputs = Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, expressions[String(v)] ?? String(v)]));
    await namespace(inputs.namespace!);
    const r = await deployK8s(inputs);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ revision: '1', status: 'deployed', url: 'http://iris.production.svc.cluster.local' });
    expect(await cluster.kubectl(['get', 'deployment', 'iris', '-n', 'production', '-o', 'jsonpath={.status.availableReplicas}'])).toBe('3');

    const command = /^node cli\/dist\/mlops\.js (deploy-k8s .*)$/m.exec(doc)![1]!.split(' ');
    const ws = workspaceWith({});
    workspaces.push(ws);
    const { stdout } = await promisify(execFile)(NODE24, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), ...command], { cwd: ws, env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
    expect(JSON.parse(stdout)).toEqual({ revision: '1', 'previous-revision': '', status: 'deployed', url: 'http://iris.default.svc.cluster.local', 'canary-steps': '' });
    expect(await cluster.kubectl(['get', 'deployment', 'iris', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe(image('1'));
  }, 600_000);
});
