import { withoutCredentials } from '../../lineage/url.js';
import { UserError } from '../../runtime/errors.js';
import { checkReference, checkRepository, isDigest } from '../registry/urls.js';

/** `registry/repository` plus a tag, a digest, or both (`name:tag@sha256:…`: the digest wins). */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Parse `ghcr.io/acme/base:1.2`, `127.0.0.1:5000/base@sha256:…`, `python:3.12` (Docker Hub:
 * `docker.io/library/python`). The first component is a registry when it has a `.` or a `:` or
 * is `localhost`, as Docker decides. No tag and no digest means `latest`.
 */
export function parseImageReference(text: string): ImageReference {
  const bad = (why: string) => new UserError(`\`${withoutCredentials(text)}\` is not an image reference: ${why}.`, { fix: 'Write registry/repository:tag or registry/repository@sha256:<hex>, e.g. ghcr.io/acme/base:1.2.' });
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0 && withoutCredentials(rest) !== rest) throw bad('it holds credentials (user:password@); give them as the registry username and password');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw bad(`\`${digest}\` is not a sha256 digest`);
  }
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!rest) throw bad('no repository');
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  if (registry === 'docker.io') registry = 'index.docker.io';
  checkRepository(rest);
  if (tag !== undefined) checkReference(tag);
  if (!tag && !digest) tag = 'latest';
  return { registry, repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** What to ask the registry for: the digest when pinned, else the tag. */
export function referenceTarget(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** `registry/repository[:tag][@digest]`, as written in `org.opencontainers.image.base.name`. */
export function formatReference(ref: ImageReference): string {
  const registry = ref.registry === 'index.docker.io' ? 'docker.io' : ref.registry;
  return `${registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
