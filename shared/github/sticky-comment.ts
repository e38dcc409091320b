import type { GitHubRepo } from './client.js';
import { explainGitHubError } from './client.js';
import { withoutCredentials } from '../lineage/url.js';
import { truncate } from '../report/markdown.js';

/** GitHub refuses comment bodies over 65,536 characters. */
export const COMMENT_LIMIT = 65_536;

/** The login GITHUB_TOKEN acts as; `GET /user` is refused to it, so it is assumed. */
const ACTIONS_BOT = 'github-actions[bot]';

export interface StickyResult {
  id: number;
  url: string;
  created: boolean;
}

export function markerFor(key: string): string {
  return `<!-- mlops:${key.replace(/--+/g, '-').replace(/[<>]/g, '')} -->`;
}

async function ownLogin(r: GitHubRepo): Promise<string> {
  try {
    return (await r.gh.rest.users.getAuthenticated()).data.login;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 403 || status === 404) return ACTIONS_BOT; // an installation token (GITHUB_TOKEN)
    throw explainGitHubError(e, 'identify the token', 'pull-requests: write');
  }
}

/**
 * One comment per key on an issue or pull request, edited in place on re-runs: found by its
 * hidden marker AND our own login (a comment by someone else carrying the marker is left
 * alone), reading every page of comments. The body is cut under GitHub's limit, keeping its
 * head (verdict and main table come first).
 */
export async function upsertStickyComment(r: GitHubRepo, issue: number, key: string, body: string): Promise<StickyResult> {
  const marker = markerFor(key);
  const full = truncate(`${marker}\n${body}`, COMMENT_LIMIT - 1024);
  const login = await ownLogin(r);
  const { gh, owner, repo } = r;
  let comments: { id: number; body?: string | null; user: { login: string } | null; html_url: string }[];
  try {
    comments = await gh.paginate(gh.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 });
  } catch (e) {
    throw explainGitHubError(e, `read the comments of #${issue}`, 'pull-requests: read');
  }
  const ours = comments.find((c) => c.user?.login === login && (c.body ?? '').includes(marker));
  try {
    if (ours) {
      const { data } = await gh.rest.issues.updateComment({ owner, repo, comment_id: ours.id, body: full });
      return { id: data.id, url: withoutCredentials(data.html_url), created: false };
    }
    const { data } = await gh.rest.issues.createComment({ owner, repo, issue_number: issue, body: full });
    return { id: data.id, url: withoutCredentials(data.html_url), created: true };
  } catch (e) {
    throw explainGitHubError(e, `comment on #${issue}`, 'pull-requests: write');
  }
}
