import { describe, expect, it } from 'vitest';
import { sanitize, tagsFromRef } from '../../shared/oci/image/tags.js';

const sha = '0123456789abcdef0123456789abcdef01234567';

describe('tagsFromRef (docker/metadata-action rules)', () => {
  it.each([
    ['refs/tags/v1.2.3', ['1.2.3', '1.2', '1', 'latest', 'sha-0123456']],
    ['refs/tags/1.2.3', ['1.2.3', '1.2', '1', 'latest', 'sha-0123456']],
    ['refs/tags/v2.0.0-rc.1', ['2.0.0-rc.1', 'sha-0123456']],
    ['refs/tags/nightly', ['nightly', 'sha-0123456']],
    ['refs/heads/main', ['main', 'latest', 'sha-0123456']],
    ['refs/heads/feat/new thing', ['feat-new-thing', 'sha-0123456']],
    ['refs/pull/42/merge', ['pr-42', 'sha-0123456']],
  ])('%s', (ref, tags) => {
    expect(tagsFromRef({ GITHUB_REF: ref, GITHUB_SHA: sha })).toEqual(tags);
  });
  it('sanitizes names into valid tags', () => {
    expect(sanitize('.hidden/../x')).toBe('hidden-..-x');
    expect(sanitize('///')).toBe('untagged');
    expect(sanitize('a'.repeat(200))).toHaveLength(128);
  });
});
