import { z } from 'zod';

export const MEDIA = {
  imageManifest: 'application/vnd.oci.image.manifest.v1+json',
  imageIndex: 'application/vnd.oci.image.index.v1+json',
  /** CNCF ModelPack artifact, config and layers. */
  modelArtifact: 'application/vnd.cncf.model.manifest.v1+json',
  modelConfig: 'application/vnd.cncf.model.config.v1+json',
  modelWeightRaw: 'application/vnd.cncf.model.weight.v1.raw',
  modelDocRaw: 'application/vnd.cncf.model.doc.v1.raw',
  /** ModelPack's dataset layer: here the training data's reference profile (not the data). */
  modelDatasetRaw: 'application/vnd.cncf.model.dataset.v1.raw',
} as const;

export const ANNOTATION = {
  title: 'org.opencontainers.image.title',
  created: 'org.opencontainers.image.created',
  version: 'org.opencontainers.image.version',
  revision: 'org.opencontainers.image.revision',
  source: 'org.opencontainers.image.source',
  refName: 'org.opencontainers.image.ref.name',
  filepath: 'org.cncf.model.filepath',
} as const;

export const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  artifactType: z.string().optional(),
  platform: z.object({ architecture: z.string(), os: z.string() }).passthrough().optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageManifest = z.infer<typeof imageManifestSchema>;

export const imageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof imageIndexSchema>;

/** Deterministic JSON bytes: the same object always gives the same digest. */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
