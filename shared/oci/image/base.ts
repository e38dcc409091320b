import { UserError } from '../../runtime/errors.js';
import { type ImageConfig, imageConfigSchema } from './config.js';
import type { ImageLayer } from './layer.js';
import { type LooseDescriptor, type LooseManifest, looseIndexSchema, looseManifestSchema, parseJsonBytes } from './manifest.js';
import { FAMILY_MEDIA, familyOf, isIndexType, type MediaFamily } from './media.js';
import { DEFAULT_PLATFORM, formatPlatform, type Platform, platformMatches } from './platform.js';
import type { ImageSource, SourcedManifest } from './source.js';

/** One platform's base image: what appending layers to it needs. */
export interface BaseImage {
  /** `org.opencontainers.image.base.name`: the reference as asked for (registry/repo:tag). */
  name: string;
  /** `org.opencontainers.image.base.digest`: this platform's manifest digest. */
  digest: string;
  /** The index the manifest was picked from, when the reference named one. */
  indexDigest?: string;
  /** As the index entry (or the config) states it. */
  platform: Platform & Record<string, unknown>;
  family: MediaFamily;
  manifest: LooseManifest;
  config: ImageConfig;
  /** The base's layers, in order, each with its diff_id and where its bytes are. */
  layers: ImageLayer[];
}

export interface PullOptions {
  /** Default [linux/amd64]. Several only from an index. */
  platforms?: Platform[];
}

function invalid(what: string, name: string, detail: string): UserError {
  return new UserError(`The base image ${name}: ${what} (${detail}).`, { fix: 'Use a base image pushed by a standard tool (docker, buildx, crane, skopeo) with an OCI or Docker v2 manifest.' });
}

function familyFor(m: SourcedManifest, name: string): MediaFamily {
  const family = familyOf(m.mediaType);
  if (family) return family;
  if (m.mediaType.includes('manifest.v1')) {
    throw new UserError(`The base image ${name} has a Docker schema 1 manifest, which cannot be extended.`, { fix: 'Re-push the base with a current tool (skopeo copy converts it) or pick a newer tag.' });
  }
  throw invalid(`unsupported manifest type ${m.mediaType}`, name, m.digest);
}

/** A manifest and its config, checked: one diff_id per layer. */
async function loadImage(source: ImageSource, name: string, m: SourcedManifest, platform: (Platform & Record<string, unknown>) | undefined, indexDigest: string | undefined): Promise<BaseImage> {
  const family = familyFor(m, name);
  const parsed = looseManifestSchema.safeParse(parseJsonBytes(m.bytes));
  if (!parsed.success) throw invalid('the manifest is not an image manifest', name, parsed.error.issues[0]?.message ?? '');
  const manifest = parsed.data;
  const configParsed = imageConfigSchema.safeParse(parseJsonBytes(await source.blob(manifest.config)));
  if (!configParsed.success) throw invalid('its config is not an image config', name, `${configParsed.error.issues[0]?.path.join('.') ?? ''}: ${configParsed.error.issues[0]?.message ?? ''}`);
  const config = configParsed.data;
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw invalid('the config and the manifest disagree', name, `${manifest.layers.length} layers, ${config.rootfs.diff_ids.length} diff_ids`);
  }
  const missing = (['os', 'architecture'] as const).filter((k) => !config[k]);
  if (missing.length) {
    throw new UserError(`The base image ${name} does not say which platform it is for: its config has no ${missing.map((k) => `\`${k}\``).join(' and ')}.`, {
      fix: 'Use a base whose config names its os and architecture (docker and buildx set them; crane mutate --set-platform linux/amd64 adds them), or another base.',
    });
  }
  const layers = [];
  for (const [i, descriptor] of manifest.layers.entries()) {
    const diffId = config.rootfs.diff_ids[i]!;
    layers.push({ descriptor, diffId, location: await source.layer(descriptor, diffId) });
  }
  const configPlatform = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  return { name, digest: m.digest, ...(indexDigest ? { indexDigest } : {}), platform: platform ?? configPlatform, family, manifest, config, layers };
}

/**
 * Read a base image by tag or digest from a registry or a layout, one image per platform asked
 * for (in that order). An index gives the matching entries; a single manifest must match the
 * one platform asked for. Manifests, configs (and, when pushed or written, layers) are checked
 * against their digests.
 */
export async function pullBase(source: ImageSource, ref: string, opts: PullOptions = {}): Promise<BaseImage[]> {
  const wanted = opts.platforms?.length ? opts.platforms : [DEFAULT_PLATFORM];
  const name = source.nameFor(ref);
  const top = await source.manifest(ref);
  familyFor(top, name);
  if (!isIndexType(top.mediaType)) {
    const image = await loadImage(source, name, top, undefined, undefined);
    const mismatch = wanted.find((p) => !platformMatches(p, image.platform));
    if (mismatch || wanted.length > 1) {
      throw new UserError(`The base image ${name} is a single ${formatPlatform(image.platform)} image; ${wanted.map(formatPlatform).join(', ')} was asked for.`, {
        where: { input: 'platforms' },
        fix: wanted.length > 1 ? 'Build several platforms from a multi-platform base (an image index).' : `Set platforms to ${formatPlatform(image.platform)} or use a base that has ${formatPlatform(mismatch!)}.`,
      });
    }
    return [image];
  }
  const index = looseIndexSchema.safeParse(parseJsonBytes(top.bytes));
  if (!index.success) throw invalid('the index is not an image index', name, index.error.issues[0]?.message ?? '');
  const entries = index.data.manifests.filter((d): d is LooseDescriptor & { platform: NonNullable<LooseDescriptor['platform']> } => !!d.platform && !isIndexType(d.mediaType));
  const images: BaseImage[] = [];
  for (const platform of wanted) {
    const entry = entries.find((d) => platformMatches(platform, d.platform));
    if (!entry) {
      const offered = entries.filter((d) => d.platform.os && d.platform.architecture && d.platform.os !== 'unknown').map((d) => formatPlatform(d.platform));
      throw new UserError(`The base image ${name} has no ${formatPlatform(platform)} image.`, { where: { input: 'platforms' }, fix: `It offers ${offered.join(', ') || 'no platform'}: pick one of those, or another base.` });
    }
    const child = await source.manifest(entry.digest, entry);
    if (child.digest !== entry.digest || child.bytes.length !== entry.size) throw invalid('an index entry does not match its manifest', name, `${entry.digest}, ${entry.size} bytes`);
    images.push(await loadImage(source, name, child, entry.platform, top.digest));
  }
  return images;
}

/**
 * No base at all (Docker's `FROM scratch`): only our layers. Images built on it hold the model
 * and the server bundle but no Node runtime: for inspection and offline demos, not for running.
 */
export function scratchBase(platform: Platform): BaseImage {
  return {
    name: 'scratch',
    digest: '',
    platform: { ...platform },
    family: 'oci',
    manifest: { schemaVersion: 2, mediaType: FAMILY_MEDIA.oci.manifest, config: { mediaType: FAMILY_MEDIA.oci.config, digest: '', size: 0 }, layers: [] } as unknown as LooseManifest,
    config: { architecture: platform.architecture, os: platform.os, config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] } as ImageConfig,
    layers: [],
  };
}
