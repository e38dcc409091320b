import path from 'node:path';
import { serverSideApply } from './apply.js';
import { loadKubernetesClient, type KubernetesClient } from './client.js';
import { apiFailure, onCluster } from './api-error.js';
import { type CanaryOptions, type CanaryResult, prepareAnalysis, removeCanary, requirePrometheus, runCanary } from './canary.js';
import { podProblems, type PodProblem } from './diagnose.js';
import { previousTemplate, REVISION, revisions } from './history.js';
import { type Cluster, loadKubeconfig } from './kubeconfig.js';
import { generateManifests, type KubeObject, loadManifests, setImage, type SourcedObject, stamp } from './manifests.js';
import { monitoringBundle, type MonitoringOptions, writeMonitoringFiles } from './monitoring.js';
import { applyMonitoring } from './monitoring-apply.js';
import type { MonitoredModel } from '../monitor/rules.js';
import { type DeploymentState, type RolloutState, waitForRollout } from './rollout.js';
import { gitInfo, runUrl as workflowRunUrl } from '../lineage/git.js';
import { resolveModelFile } from '../model/load.js';
import { formatReference, parseImageReference } from '../oci/image/reference.js';
import { RegistryClient } from '../oci/registry/client.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';

export interface DeployOptions {
  image: string;
  model?: string;
  name: string;
  namespace: string;
  kubeconfig?: string;
  manifests: string[];
  replicas: number;
  env: Record<string, string>;
  annotations: Record<string, string>;
  strategy: 'rolling' | 'canary';
  timeoutSeconds: number;
  rollback: 'auto' | 'never';
  fieldManager: string;
  forceConflicts: boolean;
  monitoring: MonitoringOptions;
  /** With strategy: canary. */
  canary?: CanaryOptions;
  /** Token for a `release:` model (default GITHUB_TOKEN). */
  githubToken?: string;
  /** Called once what is deployed is known, before anything is applied (the GitHub Deployment is created here). */
  onStart?: (start: DeployStart) => Promise<void>;
}

/** What a deploy puts where: the image by digest and the model, for records such as a GitHub Deployment. */
export interface DeployStart {
  name: string;
  namespace: string;
  server: string;
  image: string;
  imageDigest: string;
  model: { name: string; version: string; digest: string | null } | null;
}

export interface DeployResult {
  status: 'deployed' | 'rolled-back' | 'failed';
  name: string;
  namespace: string;
  image: string;
  server: string;
  revision: number | null;
  previousRevision: number | null;
  /** The revision serving after a rollback (Kubernetes renumbers the restored template). */
  restoredRevision: number | null;
  url: string | null;
  applied: string[];
  fieldManager: string;
  /** Why the new revision failed: the rollout's verdict and each failing pod's state. */
  failure: { message: string; problems: PodProblem[] } | null;
  rollbackMessage: string | null;
  /** The monitoring shipped (null with `monitoring: none`). */
  monitoring: MonitoringShipped | null;
  seconds: number;
  /** strategy: canary, when a stable Deployment was there to compare with. */
  canary?: CanaryResult;
}

export interface MonitoringShipped {
  /** The files written, as workspace paths. */
  files: string[];
  applied: string[];
  /** What the user should know: what was not applied and why, what the rules assume. */
  notes: string[];
}

const PREFIX = 'mlops.io';
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'PersistentVolume', 'PriorityClass', 'IngressClass']);

/** Roll `image` out, wait for it like kubectl rollout status, and undo it when it fails. */
export async function deploy(o: DeployOptions, ctx: Context): Promise<DeployResult> {
  const started = Date.now();
  if (o.strategy === 'canary') requirePrometheus(o.canary);
  const image = await imageByDigest(o.image, ctx);
  const k8s = await loadKubernetesClient();
  const cluster = loadKubeconfig(k8s, o.kubeconfig, ctx);
  const model = o.model ? await ctx.log.group(`Resolving the model ${o.model}`, () => resolveModelFile(o.model!, ctx, 'model', { githubToken: o.githubToken || ctx.env.GITHUB_TOKEN })) : undefined;
  const m = model?.manifest;
  const identity: Record<string, string> = {
    ...(model ? { [`${PREFIX}/model-name`]: m?.name ?? path.basename(model.file, '.onnx'), [`${PREFIX}/model-version`]: m?.version ?? '', ...(m ? { [`${PREFIX}/model-digest`]: m.model.digest } : {}) } : {}),
    [`${PREFIX}/image-digest`]: image.digest,
  };
  const git = gitInfo(ctx.env, ctx.workspace);
  const runUrl = workflowRunUrl(ctx.env);
  const labels: Record<string, string> = {
    'app.kubernetes.io/managed-by': 'mlops-actions',
    ...(model ? { [`${PREFIX}/model-name`]: labelValue(identity[`${PREFIX}/model-name`]!), [`${PREFIX}/model-version`]: labelValue(identity[`${PREFIX}/model-version`]!) } : {}),
  };
  // Run-specific values stay off the pod template: re-running a deploy of the same image must not restart pods.
  const annotations = { ...identity, ...(git.sha ? { [`${PREFIX}/git-sha`]: git.sha } : {}), ...(runUrl ? { [`${PREFIX}/run-url`]: runUrl } : {}) };

  const objects = desiredObjects(o, image.reference, ctx.workspace);
  const deployment = objects.find((s) => s.object.kind === 'Deployment' && s.object.metadata.name === o.name)!;
  for (const { object } of objects) {
    if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace ??= o.namespace;
    stamp(object, { labels, annotations }, { labels, annotations: { ...identity, ...o.annotations } });
  }
  // `timeout` is the controller's progress deadline, unless the user's manifest sets its own.
  const spec = (deployment.object.spec ??= {}) as { progressDeadlineSeconds?: number };
  spec.progressDeadlineSeconds ??= o.timeoutSeconds;
  const deadlineSeconds = spec.progressDeadlineSeconds;
  const monitored = { name: o.name, namespace: deployment.object.metadata.namespace!, model: identity[`${PREFIX}/model-name`] ?? o.name };
  const monitoring = shipMonitoring(o, objects, monitored, { labels, annotations }, ctx);

  const apps = cluster.config.makeApiClient(k8s.AppsV1Api);
  const ns = deployment.object.metadata.namespace!;
  const modelName = identity[`${PREFIX}/model-name`];
  await o.onStart?.({ name: o.name, namespace: ns, server: cluster.server, image: image.reference, imageDigest: image.digest, model: modelName !== undefined ? { name: modelName, version: identity[`${PREFIX}/model-version`] ?? '', digest: m?.model.digest ?? null } : null });
  const before = await readDeployment(k8s, cluster, ns, o.name);
  const previousRevision = before ? Number(before.metadata?.annotations?.[REVISION] ?? 0) || null : null;

  const apply = { fieldManager: o.fieldManager, force: o.forceConflicts };
  // The controller decides failure (progressDeadlineSeconds); this only bounds a controller that never does.
  const waitMs = (deadlineSeconds * 2 + 60) * 1000;
  let canary: CanaryResult | undefined;
  if (o.strategy === 'canary') {
    requirePrometheus(o.canary);
    if (!before) ctx.log.info(`no deployment/${o.name} in ${ns} yet: nothing to compare a canary with, rolling out directly`);
    else {
      const analysis = await prepareAnalysis(o.canary, { namespace: ns, name: o.name }, ctx);
      await ctx.log.group(`Applying ${objects.length - 1} object(s) beside the canary to ${cluster.server} as "${o.fieldManager}"`, async () => {
        for (const s of objects.filter((x) => x !== deployment)) await serverSideApply(k8s, cluster, s.object, apply, s.file ? { file: s.file } : {});
      });
      canary = await runCanary(o.canary, analysis, { k8s, cluster, deployment: deployment.object, stableReplicas: before.spec?.replicas ?? o.replicas, service: objects.find((s) => s.object.kind === 'Service' && s.object.metadata.name === o.name)?.object, apply, waitMs, ctx });
      if (canary.phase === 'aborted') {
        return {
          status: 'rolled-back',
          name: o.name,
          namespace: ns,
          image: image.reference,
          server: cluster.server,
          revision: null,
          previousRevision,
          restoredRevision: null,
          url: serviceUrl(objects),
          applied: objects.filter((x) => x !== deployment).map((s) => `${s.object.kind}/${s.object.metadata.name}`),
          fieldManager: o.fieldManager,
          failure: { message: canary.failure!.message, problems: [] },
          rollbackMessage: `the canary was removed; revision ${previousRevision ?? '?'} serves all traffic`,
          seconds: (Date.now() - started) / 1000,
          monitoring: monitoring?.shipped ?? null,
          canary,
        };
      }
    }
  }
  await ctx.log.group(`Applying ${objects.length} object(s) to ${cluster.server} as "${o.fieldManager}"`, async () => {
    for (const s of objects) {
      await serverSideApply(k8s, cluster, s.object, apply, s.file ? { file: s.file } : {});
      ctx.log.info(`${s.object.kind.toLowerCase()}/${s.object.metadata.name} serverside-applied`);
    }
    if (monitoring && o.monitoring.mode === 'apply') {
      const done = await applyMonitoring(k8s, cluster, monitoring.bundle, apply);
      for (const a of done.applied) ctx.log.info(`${a.toLowerCase()} serverside-applied`);
      for (const s of done.skipped) ctx.log.info(s);
      monitoring.shipped.applied = done.applied;
      monitoring.shipped.notes.push(...done.skipped);
    }
  });
  const waited = await ctx.log.group(`Waiting for deployment/${o.name} to roll out`, () => waitForRollout(k8s, cluster, { namespace: ns, name: o.name }, { timeoutMs: waitMs, log: ctx.log }));
  // Promoted, or the promotion failed (before its rollback): the canary's pods go either way.
  if (canary) await ctx.log.group(`Removing deployment/${o.name}-canary`, () => removeCanary(k8s, cluster, ns, o.name, { route: o.canary?.route, fieldManager: o.fieldManager }));
  const result: DeployResult = {
    status: 'deployed',
    name: o.name,
    namespace: ns,
    image: image.reference,
    server: cluster.server,
    revision: revisionOf(waited.deployment),
    previousRevision,
    restoredRevision: null,
    url: serviceUrl(objects),
    applied: objects.map((s) => `${s.object.kind}/${s.object.metadata.name}`),
    fieldManager: o.fieldManager,
    failure: null,
    rollbackMessage: null,
    monitoring: monitoring?.shipped ?? null,
    seconds: 0,
    ...(canary ? { canary } : {}),
  };
  if (waited.state.phase === 'done') return { ...result, seconds: (Date.now() - started) / 1000 };

  // The new revision failed: find out why, then undo it.
  const live = await onCluster(cluster, `reading deployment ${ns}/${o.name}`, () => apps.readNamespacedDeployment({ namespace: ns, name: o.name }));
  const current = revisionOf(live as DeploymentState) ?? 0;
  const matchLabels = live.spec?.selector.matchLabels ?? {};
  const history = await revisions(k8s, cluster, { namespace: ns, name: o.name, uid: live.metadata?.uid ?? '', matchLabels });
  const failedSet = history.find((r) => r.revision === current);
  const hash = failedSet?.replicaSet.metadata?.labels?.['pod-template-hash'];
  const problems = hash ? await podProblems(k8s, cluster, ns, matchLabels, hash) : [];
  result.revision = current || null;
  result.failure = { message: failureMessage(waited.state, live as DeploymentState), problems };
  result.status = 'failed';
  const previous = previousTemplate(history, current);
  if (o.rollback === 'never' || !previous) {
    if (!previous) result.rollbackMessage = 'no previous revision to roll back to';
    return { ...result, seconds: (Date.now() - started) / 1000 };
  }
  await ctx.log.group(`Rolling back deployment/${o.name} to revision ${previous.revision}`, async () => {
    const undo = JSON.parse(JSON.stringify(deployment.object)) as KubeObject;
    undo.spec!.template = previous.template;
    await serverSideApply(k8s, cluster, undo, { fieldManager: o.fieldManager, force: true }, deployment.file ? { file: deployment.file } : {});
    const back = await waitForRollout(k8s, cluster, { namespace: ns, name: o.name }, { timeoutMs: waitMs, log: ctx.log });
    result.restoredRevision = revisionOf(back.deployment);
    if (back.state.phase === 'done') {
      result.status = 'rolled-back';
      result.rollbackMessage = `rolled back to revision ${previous.revision} (now revision ${result.restoredRevision})`;
    } else result.rollbackMessage = `the rollback to revision ${previous.revision} failed too: ${back.state.message}`;
  });
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** The monitoring bundle for this deploy, its files written (before anything is applied). */
function shipMonitoring(o: DeployOptions, objects: SourcedObject[], m: MonitoredModel, meta: { labels: Record<string, string>; annotations: Record<string, string> }, ctx: Context) {
  if (o.monitoring.mode === 'none') return null;
  const services = objects.filter((s) => s.object.kind === 'Service');
  const service = services.find((s) => s.object.metadata.name === o.name) ?? (services.length === 1 ? services[0] : undefined);
  const bundle = monitoringBundle(m, service, o.monitoring, meta);
  for (const note of bundle.notes) ctx.log.info(note);
  const notes = [...bundle.notes];
  if (!o.model) notes.push(`no \`model\` given: the alerts and the dashboard select model_name="${m.model}" (the deploy's name); give \`model\` if the server reports another name`);
  const shipped: MonitoringShipped = { files: writeMonitoringFiles(bundle, o.monitoring.dir, ctx.workspace), applied: [], notes };
  return { bundle, shipped };
}

function desiredObjects(o: DeployOptions, image: string, workspace: string): SourcedObject[] {
  if (!o.manifests.length) {
    return generateManifests({ name: o.name, namespace: o.namespace, image, replicas: o.replicas, env: o.env, progressDeadlineSeconds: o.timeoutSeconds }).map((object) => ({ object }));
  }
  const objects = loadManifests(o.manifests, workspace);
  const deployments = objects.filter((s) => s.object.kind === 'Deployment' && s.object.metadata.name === o.name);
  if (deployments.length !== 1) {
    const names = objects.filter((s) => s.object.kind === 'Deployment').map((s) => s.object.metadata.name);
    throw new UserError(`the manifests must hold one Deployment named ${o.name} (the one to roll out); they hold ${names.length ? names.join(', ') : 'none'}`, { where: { input: 'manifests' }, fix: 'set `name` to the Deployment to roll out' });
  }
  setImage(deployments[0]!, image);
  // The Deployment last: what it needs (config, service account, Service) exists when its pods start.
  return [...objects.filter((s) => s !== deployments[0]), deployments[0]!];
}

/** The `image` input by digest; a tag is resolved in its registry first. */
async function imageByDigest(given: string, ctx: Context): Promise<{ reference: string; digest: string }> {
  let ref;
  try {
    ref = parseImageReference(given);
  } catch (e) {
    throw e instanceof UserError ? new UserError(e.message, { where: { input: 'image' }, fix: e.fix }) : e;
  }
  if (ref.digest) return { reference: formatReference({ ...ref, tag: undefined }), digest: ref.digest };
  const client = new RegistryClient({ registry: ref.registry, onSecret: (s) => ctx.mask(s), log: (l) => ctx.log.info(l), retry: { attempts: 2 } });
  let digest: string | undefined;
  try {
    digest = (await client.headManifest(ref.repository, ref.tag!))?.digest;
  } catch (e) {
    throw new UserError(`image ${given} is a tag, and resolving it to a digest at ${ref.registry} failed: ${(e as Error).message}`, { where: { input: 'image' }, fix: 'give the image by digest (registry/repository@sha256:..., e.g. the `image` output of build-image)' });
  }
  if (!digest) throw new UserError(`image ${given}: the tag ${ref.tag} does not exist in ${ref.registry}/${ref.repository}`, { where: { input: 'image' }, fix: 'give the image by digest, e.g. the `image` output of build-image' });
  ctx.log.info(`${given} is ${digest}`);
  return { reference: formatReference({ ...ref, tag: undefined, digest }), digest };
}

async function readDeployment(k8s: KubernetesClient, cluster: Cluster, namespace: string, name: string): Promise<DeploymentState | undefined> {
  const apps = cluster.config.makeApiClient(k8s.AppsV1Api);
  try {
    return (await apps.readNamespacedDeployment({ namespace, name })) as DeploymentState;
  } catch (e) {
    if (apiFailure(e)?.code === 404) return undefined;
    return onCluster(cluster, `reading deployment ${namespace}/${name}`, () => Promise.reject(e));
  }
}

function revisionOf(d: DeploymentState): number | null {
  return Number(d.metadata?.annotations?.[REVISION] ?? 0) || null;
}

function failureMessage(state: RolloutState, d: DeploymentState): string {
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  return progressing?.message && state.message.includes('deadline') ? `${state.message}: ${progressing.message}` : state.message;
}

/** The in-cluster URL of the Service in front of the Deployment. */
function serviceUrl(objects: SourcedObject[]): string | null {
  const svc = objects.find((s) => s.object.kind === 'Service')?.object;
  if (!svc) return null;
  const port = (svc.spec?.ports as { port?: number }[] | undefined)?.[0]?.port;
  return `http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local${port && port !== 80 ? `:${port}` : ''}`;
}

/** A label value: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric. */
function labelValue(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
