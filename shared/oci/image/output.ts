import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isUserError, UserError } from '../../runtime/errors.js';
import { OciLayout } from '../layout.js';
import { checkReference } from '../registry/urls.js';
import type { Descriptor } from '../types.js';
import type { BuiltArtifact } from './build.js';
import type { BlobLocation } from './layer.js';
import type { LooseDescriptor } from './manifest.js';
import { isNondistributable } from './media.js';
import { type TarEntry, type TarResult, writeTar } from './tar.js';

export interface OutputPath {
  /** `tar`: an OCI layout archive (the path ends with `.tar`); `layout`: an OCI layout directory. */
  kind: 'layout' | 'tar';
  path: string;
}

/** The closest part of `file`'s path that exists: it must be a directory for `file` to be made. */
function existingAncestor(file: string): string {
  let dir = path.dirname(file);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/**
 * Where an image is to be written, checked before anything is built: a `.tar` path that is not
 * a directory, or a directory that is new, empty or already an OCI layout (a layout's files are
 * never mixed into another directory). `display` and `input` name it in errors.
 */
export function checkOutputPath(file: string, display: string, input: string): OutputPath {
  const kind = file.endsWith('.tar') ? 'tar' : 'layout';
  const fix = 'give a new or empty directory (an OCI layout is written there), an existing OCI layout, or a path ending in .tar (an OCI layout archive)';
  const ancestor = existingAncestor(file);
  if (!fs.statSync(ancestor).isDirectory()) throw new UserError(`cannot write the image to ${display}: ${ancestor} is a file, not a directory`, { where: { input }, fix });
  if (!fs.existsSync(file)) return { kind, path: file };
  const st = fs.statSync(file);
  if (kind === 'tar' && st.isDirectory()) throw new UserError(`cannot write the image archive ${display}: it is a directory`, { where: { input }, fix });
  if (kind === 'layout' && !st.isDirectory()) throw new UserError(`cannot write an OCI layout to ${display}: it is an existing file`, { where: { input }, fix });
  if (kind === 'layout' && fs.readdirSync(file).length > 0) {
    const layout = new OciLayout(file);
    if (!layout.exists()) throw new UserError(`cannot write an OCI layout to ${display}: it is a directory with other files in it (no oci-layout file)`, { where: { input }, fix });
    try {
      layout.readIndex(); // an existing layout's index.json must be readable to add our tags to it
    } catch (e) {
      throw isUserError(e) ? new UserError(e.message, { where: { ...e.where, input }, fix: e.fix }) : e;
    }
  }
  return { kind, path: file };
}

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
