import { git } from './git.js';

/**
 * The web address of the repository a build comes from (`org.opencontainers.image.source`):
 * on a runner the server URL and GITHUB_REPOSITORY; elsewhere the `origin` remote made a web
 * address, without credentials, query or fragment. null when there is no address to give
 * (no remote, or a remote on this machine: a path or file:// URL means nothing to anyone else).
 */
export function sourceUrl(env: Readonly<Record<string, string | undefined>>, cwd: string): string | null {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  if (env.GITHUB_ACTIONS === 'true') return env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}` : null;
  const remote = git(cwd, 'config', '--get', 'remote.origin.url');
  return remote ? remoteWebUrl(remote) : null;
}

/**
 * `https://user:token@gitlab.example.com/o/r.git` -> `https://gitlab.example.com/o/r`;
 * `git@github.com:o/r.git` and `ssh://git@host:22/o/r.git` -> `https://<host>/o/r` (the hosts
 * serve the web page on the ssh path); a path, a file:// URL or anything else -> null.
 */
export function remoteWebUrl(remote: string): string | null {
  const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,}|localhost):(?!\/\/)([^\s]+)$/.exec(remote.trim());
  const text = scp ? `ssh://${scp[1]}/${scp[2]!.replace(/^\/+/, '')}` : remote.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!['http:', 'https:', 'ssh:', 'git:', 'git+ssh:'].includes(url.protocol) || !url.hostname) return null;
  const pathname = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (!pathname || pathname === '/') return null;
  const web = url.protocol === 'http:' || url.protocol === 'https:' ? `${url.protocol}//${url.host}` : `https://${url.hostname}`;
  return `${web}${pathname}`;
}
