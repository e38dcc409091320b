import type { ArtifactBlob } from '../model-artifact.js';
import type { Descriptor } from '../types.js';
import { getBlobToFile } from './download.js';
import { deleteManifest, type FetchedManifest, getManifest, headManifest, putManifest } from './manifests.js';
import { type RegistryCounters, RegistrySession, type RegistrySessionOptions } from './session.js';
import { listTags } from './tags.js';
import { discard } from '../../http/transport.js';
import { type BlobSource, hasBlob, mountBlob, type PushOutcome, pushBlob } from './upload.js';
import { checkDigest, checkReference, checkRepository } from './urls.js';

export type RegistryClientOptions = RegistrySessionOptions;
export type { BlobSource, FetchedManifest, PushOutcome, RegistryCounters };

/** What `push` sends: blobs (config first, then layers) and the manifest that lists them. */
export interface PushableArtifact {
  manifest: Buffer;
  /** The manifest's descriptor; its mediaType is the PUT's Content-Type. */
  descriptor: Descriptor;
  blobs: ArtifactBlob[];
}

/**
 * A client for one registry's Distribution API (`ghcr.io`, `127.0.0.1:5000`): blobs, manifests
 * and tags, with auth, retries and redirects handled in layers below (see session.ts).
 */
export class RegistryClient {
  private readonly s: RegistrySession;

  constructor(opts: RegistryClientOptions) {
    this.s = new RegistrySession(opts);
  }

  get registry(): string {
    return this.s.registry;
  }

  /** What this client did so far (requests, blobs uploaded/skipped/mounted, bytes). */
  get counters(): RegistryCounters {
    return this.s.counters;
  }

  /** Scopes asked of the token server so far (bearer registries), push scope first. */
  get scopes(): string[] {
    return this.s.auth.scopeList();
  }

  /** `GET /v2/`: the registry answers and the credentials (if any) are accepted. */
  async ping(): Promise<void> {
    const operation = 'check the registry (GET /v2/)';
    const res = await this.s.request({ method: 'GET', url: this.s.url('') }, operation);
    if (res.status !== 200) throw await this.s.fail(res, operation, res.status === 404 ? `${this.registry} does not serve the registry API at /v2/: check the address.` : undefined);
    await discard(res);
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    this.s.auth.need(`repository:${checkRepository(repo)}:pull`);
    return hasBlob(this.s, repo, checkDigest(digest));
  }

  /** Upload a blob unless the repository has it; `mountFrom` tries a cross-repository mount first. */
  async pushBlob(repo: string, desc: Descriptor, source: BlobSource, opts: { mountFrom?: string } = {}): Promise<PushOutcome> {
    if (opts.mountFrom) checkRepository(opts.mountFrom);
    return pushBlob(this.s, checkRepository(repo), desc, source, opts.mountFrom);
  }

  /** Mount a blob from another repository of this registry: true if mounted, false to upload instead. */
  async mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean> {
    return mountBlob(this.s, checkRepository(repo), checkDigest(digest), checkRepository(fromRepo));
  }

  async getBlobToFile(repo: string, desc: Descriptor, file: string): Promise<void> {
    return getBlobToFile(this.s, checkRepository(repo), desc, file);
  }

  async getManifest(repo: string, ref: string): Promise<FetchedManifest> {
    return getManifest(this.s, checkRepository(repo), checkReference(ref));
  }

  async headManifest(repo: string, ref: string): Promise<Descriptor | undefined> {
    return headManifest(this.s, checkRepository(repo), checkReference(ref));
  }

  async putManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<string> {
    return putManifest(this.s, checkRepository(repo), checkReference(ref), bytes, mediaType);
  }

  async deleteManifest(repo: string, ref: string): Promise<void> {
    return deleteManifest(this.s, checkRepository(repo), checkReference(ref));
  }

  async listTags(repo: string, opts: { pageSize?: number } = {}): Promise<string[]> {
    return listTags(this.s, checkRepository(repo), opts.pageSize);
  }

  /**
   * Push an artifact: its blobs (a few at a time; each skipped if present), then the manifest
   * under each tag, only once every blob is in. Returns the manifest digest.
   */
  async push(repo: string, tags: string[], artifact: PushableArtifact, opts: { concurrency?: number } = {}): Promise<string> {
    checkRepository(repo);
    tags.forEach(checkReference);
    this.s.auth.need(`repository:${repo}:push,pull`);
    const queue = [...artifact.blobs];
    let failed = false;
    const worker = async () => {
      for (let blob = queue.shift(); blob && !failed; blob = queue.shift()) {
        try {
          await pushBlob(this.s, repo, blob.descriptor, 'file' in blob ? { file: blob.file } : { bytes: blob.bytes });
        } catch (error) {
          failed = true; // the other workers finish their blob and stop: no manifest, no work left behind
          throw error;
        }
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 3, queue.length)) }, worker));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    let digest = artifact.descriptor.digest;
    for (const tag of tags.length ? tags : [artifact.descriptor.digest]) {
      digest = await putManifest(this.s, repo, tag, artifact.manifest, artifact.descriptor.mediaType);
    }
    return digest;
  }
}
