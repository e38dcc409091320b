import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256File } from '../../runtime/files.js';
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
   * `gzip` (default) or `none` (OCI bases only: Docker's schema 2 has no uncompressed layer
   * type). Uncompressed saves the compression time of a big model (about 5 s per 200 MB here;
   * float weights shrink by only ~7%) and makes the blob digest the diff_id, but some tools
   * (crane validate) read only gzip: docs/image-builder.md has the numbers.
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
  /** layerKey, for a layer worth finding again (buildLayerCached): written as LAYER_KEY_ANNOTATION. */
  key?: string;
}

/** A layer of ours found in the target repository by its key: reused, never built or read here. */
export interface ReusedLayer extends LayerHistory {
  location: BlobLocation;
  diffId: string;
  digest: string;
  size: number;
  compression: 'gzip' | 'none';
  key: string;
}

/** What appendLayers appends. */
export type AppendedLayer = NewLayer | ReusedLayer;

/** On a layer's descriptor in our manifests: its layerKey, so a later build can find it there. */
export const LAYER_KEY_ANNOTATION = 'io.mlops.layer.key';

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

/**
 * What decides a layer's bytes: entries (file contents by sha256), modes, time, compression, and
 * the writer's format (v3: gzip level 1 in parallel blocks, gzip.ts).
 */
export async function layerKey(spec: LayerSpec, sourceDateEpoch: number): Promise<string> {
  const entries = [];
  for (const e of spec.entries) {
    const src = e.source as { file?: string; bytes?: string | Buffer; symlink?: string; directory?: boolean };
    const content = src.file
      ? { file: await sha256File(src.file), exec: (fs.statSync(src.file).mode & 0o111) !== 0 }
      : src.bytes !== undefined
        ? { bytes: crypto.createHash('sha256').update(src.bytes).digest('hex') }
        : { symlink: src.symlink, directory: src.directory };
    entries.push({ path: e.path, mode: e.mode ?? null, content });
  }
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ v: 3, entries, sourceDateEpoch, compression: spec.compression ?? 'gzip', createdBy: spec.createdBy ?? null, comment: spec.comment ?? null }))
    .digest('hex');
}

/**
 * buildLayer, remembered in `cacheDir` under a key of everything that decides the bytes: an
 * unchanged layer (the server and ONNX Runtime, rebuilt for every new model) is not compressed
 * again. Entries are written whole (temp file, then rename), so a crash leaves no half entry.
 */
export async function buildLayerCached(spec: LayerSpec, opts: { dir: string; sourceDateEpoch: number; cacheDir: string; key?: string }): Promise<NewLayer> {
  const key = opts.key ?? (await layerKey(spec, opts.sourceDateEpoch));
  const meta = path.join(opts.cacheDir, `${key}.json`);
  if (fs.existsSync(meta)) {
    const cached = JSON.parse(fs.readFileSync(meta, 'utf8')) as NewLayer;
    if (fs.existsSync(cached.file) && fs.statSync(cached.file).size === cached.size) return { ...cached, key };
  }
  const built = { ...(await buildLayer(spec, { dir: opts.cacheDir, sourceDateEpoch: opts.sourceDateEpoch })), key };
  const tmp = `${meta}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(built));
  fs.renameSync(tmp, meta);
  return built;
}
