import fs from 'node:fs';
import path from 'node:path';
import { type ModelManifest, parseManifest } from '../model/manifest.js';
import { OciLayout } from '../oci/layout.js';
import { modelArtifact } from '../oci/model-artifact.js';
import { imageManifestSchema, MEDIA } from '../oci/types.js';
import { UserError } from '../runtime/errors.js';
import { sha256File } from '../runtime/files.js';
import { checkAliases, corruptStore, isVersion, type ModelStore, nextVersion, type Published, type PublishRequest, profileBytes, type ResolvedModel, sameModel } from './store.js';

/** The embedded default: `<root>/<name>/`, one OCI image layout per model (skopeo: `oci:<root>/<name>:<tag>`). */
export const DEFAULT_LOCAL_ROOT = '.mlops/registry';

export class LocalLayoutStore implements ModelStore {
  private layout: OciLayout;
  constructor(
    readonly root: string,
    readonly name: string,
  ) {
    this.layout = new OciLayout(path.join(root, name));
  }

  private ref(tag: string): string {
    return `local:${this.name}@${tag}`;
  }

  async versions(): Promise<string[]> {
    return this.layout.tags().filter(isVersion).sort((a, b) => Number(a) - Number(b));
  }

  async publish(req: PublishRequest): Promise<Published> {
    checkAliases(req.aliases);
    // Content-addressed blobs can be written before the lock; only tags need it.
    const model = await this.layout.putFile(MEDIA.modelWeightRaw, req.modelFile);
    if (model.digest !== req.manifest.model.digest) throw new Error(`model file changed while publishing (${model.digest} != ${req.manifest.model.digest})`);
    return this.layout.retag((tags) => {
      const same = tags.filter(isVersion).find((v) => sameModel(this.manifestAt(v), req.manifest));
      const version = same ?? nextVersion(tags);
      if (!same && tags.includes(version)) throw new Error(`version ${version} exists already`);
      const descriptor = same ? this.layout.resolve(same)! : this.writeArtifact({ ...req.manifest, version }, req.modelFile, profileBytes(req));
      const result: Published = { version, reference: this.ref(version), digest: descriptor.digest, created: !same };
      return { descriptor, tags: same ? req.aliases : [version, ...req.aliases], result };
    });
  }

  private writeArtifact(m: ModelManifest, modelFile: string, profile: Buffer | undefined) {
    const artifact = modelArtifact(m, modelFile, { profile });
    for (const b of artifact.blobs) if ('bytes' in b) this.layout.putBytes(b.descriptor.mediaType, b.bytes);
    this.layout.putBytes(MEDIA.imageManifest, artifact.manifest);
    return artifact.descriptor;
  }

  async setAlias(alias: string, version: string): Promise<void> {
    checkAliases([alias]);
    await this.layout.retag(() => {
      const target = isVersion(version) ? this.layout.resolve(version) : undefined;
      if (!target) throw new UserError(`${this.ref(version)} not found`, { fix: this.published() });
      return { descriptor: target, tags: [alias], result: undefined };
    });
  }

  private published(): string {
    return `published here (${this.layout.dir}): ${this.layout.tags().join(', ') || 'nothing yet'}`;
  }

  /** The model manifest a tag points at (not verified: for decisions, not for use). */
  private manifestAt(tag: string): ModelManifest {
    const d = this.layout.resolve(tag);
    if (!d) throw new UserError(`${this.ref(tag)} not found`, { fix: this.published() });
    const image = imageManifestSchema.parse(JSON.parse(fs.readFileSync(this.layout.blobPath(d.digest), 'utf8')));
    const doc = image.layers.find((l) => l.mediaType === MEDIA.modelDocRaw);
    if (!doc) throw corruptStore(`${this.ref(tag)} is not a model published by mlops (no ${MEDIA.modelDocRaw} layer)`);
    return parseManifest(JSON.parse(fs.readFileSync(this.layout.blobPath(doc.digest), 'utf8')), this.ref(tag));
  }

  async resolve(tag: string): Promise<ResolvedModel> {
    const d = this.layout.resolve(tag);
    if (!d) throw new UserError(`${this.ref(tag)} not found`, { fix: this.published() });
    const image = imageManifestSchema.parse(JSON.parse(fs.readFileSync(this.layout.blobPath(d.digest), 'utf8')));
    // Every blob is checked against its digest before anything is used.
    for (const desc of [d, image.config, ...image.layers]) {
      const actual = `sha256:${await sha256File(this.layout.blobPath(desc.digest))}`;
      if (actual !== desc.digest) throw corruptStore(`blob ${desc.digest} of ${this.ref(tag)} has digest ${actual}: the store in ${this.layout.dir} was changed`);
    }
    const manifest = this.manifestAt(tag);
    if (isVersion(tag) && manifest.version !== tag) throw corruptStore(`${this.ref(tag)} holds the model published as version ${manifest.version ?? 'none'}: the tag was moved outside mlops`, 'point the tag back at the artifact published as that version (or re-publish)');
    const profile = manifest.profile;
    if (profile && !image.layers.some((l) => l.digest === profile.digest)) throw corruptStore(`${this.ref(tag)}: the manifest names a profile (${profile.digest}) the artifact does not hold`);
    return { reference: this.ref(manifest.version ?? tag), version: manifest.version, modelPath: this.layout.blobPath(manifest.model.digest), manifest, profilePath: profile ? this.layout.blobPath(profile.digest) : null };
  }
}
