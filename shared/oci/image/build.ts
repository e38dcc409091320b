import { UserError } from '../../runtime/errors.js';
import type { BaseImage } from './base.js';
import { appendToConfig, type ConfigOptions, type ImageConfig } from './config.js';
import { epochToRfc3339, sha256Digest, stableJson } from './json.js';
import { type AppendedLayer, buildLayer, type ImageLayer, LAYER_KEY_ANNOTATION, type LayerSpec, type NewLayer } from './layer.js';
import type { LooseDescriptor } from './manifest.js';
import { FAMILY_MEDIA, IMAGE_ANNOTATION, type MediaFamily } from './media.js';

export interface BuildOptions {
  /** Seconds since the epoch for every time in the image: config, history, tar entries. */
  sourceDateEpoch: number;
  config?: ConfigOptions;
  /** Manifest (and index) annotations, on top of created/base.name/base.digest. */
  annotations?: Record<string, string>;
}

/** One image, ready to push or write: nothing has left the machine yet. */
export interface BuiltImage {
  kind: 'image';
  family: MediaFamily;
  /** The manifest's exact bytes; `descriptor.digest` is their sha256. */
  manifest: Buffer;
  /** mediaType, digest, size and platform: an index entry as it stands. */
  descriptor: LooseDescriptor;
  config: ImageConfig;
  configBytes: Buffer;
  configDescriptor: LooseDescriptor;
  /** Base layers, then ours. */
  layers: ImageLayer[];
}

/** Several platforms' images under one index. */
export interface BuiltIndex {
  kind: 'index';
  family: MediaFamily;
  manifest: Buffer;
  descriptor: LooseDescriptor;
  images: BuiltImage[];
}

export type BuiltArtifact = BuiltImage | BuiltIndex;

function describeBytes(mediaType: string, bytes: Buffer): LooseDescriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length };
}

/** Our layer's media type in the base's family; Docker's schema 2 allows gzip layers only. */
function layerMediaType(base: BaseImage, layer: AppendedLayer): string {
  const media = FAMILY_MEDIA[base.family];
  if (layer.compression === 'gzip') return media.layerGzip;
  if (media.layer) return media.layer;
  throw new UserError(`The base image ${base.name} uses Docker media types, and Docker's image manifest (schema 2) has no type for an uncompressed layer: the layer "${layer.createdBy ?? layer.digest}" must be gzipped.`, {
    fix: 'Compress the layer (build-image: model-compression: gzip), or use an OCI base (skopeo copy --format oci docker://<base> docker://<copy> converts one).',
  });
}

/**
 * Base + new layers: the config with appended diff_ids, history and options, then the manifest
 * in the base's media-type family with the base recorded in its annotations. Pure: the same
 * base, layers and options always give the same bytes.
 */
export function appendLayers(base: BaseImage, layers: AppendedLayer[], opts: BuildOptions): BuiltImage {
  const media = FAMILY_MEDIA[base.family];
  const config = appendToConfig(
    base.config,
    layers.map((l) => l.diffId),
    layers,
    opts.config ?? {},
    opts.sourceDateEpoch,
  );
  const configBytes = stableJson(config);
  const configDescriptor = describeBytes(media.config, configBytes);
  const added: ImageLayer[] = layers.map((l) => ({
    descriptor: { mediaType: layerMediaType(base, l), digest: l.digest, size: l.size, ...(l.key ? { annotations: { [LAYER_KEY_ANNOTATION]: l.key } } : {}) },
    diffId: l.diffId,
    location: 'file' in l ? { file: l.file } : l.location,
  }));
  const all = [...base.layers, ...added];
  const annotations: Record<string, string> = {
    [IMAGE_ANNOTATION.created]: epochToRfc3339(opts.sourceDateEpoch),
    ...opts.annotations,
    // `scratch` has no manifest to name.
    ...(base.digest ? { [IMAGE_ANNOTATION.baseName]: base.name, [IMAGE_ANNOTATION.baseDigest]: base.digest } : {}),
  };
  const manifest = stableJson({
    schemaVersion: 2,
    mediaType: media.manifest,
    config: configDescriptor,
    layers: all.map((l) => l.descriptor),
    annotations,
  });
  return {
    kind: 'image',
    family: base.family,
    manifest,
    descriptor: { ...describeBytes(media.manifest, manifest), platform: base.platform },
    config,
    configBytes,
    configDescriptor,
    layers: all,
  };
}

/** An index over images of one family (an OCI index, or a Docker manifest list). */
export function indexImages(images: BuiltImage[], opts: Pick<BuildOptions, 'sourceDateEpoch' | 'annotations'>): BuiltIndex {
  const family = images[0]?.family;
  if (!family) throw new Error('an index needs at least one image');
  if (images.some((i) => i.family !== family)) {
    throw new UserError('The base images of the platforms mix OCI and Docker media types; one index cannot hold both.', { fix: 'Use one multi-platform base, or build the platforms separately.' });
  }
  const media = FAMILY_MEDIA[family];
  const manifest = stableJson({
    schemaVersion: 2,
    mediaType: media.index,
    manifests: images.map((i) => i.descriptor),
    annotations: { [IMAGE_ANNOTATION.created]: epochToRfc3339(opts.sourceDateEpoch), ...opts.annotations },
  });
  return { kind: 'index', family, manifest, descriptor: describeBytes(media.index, manifest), images };
}

/**
 * Build the layers once (as content-addressed tars in `dir`) and append them to each base:
 * one base gives an image, several (platforms) an index.
 */
export async function buildImage(bases: BaseImage[], specs: LayerSpec[], opts: BuildOptions & { dir: string; index?: boolean }): Promise<BuiltArtifact> {
  if (bases.length === 0) throw new Error('buildImage needs a base image');
  const layers: NewLayer[] = [];
  for (const spec of specs) layers.push(await buildLayer(spec, { dir: opts.dir, sourceDateEpoch: opts.sourceDateEpoch }));
  const images = bases.map((base) => appendLayers(base, layers, opts));
  return images.length === 1 && !opts.index ? images[0]! : indexImages(images, opts);
}
