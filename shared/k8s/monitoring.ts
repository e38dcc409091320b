/**
 * The monitoring each deploy ships: a ServiceMonitor for the server's metrics port, a
 * PrometheusRule with the alerts, and the Grafana dashboard as a ConfigMap for Grafana's
 * sidecar. Generated here as Kubernetes objects and as plain files (a Prometheus rules file and
 * the dashboard JSON) for clusters without the prometheus-operator.
 */
import path from 'node:path';
import YAML from 'yaml';
import type { KubeObject, SourcedObject } from './manifests.js';
import { SERVER } from './manifests.js';
import { dashboardUid, modelDashboard } from '../monitor/dashboard.js';
import { alertRules, type AlertThresholds, type MonitoredModel } from '../monitor/rules.js';
import { UserError } from '../runtime/errors.js';
import { displayPath, writeFileAtomic } from '../runtime/files.js';

export type MonitoringMode = 'apply' | 'files' | 'none';

export interface MonitoringOptions {
  mode: MonitoringMode;
  /** Directory the files are written to (relative to the workspace). */
  dir: string;
  /** Extra labels on the three objects (e.g. `release: kube-prometheus-stack`, which its Prometheus selects by). */
  labels: Record<string, string>;
  thresholds: AlertThresholds;
}

export interface MonitoringBundle {
  /** Absent when nothing names a Service to scrape (the user's manifests hold none). */
  serviceMonitor: KubeObject | null;
  prometheusRule: KubeObject;
  dashboard: KubeObject;
  /** The plain files: path in the monitoring directory -> content (the objects under kubernetes/, for `kubectl apply -f`). */
  files: Record<string, string>;
  notes: string[];
}

/** The label Grafana's dashboard sidecar (kube-prometheus-stack, the Grafana chart) looks for. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;
/** The pod label the canary strategy sets (stable | canary), copied onto every scraped series. */
export const TRACK_LABEL = 'track';
/** Labels deploy-k8s stamps on every object: they change per model version, so no selector uses them. */
const STAMPED = /^(mlops\.io\/|app\.kubernetes\.io\/managed-by$)/;

/** `stamped`: the labels and annotations deploy-k8s puts on everything it applies (the `labels` option wins). */
export function monitoringBundle(m: MonitoredModel, service: SourcedObject | undefined, o: MonitoringOptions, stamped: { labels: Record<string, string>; annotations: Record<string, string> } = { labels: {}, annotations: {} }): MonitoringBundle {
  const meta = (name: string, labels: Record<string, string> = {}) => ({
    name,
    namespace: m.namespace,
    labels: { ...stamped.labels, 'app.kubernetes.io/name': m.name, ...labels, ...o.labels },
    ...(Object.keys(stamped.annotations).length ? { annotations: { ...stamped.annotations } } : {}),
  });
  const notes: string[] = [];
  let serviceMonitor: KubeObject | null = null;
  if (service) {
    serviceMonitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta(m.name),
      spec: {
        selector: { matchLabels: selectorOf(service) },
        endpoints: [{ port: metricsPort(service), path: SERVER.metrics }],
        podTargetLabels: [TRACK_LABEL],
      },
    };
  } else notes.push(`no Service named ${m.name} among the manifests: no ServiceMonitor (a ServiceMonitor scrapes through a Service's named port)`);
  const group = alertRules(m, o.thresholds);
  const prometheusRule: KubeObject = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: meta(m.name), spec: { groups: [group] } };
  const json = JSON.stringify(modelDashboard(m), null, 2);
  const dashboard: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(`${m.name}-dashboard`, { ...GRAFANA_DASHBOARD_LABEL }),
    data: { [`${dashboardUid(m)}.json`]: json },
  };
  const yaml = (o: unknown) => YAML.stringify(o, { lineWidth: 0 });
  const files: Record<string, string> = {
    [`${m.name}-rules.yml`]: yaml({ groups: [group] }),
    [`${m.name}-dashboard.json`]: `${json}\n`,
    [`kubernetes/${m.name}-prometheusrule.yaml`]: yaml(prometheusRule),
    [`kubernetes/${m.name}-dashboard-configmap.yaml`]: yaml(dashboard),
    ...(serviceMonitor ? { [`kubernetes/${m.name}-servicemonitor.yaml`]: yaml(serviceMonitor) } : {}),
  };
  return { serviceMonitor, prometheusRule, dashboard, files, notes };
}

/** Write the bundle's files into `dir` (relative to the workspace); returns them as shown paths. */
export function writeMonitoringFiles(bundle: MonitoringBundle, dir: string, workspace: string): string[] {
  return Object.entries(bundle.files).map(([name, content]) => {
    const file = path.resolve(workspace, dir, name);
    writeFileAtomic(file, content, { input: 'monitoring-dir', display: path.join(dir, name) });
    return displayPath(workspace, file);
  });
}

/** The Service's own labels (not the ones deploy-k8s stamps): what the ServiceMonitor selects it by. */
function selectorOf(service: SourcedObject): Record<string, string> {
  const labels = Object.fromEntries(Object.entries(service.object.metadata.labels ?? {}).filter(([k]) => !STAMPED.test(k)));
  if (!Object.keys(labels).length) {
    throw new UserError(`Service ${service.object.metadata.name} has no label for a ServiceMonitor to select it by`, {
      where: { file: service.file, input: service.file ? undefined : 'manifests' },
      fix: 'give the Service a label (e.g. app.kubernetes.io/name), or set `monitoring: none`',
    });
  }
  return labels;
}

/** The Service port to scrape: the one named `http`, else its only named port. */
function metricsPort(service: SourcedObject): string {
  const names = ((service.object.spec?.ports as { name?: string }[] | undefined) ?? []).map((p) => p.name).filter((n): n is string => !!n);
  const port = names.includes('http') ? 'http' : names.length === 1 ? names[0] : undefined;
  if (!port) {
    throw new UserError(`Service ${service.object.metadata.name} needs a port named http for the ServiceMonitor to scrape ${SERVER.metrics} (it has ${names.length ? `the ports ${names.join(', ')}` : 'no named port'})`, {
      where: { file: service.file, input: service.file ? undefined : 'manifests' },
      fix: 'name the port that reaches the server `http` (ports: [{ name: http, port: 80, targetPort: 8080 }]), or set `monitoring: none`',
    });
  }
  return port;
}
