import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullBase } from '../../shared/oci/image/base.js';
import { type BuiltArtifact, type BuiltImage, buildImage } from '../../shared/oci/image/build.js';
import type { ConfigOptions } from '../../shared/oci/image/config.js';
import type { LayerSpec } from '../../shared/oci/image/layer.js';
import { FAMILY_MEDIA } from '../../shared/oci/image/media.js';
import { writeLayout, writeLayoutTar } from '../../shared/oci/image/output.js';
import { parsePlatform } from '../../shared/oci/image/platform.js';
import { pushImage } from '../../shared/oci/image/push.js';
import { layoutSource, registrySource } from '../../shared/oci/image/source.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { isUserError } from '../../shared/runtime/errors.js';
import { pushTestBases, type TestBases, writeBaseLayout } from '../harness/base-image.js';
import { checkPushedImage, craneValidate } from '../harness/image-tools.js';
import { type FaultProxy, startFaultProxy } from '../harness/registry/fault-proxy.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { tempDir } from '../harness/temp.js';

const EPOCH = 1_714_000_000; // SOURCE_DATE_EPOCH of the "commit"
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 50 };
const BASE_REPO = 'base/busybox';

const CONFIG: ConfigOptions = {
  entrypoint: ['/app/serve.sh'],
  env: { MODEL_PATH: '/models/churn/model.onnx', PATH: '/app:/usr/local/bin:/usr/bin:/bin' },
  user: '65532',
  workingDir: '/app',
  exposedPorts: ['8080'],
  labels: { 'org.opencontainers.image.title': 'churn' },
};

interface Inputs {
  dir: string;
  serve: string;
  settings: string;
  model: string;
}

let tmp: string;
let registry: RunningRegistry;
let proxy: FaultProxy;
let bases: TestBases;
const client = (host = registry.host) => new RegistryClient({ registry: host, retry: FAST_RETRY });

/** The files of a model server: a script, its settings, and the model (random bytes, `seed`-named). */
function makeInputs(name: string, model: Buffer, mtime: number): Inputs {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const i = { dir, serve: path.join(dir, 'serve.sh'), settings: path.join(dir, 'settings.json'), model: path.join(dir, 'model.onnx') };
  fs.writeFileSync(i.serve, '#!/bin/sh\necho "serving $MODEL_PATH as $(id -u) on 8080"\n', { mode: 0o755 });
  fs.writeFileSync(i.settings, '{"port":8080}\n');
  fs.writeFileSync(i.model, model);
  for (const f of [i.serve, i.settings, i.model]) fs.utimesSync(f, mtime, mtime);
  return i;
}

/** The model layer gzipped, as build-image does by default; `none` where a test is about the plain tar. */
function specs(i: Inputs, compression: 'gzip' | 'none' = 'gzip'): LayerSpec[] {
  return [
    {
      entries: [
        { path: '/app/serve.sh', source: { file: i.serve } },
        { path: '/app/settings.json', source: { file: i.settings } },
      ],
      createdBy: 'COPY app/ /app/',
    },
    { entries: [{ path: '/models/churn/model.onnx', source: { file: i.model } }], compression, createdBy: 'COPY model.onnx /models/churn/' },
  ];
}

async function build(ref: string, inputs: Inputs, opts: { platforms?: string[]; dir?: string; c?: RegistryClient; compression?: 'gzip' | 'none' } = {}): Promise<BuiltArtifact> {
  const c = opts.c ?? client();
  const base = await pullBase(registrySource(c, BASE_REPO), ref, { platforms: opts.platforms?.map(parsePlatform) });
  return buildImage(base, specs(inputs, opts.compression), {
    dir: opts.dir ?? path.join(inputs.dir, '.layers'),
    sourceDateEpoch: EPOCH,
    config: CONFIG,
    annotations: { 'org.opencontainers.image.source': 'https://github.com/acme/churn', 'org.opencontainers.image.revision': 'abc123' },
  });
}

function image(a: BuiltArtifact): BuiltImage {
  if (a.kind !== 'image') throw new Error('expected one image');
  return a;
}

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const modelA = crypto.randomBytes(3 << 20);
const modelB = crypto.randomBytes(3 << 20);

beforeAll(async () => {
  tmp = tempDir('image-build-');
  registry = await startRegistry({ auth: 'none' });
  proxy = await startFaultProxy({ target: registry.url });
  bases = await pushTestBases(client(), path.join(tmp, 'bases'), BASE_REPO);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('reproducible builds', () => {
  it('gives the same digest for the same inputs, from separate directories with other mtimes', async () => {
    const one = makeInputs('repro-1', modelA, 1_000_000_000);
    const two = makeInputs('repro-2', modelA, 1_900_000_000);
    fs.chmodSync(two.settings, 0o600); // a different umask on another checkout
    const a = image(await build('oci', one, { compression: 'none' }));
    const b = image(await build('oci', two, { c: client(), compression: 'none' }));
    console.log(`same inputs, two builds: ${a.descriptor.digest} / ${b.descriptor.digest}`);
    expect(b.descriptor.digest).toBe(a.descriptor.digest);
    expect(b.manifest.equals(a.manifest)).toBe(true);
    expect(b.configBytes.equals(a.configBytes)).toBe(true);
    const ours = (i: BuiltImage) => i.layers.slice(1).map((l) => ('file' in l.location ? fs.readFileSync(l.location.file) : Buffer.alloc(0)));
    expect(ours(a).map((x) => x.length)).toEqual(ours(b).map((x) => x.length));
    ours(a).forEach((x, n) => expect(x.equals(ours(b)[n]!)).toBe(true));
    // The model layer is stored uncompressed: blob digest == diff_id.
    expect(a.layers[2]!.descriptor.digest).toBe(a.layers[2]!.diffId);
    // A changed model changes the image.
    const c = image(await build('oci', makeInputs('repro-3', modelB, 1_000_000_000), { compression: 'none' }));
    expect(c.descriptor.digest).not.toBe(a.descriptor.digest);
    expect(c.layers[1]!.descriptor.digest).toBe(a.layers[1]!.descriptor.digest);
  });
});

describe('push', () => {
  let v1: BuiltImage;

  it('mounts the base layer, uploads ours; a model-only rebuild uploads only the model layer and the config', async () => {
    // The base is read through the same address we push to, so its layer can be mounted.
    const c1 = client(proxy.host);
    v1 = image(await build('oci', makeInputs('push-v1', modelA, 5), { c: c1 }));
    proxy.reset();
    const r1 = await pushImage(c1, 'apps/churn', ['v1', 'latest'], v1);
    expect(r1.digest).toBe(v1.descriptor.digest);
    expect(r1.blobs).toEqual({
      [v1.layers[0]!.descriptor.digest]: 'mounted',
      [v1.layers[1]!.descriptor.digest]: 'uploaded',
      [v1.layers[2]!.descriptor.digest]: 'uploaded',
      [v1.configDescriptor.digest]: 'uploaded',
    });
    expect(c1.counters).toMatchObject({ blobsUploaded: 3, blobsMounted: 1, blobsSkipped: 0 });
    expect(proxy.count('manifest-put')).toBe(2);

    const c2 = client(proxy.host);
    const v2 = image(await build('oci', makeInputs('push-v2', modelB, 5), { c: c2 }));
    proxy.reset();
    const r2 = await pushImage(c2, 'apps/churn', ['v2'], v2);
    const model = v2.layers[2]!.descriptor;
    console.log(`model-only rebuild counters: ${JSON.stringify(c2.counters)}`);
    expect(c2.counters).toMatchObject({ blobsUploaded: 2, blobsSkipped: 1, blobsMounted: 0, bytesUploaded: model.size + v2.configDescriptor.size });
    expect(r2.blobs).toEqual({
      [v2.layers[0]!.descriptor.digest]: 'skipped',
      [v2.layers[1]!.descriptor.digest]: 'skipped',
      [model.digest]: 'uploaded',
      [v2.configDescriptor.digest]: 'uploaded',
    });
    expect(proxy.uploadedDigests().sort()).toEqual([model.digest, v2.configDescriptor.digest].sort());
    expect(proxy.count('manifest-put')).toBe(1);
    expect(proxy.count('blob-mount')).toBe(0);
    expect((await c2.headManifest('apps/churn', 'v1'))?.digest).toBe(v1.descriptor.digest);
    expect((await c2.headManifest('apps/churn', 'v2'))?.digest).toBe(v2.descriptor.digest);
    // crane's validator reads every layer (gzip), skopeo copies and umoci unpacks the image.
    for (const tag of ['v1', 'v2']) await checkPushedImage(`${registry.host}/apps/churn:${tag}`);
  });

  it('an uncompressed model layer (model-compression: none): skopeo and umoci read it, crane validate cannot', async () => {
    const built = image(await build('oci', makeInputs('plain', modelA, 5), { compression: 'none' }));
    expect(built.layers[2]!.descriptor.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    await pushImage(client(), 'apps/churn-plain', ['v1'], built);
    const ref = `${registry.host}/apps/churn-plain:v1`;
    // go-containerregistry's validator reads each layer through gzip.NewReader (docs/image-builder.md).
    const crane = await craneValidate(ref);
    console.log(`crane validate on an uncompressed layer: ${crane.out.trim().split('\n').pop()}`);
    expect(crane.ok).toBe(false);
    expect(crane.out).toContain('gzip: invalid header');
    const layout = path.join(tmp, 'plain-copied');
    skopeo('copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${layout}:v1`);
    execFileSync('umoci', ['unpack', '--image', `${layout}:v1`, path.join(tmp, 'plain-bundle')], { stdio: 'pipe' });
    expect(fs.readFileSync(path.join(tmp, 'plain-bundle', 'rootfs', 'models/churn/model.onnx')).equals(modelA)).toBe(true);
  });

  it('skopeo inspects the exact bytes; its config has the entrypoint, env, user, port, labels', async () => {
    const ref = `docker://${registry.host}/apps/churn:v1`;
    expect(Buffer.from(skopeo('inspect', '--tls-verify=false', '--raw', ref)).equals(v1.manifest)).toBe(true);
    const info = JSON.parse(skopeo('inspect', '--tls-verify=false', ref)) as { Digest: string; Architecture: string; Os: string; Layers: string[]; Env: string[]; Labels: Record<string, string>; Created: string };
    expect(info).toMatchObject({ Digest: v1.descriptor.digest, Architecture: 'amd64', Os: 'linux', Created: '2024-04-24T23:06:40Z' });
    expect(info.Layers).toEqual(v1.layers.map((l) => l.descriptor.digest));
    const config = JSON.parse(skopeo('inspect', '--tls-verify=false', '--config', ref)) as {
      created: string;
      config: Record<string, unknown>;
      rootfs: { diff_ids: string[] };
      history: { created: string; created_by: string }[];
    };
    expect(config.created).toBe('2024-04-24T23:06:40Z');
    expect(config.config).toEqual({
      Entrypoint: ['/app/serve.sh'],
      Env: ['PATH=/app:/usr/local/bin:/usr/bin:/bin', 'MODEL_PATH=/models/churn/model.onnx'],
      User: '65532',
      WorkingDir: '/app',
      ExposedPorts: { '8080/tcp': {} },
      Labels: { 'org.opencontainers.image.vendor': 'mlops-test', 'org.opencontainers.image.title': 'churn' },
    });
    expect(config.rootfs.diff_ids).toEqual(v1.layers.map((l) => l.diffId));
    expect(config.history.map((h) => [h.created, h.created_by])).toEqual([
      ['2020-09-13T12:26:40Z', 'ADD rootfs.tar.gz / # test base'],
      ['2024-04-24T23:06:40Z', 'COPY app/ /app/'],
      ['2024-04-24T23:06:40Z', 'COPY model.onnx /models/churn/'],
    ]);
    const manifest = JSON.parse(v1.manifest.toString()) as { annotations: Record<string, string> };
    expect(manifest.annotations).toEqual({
      'org.opencontainers.image.created': '2024-04-24T23:06:40Z',
      'org.opencontainers.image.source': 'https://github.com/acme/churn',
      'org.opencontainers.image.revision': 'abc123',
      'org.opencontainers.image.base.name': `${proxy.host}/${BASE_REPO}:oci`, // where it was pulled from
      'org.opencontainers.image.base.digest': bases.oci.digest,
    });
  });

  it('skopeo copies it to an OCI layout unchanged; umoci unpacks files with the right modes and owners', async () => {
    const layout = path.join(tmp, 'copied');
    // Without --dest-oci-accept-uncompressed-layers skopeo gzips the uncompressed model layer on
    // the way into a layout (a new digest); with it, the image arrives byte for byte.
    skopeo('copy', '-q', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', '--src-tls-verify=false', `docker://${registry.host}/apps/churn:v1`, `oci:${layout}:v1`);
    const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(index.manifests[0]!.digest).toBe(v1.descriptor.digest);
    const bundle = path.join(tmp, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${layout}:v1`, bundle], { stdio: 'pipe' });
    const rootfs = path.join(bundle, 'rootfs');
    const st = (p: string) => {
      const s = fs.lstatSync(path.join(rootfs, p));
      return { mode: (s.mode & 0o7777).toString(8), uid: s.uid, gid: s.gid };
    };
    expect(st('app')).toEqual({ mode: '755', uid: 0, gid: 0 });
    expect(st('app/serve.sh')).toEqual({ mode: '755', uid: 0, gid: 0 });
    expect(st('app/settings.json')).toEqual({ mode: '644', uid: 0, gid: 0 });
    expect(st('models/churn')).toEqual({ mode: '755', uid: 0, gid: 0 });
    expect(st('models/churn/model.onnx')).toEqual({ mode: '644', uid: 0, gid: 0 });
    expect(st('tmp').mode).toBe('1777');
    expect(fs.readFileSync(path.join(rootfs, 'models/churn/model.onnx')).equals(modelA)).toBe(true);
    expect(fs.statSync(path.join(rootfs, 'models/churn/model.onnx')).mtimeMs).toBe(EPOCH * 1000);
    // umoci turns the config into an OCI runtime spec: the entrypoint, user and env are as set.
    const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { process: { args: string[]; user: { uid: number }; env: string[]; cwd: string } };
    expect(spec.process).toMatchObject({ args: ['/app/serve.sh'], user: { uid: 65532 }, cwd: '/app' });
    expect(spec.process.env).toContain('MODEL_PATH=/models/churn/model.onnx');
    // With a real busybox in the base, the entrypoint runs in the rootfs as the image's user.
    if (bases.busybox && process.getuid?.() === 0 && fs.existsSync('/usr/sbin/chroot')) {
      const out = execFileSync('/usr/sbin/chroot', ['--userspec=65532:65532', rootfs, '/bin/sh', '-c', 'cd /app && MODEL_PATH=/models/churn/model.onnx /app/serve.sh'], { encoding: 'utf8', env: { PATH: '/bin' } });
      expect(out.trim()).toBe('serving /models/churn/model.onnx as 65532 on 8080');
    }
  });

  it('keeps Docker media types on a Docker base, only those Docker schema 2 defines', async () => {
    const inputs = makeInputs('docker', modelA, 5);
    const plain = await build('docker', inputs, { compression: 'none' }).catch((e: unknown) => e);
    expect(isUserError(plain) && plain.message).toContain("Docker's image manifest (schema 2) has no type for an uncompressed layer");
    const built = image(await build('docker', inputs));
    const m = JSON.parse(built.manifest.toString()) as { mediaType: string; config: { mediaType: string }; layers: { mediaType: string }[]; annotations: Record<string, string> };
    expect(m.mediaType).toBe(FAMILY_MEDIA.docker.manifest);
    expect(m.config.mediaType).toBe(FAMILY_MEDIA.docker.config);
    expect(m.layers.map((l) => l.mediaType)).toEqual([FAMILY_MEDIA.docker.layerGzip, FAMILY_MEDIA.docker.layerGzip, FAMILY_MEDIA.docker.layerGzip]);
    expect(m.annotations['org.opencontainers.image.base.digest']).toBe(bases.docker.digest);
    await pushImage(client(), 'apps/churn-docker', ['v1'], built);
    const ref = `docker://${registry.host}/apps/churn-docker:v1`;
    expect(JSON.parse(skopeo('inspect', '--tls-verify=false', '--raw', ref)).mediaType).toBe(FAMILY_MEDIA.docker.manifest);
    expect(JSON.parse(skopeo('inspect', '--tls-verify=false', '--config', ref)).config.User).toBe('65532');
    await checkPushedImage(`${registry.host}/apps/churn-docker:v1`);
    // skopeo converts it to OCI on the way into a layout, and umoci reads the result.
    const layout = path.join(tmp, 'docker-copied');
    skopeo('copy', '-q', '--src-tls-verify=false', `docker://${registry.host}/apps/churn-docker:v1`, `oci:${layout}:v1`);
    execFileSync('umoci', ['unpack', '--image', `${layout}:v1`, path.join(tmp, 'docker-bundle')], { stdio: 'pipe' });
    expect(fs.readFileSync(path.join(tmp, 'docker-bundle', 'rootfs', 'models/churn/model.onnx')).equals(modelA)).toBe(true);
  });
});

describe('platforms', () => {
  it('picks the asked platform from an index, passing attestation entries by', async () => {
    const src = registrySource(client(), BASE_REPO);
    const [amd] = await pullBase(src, 'multi');
    expect(amd).toMatchObject({ digest: bases.multi.platforms['linux/amd64'], indexDigest: bases.multi.digest, family: 'oci', platform: { architecture: 'amd64' } });
    const [arm] = await pullBase(src, 'multi', { platforms: [parsePlatform('linux/arm64')] });
    expect(arm).toMatchObject({ digest: bases.multi.platforms['linux/arm64'], platform: { architecture: 'arm64', variant: 'v8' }, config: { architecture: 'arm64' } });
    const pinned = await pullBase(src, bases.multi.digest, { platforms: [parsePlatform('linux/arm64/v8'), parsePlatform('linux/amd64')] });
    expect(pinned.map((b) => b.digest)).toEqual([bases.multi.platforms['linux/arm64'], bases.multi.platforms['linux/amd64']]);
    expect(pinned[0]!.name).toBe(`${registry.host}/${BASE_REPO}@${bases.multi.digest}`);

    const missing = await pullBase(src, 'multi', { platforms: [parsePlatform('linux/s390x')] }).catch((e: unknown) => e);
    expect(isUserError(missing)).toBe(true);
    expect((missing as Error).message).toContain('has no linux/s390x image');
    expect((missing as { fix: string }).fix).toBe('It offers linux/amd64, linux/arm64/v8: pick one of those, or another base.');
    const single = await pullBase(src, 'oci', { platforms: [parsePlatform('linux/arm64')] }).catch((e: unknown) => e);
    expect(isUserError(single) && single.message).toContain('is a single linux/amd64 image');
  });

  it('builds an index over two platforms, in the base family, and skopeo picks each', async () => {
    const inputs = makeInputs('multi', modelA, 5);
    for (const [tag, family] of [
      ['multi', 'oci'],
      ['docker-multi', 'docker'],
    ] as const) {
      const built = await build(tag, inputs, { platforms: ['linux/amd64', 'linux/arm64'] });
      if (built.kind !== 'index') throw new Error('expected an index');
      expect(built.descriptor.mediaType).toBe(FAMILY_MEDIA[family].index);
      expect(built.images.map((i) => i.config.architecture)).toEqual(['amd64', 'arm64']);
      // Our layers are shared: built once, listed in both.
      expect(built.images[0]!.layers.slice(1)).toEqual(built.images[1]!.layers.slice(1));
      const again = await build(tag, inputs, { platforms: ['linux/amd64', 'linux/arm64'], dir: path.join(tmp, `multi-again-${tag}`) });
      expect(again.descriptor.digest).toBe(built.descriptor.digest);
      const r = await pushImage(client(), `apps/churn-${tag}`, ['v1'], built);
      expect(Object.values(r.blobs).filter((o) => o === 'mounted')).toHaveLength(2);
      const ref = `docker://${registry.host}/apps/churn-${tag}:v1`;
      expect(Buffer.from(skopeo('inspect', '--tls-verify=false', '--raw', ref)).equals(built.manifest)).toBe(true);
      const arm = JSON.parse(skopeo('inspect', '--tls-verify=false', '--override-arch', 'arm64', ref)) as { Digest: string; Architecture: string; Layers: string[] };
      // skopeo reports the digest of what the reference names (the index) and the picked image's layers.
      expect(arm).toMatchObject({ Digest: built.descriptor.digest, Architecture: 'arm64', Layers: built.images[1]!.layers.map((l) => l.descriptor.digest) });
      // crane validates every platform of the index (the arm64 base is a dummy rootfs: fine to read, not to run).
      const crane = await craneValidate(`${registry.host}/apps/churn-${tag}:v1`);
      expect(crane.ok, crane.out).toBe(true);
    }
  });
});

describe('layouts and other registries', () => {
  it('builds from an OCI layout base: same image as from the registry; writes a layout umoci unpacks and a deterministic layout tarball', async () => {
    const baseLayout = path.join(tmp, 'base-layout');
    await writeBaseLayout(baseLayout, path.join(tmp, 'base-layout-work'));
    const inputs = makeInputs('layout', modelA, 5);
    const name = `${registry.host}/${BASE_REPO}:multi`;
    const fromLayout = await pullBase(layoutSource(baseLayout, { name }), 'multi');
    expect(fromLayout[0]!.digest).toBe(bases.multi.platforms['linux/amd64']); // the same bytes, made again
    const built = image(await buildImage(fromLayout, specs(inputs), { dir: path.join(inputs.dir, '.layers'), sourceDateEpoch: EPOCH, config: CONFIG }));
    const fromRegistry = image(await buildImage(await pullBase(registrySource(client(), BASE_REPO), 'multi'), specs(inputs), { dir: path.join(inputs.dir, '.layers2'), sourceDateEpoch: EPOCH, config: CONFIG }));
    expect(built.descriptor.digest).toBe(fromRegistry.descriptor.digest);

    const c = client();
    const r = await pushImage(c, 'apps/from-layout', ['v1'], built);
    expect(r.blobs[built.layers[0]!.descriptor.digest]).toBe('uploaded'); // from the layout's file
    expect(c.counters).toMatchObject({ blobsUploaded: 4, blobsMounted: 0 });
    await checkPushedImage(`${registry.host}/apps/from-layout:v1`);

    const out = path.join(tmp, 'out-layout');
    const desc = await writeLayout(built, out, { tags: ['v1', 'latest'] });
    expect(desc.digest).toBe(built.descriptor.digest);
    expect(JSON.parse(skopeo('inspect', `oci:${out}:latest`)).Digest).toBe(built.descriptor.digest);
    execFileSync('umoci', ['unpack', '--image', `${out}:v1`, path.join(tmp, 'out-bundle')], { stdio: 'pipe' });
    expect(fs.readFileSync(path.join(tmp, 'out-bundle', 'rootfs', 'app', 'settings.json'), 'utf8')).toBe('{"port":8080}\n');

    const t1 = await writeLayoutTar(built, path.join(tmp, 'image-1.tar'), { tags: ['v1'], sourceDateEpoch: EPOCH });
    const t2 = await writeLayoutTar(built, path.join(tmp, 'image-2.tar'), { tags: ['v1'], sourceDateEpoch: EPOCH });
    console.log(`layout tarball: ${t1.digest} twice: ${t1.digest === t2.digest}`);
    expect(t2.digest).toBe(t1.digest);
    expect(JSON.parse(skopeo('inspect', `oci-archive:${t1.file}:v1`)).Digest).toBe(built.descriptor.digest);
  });

  it('copies base layers from another registry through a temp file', async () => {
    const other = await startRegistry({ auth: 'none' });
    try {
      const built = image(await build('oci', makeInputs('cross', modelA, 5)));
      const c = client(other.host);
      const r = await pushImage(c, 'apps/churn', ['v1'], built);
      expect(r.blobs[built.layers[0]!.descriptor.digest]).toBe('copied');
      expect(c.counters).toMatchObject({ blobsUploaded: 4, blobsMounted: 0 });
      expect(JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${other.host}/apps/churn:v1`)).Digest).toBe(built.descriptor.digest);
      await checkPushedImage(`${other.host}/apps/churn:v1`);
    } finally {
      await other.stop();
    }
  });
});
