import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RegistryClient } from '../registry/client.js';
import type { LayerHistory } from './config.js';
import type { LooseDescriptor } from './manifest.js';
import { type TarEntry, writeTar } from './tar.js';

/**
 * Where a blob's bytes are: a file (a layer we built, a layout's blob), bytes (configs,
 * manifests), or a repository of a registry (a base image's layer, to mount or copy).
 */
export type BlobLocation = { file: string } | { bytes: Buffer } | { registry: RegistryClient; repository: string };

/** A layer of an image: what the manifest lists, the diff_id the config lists, and its bytes. */
export interface ImageLayer {
  descriptor: LooseDescriptor;
  diffId: string;
  location: BlobLocation;
}

export interface LayerSpec extends LayerHistory {
  entries: TarEntry[];
  /**
   * `gzip` (default) or `none`. Store big model files uncompressed: weights hardly compress,
   * and then the blob digest is the diff_id, independent of any gzip implementation.
   */
  compression?: 'gzip' | 'none';
}

/** A layer built from files: a tar on disk, named by its digest. */
export interface NewLayer extends LayerHistory {
  file: string;
  diffId: string;
  digest: string;
  size: number;
  compression: 'gzip' | 'none';
}

/**
 * Build one layer as `<dir>/<hex>.tar[.gz]` (content-addressed: building the same layer twice
 * in one directory gives the same file).
 */
export async function buildLayer(spec: LayerSpec, opts: { dir: string; sourceDateEpoch: number }): Promise<NewLayer> {
  const compression = spec.compression ?? 'gzip';
  const gzip = compression === 'gzip';
  fs.mkdirSync(opts.dir, { recursive: true });
  const tmp = path.join(opts.dir, `.layer-${process.pid}-${crypto.randomUUID()}`);
  const tar = await writeTar(spec.entries, tmp, { sourceDateEpoch: opts.sourceDateEpoch, gzip });
  const file = path.join(opts.dir, `${tar.digest.slice('sha256:'.length)}${gzip ? '.tar.gz' : '.tar'}`);
  fs.renameSync(tmp, file);
  return {
    file,
    diffId: tar.diffId,
    digest: tar.digest,
    size: tar.size,
    compression,
    ...(spec.createdBy ? { createdBy: spec.createdBy } : {}),
    ...(spec.comment ? { comment: spec.comment } : {}),
  };
}
