import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { action } from '../../actions/deploy-k8s/deploy-k8s.js';
import { generateManifests, loadManifests, setImage, stamp } from '../../shared/k8s/manifests.js';
import { parseInputs } from '../../shared/runtime/action.js';
import { workspaceWith } from '../harness/runner.js';
import { userError } from '../harness/user-error.js';

const workspaces: string[] = [];
afterAll(() => workspaces.forEach((ws) => fs.rmSync(ws, { recursive: true, force: true })));
const ws = (files: Record<string, string>) => {
  const dir = workspaceWith(files);
  workspaces.push(dir);
  return dir;
};

describe('generated manifests', () => {
  const [deployment, service] = generateManifests({ name: 'iris', namespace: 'prod', image: 'r.example/iris@sha256:ab', replicas: 3, env: { LOG_LEVEL: 'debug' }, progressDeadlineSeconds: 120 });
  it('a Deployment that never drops below capacity, probing the server and scraped by Prometheus', () => {
    expect(deployment!.spec).toMatchObject({ replicas: 3, progressDeadlineSeconds: 120, strategy: { rollingUpdate: { maxUnavailable: 0 } } });
    const template = deployment!.spec!.template as { metadata: { annotations: Record<string, string> }; spec: { containers: Record<string, unknown>[] } };
    expect(template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
    // track: stable on the pods, not in the (immutable) selector: a canary's pods say track: canary.
    expect(deployment!.spec).toMatchObject({ selector: { matchLabels: { 'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/instance': 'iris' } }, template: { metadata: { labels: { 'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/instance': 'iris', track: 'stable' } } } });
    expect(template.spec.containers[0]).toMatchObject({ image: 'r.example/iris@sha256:ab', env: [{ name: 'LOG_LEVEL', value: 'debug' }], readinessProbe: { httpGet: { path: '/v2/health/ready', port: 'http' } } });
  });
  it('a Service on port 80 selecting exactly its pods', () => {
    expect(service!.spec).toEqual({ selector: { 'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/instance': 'iris' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  });
  it('stamping keeps the user labels and puts the pod annotations on the template', () => {
    const [d] = generateManifests({ name: 'iris', namespace: 'prod', image: 'x', replicas: 1, env: {}, progressDeadlineSeconds: 1 });
    d!.metadata.labels!['app.kubernetes.io/managed-by'] = 'me';
    stamp(d!, { labels: { 'app.kubernetes.io/managed-by': 'mlops-actions' }, annotations: { a: '1' } }, { labels: {}, annotations: { 'prometheus.io/port': '9090' } });
    expect(d!.metadata).toMatchObject({ labels: { 'app.kubernetes.io/managed-by': 'me' }, annotations: { a: '1' } });
    expect((d!.spec!.template as { metadata: { annotations: Record<string, string> } }).metadata.annotations['prometheus.io/port']).toBe('9090');
  });
});

describe("the user's manifests", () => {
  it('reads a directory in name order, skipping empty documents', () => {
    const dir = ws({ 'k/b.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n', 'k/a.yml': '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n', 'k/notes.txt': 'x' });
    expect(loadManifests(['k'], dir).map((s) => `${s.object.kind} ${s.file}`)).toEqual(['ConfigMap k/a.yml', 'Service k/b.yaml']);
  });
  it('names the file and line of invalid YAML and of a non-object', () => {
    const dir = ws({ 'bad.yml': 'apiVersion: v1\nkind: [ConfigMap\n', 'list.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n- a\n- b\n' });
    expect(userError(() => loadManifests(['bad.yml'], dir)).where).toMatchObject({ file: 'bad.yml', line: 3 });
    const e = userError(() => loadManifests(['list.yml'], dir));
    expect(e.message).toContain('not a Kubernetes object');
    expect(e.where).toEqual({ file: 'list.yml', line: 5 });
  });
  it('sets the image on the containers of its repository, and says so when none is', () => {
    const d = { object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'iris' }, spec: { template: { spec: { containers: [{ name: 'm', image: 'r.example:5000/iris:old' }, { name: 's', image: 'r.example/agent' }] } } } }, file: 'd.yml' };
    setImage(d, 'r.example:5000/iris@sha256:ab');
    expect(d.object.spec.template.spec.containers.map((c) => c.image)).toEqual(['r.example:5000/iris@sha256:ab', 'r.example/agent']);
    expect(userError(() => setImage(d, 'other.example/iris@sha256:ab')).message).toBe('no container of Deployment iris uses other.example/iris');
  });
});

describe('deploy-k8s inputs', () => {
  const required = { image: 'r.example/iris@sha256:ab', name: 'iris' };
  it('env and annotations are KEY=value lines', () => {
    const i = parseInputs(action, { ...required, env: 'A=1\n\nB = x=y\n', annotations: 'sidecar.istio.io/inject=false' });
    expect(i.env).toEqual({ A: '1', B: 'x=y' });
    expect(i.annotations).toEqual({ 'sidecar.istio.io/inject': 'false' });
  });
  it('names the input of a malformed line', () => {
    const e = userError(() => parseInputs(action, { ...required, env: 'not a pair' }));
    expect(e.message).toBe('input "env" is invalid: expected one NAME=value per line, got "not a pair" (got "not a pair")');
    expect(userError(() => parseInputs(action, { ...required, name: 'Iris_Model' })).where).toEqual({ input: 'name' });
  });
});
