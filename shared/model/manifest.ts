import { z } from 'zod';
import { signatureSchema } from './signature.js';

export const MANIFEST_SCHEMA_VERSION = 1;
export const MANIFEST_FILE = 'mlops-model.json';
/** The training data's reference profile (validate-data's profile.json), stored with the model under this name. */
export const PROFILE_FILE = 'mlops-profile.json';

/**
 * The model manifest: what the model is and where it came from (lineage). Its content never
 * holds wall-clock time: `created` is SOURCE_DATE_EPOCH or the commit time.
 */
export const modelManifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  kind: z.literal('mlops/model-manifest'),
  name: z.string(),
  /** Set when published to a store. */
  version: z.string().nullable(),
  model: z.object({
    file: z.string(),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    size: z.number().int(),
    format: z.literal('onnx'),
    irVersion: z.number().nullable(),
    opset: z.array(z.object({ domain: z.string(), version: z.number() })),
    producer: z.string().nullable(),
  }),
  signature: signatureSchema,
  /** The reference profile of the training data, stored with the model (train's `profile` input): drift-check's reference, the server's bins. */
  profile: z.object({ file: z.literal(PROFILE_FILE), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/), size: z.number().int() }).optional(),
  metrics: z.record(z.string(), z.number()),
  params: z.record(z.string(), z.unknown()),
  data: z.object({ digest: z.string().nullable(), files: z.array(z.object({ path: z.string(), sha256: z.string() })) }),
  code: z.object({ digest: z.string(), patterns: z.array(z.string()), files: z.number().int() }),
  git: z.object({ repository: z.string().nullable(), sha: z.string().nullable(), ref: z.string().nullable() }),
  training: z.object({
    command: z.string(),
    workingDirectory: z.string(),
    seed: z.number().int().nullable(),
    durationSeconds: z.number(),
    cacheKey: z.string(),
    tools: z.record(z.string(), z.string()),
  }),
  /** SOURCE_DATE_EPOCH or the commit time; null when neither is known (never the wall clock). */
  created: z.string().nullable(),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** Parse a manifest read from disk or a store; a bad one names its source. */
export function parseManifest(json: unknown, source: string): ModelManifest {
  const r = modelManifestSchema.safeParse(json);
  if (!r.success) throw new Error(`${source} is not a valid model manifest: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
  return r.data;
}
