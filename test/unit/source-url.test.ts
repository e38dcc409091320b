import { describe, expect, it } from 'vitest';
import { remoteWebUrl, sourceUrl } from '../../shared/lineage/source-url.js';

describe('remoteWebUrl: a git remote as the web address of its repository', () => {
  it.each([
    ['https://github.com/acme/churn.git', 'https://github.com/acme/churn'],
    ['https://deploy:S3CRET@gitlab.example.com/o/r.git', 'https://gitlab.example.com/o/r'],
    ['https://token@gitlab.example.com:8443/group/sub/r.git/?x=1#frag', 'https://gitlab.example.com:8443/group/sub/r'],
    ['http://git.internal/o/r', 'http://git.internal/o/r'],
    ['git@github.com:acme/churn.git', 'https://github.com/acme/churn'],
    ['ssh://git@gitlab.example.com:2222/o/r.git', 'https://gitlab.example.com/o/r'],
    ['git://git.kernel.org/pub/scm/git/git.git', 'https://git.kernel.org/pub/scm/git/git'],
    ['/srv/git/r.git', null],
    ['../clone', null],
    ['file:///srv/git/r.git', null],
    ['C:\\repos\\r', null],
    ['https://example.com/', null],
    ['not a url', null],
  ])('%s -> %s', (remote, expected) => {
    expect(remoteWebUrl(remote)).toBe(expected);
  });

  it('on a runner: the server URL and GITHUB_REPOSITORY, whatever the checkout', () => {
    expect(sourceUrl({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r', GITHUB_SERVER_URL: 'https://ghe.example.com/' }, '/nonexistent')).toBe('https://ghe.example.com/o/r');
    expect(sourceUrl({ GITHUB_ACTIONS: 'true' }, '/nonexistent')).toBeNull();
  });
});
