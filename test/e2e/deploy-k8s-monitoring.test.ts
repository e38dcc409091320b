import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCluster, startCluster } from '../harness/k8s/cluster.js';
import crypto from 'node:crypto';
import YAML from 'yaml';
import { manifestFor } from '../harness/models.js';
import { REPO_ROOT, runAction, type RunResult, workspaceWith } from '../harness/runner.js';

// The monitoring deploy-k8s ships, as the runner runs it, on a real control plane that has the
// prometheus-operator CRDs (scripts/k8s/start.sh installs them), then without them.
let cluster: RunningCluster;
const workspaces: string[] = [];
beforeAll(async () => {
  cluster = await startCluster();
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
  for (const ws of workspaces) fs.rmSync(ws, { recursive: true, force: true });
});

const image = (c: string) => `registry.example/iris@sha256:${c.repeat(64)}`;
async function deployK8s(inputs: Record<string, string>, files: Record<string, string> = {}): Promise<RunResult & { workspace: string }> {
  const ws = workspaceWith(files);
  workspaces.push(ws);
  return { ...(await runAction('deploy-k8s', { kubeconfig: cluster.kubeconfig, ...inputs }, { workspace: ws })), workspace: ws };
}
const json = async <T>(args: string[]) => JSON.parse(await cluster.kubectl([...args, '-o', 'json', '--show-managed-fields'])) as T;
interface Obj {
  metadata: { labels: Record<string, string>; managedFields: { manager: string; operation: string }[] };
  spec: Record<string, unknown>;
  data?: Record<string, string>;
}

describe('deploy-k8s monitoring (real control plane, runner protocol)', () => {
  it('applies a ServiceMonitor, a PrometheusRule and the dashboard ConfigMap, and writes the files', async () => {
    await cluster.kubectl(['create', 'namespace', 'mon']);
    const r = await deployK8s({ image: image('a'), name: 'iris', namespace: 'mon', 'monitoring-labels': 'release=kube-prometheus-stack', alerts: 'error-rate=0.1\np99-seconds=0.5' });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    for (const o of ['servicemonitor/iris', 'prometheusrule/iris', 'configmap/iris-dashboard']) expect(r.stdout).toContain(`${o} serverside-applied`);

    const sm = await json<Obj>(['get', 'servicemonitor', 'iris', '-n', 'mon']);
    expect(sm.spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/instance': 'iris' } }, endpoints: [{ port: 'http', path: '/metrics' }], podTargetLabels: ['track'] });
    expect(sm.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/managed-by': 'mlops-actions' });
    // Its selector picks the Service, and the Service names the port it scrapes.
    const selector = Object.entries((sm.spec.selector as { matchLabels: Record<string, string> }).matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
    expect(await cluster.kubectl(['get', 'service', '-n', 'mon', '-l', selector, '-o', 'jsonpath={.items[*].metadata.name} {.items[*].spec.ports[*].name}'])).toBe('iris http');

    const rule = await json<Obj>(['get', 'prometheusrule', 'iris', '-n', 'mon']);
    const rules = (rule.spec.groups as { rules: { alert: string; expr: string; labels: { severity: string } }[] }[])[0]!.rules;
    expect(rules.map((x) => x.alert)).toEqual(['MlopsModelHighErrorRate', 'MlopsModelHighLatency', 'MlopsModelNotReady', 'MlopsModelNoPredictions', 'MlopsPredictionClassShift', 'MlopsDriftDetected', 'MlopsHighDriftScore']);
    expect(rules[0]!.expr).toMatch(/namespace="mon", model_name="iris"[\s\S]*> 0\.1$/);
    expect(rules[1]!.expr).toMatch(/> 0\.5$/);
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');

    const cm = await json<Obj>(['get', 'configmap', 'iris-dashboard', '-n', 'mon']);
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1', release: 'kube-prometheus-stack' });
    const dashboard = JSON.parse(cm.data!['mlops-mon-iris.json']!) as { uid: string; title: string; panels: unknown[] };
    expect(dashboard).toMatchObject({ uid: 'mlops-mon-iris', title: 'Model iris (mon)' });
    for (const o of [sm, rule, cm]) expect(o.metadata.managedFields.filter((f) => f.operation === 'Apply').map((f) => f.manager)).toEqual(['mlops-deploy-k8s']);

    // The same as files; the plain rules file passes promtool.
    const dir = path.join(r.workspace, '.mlops/monitoring');
    expect(fs.readdirSync(dir, { recursive: true }).sort()).toEqual(['iris-dashboard.json', 'iris-rules.yml', 'kubernetes', 'kubernetes/iris-dashboard-configmap.yaml', 'kubernetes/iris-prometheusrule.yaml', 'kubernetes/iris-servicemonitor.yaml']);
    const { stdout } = await promisify(execFile)('promtool', ['check', 'rules', path.join(dir, 'iris-rules.yml')]);
    expect(stdout).toContain('SUCCESS: 7 rules found');
    expect(r.summary).toContain('**Monitoring:** applied <code>ServiceMonitor/iris</code>, <code>PrometheusRule/iris</code>, <code>ConfigMap/iris-dashboard</code>; files <code>.mlops/monitoring/iris-rules.yml</code>');

    // A second deploy re-applies them as the same field manager: no conflict.
    const again = await deployK8s({ image: image('b'), name: 'iris', namespace: 'mon', 'monitoring-labels': 'release=kube-prometheus-stack' });
    expect(again.exitCode, again.stdout).toBe(0);
    expect((await json<Obj>(['get', 'prometheusrule', 'iris', '-n', 'mon'])).spec.groups).toMatchObject([{ rules: expect.arrayContaining([expect.objectContaining({ alert: 'MlopsModelHighErrorRate', expr: expect.stringMatching(/> 0\.05$/) })]) }]);
  }, 600_000);

  it("runs docs/monitoring.md's workflow step", async () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/monitoring.md'), 'utf8');
    const step = (YAML.parse(/```yaml\n([\s\S]*?)```/.exec(doc)![1]!) as { with: Record<string, string> }[])[0]!;
    const onnx = Buffer.from('not really onnx: deploy-k8s reads only the manifest and the digest');
    const digest = `sha256:${crypto.createHash('sha256').update(onnx).digest('hex')}`;
    const model = { 'model/model.onnx': onnx.toString(), 'model/mlops-model.json': JSON.stringify({ ...manifestFor(digest, onnx.length, 'iris'), version: '4' }) };
    const expressions: Record<string, string> = { '${{ needs.build.outputs.image }}': image('d'), '${{ needs.train.outputs.model }}': 'model/model.onnx', '${{ secrets.KUBECONFIG }}': fs.readFileSync(cluster.kubeconfig, 'utf8') };
    const inputs = Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, expressions[String(v)] ?? String(v)]));
    await cluster.kubectl(['create', 'namespace', inputs.namespace!]);
    const r = await deployK8s(inputs, model);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.annotations).toEqual([]);
    const rule = await json<Obj>(['get', 'prometheusrule', 'iris', '-n', 'production']);
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'mlops.io/model-name': 'iris', 'mlops.io/model-version': '4' });
    const rules = (rule.spec.groups as { rules: { expr: string }[] }[])[0]!.rules;
    expect(rules[0]!.expr).toMatch(/namespace="production", model_name="iris"[\s\S]*> 0\.02$/);
    expect(rules[1]!.expr).toMatch(/> 0\.5$/);
  }, 600_000);

  it('writes only the files with `monitoring: files`, nothing with `none`, and names a Service port it cannot scrape', async () => {
    await cluster.kubectl(['create', 'namespace', 'mon-files']);
    const files = await deployK8s({ image: image('a'), name: 'iris', namespace: 'mon-files', monitoring: 'files' });
    expect(files.exitCode, files.stdout).toBe(0);
    expect(fs.readdirSync(path.join(files.workspace, '.mlops/monitoring/kubernetes'))).toHaveLength(3);
    const ours = ['get', 'servicemonitors,prometheusrules,configmaps', '-n', 'mon-files', '-l', 'app.kubernetes.io/managed-by=mlops-actions', '-o', 'name'];
    expect(await cluster.kubectl(ours)).toBe('');
    // docs/monitoring.md's command applies the files as they are.
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/monitoring.md'), 'utf8');
    const command = /```sh\nkubectl (apply .*)\n```/.exec(doc)![1]!.split(' ');
    await cluster.kubectl(command.map((a) => (a.startsWith('.mlops/') ? path.join(files.workspace, a) : a)));
    expect((await cluster.kubectl(ours)).trim().split('\n').sort()).toEqual(['configmap/iris-dashboard', 'prometheusrule.monitoring.coreos.com/iris', 'servicemonitor.monitoring.coreos.com/iris']);

    const none = await deployK8s({ image: image('b'), name: 'iris', namespace: 'mon-files', monitoring: 'none' });
    expect(none.exitCode, none.stdout).toBe(0);
    expect(fs.existsSync(path.join(none.workspace, '.mlops/monitoring'))).toBe(false);
    expect(none.summary).not.toContain('Monitoring:');

    const manifests = {
      'k8s/app.yaml': [
        'apiVersion: v1',
        'kind: Service',
        'metadata: { name: iris, labels: { app: iris } }',
        'spec: { selector: { app: iris }, ports: [{ port: 80, targetPort: 8080 }] }',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: iris }',
        'spec:',
        '  selector: { matchLabels: { app: iris } }',
        '  template:',
        '    metadata: { labels: { app: iris } }',
        '    spec: { containers: [{ name: server, image: "registry.example/iris:x" }] }',
        '',
      ].join('\n'),
    };
    const unnamed = await deployK8s({ image: image('c'), name: 'iris', namespace: 'mon-files', manifests: 'k8s' }, manifests);
    expect(unnamed.exitCode).toBe(1);
    expect(unnamed.annotations.find((a) => a.level === 'error')).toMatchObject({
      file: 'k8s/app.yaml',
      message: expect.stringContaining('Service iris needs a port named http for the ServiceMonitor to scrape /metrics (it has no named port)'),
    });
  }, 600_000);

  it('without the prometheus-operator CRDs: applies the dashboard, skips the rest with a notice, writes the files', async () => {
    await cluster.kubectl(['delete', 'crd', 'servicemonitors.monitoring.coreos.com', 'prometheusrules.monitoring.coreos.com']);
    // Discovery follows the deletion: wait until the group version is gone.
    for (;;) {
      const gone = await cluster.kubectl(['get', '--raw', '/apis/monitoring.coreos.com/v1']).then((out) => !(JSON.parse(out) as { resources: unknown[] }).resources.length, () => true);
      if (gone) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await cluster.kubectl(['create', 'namespace', 'no-operator']);
    const r = await deployK8s({ image: image('a'), name: 'iris', namespace: 'no-operator', 'monitoring-dir': 'out/monitoring' });
    expect(r.exitCode, r.stdout).toBe(0);
    const notices = r.annotations.filter((a) => a.level === 'notice').map((a) => a.message);
    expect(notices).toEqual([
      'no `model` given: the alerts and the dashboard select model_name="iris" (the deploy\'s name); give `model` if the server reports another name',
      'ServiceMonitor/iris not applied: the cluster does not serve ServiceMonitor (monitoring.coreos.com/v1); install the prometheus-operator CRDs, or use the files',
      'PrometheusRule/iris not applied: the cluster does not serve PrometheusRule (monitoring.coreos.com/v1); install the prometheus-operator CRDs, or use the files',
    ]);
    expect(await cluster.kubectl(['get', 'configmap', 'iris-dashboard', '-n', 'no-operator', '-o', 'jsonpath={.metadata.labels.grafana_dashboard}'])).toBe('1');
    expect(fs.readdirSync(path.join(r.workspace, 'out/monitoring'))).toContain('iris-rules.yml');
    expect(r.summary).toContain('Note: ServiceMonitor/iris not applied: the cluster does not serve ServiceMonitor');
  }, 600_000);
});
