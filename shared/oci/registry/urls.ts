import { UserError } from '../../runtime/errors.js';

/** http for a registry on this machine (tests, a local registry:2), https for any other. */
export function defaultScheme(registry: string): 'http' | 'https' {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' ? 'http' : 'https';
}

/** `http://127.0.0.1:5000`: where `/v2/` lives. */
export function registryOrigin(registry: string, scheme = defaultScheme(registry)): URL {
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(registry)) {
    throw new UserError(`\`${registry}\` is not a registry host.`, { fix: 'Give the registry as host[:port], e.g. ghcr.io or 127.0.0.1:5000, without a scheme or path.' });
  }
  return new URL(`${scheme}://${registry}`);
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(ref: string): boolean {
  return DIGEST.test(ref);
}

export function checkRepository(repo: string): string {
  if (repo.length > 255 || !REPOSITORY.test(repo)) {
    throw new UserError(`\`${repo}\` is not a valid repository name.`, { fix: 'Use lower-case components of [a-z0-9] joined by `.`, `_`, `__` or `-`, separated by `/` (e.g. `acme/models/churn`).' });
  }
  return repo;
}

/** A tag or a sha256 digest. */
export function checkReference(ref: string): string {
  if (DIGEST.test(ref) || TAG.test(ref)) return ref;
  throw new UserError(`\`${ref}\` is neither a tag nor a sha256 digest.`, { fix: 'Use a tag of at most 128 characters from [A-Za-z0-9_.-] (not starting with `.` or `-`), or sha256:<64 hex>.' });
}

export function checkDigest(digest: string): string {
  if (DIGEST.test(digest)) return digest;
  throw new UserError(`\`${digest}\` is not a sha256 digest.`, { fix: 'Use sha256:<64 lower-case hex digits>.' });
}

/**
 * The URL to PUT a whole blob to: the upload's `Location` (maybe relative, maybe with a query of
 * its own such as `_state=`) resolved against the request that returned it, plus `digest=`.
 */
export function uploadUrl(location: string, requestUrl: URL, digest: string): URL {
  const url = new URL(location, requestUrl);
  // Keep the registry's own parameters byte for byte (re-encoding `_state` could break its HMAC).
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((p) => p && !p.startsWith('digest='));
  url.search = [...kept, `digest=${encodeURIComponent(digest)}`].join('&');
  return url;
}

/** The `rel="next"` target of a `Link` header, resolved against the page it came with. */
export function nextLink(header: string | null, pageUrl: URL): URL | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?/i.test(match[2]!)) return new URL(match[1]!, pageUrl);
  }
  return undefined;
}
