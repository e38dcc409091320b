import { createHash } from 'node:crypto';
import type { PushableArtifact, RegistryClient } from './registry/client.js';
import { RegistryError } from './registry/errors.js';
import { canonicalJson, type Descriptor, imageIndexSchema, imageManifestSchema, MEDIA } from './types.js';

/** The referrers tag schema's tag for a subject digest: `sha256-<hex>` (distribution-spec). */
export const referrersTag = (subjectDigest: string): string => subjectDigest.replace(':', '-');

/**
 * The descriptor a referrers list holds for a manifest: its media type, digest and size, its
 * `artifactType` (else its config's media type) and its annotations, as the distribution spec
 * requires of both the referrers API and the tag schema fallback.
 */
export function referrerDescriptor(manifest: Buffer, mediaType: string, digest: string): Descriptor {
  const raw = JSON.parse(manifest.toString('utf8')) as unknown;
  const parsed = imageManifestSchema.parse(raw);
  // Annotations as written (zod may reorder keys): the same manifest always gives the same entry.
  const annotations = (raw as { annotations?: Record<string, string> }).annotations;
  return {
    mediaType,
    digest,
    size: manifest.length,
    artifactType: parsed.artifactType ?? parsed.config.mediaType,
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
}

/**
 * The fallback index's entries with `referrer` in them: an entry of the same digest stays where
 * it is (rewritten only if it lacks what `referrer` says, e.g. the annotations), a new one goes
 * last, duplicates go. So a re-push changes nothing, and entries other tools wrote (signatures,
 * SBOMs) keep their place and bytes.
 */
export function withReferrer(entries: Descriptor[], referrer: Descriptor): Descriptor[] {
  const out: Descriptor[] = [];
  for (const entry of [...entries, referrer]) {
    if (out.some((d) => d.digest === entry.digest)) continue;
    out.push(entry.digest === referrer.digest && sortedJson(entry) !== sortedJson(referrer) ? referrer : entry);
  }
  return out;
}

/** JSON with object keys sorted: equal content, equal text, whatever order the keys came in. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

/**
 * Push an artifact whose manifest has a `subject` (by digest, blobs first), then add it to the
 * subject's referrers fallback index (`sha256-<subject hex>`), which oras, crane and cosign read
 * on registries without the referrers API. Returns the artifact's digest.
 */
export async function pushReferrer(client: RegistryClient, repository: string, artifact: PushableArtifact): Promise<string> {
  const subject = imageManifestSchema.parse(JSON.parse(artifact.manifest.toString('utf8'))).subject;
  if (!subject) throw new Error('a referrer needs a subject');
  const digest = await client.push(repository, [], artifact);
  const tag = referrersTag(subject.digest);
  let entries: Descriptor[] = [];
  let current: string | undefined;
  try {
    const existing = await client.getManifest(repository, tag);
    const raw = JSON.parse(existing.bytes.toString('utf8')) as { manifests: Descriptor[] };
    imageIndexSchema.parse(raw);
    // Entries exactly as stored (every field, in its order): rewriting them must not change them.
    entries = raw.manifests;
    current = existing.digest;
  } catch (e) {
    // Only "no referrers yet" starts a new index: any other failure must not drop the others' entries.
    if (!(e instanceof RegistryError && e.status === 404)) throw e;
  }
  const index = canonicalJson({ schemaVersion: 2, mediaType: MEDIA.imageIndex, manifests: withReferrer(entries, referrerDescriptor(artifact.manifest, artifact.descriptor.mediaType, digest)) });
  if (current !== `sha256:${sha256Hex(index)}`) await client.putManifest(repository, tag, index, MEDIA.imageIndex);
  return digest;
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
