import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, writeStreamHashed } from '../runtime/files.js';
import { UserError } from '../runtime/errors.js';
import { withFileLock } from '../runtime/lock.js';
import { ANNOTATION, type Descriptor, type ImageIndex, imageIndexSchema, MEDIA } from './types.js';

/** What to do about a blob that does not match what names it. */
export const CORRUPTED_FIX = 'The layout is corrupted or was edited: copy the image into it again (skopeo copy ... oci:<dir>:<tag>).';

/**
 * An OCI image layout on disk (image-spec "image-layout"): `oci-layout`, `index.json` and
 * content-addressed `blobs/sha256/<hex>`. Tags are `org.opencontainers.image.ref.name`
 * annotations in index.json, which skopeo and umoci read as `oci:<dir>:<tag>`.
 */
export class OciLayout {
  constructor(readonly dir: string) {}

  private get indexFile(): string {
    return path.join(this.dir, 'index.json');
  }

  blobPath(digest: string): string {
    return path.join(this.dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  init(): void {
    fs.mkdirSync(path.join(this.dir, 'blobs', 'sha256'), { recursive: true });
    if (!fs.existsSync(path.join(this.dir, 'oci-layout'))) writeFileAtomic(path.join(this.dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    if (!fs.existsSync(this.indexFile)) writeFileAtomic(this.indexFile, JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.imageIndex, manifests: [] }));
  }

  exists(): boolean {
    return fs.existsSync(path.join(this.dir, 'oci-layout'));
  }

  hasBlob(digest: string): boolean {
    return fs.existsSync(this.blobPath(digest));
  }

  /** A blob's file, which must exist: a missing one is a UserError naming the blob, `what` it is, and the layout. */
  blobFile(digest: string, what: string): string {
    const file = this.blobPath(digest);
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      throw new UserError(`The OCI layout ${this.dir} lacks the blob ${digest} (${what}).`, { where: { file: this.dir }, fix: 'Copy the whole image into the layout again (skopeo copy ... oci:<dir>:<tag>).' });
    }
    return file;
  }

  /** A (small) blob's bytes, checked against the descriptor's size and sha256 as a registry download is. */
  readBlob(desc: { digest: string; size: number }, what: string): Buffer {
    const bytes = fs.readFileSync(this.blobFile(desc.digest, what));
    const digest = `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
    if (bytes.length !== desc.size || digest !== desc.digest) {
      const found = bytes.length !== desc.size ? `${bytes.length} bytes, the descriptor says ${desc.size}` : `its sha256 is ${digest}`;
      throw new UserError(`The blob ${desc.digest} (${what}) in the OCI layout ${this.dir} does not match its descriptor: ${found}.`, { where: { file: this.dir }, fix: CORRUPTED_FIX });
    }
    return bytes;
  }

  /** Store bytes; returns their descriptor. */
  putBytes(mediaType: string, bytes: Buffer, annotations?: Record<string, string>): Descriptor {
    const digest = `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
    if (!this.hasBlob(digest)) writeFileAtomic(this.blobPath(digest), bytes);
    return { mediaType, digest, size: bytes.length, ...(annotations ? { annotations } : {}) };
  }

  /** Store a file by streaming it once (hashing while copying); never held in memory. */
  async putFile(mediaType: string, file: string, annotations?: Record<string, string>): Promise<Descriptor> {
    this.init();
    const tmp = path.join(this.dir, 'blobs', `.upload-${process.pid}-${crypto.randomUUID()}`);
    try {
      const { hash, size } = await writeStreamHashed(fs.createReadStream(file), tmp);
      const digest = `sha256:${hash}`;
      if (this.hasBlob(digest)) fs.rmSync(tmp);
      else fs.renameSync(tmp, this.blobPath(digest));
      return { mediaType, digest, size, ...(annotations ? { annotations } : {}) };
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /** index.json as it stands (empty when missing); an unreadable one is the user's to repair. */
  readIndex(): ImageIndex {
    if (!fs.existsSync(this.indexFile)) return { schemaVersion: 2, mediaType: MEDIA.imageIndex, manifests: [] };
    const broken = (why: string) =>
      new UserError(`${this.indexFile} is not an OCI image index (${why}).`, { where: { file: this.indexFile }, fix: `Repair or remove the OCI layout ${this.dir} (skopeo copy ... oci:<dir>:<tag> writes a new one).` });
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(this.indexFile, 'utf8'));
    } catch (e) {
      throw broken((e as Error).message);
    }
    const parsed = imageIndexSchema.safeParse(json);
    if (!parsed.success) throw broken(`${parsed.error.issues[0]?.path.join('.') || 'the document'}: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }

  /** Tags in index.json. */
  tags(): string[] {
    return this.readIndex()
      .manifests.map((m) => m.annotations?.[ANNOTATION.refName])
      .filter((t): t is string => !!t);
  }

  resolve(tag: string): Descriptor | undefined {
    return this.readIndex().manifests.find((m) => m.annotations?.[ANNOTATION.refName] === tag);
  }

  /**
   * Change tags under the layout's lock. `decide` sees the current tags and returns the manifest
   * to point new tags at (or null to change nothing); concurrent writers are serialised, so a
   * decision such as "the next free version" cannot be taken twice.
   */
  async retag<T>(decide: (tags: string[]) => { descriptor: Descriptor; tags: string[]; result: T } | { result: T }): Promise<T> {
    this.init();
    return withFileLock(`${this.indexFile}.lock`, async () => {
      const index = this.readIndex();
      const decision = decide(this.tags());
      if (!('descriptor' in decision)) return decision.result;
      const { descriptor, tags } = decision;
      const kept = index.manifests.filter((m) => !tags.includes(m.annotations?.[ANNOTATION.refName] ?? ''));
      const added = tags.map((t) => ({ ...descriptor, annotations: { ...descriptor.annotations, [ANNOTATION.refName]: t } }));
      writeFileAtomic(this.indexFile, JSON.stringify({ ...index, manifests: [...kept, ...added] }));
      return decision.result;
    });
  }
}
