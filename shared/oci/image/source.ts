import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../runtime/errors.js';
import { OciLayout } from '../layout.js';
import type { RegistryClient } from '../registry/client.js';
import { isDigest } from '../registry/urls.js';
import { sha256Digest } from './json.js';
import type { BlobLocation } from './layer.js';
import type { LooseDescriptor } from './manifest.js';
import { IMAGE_ANNOTATION } from './media.js';

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
  /** Where a layer's bytes are, to mount, copy or stream them later. */
  location(desc: LooseDescriptor): BlobLocation;
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
    location: () => ({ registry: client, repository }),
  };
}

/** An OCI image layout directory (`oci:<dir>:<tag>` to skopeo): tags are `ref.name` annotations. */
export function layoutSource(dir: string, opts: { name?: string } = {}): ImageSource {
  const layout = new OciLayout(dir);
  const read = (desc: { digest: string; size: number }, what: string): Buffer => {
    const file = layout.blobPath(desc.digest);
    if (!fs.existsSync(file)) throw new UserError(`The OCI layout ${dir} lacks the blob ${desc.digest} (${what}).`, { where: { file: dir }, fix: 'Copy the whole image into the layout again (skopeo copy ... oci:<dir>:<tag>).' });
    const bytes = fs.readFileSync(file);
    if (bytes.length !== desc.size || sha256Digest(bytes) !== desc.digest) {
      throw new UserError(`The blob ${desc.digest} in the OCI layout ${dir} does not match its digest or size (${what}).`, { where: { file: dir }, fix: 'The layout is corrupted: copy the image into it again.' });
    }
    return bytes;
  };
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
      return { bytes: read(desc, `manifest ${ref}`), mediaType: desc.mediaType, digest: desc.digest };
    },
    blob: async (desc) => read(desc, desc.mediaType),
    location: (desc) => ({ file: layout.blobPath(desc.digest) }),
  };
}
