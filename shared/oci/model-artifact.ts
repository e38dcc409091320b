import crypto from 'node:crypto';
import { MANIFEST_FILE, type ModelManifest, PROFILE_FILE } from '../model/manifest.js';
import { ANNOTATION, canonicalJson, type Descriptor, MEDIA } from './types.js';

/** A blob of the artifact: small ones as bytes, the model as a file streamed from disk. */
export type ArtifactBlob = { descriptor: Descriptor; bytes: Buffer } | { descriptor: Descriptor; file: string };

export interface ModelArtifact {
  /** The OCI image manifest (artifactType ModelPack) and its exact bytes. */
  manifest: Buffer;
  descriptor: Descriptor;
  /** Config first, then layers: push order. */
  blobs: ArtifactBlob[];
}

function describe(mediaType: string, bytes: Buffer, annotations?: Record<string, string>): Descriptor {
  return { mediaType, digest: `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, ...(annotations ? { annotations } : {}) };
}

/**
 * A model as a CNCF ModelPack OCI artifact: the ONNX file as an uncompressed weight layer (its
 * digest is the model digest), the model manifest (lineage, metrics) as a doc layer, a ModelPack
 * config, and annotations a registry UI shows. Deterministic: no wall-clock time anywhere.
 */
export function modelArtifact(m: ModelManifest, modelFile: string, opts: { subject?: Descriptor; profile?: Buffer } = {}): ModelArtifact {
  const modelLayer: Descriptor = {
    mediaType: MEDIA.modelWeightRaw,
    digest: m.model.digest,
    size: m.model.size,
    annotations: { [ANNOTATION.title]: m.model.file, [ANNOTATION.filepath]: m.model.file },
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(m, null, 2)}\n`);
  const docLayer = describe(MEDIA.modelDocRaw, manifestBytes, { [ANNOTATION.title]: MANIFEST_FILE, [ANNOTATION.filepath]: MANIFEST_FILE });
  if (m.profile && !opts.profile) throw new Error('the manifest names a profile: its bytes are needed');
  const profileLayer = m.profile && opts.profile ? describe(MEDIA.modelDatasetRaw, opts.profile, { [ANNOTATION.title]: PROFILE_FILE, [ANNOTATION.filepath]: PROFILE_FILE }) : undefined;
  if (profileLayer && profileLayer.digest !== m.profile!.digest) throw new Error(`the profile bytes (${profileLayer.digest}) are not the manifest's (${m.profile!.digest})`);
  const config = canonicalJson({
    descriptor: {
      name: m.name,
      version: m.version ?? undefined,
      createdAt: m.created ?? undefined,
      revision: m.git.sha ?? undefined,
      sourceURL: m.git.repository ? `https://github.com/${m.git.repository}` : undefined,
    },
    config: { format: 'onnx', paramSize: undefined },
    modelfs: { type: 'layers', diffIds: [modelLayer.digest, docLayer.digest, ...(profileLayer ? [profileLayer.digest] : [])] },
  });
  const configDescriptor = describe(MEDIA.modelConfig, config);
  const annotations: Record<string, string> = {
    [ANNOTATION.title]: m.name,
    'io.mlops.model.digest': m.model.digest,
    'io.mlops.metrics': JSON.stringify(m.metrics),
  };
  if (m.created) annotations[ANNOTATION.created] = m.created;
  if (m.version) annotations[ANNOTATION.version] = m.version;
  if (m.git.sha) annotations[ANNOTATION.revision] = m.git.sha;
  if (m.git.repository) annotations[ANNOTATION.source] = `https://github.com/${m.git.repository}`;
  const manifest = canonicalJson({
    schemaVersion: 2,
    mediaType: MEDIA.imageManifest,
    artifactType: MEDIA.modelArtifact,
    config: configDescriptor,
    layers: [modelLayer, docLayer, ...(profileLayer ? [profileLayer] : [])],
    annotations,
    // An artifact about an image (build-image attaches the model to it): a referrer of it.
    ...(opts.subject ? { subject: opts.subject } : {}),
  });
  return {
    manifest,
    descriptor: { ...describe(MEDIA.imageManifest, manifest), artifactType: MEDIA.modelArtifact },
    blobs: [
      { descriptor: configDescriptor, bytes: config },
      { descriptor: modelLayer, file: modelFile },
      { descriptor: docLayer, bytes: manifestBytes },
      ...(profileLayer ? [{ descriptor: profileLayer, bytes: opts.profile! }] : []),
    ],
  };
}
