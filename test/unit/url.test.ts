import { describe, expect, it } from 'vitest';
import { withoutCredentials, withoutCredentialsIn } from '../../shared/lineage/url.js';
import { parseImageReference } from '../../shared/oci/image/reference.js';
import { parseReference, parseTarget } from '../../shared/store/reference.js';

describe('withoutCredentials: a URL as it may be recorded', () => {
  it.each([
    ['https://deploy:S3CRET@gitlab.example.com/o/r.git', 'https://gitlab.example.com/o/r.git'],
    ['https://x-access-token:ghs_abc@github.com/o/r', 'https://github.com/o/r'],
    ['https://u:p@ss@host/path?q=a@b', 'https://host/path?q=a@b'],
    ['http://token@127.0.0.1:5000/v2/', 'http://127.0.0.1:5000/v2/'],
    ['ssh://git@host:22/o/r.git', 'ssh://host:22/o/r.git'],
    ['git@github.com:o/r.git', 'github.com:o/r.git'],
    ['user:pw@host:o/r.git', 'host:o/r.git'],
    ['https://host/o/r.git', 'https://host/o/r.git'],
    ['file:///tmp/a@b', 'file:///tmp/a@b'],
    ['/local/clone', '/local/clone'],
    ['bot:S3CRET@ghcr.io/o/r:1', 'ghcr.io/o/r:1'],
    ['bot:S3CRET@127.0.0.1:5000/o/r', '127.0.0.1:5000/o/r'],
    ['python@sha256:0123', 'python@sha256:0123'],
    ['ghcr.io/o/r@sha256:0123', 'ghcr.io/o/r@sha256:0123'],
  ])('%s', (url, expected) => {
    expect(withoutCredentials(url)).toBe(expected);
  });
  it('in free text, every URL', () => {
    expect(withoutCredentialsIn('from https://a:b@reg.example/x and http://c@d/e.')).toBe('from https://reg.example/x and http://d/e.');
  });
});

describe('a reference holding credentials', () => {
  it.each([
    ['a model reference', () => parseReference('oci://bot:S3CRET@ghcr.io/o/m:1')],
    ['a publish target', () => parseTarget('oci://bot:S3CRET@ghcr.io/o/m')],
    ['an image reference', () => parseImageReference('bot:S3CRET@ghcr.io/o/m:1')],
  ])('%s is refused without repeating them', (_what, parse) => {
    expect(parse).toThrow(/holds credentials/);
    expect(parse).not.toThrow(/S3CRET/);
  });
  it('a model reference is refused without repeating them', () => {
    expect(() => parseReference('oci://bot:S3CRET@ghcr.io/o/m:1')).toThrow(/holds credentials/);
    try {
      parseReference('oci://bot:S3CRET@ghcr.io/o/m:1');
    } catch (e) {
      expect((e as Error).message).not.toContain('S3CRET');
    }
  });
});
