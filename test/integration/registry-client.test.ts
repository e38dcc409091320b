import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactBlob } from '../../shared/oci/model-artifact.js';
import { type PushableArtifact, RegistryClient, type RegistryClientOptions } from '../../shared/oci/registry/client.js';
import { RegistryError } from '../../shared/oci/registry/errors.js';
import { canonicalJson, type Descriptor, MEDIA } from '../../shared/oci/types.js';
import { isUserError, UserError } from '../../shared/runtime/errors.js';
import { freePort } from '../harness/server.js';
import { type FaultProxy, startFaultProxy } from '../harness/registry/fault-proxy.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { tempDir } from '../harness/temp.js';

const MB = 1024 * 1024;
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 50 };
let tmp: string;

function describeBytes(mediaType: string, bytes: Buffer): Descriptor {
  return { mediaType, digest: `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };
}

/** A random file written 1 MiB at a time (never whole in memory); its descriptor. */
function randomFile(name: string, size: number): { file: string; descriptor: Descriptor } {
  const file = path.join(tmp, name);
  const fd = fs.openSync(file, 'w');
  const hash = crypto.createHash('sha256');
  for (let left = size; left > 0; left -= MB) {
    const chunk = crypto.randomBytes(Math.min(MB, left));
    hash.update(chunk);
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
  return { file, descriptor: { mediaType: MEDIA.modelWeightRaw, digest: `sha256:${hash.digest('hex')}`, size } };
}

async function fileDigest(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** A ModelPack-shaped artifact: config, a model file streamed from disk, a small doc layer. */
function artifact(model: { file: string; descriptor: Descriptor }, doc = 'model card v1\n'): PushableArtifact & { blobs: ArtifactBlob[] } {
  const config = canonicalJson({ descriptor: { name: 'churn' }, config: { format: 'onnx' } });
  const configDesc = describeBytes(MEDIA.modelConfig, config);
  const docBytes = Buffer.from(doc);
  const docDesc = describeBytes(MEDIA.modelDocRaw, docBytes);
  const manifest = canonicalJson({ schemaVersion: 2, mediaType: MEDIA.imageManifest, artifactType: MEDIA.modelArtifact, config: configDesc, layers: [model.descriptor, docDesc] });
  return {
    manifest,
    descriptor: describeBytes(MEDIA.imageManifest, manifest),
    blobs: [
      { descriptor: configDesc, bytes: config },
      { descriptor: model.descriptor, file: model.file },
      { descriptor: docDesc, bytes: docBytes },
    ],
  };
}

/** Every blob of a pushed manifest, pulled to disk and checked against the source. */
async function pullAndVerify(client: RegistryClient, repo: string, ref: string, a: PushableArtifact): Promise<void> {
  const got = await client.getManifest(repo, ref);
  expect(got.digest).toBe(a.descriptor.digest);
  expect(got.bytes.equals(a.manifest)).toBe(true);
  expect(got.mediaType).toBe(MEDIA.imageManifest);
  for (const blob of a.blobs) {
    const out = path.join(tmp, 'pulled', repo, blob.descriptor.digest.slice(7));
    await client.getBlobToFile(repo, blob.descriptor, out);
    expect(fs.statSync(out).size).toBe(blob.descriptor.size);
    expect(await fileDigest(out)).toBe(blob.descriptor.digest);
  }
}

/**
 * Whether the live memory (heap + buffers) `fn` added while it ran stayed under `limit`, checked
 * every 20 ms. A reading without garbage collection is an upper bound (garbage included); only
 * when it reaches `limit` is a full gc run (it blocks the event loop, longer on a loaded machine)
 * to see what is really live. A streaming transfer is thus rarely paused, and one holding `limit`
 * or more is still caught: what it holds survives the gc. Returns the highest value taken.
 */
async function liveMemoryAdded(fn: () => Promise<void>, limit: number): Promise<{ peak: number; gcs: number }> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  // V8 releases collected array buffers' memory in the background; the next gc first finishes
  // that, so two in a row leave only what is live in the count.
  const live = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.arrayBuffers + m.heapUsed;
  };
  const used = () => {
    const m = process.memoryUsage();
    return m.arrayBuffers + m.heapUsed;
  };
  const baseline = live();
  let peak = 0;
  let gcs = 0;
  const sample = () => {
    let added = used() - baseline;
    if (added >= limit) {
      gcs++;
      added = live() - baseline;
    }
    peak = Math.max(peak, added);
  };
  const sampler = setInterval(sample, 20);
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  return { peak, gcs };
}

/** The first rejection of `p`, for assertions on its type and message. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

let model: { file: string; descriptor: Descriptor };
let small: { file: string; descriptor: Descriptor };
const started = Date.now();

beforeAll(() => {
  tmp = tempDir('registry-client-');
  model = randomFile('model.onnx', 50 * MB);
  small = randomFile('small.onnx', 6 * MB);
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`registry-client tests: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('the memory check', () => {
  it('bites: a transfer holding the 50 MB file is caught', async () => {
    const held = await liveMemoryAdded(async () => {
      const whole = fs.readFileSync(model.file);
      // Timers run in due order: the 20 ms sampler fires before this one, however loaded the machine.
      await new Promise((r) => setTimeout(r, 100));
      expect(whole.length).toBe(50 * MB);
    }, 16 * MB);
    expect(held.peak).toBeGreaterThan(40 * MB);
  });
});

describe('registry without auth', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  const client = (opts: Partial<RegistryClientOptions> = {}) => new RegistryClient({ registry: registry.host, retry: FAST_RETRY, ...opts });
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    proxy = await startFaultProxy({ target: registry.url, paginateTags: true });
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('pushes a 50 MB model streamed from disk with small blobs, and pulls it back verified', async () => {
    const a = artifact(model);
    const c = client();
    let digest = '';
    const push = await liveMemoryAdded(async () => {
      digest = await c.push('models/churn', ['v1', 'latest'], a);
    }, 16 * MB);
    expect(digest).toBe(a.descriptor.digest);
    // Streamed both ways: neither the upload nor the download held the 50 MB file in memory.
    const pull = await liveMemoryAdded(() => pullAndVerify(c, 'models/churn', 'v1', a), 16 * MB);
    console.log(`50 MB model: live memory added at most +${(push.peak / MB).toFixed(1)} MB pushing (${push.gcs} gc), +${(pull.peak / MB).toFixed(1)} MB pulling (${pull.gcs} gc)`);
    expect(push.peak).toBeLessThan(16 * MB);
    expect(pull.peak).toBeLessThan(16 * MB);
    expect(c.counters).toMatchObject({ blobsUploaded: 3, blobsSkipped: 0, bytesUploaded: a.blobs.reduce((n, b) => n + b.descriptor.size, 0) });
    await pullAndVerify(c, 'models/churn', digest, a);
    expect(await c.headManifest('models/churn', 'latest')).toEqual({ mediaType: MEDIA.imageManifest, digest, size: a.manifest.length });
  }, 600_000); // 50 MB each way on a loaded shared machine: generous, no timing is asserted

  it('skips blobs the registry has: a second push uploads only the new blob', async () => {
    const first = artifact(model);
    const second = artifact(model, 'model card v2\n');
    const c = client({ registry: proxy.host });
    await c.push('models/churn', ['v1'], first);
    proxy.reset();
    const again = client({ registry: proxy.host });
    await again.push('models/churn', ['v2'], second);
    const newDoc = second.blobs[2]!.descriptor;
    expect(again.counters).toMatchObject({ blobsUploaded: 1, blobsSkipped: 2, bytesUploaded: newDoc.size });
    expect(proxy.uploadedDigests()).toEqual([newDoc.digest]);
    expect(proxy.count('blob-head')).toBe(3);
    expect(proxy.requests.filter((r) => r.kind === 'blob-put').reduce((n, r) => n + r.bodyBytes, 0)).toBe(newDoc.size);
  });

  it('mounts a blob from another repository instead of uploading it', async () => {
    const c = client({ registry: proxy.host });
    await c.push('models/churn', ['v1'], artifact(model));
    proxy.reset();
    expect(await c.mountBlob('models/churn-copy', model.descriptor.digest, 'models/churn')).toBe(true);
    expect(await c.hasBlob('models/churn-copy', model.descriptor.digest)).toBe(true);
    expect(await c.pushBlob('models/other', model.descriptor, { file: model.file }, { mountFrom: 'models/churn' })).toBe('mounted');
    expect(c.counters).toMatchObject({ blobsMounted: 2, blobsUploaded: 0 });
    expect(proxy.count('blob-put')).toBe(0);
    // A digest the source lacks: the registry opens an upload instead (202); mountBlob says so.
    const absent = describeBytes('application/octet-stream', Buffer.from('not there'));
    expect(await c.mountBlob('models/churn-copy', absent.digest, 'models/churn')).toBe(false);
  });

  it('lists tags across pages (Link: rel="next") and in one piece from registry 2.8', async () => {
    const c = client({ registry: proxy.host });
    const a = artifact(small);
    const tags = Array.from({ length: 11 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    await c.push('models/tagged', tags, a);
    proxy.reset();
    expect(await c.listTags('models/tagged', { pageSize: 3 })).toEqual(tags);
    expect(proxy.count('tags')).toBe(4);
    // Docker's registry 2.8 ignores `n` and answers every tag at once (unsorted).
    expect((await client().listTags('models/tagged', { pageSize: 3 })).sort()).toEqual(tags);
    expect(await c.listTags('models/never-pushed')).toEqual([]);
  });

  it('gets manifests by tag and digest, reports unknown ones clearly, and deletes', async () => {
    const c = client();
    const a = artifact(small, 'delete me\n');
    const digest = await c.push('models/del', ['gone'], a);
    expect((await c.getManifest('models/del', 'gone')).digest).toBe(digest);
    expect((await c.getManifest('models/del', digest)).bytes.equals(a.manifest)).toBe(true);
    await c.deleteManifest('models/del', 'gone');
    expect(await c.headManifest('models/del', 'gone')).toBeUndefined();
    expect(await c.headManifest('models/del', digest)).toBeUndefined();
    const missing = await failure(c.getManifest('models/del', 'gone'));
    expect(missing).toBeInstanceOf(RegistryError);
    expect(isUserError(missing)).toBe(true);
    expect(missing.message).toMatch(new RegExp(`Registry ${registry.host}: get manifest models/del:gone failed: MANIFEST_UNKNOWN`));
    expect((missing as UserError).fix).toMatch(/tag or digest/);
    // Registry 2.8 says MANIFEST_UNKNOWN for a repository it never saw, too (others: NAME_UNKNOWN).
    const unknownRepo = await failure(c.getManifest('models/nothing-here', 'v1'));
    expect((unknownRepo as RegistryError).codes).toEqual(['MANIFEST_UNKNOWN']);
    expect(await failure(c.getManifest('Models/Bad', 'v1'))).toBeInstanceOf(UserError);
  });
});

describe('registry with htpasswd auth', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { ci: 's3cret-pass' } });
  });
  afterAll(async () => registry?.stop());

  it('pushes and pulls with good credentials, reporting the secrets for masking', async () => {
    const secrets: string[] = [];
    const c = new RegistryClient({ registry: registry.host, credentials: { username: 'ci', password: 's3cret-pass' }, onSecret: (v) => secrets.push(v) });
    await c.ping();
    const a = artifact(small);
    await c.push('models/basic', ['v1'], a);
    await pullAndVerify(c, 'models/basic', 'v1', a);
    expect(secrets).toContain('s3cret-pass');
    expect(secrets).toContain(Buffer.from('ci:s3cret-pass').toString('base64'));
  });

  it('a wrong password is a UserError naming the registry and how to fix it', async () => {
    const c = new RegistryClient({ registry: registry.host, credentials: { username: 'ci', password: 'wrong' } });
    const error = await failure(c.push('models/basic', ['v2'], artifact(small)));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`Registry ${registry.host} rejected the username and password of user \`ci\`.`);
    expect((error as UserError).fix).toMatch(new RegExp(`Check the credentials for ${registry.host}`));
    expect(c.counters.blobsUploaded).toBe(0);
  });

  it('no credentials at all is a UserError asking for them', async () => {
    const error = await failure(new RegistryClient({ registry: registry.host }).ping());
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/requires a login and no credentials were given/);
  });
});

describe('registry with token auth', () => {
  let registry: RunningRegistry;
  const creds = { username: 'ci', password: 'token-pass' };
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token', users: { ci: 'token-pass', reader: 'read-only' }, grant: (user, _repo, actions) => (user === 'reader' ? actions.filter((a) => a === 'pull') : actions) });
  });
  afterAll(async () => registry?.stop());

  it('pushes and pulls through the token server, masking each token', async () => {
    const secrets: string[] = [];
    const c = new RegistryClient({ registry: registry.host, credentials: creds, onSecret: (v) => secrets.push(v) });
    const a = artifact(small);
    await c.push('models/tok', ['v1'], a);
    await pullAndVerify(c, 'models/tok', 'v1', a);
    const tokens = secrets.filter((s) => s.startsWith('eyJ'));
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    expect(tokens.length).toBe(c.counters.tokensFetched);
    expect(registry.tokenServer!.requests.at(-1)).toMatchObject({ user: 'ci', service: 'test-registry', status: 200 });
    // Deleting asks the token server for the `delete` action as well.
    await c.deleteManifest('models/tok', 'v1');
    expect(registry.tokenServer!.requests.at(-1)!.scopes).toContain('repository:models/tok:push,pull,delete');
    expect(await c.headManifest('models/tok', 'v1')).toBeUndefined();
    await c.push('models/tok', ['v1'], a);
  });

  it('accumulates scopes for a mount: push scope first, then the source repository pull', async () => {
    const c = new RegistryClient({ registry: registry.host, credentials: creds });
    await c.push('models/tok-src', ['v1'], artifact(small));
    const fresh = new RegistryClient({ registry: registry.host, credentials: creds });
    const before = registry.tokenServer!.requests.length;
    expect(await fresh.mountBlob('models/tok-dst', small.descriptor.digest, 'models/tok-src')).toBe(true);
    const asked = registry.tokenServer!.requests.slice(before);
    expect(asked.at(-1)!.scopes).toEqual(['repository:models/tok-dst:push,pull', 'repository:models/tok-src:pull']);
    expect(fresh.scopes).toEqual(['repository:models/tok-dst:push,pull', 'repository:models/tok-src:pull']);
    // A later pull of a third repository adds its scope to the same token request.
    await fresh.headManifest('models/tok-src', 'v1');
    await fresh.listTags('models/tok-third');
    expect(registry.tokenServer!.requests.at(-1)!.scopes).toEqual(['repository:models/tok-dst:push,pull', 'repository:models/tok-src:pull', 'repository:models/tok-third:pull']);
  });

  it('a wrong password at the token server is a UserError', async () => {
    const c = new RegistryClient({ registry: registry.host, credentials: { username: 'ci', password: 'nope' } });
    const error = await failure(c.pushBlob('models/tok', small.descriptor, { file: small.file }));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(new RegExp(`Registry ${registry.host} rejected the username and password of user \`ci\` \\(token server 127\\.0\\.0\\.1:\\d+\\)`));
  });

  it('a token without push access fails once, clearly, without looping', async () => {
    const c = new RegistryClient({ registry: registry.host, credentials: { username: 'reader', password: 'read-only' } });
    expect((await c.getManifest('models/tok', 'v1')).mediaType).toBe(MEDIA.imageManifest);
    const before = registry.tokenServer!.requests.length;
    const error = await failure(c.pushBlob('models/tok-new', small.descriptor, { file: small.file }));
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).codes).toContain('UNAUTHORIZED');
    expect(registry.tokenServer!.requests.length - before).toBeLessThanOrEqual(2);
  });
});

describe('faults between client and registry', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  const client = (opts: Partial<RegistryClientOptions> = {}) => new RegistryClient({ registry: proxy.host, retry: FAST_RETRY, ...opts });
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none', relativeUrls: true });
    proxy = await startFaultProxy({ target: registry.url });
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });
  const reset = () => {
    proxy.clearFaults();
    proxy.reset();
  };

  it('a blob upload answered 500 twice succeeds on a fresh session', async () => {
    reset();
    proxy.addFault({ kind: 'blob-put', times: 2, action: { status: 500 } });
    const c = client();
    expect(await c.pushBlob('faults/five-hundred', small.descriptor, { file: small.file })).toBe('uploaded');
    expect(proxy.requests.filter((r) => r.kind === 'blob-put').map((r) => r.status)).toEqual([500, 500, 201]);
    expect(proxy.count('upload-start')).toBe(3);
    expect(c.counters).toMatchObject({ blobsUploaded: 1, retries: 2 });
  });

  it('a manifest GET answered 500 twice is retried by the transport', async () => {
    reset();
    const c = client();
    const a = artifact(small, 'five hundred\n');
    await c.push('faults/manifest', ['v1'], a);
    proxy.addFault({ kind: 'manifest-get', times: 2, action: { status: 500 } });
    expect((await c.getManifest('faults/manifest', 'v1')).digest).toBe(a.descriptor.digest);
    expect(proxy.count('manifest-get')).toBe(3);
  });

  it('429 with Retry-After: 1 is waited for', async () => {
    reset();
    proxy.addFault({ kind: 'manifest-put', times: 1, action: { status: 429, retryAfter: '1' } });
    const c = client();
    const t0 = Date.now();
    await c.push('faults/rate', ['v1'], artifact(small, 'rate limited\n'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(proxy.requests.filter((r) => r.kind === 'manifest-put').map((r) => r.status)).toEqual([429, 201]);
  });

  it('a Retry-After beyond the cap fails at once instead of hanging the job', async () => {
    reset();
    proxy.addFault({ kind: 'manifest-get', times: 1, action: { status: 429, retryAfter: '3600' } });
    const t0 = Date.now();
    const error = await failure(client().getManifest('faults/rate', 'v1'));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(/failed: TOOMANYREQUESTS \(injected fault: 429\), HTTP 429$/);
    expect((error as UserError).fix).toMatch(/rate limiting/);
    expect(proxy.count('manifest-get')).toBe(1);
  });

  it('a connection cut mid-upload is retried with a new upload session', async () => {
    reset();
    proxy.addFault({ kind: 'blob-put', digest: model.descriptor.digest, times: 1, action: { cutAfterBytes: 2 * MB } });
    const c = client();
    const a = artifact(model, 'cut\n');
    await c.push('faults/cut', ['v1'], a);
    const puts = proxy.requests.filter((r) => r.kind === 'blob-put' && r.digest === model.descriptor.digest);
    expect(puts.map((r) => r.status)).toEqual([0, 201]);
    expect(puts[0]!.bodyBytes).toBeLessThan(model.descriptor.size);
    expect(puts[1]!.bodyBytes).toBe(model.descriptor.size);
    await pullAndVerify(c, 'faults/cut', 'v1', a);
  });

  it('a registry answering 503 to every upload fails clearly after the bounded attempts, writing no manifest', async () => {
    reset();
    proxy.addFault({ kind: 'blob-put', times: Infinity, action: { status: 503 } });
    const c = client();
    const error = await failure(c.push('faults/down', ['v1'], artifact(small, 'never\n')));
    expect(error).toBeInstanceOf(RegistryError);
    expect(isUserError(error)).toBe(true);
    expect(error.message).toMatch(/^Registry 127\.0\.0\.1:\d+: push blob sha256:[a-f0-9]{64} \(\d+ bytes\) to faults\/down failed: UNAVAILABLE \(injected fault: 503\), HTTP 503, after 4 attempts$/);
    expect((error as RegistryError).status).toBe(503);
    expect(proxy.count('manifest-put')).toBe(0);
    expect(proxy.count('blob-put')).toBeGreaterThanOrEqual(4);
    expect(proxy.count('blob-put')).toBeLessThanOrEqual(4 * 3); // each of at most 3 parallel blobs gets 4 attempts
    proxy.clearFaults();
    expect(await c.headManifest('faults/down', 'v1')).toBeUndefined();
    expect(await c.listTags('faults/down')).toEqual([]);
  });

  it('an unreachable registry is a clear error after the bounded attempts', async () => {
    const port = await freePort();
    const c = new RegistryClient({ registry: `127.0.0.1:${port}`, retry: FAST_RETRY });
    const error = await failure(c.ping());
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(/ECONNREFUSED, after 4 attempts$/);
    expect(c.counters.requests).toBe(4);
  });
});
