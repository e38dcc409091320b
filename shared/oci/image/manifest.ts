import { z } from 'zod';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
});

/** A descriptor as registries serve it: `urls`, `platform` and other fields kept. */
export const looseDescriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest,
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
});
export type LooseDescriptor = z.infer<typeof looseDescriptorSchema>;

export const looseManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: looseDescriptorSchema,
  layers: z.array(looseDescriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type LooseManifest = z.infer<typeof looseManifestSchema>;

export const looseIndexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(looseDescriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type LooseIndex = z.infer<typeof looseIndexSchema>;

/** JSON from bytes, or undefined: the schema then reports what is wrong. */
export function parseJsonBytes(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
