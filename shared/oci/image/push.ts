import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../runtime/errors.js';
import type { RegistryClient } from '../registry/client.js';
import { checkReference, checkRepository } from '../registry/urls.js';
import type { Descriptor } from '../types.js';
import type { BuiltArtifact, BuiltImage } from './build.js';
import type { BlobLocation } from './layer.js';
import type { LooseDescriptor } from './manifest.js';
import { isNondistributable } from './media.js';
import type { ReportProgress } from '../../runtime/progress.js';
import { layerMismatches } from './verify.js';

/**
 * What happened to each blob: `skipped` (the repository had it), `mounted` (cross-repository
 * mount in the same registry), `copied` (pulled from another registry to a temp file and
 * pushed), `uploaded`, or `foreign` (a non-distributable layer: referenced, never pushed).
 */
export type BlobOutcome = 'uploaded' | 'skipped' | 'mounted' | 'copied' | 'foreign';

export interface PushResult {
  /** The digest the tags point at (the index's when several platforms were built). */
  digest: string;
  tags: string[];
  blobs: Record<string, BlobOutcome>;
}

export interface PushOptions {
  /** Blobs in flight at once (default 3). */
  concurrency?: number;
  /** Where blobs copied from another registry are staged (default: the OS temp dir). */
  tmpDir?: string;
  /** Told the bytes sent after each blob (Logger.progress). */
  progress?: ReportProgress;
}

interface PendingBlob {
  descriptor: LooseDescriptor;
  location: BlobLocation;
  /** A layer's diff_id, checked when its bytes pass through here. */
  diffId?: string;
}

function plain(d: LooseDescriptor): Descriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

/** Run `fn` over `items`, `n` at a time; the first failure stops new work and is thrown. */
async function eachLimited<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  let failed = false;
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined && !failed; item = queue.shift()) {
      try {
        await fn(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(n, queue.length)) }, worker));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

async function pushOne(client: RegistryClient, repository: string, blob: PendingBlob, opts: PushOptions): Promise<BlobOutcome> {
  const desc = plain(blob.descriptor);
  const loc = blob.location;
  if (isNondistributable(desc.mediaType)) return 'foreign';
  if ('file' in loc || 'bytes' in loc) return client.pushBlob(repository, desc, loc);
  // A base layer in a registry: the target may have it; else mount (same registry) or copy.
  if (await client.hasBlob(repository, desc.digest)) return 'skipped';
  if (loc.registry.registry === client.registry && loc.repository !== repository) {
    if (await client.mountBlob(repository, desc.digest, loc.repository)) return 'mounted';
  }
  const dir = fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'image-copy-'));
  try {
    const file = path.join(dir, crypto.randomUUID());
    await loc.registry.getBlobToFile(loc.repository, desc, file); // streamed; size and sha256 checked
    const problems = blob.diffId ? await layerMismatches(file, desc, blob.diffId) : [];
    if (problems.length) {
      throw new UserError(`The base layer ${desc.digest} in ${loc.registry.registry}/${loc.repository} does not match the base image: ${problems.join('; ')}.`, { fix: 'The base image is broken: re-push it with a standard tool (docker, buildx, crane, skopeo), or use another base.' });
    }
    await client.pushBlob(repository, desc, { file });
    return 'copied';
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every blob of the artifact once, layers before configs (the order a registry UI expects). */
function blobsOf(images: BuiltImage[]): { layers: PendingBlob[]; configs: PendingBlob[] } {
  const seen = new Set<string>();
  const layers: PendingBlob[] = [];
  const configs: PendingBlob[] = [];
  for (const image of images) {
    for (const l of image.layers) {
      if (seen.has(l.descriptor.digest)) continue;
      seen.add(l.descriptor.digest);
      layers.push({ descriptor: l.descriptor, location: l.location, diffId: l.diffId });
    }
  }
  for (const image of images) {
    if (seen.has(image.configDescriptor.digest)) continue;
    seen.add(image.configDescriptor.digest);
    configs.push({ descriptor: image.configDescriptor, location: { bytes: image.configBytes } });
  }
  return { layers, configs };
}

/**
 * Push a built image (or index) to `repository`: layers (base layers mounted or copied, ours
 * skipped when present), then configs, then per-platform manifests by digest, and only then
 * the top manifest under each tag. A failure before the tags leaves every tag where it was.
 */
export async function pushImage(client: RegistryClient, repository: string, tags: string[], artifact: BuiltArtifact, opts: PushOptions = {}): Promise<PushResult> {
  checkRepository(repository);
  tags.forEach(checkReference);
  const images = artifact.kind === 'index' ? artifact.images : [artifact];
  const { layers, configs } = blobsOf(images);
  const blobs: Record<string, BlobOutcome> = {};
  const concurrency = opts.concurrency ?? 3;
  const [total, sent] = [[...layers, ...configs].reduce((n, b) => n + b.descriptor.size, 0), { bytes: 0 }];
  for (const group of [layers, configs]) {
    await eachLimited(group, concurrency, async (b) => {
      blobs[b.descriptor.digest] = await pushOne(client, repository, b, opts);
      opts.progress?.('Uploading', (sent.bytes += b.descriptor.size), total, 'bytes');
    });
  }
  if (artifact.kind === 'index') {
    for (const image of artifact.images) await client.putManifest(repository, image.descriptor.digest, image.manifest, image.descriptor.mediaType);
  }
  const refs = tags.length ? tags : [artifact.descriptor.digest];
  for (const ref of refs) await client.putManifest(repository, ref, artifact.manifest, artifact.descriptor.mediaType);
  return { digest: artifact.descriptor.digest, tags, blobs };
}
