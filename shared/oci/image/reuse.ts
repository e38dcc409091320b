import { RegistryError } from '../registry/errors.js';
import type { RegistryClient } from '../registry/client.js';
import { isUserError } from '../../runtime/errors.js';
import { pullBase } from './base.js';
import { type ImageLayer, LAYER_KEY_ANNOTATION, type LayerSpec, type ReusedLayer } from './layer.js';
import type { Platform } from './platform.js';
import { registrySource } from './source.js';

/**
 * Our keyed layers (LAYER_KEY_ANNOTATION) in the image the first of `tags` that exists points at
 * in `repository`, for `platform`. A runner without a layer cache (every hosted runner) would
 * otherwise compress the server and ONNX Runtime again (44 MiB) only to learn a digest the
 * registry already holds. Nothing found (no such tag, not an image of ours) is an empty map.
 */
export async function layersInRegistry(client: RegistryClient, repository: string, tags: string[], platform: Platform): Promise<Map<string, ImageLayer>> {
  for (const tag of tags) {
    try {
      const [image] = await pullBase(registrySource(client, repository), tag, { platforms: [platform] });
      const keyed = (image?.layers ?? []).filter((l) => l.descriptor.annotations?.[LAYER_KEY_ANNOTATION]);
      if (keyed.length) return new Map(keyed.map((l) => [l.descriptor.annotations![LAYER_KEY_ANNOTATION]!, l]));
    } catch (error) {
      // Not there, or not readable as an image for this platform: build instead.
      if (!(error instanceof RegistryError) && !isUserError(error)) throw error;
    }
  }
  return new Map();
}

/**
 * The layer `spec` would build, if the registry holds it under the same key: the key covers every
 * input of the layer's bytes (layerKey), and the bytes are deterministic, so they are the bytes a
 * build would write. Trusted as the base image's layers are: by the digests the registry serves.
 */
export async function reuseLayer(client: RegistryClient, repository: string, found: Map<string, ImageLayer>, spec: LayerSpec, key: string): Promise<ReusedLayer | undefined> {
  const layer = found.get(key);
  if (!layer || !(await client.hasBlob(repository, layer.descriptor.digest))) return undefined;
  return {
    location: { registry: client, repository },
    diffId: layer.diffId,
    digest: layer.descriptor.digest,
    size: layer.descriptor.size,
    compression: spec.compression ?? 'gzip',
    key,
    ...(spec.createdBy ? { createdBy: spec.createdBy } : {}),
    ...(spec.comment ? { comment: spec.comment } : {}),
  };
}
