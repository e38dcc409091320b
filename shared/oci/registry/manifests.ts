import crypto from 'node:crypto';
import { z } from 'zod';
import type { Descriptor } from '../types.js';
import { MEDIA } from '../types.js';
import { RegistryError } from './errors.js';
import type { RegistrySession } from './session.js';
import { discard } from '../../http/transport.js';
import { isDigest } from './urls.js';

export const DOCKER_MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  manifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** Every manifest kind we read: OCI manifest and index, Docker v2 manifest and list. */
export const MANIFEST_ACCEPT = [MEDIA.imageManifest, MEDIA.imageIndex, DOCKER_MEDIA.manifest, DOCKER_MEDIA.manifestList].join(', ');

export interface FetchedManifest {
  /** The exact bytes the registry stored (their sha256 is `digest`). */
  bytes: Buffer;
  mediaType: string;
  digest: string;
  size: number;
}

const mediaTypeField = z.object({ mediaType: z.string().optional() }).passthrough();

function sha256(bytes: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function contentType(res: Response): string | undefined {
  return res.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
}

/**
 * GET a manifest by tag or digest and verify its bytes: against the digest asked for, else
 * against `Docker-Content-Digest`.
 */
export async function getManifest(s: RegistrySession, repo: string, ref: string): Promise<FetchedManifest> {
  s.auth.need(`repository:${repo}:pull`);
  const operation = `get manifest ${repo}:${ref}`;
  const res = await s.request({ method: 'GET', url: s.url(`${repo}/manifests/${ref}`), headers: { accept: MANIFEST_ACCEPT } }, operation);
  if (res.status !== 200) throw await s.fail(res, operation);
  const bytes = Buffer.from(await res.arrayBuffer());
  const digest = sha256(bytes);
  const expected = isDigest(ref) ? ref : (res.headers.get('docker-content-digest') ?? undefined);
  if (expected && expected !== digest) {
    throw new RegistryError({ registry: s.registry, operation, reason: `the body's digest is ${digest}, not ${expected}`, fix: 'The registry (or a proxy) served content that does not match its digest: re-run; if it persists, re-push.' });
  }
  let mediaType = contentType(res);
  if (!mediaType || mediaType === 'application/json') {
    const parsed = mediaTypeField.safeParse(parseJson(bytes));
    mediaType = (parsed.success ? parsed.data.mediaType : undefined) ?? mediaType ?? MEDIA.imageManifest;
  }
  return { bytes, mediaType, digest, size: bytes.length };
}

/** HEAD a manifest: its descriptor, or undefined if the tag or digest does not exist. */
export async function headManifest(s: RegistrySession, repo: string, ref: string): Promise<Descriptor | undefined> {
  s.auth.need(`repository:${repo}:pull`);
  const operation = `check manifest ${repo}:${ref}`;
  const res = await s.request({ method: 'HEAD', url: s.url(`${repo}/manifests/${ref}`), headers: { accept: MANIFEST_ACCEPT } }, operation);
  await discard(res);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw await s.fail(res, operation);
  const digest = res.headers.get('docker-content-digest') ?? (isDigest(ref) ? ref : undefined);
  const size = Number(res.headers.get('content-length'));
  if (!digest || !Number.isInteger(size)) {
    // Some registries omit these on HEAD: the GET tells (and verifies) both.
    const full = await getManifest(s, repo, ref);
    return { mediaType: full.mediaType, digest: full.digest, size: full.size };
  }
  return { mediaType: contentType(res) ?? MEDIA.imageManifest, digest, size };
}

/** PUT a manifest's exact bytes under a tag (or its digest); returns its digest. */
export async function putManifest(s: RegistrySession, repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<string> {
  s.auth.need(`repository:${repo}:push,pull`);
  const digest = sha256(bytes);
  const operation = `push manifest ${repo}:${ref}`;
  if (isDigest(ref) && ref !== digest) throw new Error(`manifest bytes have digest ${digest}, not the ${ref} they are pushed as`);
  const res = await s.request({ method: 'PUT', url: s.url(`${repo}/manifests/${ref}`), headers: { 'content-type': mediaType, 'content-length': String(bytes.length) }, body: () => bytes }, operation);
  if (res.status !== 201 && res.status !== 200) throw await s.fail(res, operation);
  await discard(res);
  const echoed = res.headers.get('docker-content-digest');
  if (echoed && echoed !== digest) throw new RegistryError({ registry: s.registry, operation, reason: `the registry stored it as ${echoed}, not ${digest}` });
  return digest;
}

/** DELETE a manifest (by digest; a tag is resolved first). Registries often refuse: UNSUPPORTED. */
export async function deleteManifest(s: RegistrySession, repo: string, ref: string): Promise<void> {
  s.auth.need(`repository:${repo}:push,pull`);
  s.auth.need(`repository:${repo}:delete`);
  const operation = `delete manifest ${repo}:${ref}`;
  let digest = ref;
  if (!isDigest(ref)) {
    const desc = await headManifest(s, repo, ref);
    if (!desc) throw new RegistryError({ registry: s.registry, operation, status: 404, errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    digest = desc.digest;
  }
  const res = await s.request({ method: 'DELETE', url: s.url(`${repo}/manifests/${digest}`) }, operation);
  if (res.status !== 202 && res.status !== 200) throw await s.fail(res, operation);
  await discard(res);
}
