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

/** The login our token acts as (GITHUB_TOKEN: github-actions[bot]). */
export async function ownLogin(r: GitHubRepo): Promise<string> {
  try {
    return (await r.gh.rest.users.getAuthenticated()).data.login;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 403 || status === 404) return ACTIONS_BOT; // an installation token (GITHUB_TOKEN)
    throw explainGitHubError(e, 'identify the token', 'pull-requests: write');
  }
}

type Comment = { id: number; body?: string | null; user: { login: string } | null; html_url: string };

/** Our comments carrying the marker, oldest first, reading every page. */
async function ourComments(r: GitHubRepo, issue: number, login: string, marker: string): Promise<Comment[]> {
  const { gh, owner, repo } = r;
  let comments: Comment[];
  try {
    comments = await gh.paginate(gh.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 });
  } catch (e) {
    throw explainGitHubError(e, `read the comments of #${issue}`, 'pull-requests: read');
  }
  return comments.filter((c) => c.user?.login === login && (c.body ?? '').includes(marker)).sort((a, b) => a.id - b.id);
}

/**
 * One comment per key on an issue or pull request, edited in place on re-runs: found by its
 * hidden marker AND our own login (a comment by someone else carrying the marker is left
 * alone), reading every page of comments. The body is cut under GitHub's limit, keeping its
 * head (verdict and main table come first).
 *
 * GitHub has no "create unless exists", so runs that overlap on one pull request can each
 * create a comment. After writing, each run lists again and removes our duplicates the same
 * way: the oldest comment stays (every run agrees on it), carrying the newest duplicate's body
 * (the latest report), and the others are deleted (already deleted by another run is fine).
 */
export async function upsertStickyComment(r: GitHubRepo, issue: number, key: string, body: string): Promise<StickyResult> {
  const marker = markerFor(key);
  const full = truncate(`${marker}\n${body}`, COMMENT_LIMIT - 1024);
  const login = await ownLogin(r);
  const { gh, owner, repo } = r;
  const ours = (await ourComments(r, issue, login, marker))[0];
  let written: StickyResult;
  try {
    if (ours) {
      const { data } = await gh.rest.issues.updateComment({ owner, repo, comment_id: ours.id, body: full });
      written = { id: data.id, url: withoutCredentials(data.html_url), created: false };
    } else {
      const { data } = await gh.rest.issues.createComment({ owner, repo, issue_number: issue, body: full });
      written = { id: data.id, url: withoutCredentials(data.html_url), created: true };
    }
  } catch (e) {
    throw explainGitHubError(e, `comment on #${issue}`, 'pull-requests: write');
  }
  return removeDuplicates(r, issue, login, marker, written);
}

async function removeDuplicates(r: GitHubRepo, issue: number, login: string, marker: string, written: StickyResult): Promise<StickyResult> {
  const ours = await ourComments(r, issue, login, marker);
  if (ours.length <= 1) return written;
  const { gh, owner, repo } = r;
  const [keep, ...rest] = ours as [Comment, ...Comment[]];
  const newest = rest[rest.length - 1]!;
  try {
    if ((newest.body ?? '') !== (keep.body ?? '')) await gh.rest.issues.updateComment({ owner, repo, comment_id: keep.id, body: newest.body ?? '' });
    for (const c of rest) {
      try {
        await gh.rest.issues.deleteComment({ owner, repo, comment_id: c.id });
      } catch (e) {
        if ((e as { status?: number }).status !== 404) throw e; // another run removed it first
      }
    }
  } catch (e) {
    throw explainGitHubError(e, `remove duplicate comments on #${issue}`, 'pull-requests: write');
  }
  return { id: keep.id, url: keep.html_url, created: written.created && written.id === keep.id };
}
