import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pullBase } from '../../shared/oci/image/base.js';
import { type BuiltArtifact, type BuiltImage, buildImage } from '../../shared/oci/image/build.js';
import { parsePlatform } from '../../shared/oci/image/platform.js';
import { pushImage } from '../../shared/oci/image/push.js';
import { registrySource } from '../../shared/oci/image/source.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { RegistryError } from '../../shared/oci/registry/errors.js';
import { pushTestBases } from '../harness/base-image.js';
import { type FaultProxy, startFaultProxy } from '../harness/registry/fault-proxy.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { tempDir } from '../harness/temp.js';

const EPOCH = 1_714_000_000;
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 50 };
const REPO = 'apps/faulty';

let tmp: string;
let registry: RunningRegistry;
let proxy: FaultProxy;
/** Straight to the registry: what a puller sees, no faults. */
let direct: RegistryClient;
const viaProxy = () => new RegistryClient({ registry: proxy.host, retry: FAST_RETRY });

async function build(name: string, model: Buffer, platforms = ['linux/amd64']): Promise<BuiltArtifact> {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), model);
  const bases = await pullBase(registrySource(viaProxy(), 'base/busybox'), 'multi', { platforms: platforms.map(parsePlatform) });
  return buildImage(bases, [{ entries: [{ path: '/models/m.onnx', source: { file: path.join(dir, 'model.onnx') } }], compression: 'none' }], { dir: path.join(dir, 'layers'), sourceDateEpoch: EPOCH, config: { user: '65532' } });
}

const image = (a: BuiltArtifact): BuiltImage => (a.kind === 'image' ? a : a.images[0]!);
const modelLayer = (a: BuiltArtifact) => image(a).layers.at(-1)!.descriptor;

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the push to fail');
}

/** Every blob the tag's manifest (or index) names is in the repository: the image is complete. */
async function complete(tag: string): Promise<string> {
  const top = await direct.getManifest(REPO, tag);
  const doc = JSON.parse(top.bytes.toString()) as { manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] };
  const manifests = doc.manifests ? await Promise.all(doc.manifests.map(async (m) => JSON.parse((await direct.getManifest(REPO, m.digest)).bytes.toString()) as typeof doc)) : [doc];
  for (const m of manifests) for (const d of [m.config!, ...m.layers!]) expect(await direct.hasBlob(REPO, d.digest), d.digest).toBe(true);
  return top.digest;
}

let v1: BuiltArtifact;
let v2: BuiltArtifact;

beforeAll(async () => {
  tmp = tempDir('image-faults-');
  registry = await startRegistry({ auth: 'none' });
  proxy = await startFaultProxy({ target: registry.url });
  direct = new RegistryClient({ registry: registry.host, retry: FAST_RETRY });
  await pushTestBases(direct, path.join(tmp, 'bases'));
  v1 = await build('v1', crypto.randomBytes(4 << 20));
  v2 = await build('v2', crypto.randomBytes(4 << 20));
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  proxy.clearFaults();
  proxy.reset();
});

describe('an interrupted push never leaves a tag on an incomplete image', () => {
  it('a new tag is not created when a layer upload is cut every time', async () => {
    proxy.addFault({ kind: 'blob-put', digest: modelLayer(v1).digest, times: Infinity, action: { cutAfterBytes: 64 * 1024 } });
    const error = await failure(pushImage(viaProxy(), REPO, ['v1', 'latest'], v1));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toContain(modelLayer(v1).digest);
    expect(proxy.requests.filter((r) => r.kind === 'blob-put' && r.fault).length).toBe(4); // the client's 4 attempts
    expect(proxy.count('manifest-put')).toBe(0);
    expect(await direct.headManifest(REPO, 'v1')).toBeUndefined();
    expect(await direct.headManifest(REPO, 'latest')).toBeUndefined();
  });

  it('a cut that heals on retry still ends with a complete image', async () => {
    proxy.addFault({ kind: 'blob-put', digest: modelLayer(v1).digest, times: 2, action: { cutAfterBytes: 64 * 1024 } });
    const r = await pushImage(viaProxy(), REPO, ['v1', 'latest'], v1);
    expect(r.digest).toBe(v1.descriptor.digest);
    expect(await complete('latest')).toBe(v1.descriptor.digest);
  });

  it('a failing manifest PUT leaves `latest` on the previous complete image', async () => {
    proxy.addFault({ kind: 'manifest-put', times: Infinity, action: { status: 500 } });
    const c = viaProxy();
    const error = await failure(pushImage(c, REPO, ['v2', 'latest'], v2));
    expect(error.message).toMatch(/push manifest apps\/faulty:v2 failed/);
    expect(c.counters.blobsUploaded).toBe(2); // the new model layer and config went up; no tag moved
    expect(await direct.headManifest(REPO, 'v2')).toBeUndefined();
    expect(await complete('latest')).toBe(v1.descriptor.digest);
  });

  it('a cut upload on a re-push leaves `latest` on the previous image; the next push completes', async () => {
    const v3 = await build('v3', crypto.randomBytes(4 << 20));
    proxy.addFault({ kind: 'blob-put', digest: modelLayer(v3).digest, times: Infinity, action: { cutAfterBytes: 1000 } });
    await failure(pushImage(viaProxy(), REPO, ['latest'], v3));
    expect(await complete('latest')).toBe(v1.descriptor.digest);
    proxy.clearFaults();
    const c = viaProxy();
    await pushImage(c, REPO, ['latest'], v3);
    expect(await complete('latest')).toBe(v3.descriptor.digest);
    expect(c.counters).toMatchObject({ blobsUploaded: 2, blobsSkipped: 0 });
  });

  it('an index is tagged only after every platform manifest is in', async () => {
    const multi = await build('multi', crypto.randomBytes(1 << 20), ['linux/amd64', 'linux/arm64']);
    expect(multi.kind).toBe('index');
    proxy.addFault({ kind: 'manifest-put', path: /\/manifests\/sha256:/, times: Infinity, action: { status: 503 } });
    await failure(pushImage(viaProxy(), REPO, ['multi'], multi));
    expect(await direct.headManifest(REPO, 'multi')).toBeUndefined();
    proxy.clearFaults();
    await pushImage(viaProxy(), REPO, ['multi'], multi);
    expect(await complete('multi')).toBe(multi.descriptor.digest);
  });
});
