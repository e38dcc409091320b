import { DOCKER_MEDIA } from '../registry/manifests.js';
import { MEDIA } from '../types.js';

/** Which set of media types an image uses: it follows the base image. */
export type MediaFamily = 'oci' | 'docker';

export interface FamilyMedia {
  manifest: string;
  index: string;
  config: string;
  layerGzip: string;
  /** An uncompressed layer: OCI has a type for it; Docker's schema 2 has none (gzip only). */
  layer?: string;
}

export const FAMILY_MEDIA: Record<MediaFamily, FamilyMedia> = {
  oci: {
    manifest: MEDIA.imageManifest,
    index: MEDIA.imageIndex,
    config: 'application/vnd.oci.image.config.v1+json',
    layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    layer: 'application/vnd.oci.image.layer.v1.tar',
  },
  docker: {
    manifest: DOCKER_MEDIA.manifest,
    index: DOCKER_MEDIA.manifestList,
    config: 'application/vnd.docker.container.image.v1+json',
    layerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
};

/** The family of a manifest or index media type, or undefined for anything else. */
export function familyOf(mediaType: string): MediaFamily | undefined {
  if (mediaType === FAMILY_MEDIA.oci.manifest || mediaType === FAMILY_MEDIA.oci.index) return 'oci';
  if (mediaType === FAMILY_MEDIA.docker.manifest || mediaType === FAMILY_MEDIA.docker.index) return 'docker';
  return undefined;
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === FAMILY_MEDIA.oci.index || mediaType === FAMILY_MEDIA.docker.index;
}

/** Layers a registry must not be asked to store (Windows foreign layers): referenced, never pushed. */
export function isNondistributable(mediaType: string): boolean {
  return mediaType.includes('foreign') || mediaType.includes('nondistributable');
}

export const IMAGE_ANNOTATION = {
  created: 'org.opencontainers.image.created',
  baseName: 'org.opencontainers.image.base.name',
  baseDigest: 'org.opencontainers.image.base.digest',
  refName: 'org.opencontainers.image.ref.name',
} as const;
