import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelArtifact } from '../../shared/oci/model-artifact.js';
import { pushReferrer, referrersTag } from '../../shared/oci/referrers.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { canonicalJson, type Descriptor, imageIndexSchema, MEDIA } from '../../shared/oci/types.js';
import { fakeModel } from '../harness/models.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

// Docker's registry 2.8 has no referrers API: clients read the `sha256-<hex>` tag schema
// fallback, which the distribution spec wants annotated like the API's answer.
const ORAS = path.join(REPO_ROOT, '.tools/bin/oras');
const REPO = 'apps/server';
let registry: RunningRegistry;
let client: RegistryClient;
let subject: Descriptor;
const temp = tempDir('referrers-');

function oras(...args: string[]): string {
  return execFileSync(ORAS, [...args, '--plain-http'], { cwd: temp, env: { ...process.env, DOCKER_CONFIG: temp, HOME: temp } }).toString();
}

async function fallbackIndex(): Promise<{ digest: string; manifests: Descriptor[] }> {
  const got = await client.getManifest(REPO, referrersTag(subject.digest));
  return { digest: got.digest, manifests: imageIndexSchema.parse(JSON.parse(got.bytes.toString('utf8'))).manifests };
}

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ registry: registry.host });
  // A subject: the smallest image there is (an empty config, no layers).
  const config = Buffer.from('{}');
  const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${crypto.createHash('sha256').update(config).digest('hex')}`, size: config.length };
  const manifest = canonicalJson({ schemaVersion: 2, mediaType: MEDIA.imageManifest, config: configDesc, layers: [] });
  const digest = await client.push(REPO, ['v1'], { manifest, descriptor: { mediaType: MEDIA.imageManifest, digest: `sha256:${crypto.createHash('sha256').update(manifest).digest('hex')}`, size: manifest.length }, blobs: [{ descriptor: configDesc, bytes: config }] });
  subject = { mediaType: MEDIA.imageManifest, digest, size: manifest.length };
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  fs.rmSync(temp, { recursive: true, force: true });
});

describe('referrers tag schema fallback', () => {
  it('lists each attached artifact once, annotated as its manifest, in a stable order that oras reads', async () => {
    const v1 = fakeModel('model one', 'server');
    const v2 = fakeModel('model two', 'server');
    const first = modelArtifact({ ...v1.manifest, version: '1' }, v1.file, { subject });
    const second = modelArtifact({ ...v2.manifest, version: '2' }, v2.file, { subject });
    await pushReferrer(client, REPO, first);

    // Another tool's referrer (oras attach writes the same fallback index) keeps its place.
    fs.writeFileSync(path.join(temp, 'sig.json'), '{"signed":true}');
    oras('attach', '--artifact-type', 'application/vnd.example.signature', '--annotation', 'com.example.signer=ci', `${registry.host}/${REPO}@${subject.digest}`, 'sig.json:application/json');
    await pushReferrer(client, REPO, second);
    const after = await fallbackIndex();
    expect(after.manifests).toHaveLength(3);
    expect(after.manifests[0]).toEqual({ ...first.descriptor, artifactType: MEDIA.modelArtifact, annotations: JSON.parse(first.manifest.toString()).annotations });
    expect(after.manifests[1]!.artifactType).toBe('application/vnd.example.signature');
    expect(after.manifests[2]!.annotations).toMatchObject({ 'org.opencontainers.image.version': '2', 'io.mlops.model.digest': v2.manifest.model.digest });

    // A re-push (a rebuild of the same image with the same model) changes nothing.
    await pushReferrer(client, REPO, first);
    await pushReferrer(client, REPO, second);
    expect(await fallbackIndex()).toEqual(after);

    const discovered = JSON.parse(oras('discover', '--format', 'json', `${registry.host}/${REPO}@${subject.digest}`)) as { referrers: { digest: string; artifactType: string; annotations?: Record<string, string> }[] };
    const byDigest = new Map(discovered.referrers.map((r) => [r.digest, r]));
    expect(discovered.referrers).toHaveLength(3);
    expect(byDigest.get(first.descriptor.digest)).toMatchObject({ artifactType: MEDIA.modelArtifact, annotations: { 'org.opencontainers.image.title': 'server', 'org.opencontainers.image.version': '1', 'io.mlops.model.digest': v1.manifest.model.digest } });
    expect(byDigest.get(second.descriptor.digest)).toMatchObject({ artifactType: MEDIA.modelArtifact, annotations: { 'org.opencontainers.image.version': '2' } });
    for (const m of [v1, v2]) fs.rmSync(path.dirname(m.file), { recursive: true, force: true });
  }, 300_000);
});
