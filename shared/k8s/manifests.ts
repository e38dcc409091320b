import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { UserError } from '../runtime/errors.js';
import { readUserText } from '../runtime/files.js';

/** A Kubernetes object as applied (plain JSON), and the file it came from, if any. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}
export interface SourcedObject {
  object: KubeObject;
  file?: string;
}

/** What the model server listens on and answers (docs/serving.md). */
export const SERVER = { port: 8080, user: 65532, live: '/v2/health/live', ready: '/v2/health/ready', metrics: '/metrics' } as const;

export interface GenerateOptions {
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  env: Record<string, string>;
  progressDeadlineSeconds: number;
}

/** The Deployment and Service deploy-k8s applies when the user gives no manifests. */
export function generateManifests(o: GenerateOptions): KubeObject[] {
  const selector = { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/instance': o.name };
  const probe = (p: string, extra: Record<string, number>) => ({ httpGet: { path: p, port: 'http' }, ...extra });
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace, labels: { ...selector } },
    spec: {
      replicas: o.replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds,
      selector: { matchLabels: selector },
      // Never below the wanted capacity: a new pod must be ready before an old one goes.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: {
          // Not in the selector (immutable): the canary's pods say `track: canary`, Prometheus tells them apart by it.
          labels: { ...selector, track: 'stable' },
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(SERVER.port), 'prometheus.io/path': SERVER.metrics },
        },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: SERVER.user, runAsGroup: SERVER.user, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'server',
              image: o.image,
              ports: [{ name: 'http', containerPort: SERVER.port, protocol: 'TCP' }],
              env: Object.entries(o.env).map(([name, value]) => ({ name, value })),
              startupProbe: probe(SERVER.ready, { periodSeconds: 2, failureThreshold: 60 }),
              readinessProbe: probe(SERVER.ready, { periodSeconds: 5, failureThreshold: 3 }),
              livenessProbe: probe(SERVER.live, { periodSeconds: 10, failureThreshold: 3 }),
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name, namespace: o.namespace, labels: { ...selector } },
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
  return [deployment, service];
}

/** The user's YAML files, or the *.yaml / *.yml files of a directory (sorted), as objects. */
export function loadManifests(paths: string[], workspace: string): SourcedObject[] {
  const files: string[] = [];
  for (const given of paths) {
    const abs = path.resolve(workspace, given);
    if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
      const inside = fs.readdirSync(abs).filter((f) => /\.ya?ml$/.test(f)).sort();
      if (!inside.length) throw new UserError(`${given} holds no .yaml or .yml file`, { where: { input: 'manifests' } });
      files.push(...inside.map((f) => path.join(given, f)));
    } else files.push(given);
  }
  const out: SourcedObject[] = [];
  for (const file of files) {
    const text = readUserText(path.resolve(workspace, file), { input: 'manifests', display: file });
    for (const doc of YAML.parseAllDocuments(text)) {
      if ('empty' in doc || !doc.contents) continue;
      const err = doc.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        throw new UserError(`invalid YAML: ${err.message.split(/ at line \d+|\n/)[0]}`, { where: { file, line: pos?.line, column: pos?.col } });
      }
      const value: unknown = doc.toJS();
      if (value === null) continue;
      const line = doc.contents.range ? lineOf(text, doc.contents.range[0]) : undefined;
      const o = value as Partial<KubeObject>;
      if (typeof o !== 'object' || Array.isArray(o) || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
        throw new UserError('not a Kubernetes object: apiVersion, kind and metadata.name are required', { where: { file, line } });
      }
      out.push({ object: o as KubeObject, file });
    }
  }
  if (!out.length) throw new UserError('the manifests hold no object', { where: { input: 'manifests' } });
  return out;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/**
 * Point the user's Deployment at `image`: every container whose image has the same repository
 * gets it. None matching is a mistake (the deploy would change nothing).
 */
export function setImage(deployment: SourcedObject, image: string): void {
  const repo = repositoryOf(image);
  const containers = podSpecOf(deployment.object)?.containers ?? [];
  const matching = containers.filter((c) => typeof c.image === 'string' && repositoryOf(c.image) === repo);
  if (!matching.length) {
    throw new UserError(`no container of Deployment ${deployment.object.metadata.name} uses ${repo}`, {
      where: { file: deployment.file },
      fix: `write image: ${repo} (any tag) on the container that serves the model`,
    });
  }
  for (const c of matching) c.image = image;
}

function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

interface PodSpec {
  containers?: { name: string; image?: string }[];
}
export function podSpecOf(o: KubeObject): PodSpec | undefined {
  return ((o.spec?.template as { spec?: PodSpec } | undefined) ?? {}).spec;
}

/** Add labels and annotations to an object (the user's own values win), and to its pod template. */
export function stamp(o: KubeObject, meta: { labels: Record<string, string>; annotations: Record<string, string> }, pod?: { labels: Record<string, string>; annotations: Record<string, string> }): void {
  o.metadata.labels = { ...meta.labels, ...o.metadata.labels };
  o.metadata.annotations = { ...meta.annotations, ...o.metadata.annotations };
  const template = o.spec?.template as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined;
  if (pod && template) {
    template.metadata ??= {};
    template.metadata.labels = { ...pod.labels, ...template.metadata.labels };
    template.metadata.annotations = { ...template.metadata.annotations, ...pod.annotations };
  }
}
