import { execFileSync } from 'node:child_process';
import { withoutCredentials } from './url.js';

export interface GitInfo {
  repository: string | null;
  sha: string | null;
  ref: string | null;
}

/** A git command's trimmed output in `cwd`, or null when it fails or prints nothing. */
export function git(cwd: string, ...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}

/** On a runner from GITHUB_*; elsewhere from the checkout. The PR head sha, not the merge commit. */
export function gitInfo(env: Readonly<Record<string, string | undefined>>, cwd: string, eventHeadSha?: string): GitInfo {
  if (env.GITHUB_ACTIONS === 'true') {
    return { repository: env.GITHUB_REPOSITORY ?? null, sha: eventHeadSha ?? env.GITHUB_SHA ?? null, ref: env.GITHUB_HEAD_REF || env.GITHUB_REF || null };
  }
  // A remote may carry a token (`https://user:token@host/...`): never recorded.
  const remoteUrl = git(cwd, 'config', '--get', 'remote.origin.url');
  const remote = remoteUrl ? withoutCredentials(remoteUrl) : null;
  const repository = remote ? (/github\.com[:/]([^/]+\/[^/.]+?)(?:\.git)?$/.exec(remote)?.[1] ?? remote) : null;
  return { repository, sha: git(cwd, 'rev-parse', 'HEAD'), ref: git(cwd, 'symbolic-ref', '-q', 'HEAD') };
}

/**
 * The time recorded in digested content: SOURCE_DATE_EPOCH, else the commit time, never the
 * wall clock (so the same inputs give the same bytes). null when neither is known.
 */
export function reproducibleTime(env: Readonly<Record<string, string | undefined>>, cwd: string): string | null {
  if (env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH)) return new Date(Number(env.SOURCE_DATE_EPOCH) * 1000).toISOString();
  const commit = git(cwd, 'log', '-1', '--format=%ct');
  return commit ? new Date(Number(commit) * 1000).toISOString() : null;
}

/** The URL of this workflow run (GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID), or undefined off a runner. */
export function runUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}
