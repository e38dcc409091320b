import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { UserError } from '../runtime/errors.js';

export type GitHub = ReturnType<typeof getOctokit>;

export interface GitHubRepo {
  gh: GitHub;
  owner: string;
  repo: string;
  token: string;
  apiUrl: string;
}

/** The one GitHub client: octokit with retries, against GITHUB_API_URL (GHES and tests too). */
export function githubRepo(env: Readonly<Record<string, string | undefined>>, token: string | undefined, input = 'github-token'): GitHubRepo {
  if (!token) throw new UserError('a GitHub token is needed', { where: { input }, fix: 'pass `github-token: ${{ github.token }}` (the default on a runner) or a token with the needed permission' });
  const slug = env.GITHUB_REPOSITORY;
  if (!slug || !/^[^/]+\/[^/]+$/.test(slug)) throw new UserError('GITHUB_REPOSITORY is not set', { fix: 'run on a GitHub runner, or set GITHUB_REPOSITORY=owner/repo' });
  const [owner, repo] = slug.split('/') as [string, string];
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const gh = getOctokit(token, { baseUrl: apiUrl, request: { retries: 3 } }, retry);
  return { gh, owner, repo, token, apiUrl };
}

/** What a failed call means for the user: a missing permission is named. */
export function explainGitHubError(e: unknown, doing: string, permission: string): unknown {
  const status = (e as { status?: number }).status;
  const accepted = (e as { response?: { headers?: Record<string, string> } }).response?.headers?.['x-accepted-github-permissions'];
  if (status === 403 || status === 404) {
    return new UserError(`GitHub refused to ${doing} (HTTP ${status}): ${(e as Error).message}`, {
      title: 'GitHub API error',
      fix: `give the job's token \`permissions: ${permission}\`${accepted ? ` (GitHub asks for ${accepted})` : ''}, or pass a token that has it`,
    });
  }
  if (status === 401) return new UserError(`GitHub rejected the token while trying to ${doing}: ${(e as Error).message}`, { title: 'GitHub API error', fix: 'check the github-token input' });
  if (status !== undefined && (status >= 500 || status === 429)) {
    return new UserError(`GitHub failed to ${doing} (HTTP ${status}): ${(e as Error).message}`, { title: 'GitHub API error', fix: 'GitHub is failing or rate limiting: re-run later (https://www.githubstatus.com)' });
  }
  return e;
}
