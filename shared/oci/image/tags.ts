/**
 * Image tags from explicit inputs and from the git ref, the way docker/metadata-action does:
 * tag `v1.2.3` -> 1.2.3, 1.2, 1 and latest (not for pre-releases); branch `feat/x` -> feat-x
 * (and latest on the default branch); pull request -> pr-<n>; always sha-<7 hex>.
 */
export function tagsFromRef(env: Readonly<Record<string, string | undefined>>, opts: { defaultBranch?: string } = {}): string[] {
  const out: string[] = [];
  const ref = env.GITHUB_REF ?? '';
  const semver = /^refs\/tags\/v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(ref);
  if (semver) {
    const [, major, minor, patch, pre] = semver;
    if (pre) out.push(`${major}.${minor}.${patch}${pre}`);
    else out.push(`${major}.${minor}.${patch}`, `${major}.${minor}`, `${major}`, 'latest');
  } else if (ref.startsWith('refs/tags/')) {
    out.push(sanitize(ref.slice('refs/tags/'.length)));
  } else if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    out.push(sanitize(branch));
    if (branch === (opts.defaultBranch ?? 'main')) out.push('latest');
  } else {
    const pr = /^refs\/pull\/(\d+)\//.exec(ref);
    if (pr) out.push(`pr-${pr[1]}`);
  }
  if (env.GITHUB_SHA && /^[0-9a-f]{7,}$/.test(env.GITHUB_SHA)) out.push(`sha-${env.GITHUB_SHA.slice(0, 7)}`);
  return out;
}

/** A valid tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
export function sanitize(name: string): string {
  const t = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 128);
  return t || 'untagged';
}
