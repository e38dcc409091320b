import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../runtime/errors.js';
import { CORRUPTED_FIX, OciLayout } from '../layout.js';
import type { RegistryClient } from '../registry/client.js';
import { isDigest } from '../registry/urls.js';
import type { BlobLocation } from './layer.js';
import type { LooseDescriptor } from './manifest.js';
import { IMAGE_ANNOTATION, isNondistributable } from './media.js';
import { layerMismatches } from './verify.js';

export interface SourcedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

/**
 * Somewhere images are read from: a registry repository or an OCI layout directory. Everything
 * returned is verified against its digest.
 */
export interface ImageSource {
  /** The reference recorded as `org.opencontainers.image.base.name` for `ref`. */
  nameFor(ref: string): string;
  /** By tag or digest; `known` is the descriptor that pointed at it (an index entry), if any. */
  manifest(ref: string, known?: LooseDescriptor): Promise<SourcedManifest>;
  /** A small blob (a config), whole. */
  blob(desc: LooseDescriptor): Promise<Buffer>;
  /**
   * Where a layer's bytes are, to mount, copy or stream them later. Bytes read here (a layout's
   * file) are checked against the descriptor and the config's diff_id first.
   */
  layer(desc: LooseDescriptor, diffId: string): Promise<BlobLocation>;
}

/** A repository of a registry. */
export function registrySource(client: RegistryClient, repository: string): ImageSource {
  return {
    nameFor: (ref) => `${client.registry}/${repository}${isDigest(ref) ? '@' : ':'}${ref}`,
    manifest: (ref) => client.getManifest(repository, ref),
    async blob(desc) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-blob-'));
      try {
        const file = path.join(dir, 'blob');
        await client.getBlobToFile(repository, { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }, file); // checks size and sha256
        return fs.readFileSync(file);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    // Checked where they are read: when copied to another registry (push.ts).
    layer: async () => ({ registry: client, repository }),
  };
}

/** An OCI image layout directory (`oci:<dir>:<tag>` to skopeo): tags are `ref.name` annotations. */
export function layoutSource(dir: string, opts: { name?: string } = {}): ImageSource {
  const layout = new OciLayout(dir);
  return {
    nameFor: (ref) => opts.name ?? `oci:${dir}:${ref}`,
    async manifest(ref, known) {
      if (!layout.exists()) throw new UserError(`${dir} is not an OCI image layout (no oci-layout file).`, { where: { file: dir } });
      const entries = layout.readIndex().manifests;
      const desc = known ?? (isDigest(ref) ? entries.find((m) => m.digest === ref) : entries.find((m) => m.annotations?.[IMAGE_ANNOTATION.refName] === ref));
      if (!desc) {
        const tags = layout.tags();
        throw new UserError(`The OCI layout ${dir} has no image \`${ref}\`.`, { where: { file: dir }, fix: tags.length ? `Use one of its tags: ${tags.join(', ')}.` : 'The layout has no tagged image.' });
      }
      return { bytes: layout.readBlob(desc, `manifest ${ref}`), mediaType: desc.mediaType, digest: desc.digest };
    },
    blob: async (desc) => layout.readBlob(desc, desc.mediaType),
    async layer(desc, diffId) {
      // Never stored in a layout, never pushed: referenced by its URLs.
      if (isNondistributable(desc.mediaType)) return { file: layout.blobPath(desc.digest) };
      const file = layout.blobFile(desc.digest, `layer ${diffId}`);
      const problems = await layerMismatches(file, desc, diffId);
      if (problems.length) throw new UserError(`The layer ${desc.digest} in the OCI layout ${dir} does not match the image: ${problems.join('; ')}.`, { where: { file: dir }, fix: CORRUPTED_FIX });
      return { file };
    },
  };
}
