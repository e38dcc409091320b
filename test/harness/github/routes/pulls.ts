/** Pull requests: read one, so a report can be bound to the PR whose head commit it evaluated. */
import { type Ctx, type Handler, intParam, notFound, repoOf } from '../http.js';
import type { PullRec, RepoState } from '../state.js';
import { fullRepository } from './repos.js';

function pullBody(ctx: Ctx, r: RepoState, p: PullRec) {
  const api = `${ctx.state.repoUrl(r)}/pulls/${p.number}`;
  const html = `${ctx.state.webUrl}/${r.owner}/${r.name}/pull/${p.number}`;
  const issue = `${ctx.state.repoUrl(r)}/issues/${p.number}`;
  const [headOwner, headName] = p.headRepo.split('/') as [string, string];
  const headRepoState = ctx.state.repo(headOwner, headName) ?? { ...r, owner: headOwner, name: headName, id: r.id + 1 };
  // A pull request's repos are `repository` objects: the full one plus has_downloads.
  const end = (ref: string, sha: string, repo: RepoState) => ({ label: `${repo.owner}:${ref}`, ref, sha, user: ctx.state.user(repo.owner), repo: { ...fullRepository(ctx, repo), has_downloads: true } });
  const link = (href: string) => ({ href });
  return {
    url: api,
    id: p.number + 5000,
    node_id: `PR_kw${p.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${ctx.state.repoUrl(r)}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: `${ctx.state.repoUrl(r)}/statuses/${p.headSha}`,
    number: p.number,
    state: 'open',
    locked: false,
    title: p.title,
    user: ctx.state.user(p.login),
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: p.created_at,
    updated_at: p.created_at,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: end(p.headRef, p.headSha, headRepoState),
    base: end(r.default_branch, r.refs.get(`heads/${r.default_branch}`) ?? p.headSha, r),
    _links: {
      self: link(api),
      html: link(html),
      issue: link(issue),
      comments: link(`${issue}/comments`),
      review_comments: link(`${api}/comments`),
      review_comment: link(`${ctx.state.repoUrl(r)}/pulls/comments{/number}`),
      commits: link(`${api}/commits`),
      statuses: link(`${ctx.state.repoUrl(r)}/statuses/${p.headSha}`),
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    draft: false,
    merged: false,
    mergeable: true,
    rebaseable: true,
    mergeable_state: 'clean',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}

const getPull: Handler = (ctx) => {
  const r = repoOf(ctx);
  const p = r.pulls.get(intParam(ctx, 'pull_number'));
  if (!p) throw notFound(ctx);
  return { status: 200, body: pullBody(ctx, r, p) };
};

export const pullRoutes: Record<string, Handler> = { 'pulls/get': getPull };
