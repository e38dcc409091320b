/**
 * One open issue per key (a model's drift alert), found by its hidden marker, its label AND our
 * own login, reading every page: opened once, edited in place while the condition lasts, closed
 * when it ends. Runs that overlap can each open one; after opening, each run lists again and
 * closes our duplicates as `duplicate`, keeping the oldest (every run agrees on it).
 */
import type { GitHubRepo } from './client.js';
import { explainGitHubError } from './client.js';
import { markerFor, ownLogin, COMMENT_LIMIT } from './sticky-comment.js';
import { withoutCredentials } from '../lineage/url.js';
import { truncate } from '../report/markdown.js';

export interface StickyIssue {
  number: number;
  url: string;
  body: string;
}

const PERMISSION = 'issues: write';

type Listed = { number: number; body?: string | null; user: { login: string } | null; html_url: string; pull_request?: unknown };

/** Our open issues carrying the marker, oldest first. */
async function ourOpenIssues(r: GitHubRepo, label: string, login: string, marker: string): Promise<StickyIssue[]> {
  const { gh, owner, repo } = r;
  let issues: Listed[];
  try {
    issues = await gh.paginate(gh.rest.issues.listForRepo, { owner, repo, state: 'open', labels: label, per_page: 100 });
  } catch (e) {
    throw explainGitHubError(e, 'list the open issues', 'issues: read');
  }
  return issues
    .filter((i) => !i.pull_request && i.user?.login === login && (i.body ?? '').includes(marker))
    .sort((a, b) => a.number - b.number)
    .map((i) => ({ number: i.number, url: withoutCredentials(i.html_url), body: i.body ?? '' }));
}

export async function findStickyIssue(r: GitHubRepo, key: string, label: string): Promise<StickyIssue | undefined> {
  return (await ourOpenIssues(r, label, await ownLogin(r), markerFor(key)))[0];
}

const fit = (marker: string, body: string) => truncate(`${marker}\n${body}`, COMMENT_LIMIT - 1024);

/** Open the issue, or edit the open one; returns it and whether it was opened now. */
export async function upsertStickyIssue(r: GitHubRepo, key: string, label: string, title: string, body: string): Promise<StickyIssue & { created: boolean }> {
  const marker = markerFor(key);
  const login = await ownLogin(r);
  const { gh, owner, repo } = r;
  const full = fit(marker, body);
  const existing = (await ourOpenIssues(r, label, login, marker))[0];
  try {
    if (existing) {
      await gh.rest.issues.update({ owner, repo, issue_number: existing.number, title, body: full });
      return { ...existing, body: full, created: false };
    }
    const { data } = await gh.rest.issues.create({ owner, repo, title, body: full, labels: [label] });
    const ours = await ourOpenIssues(r, label, login, marker);
    const [keep, ...rest] = ours;
    for (const dup of rest) {
      await gh.rest.issues.update({ owner, repo, issue_number: dup.number, state: 'closed', state_reason: 'duplicate', body: `${dup.body}\n\nDuplicate of #${keep!.number}.` });
    }
    if (keep && keep.number !== data.number) await gh.rest.issues.update({ owner, repo, issue_number: keep.number, title, body: full });
    const kept = keep ?? { number: data.number, url: withoutCredentials(data.html_url), body: full };
    return { ...kept, body: full, created: kept.number === data.number };
  } catch (e) {
    throw explainGitHubError(e, 'open or update the issue', PERMISSION);
  }
}

/** Close our open issue for the key (as completed) with a final body; undefined when none is open. */
export async function closeStickyIssue(r: GitHubRepo, key: string, label: string, body: string): Promise<StickyIssue | undefined> {
  const marker = markerFor(key);
  const open = await ourOpenIssues(r, label, await ownLogin(r), marker);
  const { gh, owner, repo } = r;
  const full = fit(marker, body);
  try {
    for (const i of open) await gh.rest.issues.update({ owner, repo, issue_number: i.number, state: 'closed', state_reason: 'completed', body: full });
  } catch (e) {
    throw explainGitHubError(e, 'close the issue', PERMISSION);
  }
  return open[0] ? { ...open[0], body: full } : undefined;
}
