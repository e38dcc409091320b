import fs from 'node:fs';
import path from 'node:path';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { serverBundlePath } from './server-bundle.js';
import { gitInfo, reproducibleTime } from '../../shared/lineage/git.js';
import { sourceUrl } from '../../shared/lineage/source-url.js';
import { type ModelFile, resolveModelFile } from '../../shared/model/load.js';
import { MANIFEST_FILE, type ModelManifest, PROFILE_FILE } from '../../shared/model/manifest.js';
import { loadModel as loadInOnnxRuntime } from '../../shared/model/onnx.js';
import { onnxRuntimeFor } from '../../shared/native/loader.js';
import { pullBase, scratchBase } from '../../shared/oci/image/base.js';
import { buildWithDocker } from './docker-builder.js';
import type { ConfigOptions } from '../../shared/oci/image/config.js';
import { appendLayers, type BuildOptions, type BuiltArtifact, type BuiltImage, indexImages } from '../../shared/oci/image/build.js';
import { type AppendedLayer, buildLayer, buildLayerCached, layerKey, type LayerSpec } from '../../shared/oci/image/layer.js';
import { layersInRegistry, reuseLayer } from '../../shared/oci/image/reuse.js';
import { localCacheDir } from '../../shared/runtime/cache.js';
import { checkOutputPath, writeLayout, writeLayoutTar } from '../../shared/oci/image/output.js';
import { parsePlatform } from '../../shared/oci/image/platform.js';
import { pushImage, type PushResult } from '../../shared/oci/image/push.js';
import { parseImageReference, referenceTarget } from '../../shared/oci/image/reference.js';
import { layoutSource, registrySource } from '../../shared/oci/image/source.js';
import { tagsFromRef } from '../../shared/oci/image/tags.js';
import { modelArtifact } from '../../shared/oci/model-artifact.js';
import { pushReferrer } from '../../shared/oci/referrers.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { code, details, join, md, table } from '../../shared/report/markdown.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { UserError } from '../../shared/runtime/errors.js';
import { displayPath, sha256File } from '../../shared/runtime/files.js';
import { parseReference } from '../../shared/store/reference.js';

/** Where things live in the image. */
export const IMAGE_PATHS = {
  server: '/opt/mlops/server.mjs',
  onnxruntime: '/opt/mlops/onnxruntime',
  model: '/models/model.onnx',
  manifest: `/models/${MANIFEST_FILE}`,
  profile: `/models/${PROFILE_FILE}`,
} as const;
export const SERVER_PORT = 8080;
export const SERVER_USER = '65532';

/** The model, resolved and loaded once in ONNX Runtime: nothing is built for a model the server could not serve. */
async function loadModel(i: Inputs, ctx: Context): Promise<ModelFile> {
  const model = await resolveModelFile(i.model, ctx, 'model', { githubToken: i['github-token'] || ctx.env.GITHUB_TOKEN });
  const display = parseReference(i.model, 'model').kind === 'path' ? displayPath(ctx.workspace, model.file) : i.model;
  const { session } = await loadInOnnxRuntime(model.file, display, ctx.log, { input: 'model' });
  await session.release();
  return model;
}

const withheld = new Set<string>();

/**
 * The password for `registry`: the workflow token is a GitHub credential, sent to GitHub's
 * registry only. On a runner it arrives as the `github-token` input (GITHUB_TOKEN is not in a
 * step's environment unless the workflow puts it there).
 */
function passwordFor(registry: string, i: Inputs, ctx: Context): string | undefined {
  const isGitHubToken = !!i.password && (i.password === i['github-token'] || i.password === ctx.env.GITHUB_TOKEN);
  if (isGitHubToken && registry !== 'ghcr.io' && !withheld.has(registry)) {
    withheld.add(registry);
    ctx.log.warn(`the password is the workflow's GitHub token: it is sent to ghcr.io only, not to ${registry} (set \`password\` to ${registry}'s own, from a secret)`);
  }
  return i.password && (!isGitHubToken || registry === 'ghcr.io') ? i.password : undefined;
}

function clientFor(registry: string, i: Inputs, ctx: Context, authenticated: boolean): RegistryClient {
  const password = authenticated ? passwordFor(registry, i, ctx) : undefined;
  return new RegistryClient({
    registry,
    credentials: password ? { username: i.username ?? 'token', password } : undefined,
    onSecret: (s) => ctx.mask(s),
    log: (line) => ctx.log.info(line),
  });
}

export async function buildImageAction(i: Inputs, ctx: Context): Promise<ActionResult> {
  if (i.builder === 'docker' && i.platforms.length !== 1) throw new UserError('builder: docker builds one platform', { where: { input: 'platforms' }, fix: 'use builder: oci for a multi-platform image' });
  if (i.builder === 'docker' && i.output) throw new UserError('builder: docker cannot write an OCI layout', { where: { input: 'output' }, fix: 'use builder: oci' });
  if (i.builder === 'oci' && i.dockerfile) throw new UserError('a Dockerfile needs builder: docker', { where: { input: 'dockerfile' } });
  if (!i.push && !i.output) throw new UserError('nothing to do: push is false and no output is set', { where: { input: 'output' } });
  if (i.builder === 'docker' && i['model-compression'] !== 'gzip') throw new UserError('model-compression applies to builder: oci (a daemon compresses its own layers)', { where: { input: 'model-compression' } });
  const output = i.output ? checkOutputPath(path.resolve(ctx.workspace, i.output), i.output, 'output') : undefined;
  const target = parseImageReference(i.image);
  if (target.tag && target.tag !== 'latest') throw new UserError('the image name carries a tag: give tags in `tags`', { where: { input: 'image' } });
  const registry = i.registry ?? target.registry;
  const epoch = i['source-date-epoch'] ?? Math.floor(Date.parse(reproducibleTime(ctx.env, ctx.workspace) ?? '1970-01-01T00:00:00Z') / 1000);
  const tags = i.tags.length ? i.tags : tagsFromRef(ctx.env);
  const platforms = i.platforms.map(parsePlatform);
  const model = await ctx.log.group(`Resolving the model ${i.model}`, () => loadModel(i, ctx));
  const m = model.manifest;
  const git = gitInfo(ctx.env, ctx.workspace);
  const source = sourceUrl(ctx.env, ctx.workspace);

  const work = fs.mkdtempSync(path.join(ctx.tempDir, 'mlops-image-'));
  const layerCache = path.join(localCacheDir(ctx.env), 'layers');
  const server = serverBundlePath();
  const specs = async (os_: string, arch: string) => {
    const ort = await onnxRuntimeFor(os_, arch, ctx.log, ctx.env);
    return [
      {
        createdBy: 'mlops build-image: model server and ONNX Runtime',
        entries: [
          { path: IMAGE_PATHS.server, source: { file: server }, mode: 0o644 },
          ...fs.readdirSync(ort).sort().map((f) => ({ path: `${IMAGE_PATHS.onnxruntime}/${f}`, source: { file: path.join(ort, f) }, mode: 0o755 })),
        ],
      },
      {
        createdBy: `mlops build-image: model ${m ? `${m.name}@${m.version ?? 'unpublished'}` : path.basename(model.file)}`,
        compression: i['model-compression'],
        entries: [
          { path: IMAGE_PATHS.model, source: { file: model.file }, mode: 0o644 },
          ...(m ? [{ path: IMAGE_PATHS.manifest, source: { bytes: `${JSON.stringify(m, null, 2)}\n` }, mode: 0o644 }] : []),
          // The reference profile: the server counts live features over its bins (docs/drift.md).
          ...(model.profile ? [{ path: IMAGE_PATHS.profile, source: { file: model.profile }, mode: 0o644 }] : []),
        ],
      },
    ];
  };
  const modelDigest = m?.model.digest ?? `sha256:${await sha256File(model.file)}`;
  const identity: Record<string, string> = {
    'org.opencontainers.image.title': m?.name ?? 'model-server',
    'org.opencontainers.image.description': 'ONNX model server (Open Inference Protocol v2, Prometheus metrics) built by mlops build-image',
    ...(m?.version ? { 'org.opencontainers.image.version': m.version } : {}),
    ...(git.sha ? { 'org.opencontainers.image.revision': git.sha } : {}),
    ...(source ? { 'org.opencontainers.image.source': source } : {}),
    'io.mlops.model.name': m?.name ?? path.basename(model.file),
    ...(m?.version ? { 'io.mlops.model.version': m.version } : {}),
    'io.mlops.model.digest': modelDigest,
    ...(m ? { 'io.mlops.model.metrics': JSON.stringify(m.metrics) } : {}),
  };
  const options: BuildOptions = {
    sourceDateEpoch: epoch,
    config: {
      entrypoint: ['node', IMAGE_PATHS.server],
      env: {
        MODEL_PATH: IMAGE_PATHS.model,
        MODEL_MANIFEST: IMAGE_PATHS.manifest,
        ...(model.profile ? { MODEL_PROFILE: IMAGE_PATHS.profile } : {}),
        ...(m ? { MODEL_NAME: m.name } : {}),
        ...(m?.version ? { MODEL_VERSION: m.version } : {}),
        PORT: String(SERVER_PORT),
        MLOPS_ONNXRUNTIME_BINDING: `${IMAGE_PATHS.onnxruntime}/onnxruntime_binding.node`,
        NODE_ENV: 'production',
      },
      user: SERVER_USER,
      workingDir: '/opt/mlops',
      exposedPorts: [`${SERVER_PORT}/tcp`],
      labels: { ...identity, ...i.labels },
    },
    annotations: { ...identity, ...i.annotations },
  };
  if (i.builder === 'docker') {
    fs.rmSync(work, { recursive: true, force: true });
    return buildWithTheDaemon(i, ctx, { registry, repository: target.repository, tags, epoch, config: options.config!, layers: await specs(platforms[0]!.os, platforms[0]!.architecture), modelDigest, manifest: m, modelFile: model.file, profileFile: model.profile });
  }

  // Base image: a registry reference, or an OCI layout directory (air-gapped builds, tests).
  const bases = await ctx.log.group(`Pulling the base ${i['base-image']}`, async () => {
    if (i['base-image'] === 'scratch') {
      ctx.log.warn('base-image: scratch has no Node runtime: the image holds the server and the model but cannot run as is');
      return platforms.map(scratchBase);
    }
    const layout = /^oci:([^:]+)(?::(.+))?$/.exec(i['base-image']);
    if (layout) return pullBase(layoutSource(path.resolve(ctx.workspace, layout[1]!)), layout[2] ?? 'latest', { platforms });
    const base = parseImageReference(i['base-image']);
    const client = clientFor(base.registry, i, ctx, base.registry === registry);
    return pullBase(registrySource(client, base.repository), referenceTarget(base), { platforms });
  });

  const client = i.push ? clientFor(registry, i, ctx, true) : undefined;
  // Platforms differ only by ONNX Runtime's binaries: one image per base, then an index.
  const built: BuiltArtifact = await ctx.log.group('Building', async () => {
    const images: BuiltImage[] = [];
    for (const base of bases) {
      const layers: AppendedLayer[] = [];
      // The server layer, unchanged since the last push, is in the registry already: found by its key, not rebuilt.
      const inRegistry = client ? await layersInRegistry(client, target.repository, tags, base.platform) : new Map();
      for (const spec of await specs(base.platform.os, base.platform.architecture)) {
        // The model layer is new for each model; the server layer is worth keeping between builds.
        if (spec.entries.some((e) => e.path === IMAGE_PATHS.model)) {
          layers.push(await buildLayer(spec, { dir: work, sourceDateEpoch: epoch }));
          continue;
        }
        const key = await layerKey(spec, epoch);
        layers.push((client && (await reuseLayer(client, target.repository, inRegistry, spec, key))) || (await buildLayerCached(spec, { dir: work, sourceDateEpoch: epoch, cacheDir: layerCache, key })));
      }
      images.push(appendLayers(base, layers, options));
    }
    return images.length === 1 ? images[0]! : indexImages(images, { sourceDateEpoch: epoch, annotations: options.annotations });
  });

  let pushed: PushResult | undefined;
  if (client) {
    pushed = await ctx.log.group(`Pushing ${registry}/${target.repository} (${tags.join(', ') || 'by digest'})`, () => pushImage(client, target.repository, tags, built, { progress: ctx.log.progress }));
    if (i['attach-model'] && m) await ctx.log.group('Attaching the model artifact', () => attachModel(client, target.repository, built, m, model.file, model.profile));
  }
  if (output?.kind === 'tar') await writeLayoutTar(built, output.path, { tags, sourceDateEpoch: epoch });
  else if (output) await writeLayout(built, output.path, { tags });
  fs.rmSync(work, { recursive: true, force: true });

  const digest = built.descriptor.digest;
  const name = `${registry}/${target.repository}`;
  const metadata = {
    name,
    digest,
    tags,
    platforms: i.platforms,
    model: { name: m?.name ?? null, version: m?.version ?? null, digest: modelDigest },
    // scratch has no digest: no entry for it.
    base: { name: i['base-image'], digest: bases.map((b) => b.digest).filter(Boolean) },
    layers: pushed?.blobs ?? {},
  };
  const uploaded = Object.values(pushed?.blobs ?? {}).filter((o) => o === 'uploaded').length;
  return {
    outputs: { digest, image: `${name}@${digest}`, tags: tags.join(','), metadata: JSON.stringify(metadata) },
    summary: join([
      md`### 📦 build-image: ${code(`${name}@${digest}`)}`,
      md`Model ${m ? code(`${m.name}@${m.version ?? 'unpublished'}`) : code(path.basename(model.file))} (${code(modelDigest.slice(0, 19))}) on ${code(i['base-image'])}, ${i.platforms.join(', ')}; ${pushed ? md`pushed as ${tags.map((t) => t).join(', ') || 'digest only'} (${uploaded} blob(s) uploaded, the rest skipped or mounted)` : md`not pushed`}${i.output ? md`; written to ${code(i.output)}` : md``}.`,
      pushed ? details('Blobs', table(['Digest', 'Push'], Object.entries(pushed.blobs).map(([d, o]) => [code(d.slice(0, 19)), o]))) : null,
    ]).text,
    annotations: [],
  };
}

/** builder: docker: the same files and config, built by a Docker-compatible daemon from a Dockerfile. */
async function buildWithTheDaemon(
  i: Inputs,
  ctx: Context,
  b: { registry: string; repository: string; tags: string[]; epoch: number; config: ConfigOptions; layers: LayerSpec[]; modelDigest: string; manifest: ModelManifest | null; modelFile: string; profileFile: string | null },
): Promise<ActionResult> {
  const files = b.layers.flatMap((l) => l.entries).map((e) => {
    const src = e.source as { file?: string; bytes?: string | Buffer };
    return { path: e.path, source: src.file ?? Buffer.from(src.bytes ?? ''), mode: e.mode ?? 0o644 };
  });
  const name = `${b.registry}/${b.repository}`;
  const password = passwordFor(b.registry, i, ctx);
  const result = await ctx.log.group('Building with the Docker daemon', () =>
    buildWithDocker({
      baseImage: i['base-image'],
      files,
      config: { entrypoint: b.config.entrypoint!, env: b.config.env!, user: b.config.user!, workingDir: b.config.workingDir!, exposedPorts: b.config.exposedPorts!, labels: b.config.labels! },
      dockerfile: i.dockerfile ? path.resolve(ctx.workspace, i.dockerfile) : undefined,
      tags: (b.tags.length ? b.tags : ['latest']).map((t) => `${name}:${t}`),
      push: i.push,
      auth: password ? { username: i.username ?? 'token', password, serveraddress: b.registry } : undefined,
      log: (line) => ctx.log.info(line),
      platform: i.platforms[0],
      sourceDateEpoch: b.epoch,
      tmpDir: ctx.tempDir,
    }),
  );
  if (i.push && i['attach-model'] && b.manifest && result.digest) {
    const client = clientFor(b.registry, i, ctx, true);
    const pushed = await client.getManifest(b.repository, result.digest);
    await attachModel(client, b.repository, { descriptor: { mediaType: pushed.mediaType, digest: pushed.digest, size: pushed.size } } as BuiltArtifact, b.manifest, b.modelFile, b.profileFile);
  }
  const digest = result.digest ?? result.imageId;
  const metadata = { name, digest, tags: b.tags, platforms: i.platforms, model: { name: b.manifest?.name ?? null, version: b.manifest?.version ?? null, digest: b.modelDigest }, base: { name: i['base-image'], digest: [] }, builder: 'docker', imageId: result.imageId };
  return {
    outputs: { digest, image: `${name}@${digest}`, tags: b.tags.join(','), metadata: JSON.stringify(metadata) },
    summary: join([md`### 📦 build-image (docker builder): ${code(`${name}@${digest}`)}`, md`Built by the Docker daemon from ${i.dockerfile ? code(i.dockerfile) : md`a generated Dockerfile`} on ${code(i['base-image'])}; ${i.push ? md`pushed as ${b.tags.join(', ')}` : md`not pushed`}. Not reproducible across daemons: use builder oci for that.`]).text,
    annotations: [],
  };
}

/** Push the model as a ModelPack artifact whose `subject` is the image: a referrer of it (oci/referrers.ts). */
async function attachModel(client: RegistryClient, repository: string, image: BuiltArtifact, m: ModelManifest, file: string, profile: string | null): Promise<void> {
  const subject = { mediaType: image.descriptor.mediaType, digest: image.descriptor.digest, size: image.descriptor.size };
  await pushReferrer(client, repository, modelArtifact(m, file, { subject, ...(profile ? { profile: fs.readFileSync(profile) } : {}) }));
}

export const action = defineAction({ id: 'build-image', actionYml, inputs, run: buildImageAction });
