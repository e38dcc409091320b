import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OciLayout } from '../layout.js';
import { checkReference } from '../registry/urls.js';
import type { Descriptor } from '../types.js';
import type { BuiltArtifact } from './build.js';
import type { BlobLocation } from './layer.js';
import type { LooseDescriptor } from './manifest.js';
import { isNondistributable } from './media.js';
import { type TarEntry, type TarResult, writeTar } from './tar.js';

async function writeBlob(layout: OciLayout, desc: LooseDescriptor, loc: BlobLocation): Promise<void> {
  if (layout.hasBlob(desc.digest) || isNondistributable(desc.mediaType)) return;
  if ('bytes' in loc) {
    layout.putBytes(desc.mediaType, loc.bytes);
  } else if ('file' in loc) {
    const stored = await layout.putFile(desc.mediaType, loc.file); // hashes while copying
    if (stored.digest !== desc.digest) throw new Error(`${loc.file} has digest ${stored.digest}, not the ${desc.digest} its descriptor says`);
  } else {
    await loc.registry.getBlobToFile(loc.repository, { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }, layout.blobPath(desc.digest));
  }
}

/**
 * Write the artifact into an OCI image layout directory (created if missing; other images in
 * it are kept) and point each tag (`org.opencontainers.image.ref.name`) at it: `oci:<dir>:<tag>`
 * to skopeo and umoci. Blobs first, index.json last.
 */
export async function writeLayout(artifact: BuiltArtifact, dir: string, opts: { tags?: string[] } = {}): Promise<Descriptor> {
  const tags = opts.tags?.length ? opts.tags : ['latest'];
  tags.forEach(checkReference);
  const layout = new OciLayout(dir);
  layout.init();
  const images = artifact.kind === 'index' ? artifact.images : [artifact];
  for (const image of images) {
    for (const layer of image.layers) await writeBlob(layout, layer.descriptor, layer.location);
    await writeBlob(layout, image.configDescriptor, { bytes: image.configBytes });
    if (artifact.kind === 'index') layout.putBytes(image.descriptor.mediaType, image.manifest);
  }
  layout.putBytes(artifact.descriptor.mediaType, artifact.manifest);
  const descriptor: Descriptor = { mediaType: artifact.descriptor.mediaType, digest: artifact.descriptor.digest, size: artifact.descriptor.size };
  await layout.retag(() => ({ descriptor, tags, result: undefined }));
  return descriptor;
}

/**
 * The artifact as a tarball of an OCI layout (what `skopeo copy oci-archive:`, `podman load` and
 * Docker 25+'s `docker load` read), deterministic like our layers: sorted entries, fixed times and modes.
 */
export async function writeLayoutTar(artifact: BuiltArtifact, file: string, opts: { tags?: string[]; sourceDateEpoch: number }): Promise<TarResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-layout-'));
  try {
    await writeLayout(artifact, dir, opts);
    const entries: TarEntry[] = [
      { path: 'oci-layout', source: { file: path.join(dir, 'oci-layout') }, mode: 0o644 },
      { path: 'index.json', source: { file: path.join(dir, 'index.json') }, mode: 0o644 },
      ...fs.readdirSync(path.join(dir, 'blobs', 'sha256')).map((name) => ({ path: `blobs/sha256/${name}`, source: { file: path.join(dir, 'blobs', 'sha256', name) }, mode: 0o644 })),
    ];
    return await writeTar(entries, file, { sourceDateEpoch: opts.sourceDateEpoch });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
