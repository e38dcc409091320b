import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type ModelManifest, parseManifest, PROFILE_FILE } from '../model/manifest.js';
import { type ModelArtifact, modelArtifact } from '../oci/model-artifact.js';
import type { RegistryClient } from '../oci/registry/client.js';
import { type Descriptor, imageManifestSchema, MEDIA } from '../oci/types.js';
import type { Logger } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { sha256File } from '../runtime/files.js';
import { claimTag, decideClaim, isClaimTag, versionToClaim, withdrawnTag } from './oci-claims.js';
import { checkAliases, corruptStore, isVersion, type ModelStore, type Published, type PublishRequest, profileBytes, type ResolvedModel, sameModel } from './store.js';

async function verified(file: string, digest: string): Promise<boolean> {
  return fs.existsSync(file) && `sha256:${await sha256File(file)}` === digest;
}

/** How many recent versions are compared when looking for an identical, already published model. */
const SAME_MODEL_LOOKBACK = 50;

/** How many claims one publish makes before giving up (each lost only to a concurrent publish). */
const MAX_CLAIMS = 20;
/** How long a claim waits for larger concurrent claims to withdraw (they do within a few requests). */
const CLAIM_POLL_MS = 500;
const CLAIM_POLLS = 120;

/**
 * An OCI registry as a model store: each version is a ModelPack artifact (see
 * oci/model-artifact.ts) tagged `<N>`, aliases are further tags. The Distribution API has no
 * compare-and-swap on tags, so versions are agreed through immutable claim tags that only their
 * writer ever writes (oci-claims.ts): a version tag is written once, by the one publish that won
 * it, and never by anyone else.
 */
export class OciStore implements ModelStore {
  constructor(
    private client: RegistryClient,
    private repository: string,
    readonly name: string,
    private cacheDir: string,
    private log: Logger,
  ) {}

  private ref(tag: string): string {
    return `oci://${this.client.registry}/${this.repository}:${tag}`;
  }

  async versions(): Promise<string[]> {
    return (await this.tags()).filter(isVersion).sort((a, b) => Number(a) - Number(b));
  }

  private async tags(): Promise<string[]> {
    try {
      return await this.client.listTags(this.repository);
    } catch (e) {
      // A repository never pushed to has no tags (registries say NAME_UNKNOWN or MANIFEST_UNKNOWN).
      if (/NAME_UNKNOWN|MANIFEST_UNKNOWN|not found/i.test((e as Error).message)) return [];
      throw e;
    }
  }

  private async manifestAt(ref: string): Promise<{ manifest: ModelManifest; bytes: Buffer; digest: string; model: { digest: string; size: number }; profile?: Descriptor }> {
    const fetched = await this.client.getManifest(this.repository, ref);
    const image = imageManifestSchema.parse(JSON.parse(fetched.bytes.toString('utf8')));
    const doc = image.layers.find((l) => l.mediaType === MEDIA.modelDocRaw);
    const weight = image.layers.find((l) => l.mediaType === MEDIA.modelWeightRaw);
    if (!doc || !weight) throw new UserError(`${this.ref(ref)} is not a model published by mlops (no ModelPack weight and doc layers)`);
    fs.mkdirSync(this.cacheDir, { recursive: true });
    const docFile = path.join(this.cacheDir, `${doc.digest.slice(7)}.json`);
    if (!(await verified(docFile, doc.digest))) await this.client.getBlobToFile(this.repository, doc, docFile);
    const manifest = parseManifest(JSON.parse(fs.readFileSync(docFile, 'utf8')), this.ref(ref));
    if (manifest.model.digest !== weight.digest) throw corruptStore(`${this.ref(ref)}: the manifest names ${manifest.model.digest} but the weight layer is ${weight.digest}`);
    // A version tag names the artifact published as that version, and nothing else.
    if (isVersion(ref) && manifest.version !== ref) throw corruptStore(`${this.ref(ref)} holds the model published as version ${manifest.version ?? 'none'}: the tag was moved outside mlops`, 'point the tag back at the artifact published as that version (or re-publish)');
    const profile = manifest.profile ? image.layers.find((l) => l.digest === manifest.profile!.digest) : undefined;
    if (manifest.profile && !profile) throw corruptStore(`${this.ref(ref)}: the manifest names a profile (${manifest.profile.digest}) the artifact does not hold`);
    return { manifest, bytes: fetched.bytes, digest: fetched.digest, model: { digest: weight.digest, size: weight.size }, profile };
  }

  async publish(req: PublishRequest): Promise<Published> {
    checkAliases(req.aliases);
    const tags = await this.tags();
    for (const v of tags.filter(isVersion).sort((a, b) => Number(b) - Number(a)).slice(0, SAME_MODEL_LOOKBACK)) {
      const stored = await this.manifestAt(v);
      if (sameModel(stored.manifest, req.manifest)) {
        for (const alias of req.aliases) await this.client.putManifest(this.repository, alias, stored.bytes, MEDIA.imageManifest);
        return { version: v, reference: this.ref(v), digest: stored.digest, created: false };
      }
    }
    // The model layer does not depend on the version: upload it (streamed) before claiming one.
    await this.client.pushBlob(this.repository, { mediaType: MEDIA.modelWeightRaw, digest: req.manifest.model.digest, size: req.manifest.model.size }, { file: req.modelFile });
    let artifact: ModelArtifact | undefined;
    for (let attempt = 0; attempt < MAX_CLAIMS; attempt++) {
      const version = versionToClaim(await this.tags());
      const id = crypto.randomBytes(8).toString('hex');
      artifact = modelArtifact({ ...req.manifest, version }, req.modelFile, { profile: profileBytes(req) });
      // The whole artifact is stored, under a tag no one else writes, before any decision.
      await this.client.push(this.repository, [claimTag(version, id)], { ...artifact, blobs: artifact.blobs.filter((b) => 'bytes' in b) });
      if ((await this.claimDecided(version, id)) === 'take') {
        await this.client.putManifest(this.repository, version, artifact.manifest, MEDIA.imageManifest);
        for (const alias of req.aliases) await this.client.putManifest(this.repository, alias, artifact.manifest, MEDIA.imageManifest);
        return { version, reference: this.ref(version), digest: artifact.descriptor.digest, created: true };
      }
      await this.client.putManifest(this.repository, withdrawnTag(version, id), artifact.manifest, MEDIA.imageManifest);
      this.log.info(`version ${version} of ${this.repository} went to a concurrent publish; claiming the next one`);
    }
    throw new UserError(`no version of oci://${this.client.registry}/${this.repository} could be taken in ${MAX_CLAIMS} attempts: concurrent publishes took every one`, {
      title: 'publish conflict',
      fix: `nothing was published as a version (the model is stored as oci://${this.client.registry}/${this.repository}@${artifact!.descriptor.digest}); re-run, or let one workflow publish at a time with a \`concurrency:\` group`,
    });
  }

  /** Read the tags until the claim is decided: taken, or withdrawn (also after waiting too long). */
  private async claimDecided(version: string, id: string): Promise<'take' | 'withdraw'> {
    for (let poll = 0; poll < CLAIM_POLLS; poll++) {
      const decision = decideClaim(await this.tags(), version, id);
      if (decision !== 'wait') return decision;
      await new Promise((r) => setTimeout(r, CLAIM_POLL_MS * (0.5 + Math.random())));
    }
    return 'withdraw';
  }

  async setAlias(alias: string, version: string): Promise<void> {
    checkAliases([alias]);
    if (!isVersion(version) || !(await this.client.headManifest(this.repository, version))) throw new UserError(`${this.ref(version)} not found`);
    const fetched = await this.client.getManifest(this.repository, version);
    await this.client.putManifest(this.repository, alias, fetched.bytes, fetched.mediaType);
  }

  async resolve(tag: string): Promise<ResolvedModel> {
    if (!tag.startsWith('sha256:') && !(await this.client.headManifest(this.repository, tag))) {
      throw new UserError(`${this.ref(tag)} not found`, { fix: `tags: ${(await this.tags()).filter((t) => !isClaimTag(t)).join(', ') || 'none'}` });
    }
    const stored = await this.manifestAt(tag);
    const modelPath = path.join(this.cacheDir, stored.model.digest.slice(7), stored.manifest.model.file);
    // getBlobToFile checks sha256 and size before the file appears; a kept copy is checked again.
    if (!(await verified(modelPath, stored.model.digest))) await this.client.getBlobToFile(this.repository, { mediaType: MEDIA.modelWeightRaw, ...stored.model }, modelPath);
    let profilePath: string | null = null;
    if (stored.profile) {
      profilePath = path.join(this.cacheDir, stored.profile.digest.slice(7), PROFILE_FILE);
      if (!(await verified(profilePath, stored.profile.digest))) await this.client.getBlobToFile(this.repository, stored.profile, profilePath);
    }
    return { reference: this.ref(stored.manifest.version ?? tag), version: stored.manifest.version, modelPath, manifest: stored.manifest, profilePath };
  }
}
