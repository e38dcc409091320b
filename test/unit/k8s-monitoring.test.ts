import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { action } from '../../actions/deploy-k8s/deploy-k8s.js';
import { generateManifests, type SourcedObject } from '../../shared/k8s/manifests.js';
import { monitoringBundle, type MonitoringOptions, writeMonitoringFiles } from '../../shared/k8s/monitoring.js';
import { DEFAULT_THRESHOLDS } from '../../shared/monitor/rules.js';
import { parseInputs } from '../../shared/runtime/action.js';
import { workspaceWith } from '../harness/runner.js';
import { userError } from '../harness/user-error.js';

const workspaces: string[] = [];
afterAll(() => workspaces.forEach((ws) => fs.rmSync(ws, { recursive: true, force: true })));

const model = { name: 'iris', namespace: 'prod', model: 'iris-classifier' };
const options: MonitoringOptions = { mode: 'apply', dir: '.mlops/monitoring', labels: { release: 'kps' }, thresholds: DEFAULT_THRESHOLDS };
const generatedService = (): SourcedObject => ({ object: generateManifests({ name: 'iris', namespace: 'prod', image: 'r/iris@sha256:1', replicas: 1, env: {}, progressDeadlineSeconds: 60 })[1]! });
const service = (spec: Record<string, unknown>, labels: Record<string, string> = { app: 'iris' }): SourcedObject => ({ object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'iris', labels }, spec }, file: 'k8s/svc.yaml' });

describe('the monitoring bundle', () => {
  it('a ServiceMonitor on the Service port named http, copying the track label; rules and a sidecar dashboard', () => {
    const svc = generatedService();
    // deploy-k8s stamps per-version labels on the Service: the selector leaves them out.
    svc.object.metadata.labels = { ...svc.object.metadata.labels, 'app.kubernetes.io/managed-by': 'mlops-actions', 'mlops.io/model-version': '3' };
    const b = monitoringBundle(model, svc, options);
    expect(b.serviceMonitor).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'iris', namespace: 'prod', labels: { 'app.kubernetes.io/name': 'iris', release: 'kps' } },
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'iris', 'app.kubernetes.io/instance': 'iris' } }, endpoints: [{ port: 'http', path: '/metrics' }], podTargetLabels: ['track'] },
    });
    expect(b.prometheusRule.spec).toMatchObject({ groups: [{ name: 'mlops-prod-iris' }] });
    expect(b.dashboard.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'iris', grafana_dashboard: '1', release: 'kps' });
    expect(JSON.parse((b.dashboard.data as Record<string, string>)['mlops-prod-iris.json']!)).toMatchObject({ uid: 'mlops-prod-iris', title: 'Model iris-classifier (prod)' });
    expect(Object.keys(b.files).sort()).toEqual(['iris-dashboard.json', 'iris-rules.yml', 'kubernetes/iris-dashboard-configmap.yaml', 'kubernetes/iris-prometheusrule.yaml', 'kubernetes/iris-servicemonitor.yaml']);
    // The plain rules file is the PrometheusRule's spec.
    expect(YAML.parse(b.files['iris-rules.yml']!)).toEqual(b.prometheusRule.spec);
  });

  it("takes the user's only named port, and says what to fix when the Service cannot be scraped", () => {
    expect(monitoringBundle(model, service({ ports: [{ name: 'web', port: 80 }] }), options).serviceMonitor?.spec?.endpoints).toEqual([{ port: 'web', path: '/metrics' }]);
    const unnamed = userError(() => monitoringBundle(model, service({ ports: [{ port: 80 }] }), options));
    expect(unnamed.message).toBe('Service iris needs a port named http for the ServiceMonitor to scrape /metrics (it has no named port)');
    expect(unnamed.where).toMatchObject({ file: 'k8s/svc.yaml' });
    expect(userError(() => monitoringBundle(model, service({ ports: [{ name: 'a' }, { name: 'b' }] }), options)).message).toContain('(it has the ports a, b)');
    expect(userError(() => monitoringBundle(model, service({ ports: [{ name: 'http' }] }, {}), options)).message).toBe('Service iris has no label for a ServiceMonitor to select it by');
    const none = monitoringBundle(model, undefined, options);
    expect(none.serviceMonitor).toBeNull();
    const stamped = monitoringBundle(model, undefined, options, { labels: { 'app.kubernetes.io/managed-by': 'mlops-actions', release: 'theirs' }, annotations: { 'mlops.io/git-sha': 'abc' } });
    expect(stamped.prometheusRule.metadata).toMatchObject({ labels: { 'app.kubernetes.io/managed-by': 'mlops-actions', release: 'kps' }, annotations: { 'mlops.io/git-sha': 'abc' } });
    expect(none.notes).toEqual(['no Service named iris among the manifests: no ServiceMonitor (a ServiceMonitor scrapes through a Service\'s named port)']);
  });

  it('writes the files under monitoring-dir, and names the input when it cannot', () => {
    const ws = workspaceWith({ 'blocked': 'a file' });
    workspaces.push(ws);
    const b = monitoringBundle(model, generatedService(), options);
    expect(writeMonitoringFiles(b, 'out/mon', ws)).toContain('out/mon/iris-rules.yml');
    expect(fs.readFileSync(path.join(ws, 'out/mon/iris-dashboard.json'), 'utf8')).toBe(b.files['iris-dashboard.json']);
    expect(userError(() => writeMonitoringFiles(b, 'blocked/mon', ws)).where).toEqual({ input: 'monitoring-dir' });
  });
});

describe('deploy-k8s monitoring inputs', () => {
  const required = { image: 'r.example/iris@sha256:ab', name: 'iris' };
  it('alerts override the default thresholds by name', () => {
    expect(parseInputs(action, required)).toMatchObject({ monitoring: 'apply', 'monitoring-dir': '.mlops/monitoring', 'monitoring-labels': {}, alerts: DEFAULT_THRESHOLDS });
    expect(parseInputs(action, { ...required, alerts: 'error-rate=0.1\nno-predictions-minutes = 15', 'monitoring-labels': 'release=kps' })).toMatchObject({
      alerts: { ...DEFAULT_THRESHOLDS, errorRate: 0.1, noPredictionsMinutes: 15 },
      'monitoring-labels': { release: 'kps' },
    });
  });
  it('names an unknown threshold, a value that is not a positive number, and a bad mode', () => {
    expect(userError(() => parseInputs(action, { ...required, alerts: 'error_rate=0.1' })).message).toContain('expected one name=value per line');
    expect(userError(() => parseInputs(action, { ...required, alerts: 'latency=1' })).message).toContain('unknown alert threshold "latency" (known: error-rate, p99-seconds, no-predictions-minutes, class-shift, drift-score, drift-p-value)');
    expect(userError(() => parseInputs(action, { ...required, alerts: 'p99-seconds=fast' })).message).toContain('p99-seconds must be a positive number, got "fast"');
    expect(userError(() => parseInputs(action, { ...required, monitoring: 'yes' })).where).toEqual({ input: 'monitoring' });
  });
});
