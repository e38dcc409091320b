import { z } from 'zod';
import { RegistryError } from './errors.js';
import type { RegistrySession } from './session.js';
import { nextLink } from './urls.js';

const tagPageSchema = z.object({ name: z.string(), tags: z.array(z.string()).nullable().optional() });

/**
 * Every tag of a repository, following `Link: <…>; rel="next"` pages (`pageSize` asks for `n` per
 * page). A repository that does not exist yet has no tags: [] rather than an error.
 */
export async function listTags(s: RegistrySession, repo: string, pageSize?: number): Promise<string[]> {
  s.auth.need(`repository:${repo}:pull`);
  const operation = `list tags of ${repo}`;
  const tags: string[] = [];
  let url: URL | undefined = s.url(`${repo}/tags/list`);
  if (pageSize !== undefined) url.searchParams.set('n', String(pageSize));
  const seen = new Set<string>();
  while (url) {
    if (seen.has(url.href)) throw new RegistryError({ registry: s.registry, operation, reason: `the tag pages loop back to ${url.pathname}${url.search}` });
    seen.add(url.href);
    const res = await s.request({ method: 'GET', url, headers: { accept: 'application/json' } }, operation);
    if (res.status === 404) {
      const failure = await s.fail(res, operation);
      if (failure.has('NAME_UNKNOWN')) return [];
      throw failure;
    }
    if (res.status !== 200) throw await s.fail(res, operation);
    const page = tagPageSchema.safeParse(await res.json().catch(() => undefined));
    if (!page.success) throw new RegistryError({ registry: s.registry, operation, reason: 'the reply is not a {name, tags} list' });
    tags.push(...(page.data.tags ?? []));
    url = nextLink(res.headers.get('link'), url);
  }
  return tags;
}
