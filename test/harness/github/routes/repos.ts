/** The authenticated user, the repository, and dispatch events (retrain triggers). */
import { type Ctx, type Handler, HttpError, errorBody, repoOf, unprocessable } from '../http.js';
import type { RepoState } from '../state.js';

const getAuthenticated: Handler = (ctx) => {
  // An app installation token (GITHUB_TOKEN is one: github-actions[bot]) cannot read /user.
  if (ctx.auth.login.endsWith('[bot]')) throw new HttpError(403, errorBody('Resource not accessible by integration', ctx.op.docsUrl, 403));
  return { status: 200, body: ctx.state.privateUser(ctx.auth.login) };
};

export function fullRepository(ctx: Ctx, r: RepoState) {
  const api = ctx.state.repoUrl(r);
  const html = `${ctx.state.webUrl}/${r.owner}/${r.name}`;
  const t = r.created_at;
  const urls = Object.fromEntries(
    Object.entries({
      archive: '/{archive_format}{/ref}', assignees: '/assignees{/user}', blobs: '/git/blobs{/sha}', branches: '/branches{/branch}',
      collaborators: '/collaborators{/collaborator}', comments: '/comments{/number}', commits: '/commits{/sha}',
      compare: '/compare/{base}...{head}', contents: '/contents/{+path}', contributors: '/contributors', deployments: '/deployments',
      downloads: '/downloads', events: '/events', forks: '/forks', git_commits: '/git/commits{/sha}', git_refs: '/git/refs{/sha}',
      git_tags: '/git/tags{/sha}', hooks: '/hooks', issue_comment: '/issues/comments{/number}', issue_events: '/issues/events{/number}',
      issues: '/issues{/number}', keys: '/keys{/key_id}', labels: '/labels{/name}', languages: '/languages', merges: '/merges',
      milestones: '/milestones{/number}', notifications: '/notifications{?since,all,participating}', pulls: '/pulls{/number}',
      releases: '/releases{/id}', stargazers: '/stargazers', statuses: '/statuses/{sha}', subscribers: '/subscribers',
      subscription: '/subscription', tags: '/tags', teams: '/teams', trees: '/git/trees{/sha}',
    }).map(([k, suffix]) => [`${k}_url`, `${api}${suffix}`]),
  );
  return {
    id: r.id,
    node_id: `R_kgDO${Buffer.from(String(r.id)).toString('base64url')}`,
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: ctx.state.user(r.owner),
    private: true,
    visibility: 'private',
    html_url: html,
    description: null,
    fork: false,
    url: api,
    ...urls,
    git_url: `${html.replace(/^http/, 'git')}.git`,
    ssh_url: `git@127.0.0.1:${r.owner}/${r.name}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: 'Python',
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    subscribers_count: 1,
    network_count: 0,
    size: 100,
    default_branch: r.default_branch,
    open_issues_count: 0,
    open_issues: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: t,
    created_at: t,
    updated_at: t,
    permissions: { admin: false, maintain: false, push: !ctx.auth.readOnly, triage: !ctx.auth.readOnly, pull: true },
  };
}

const getRepo: Handler = (ctx) => ({ status: 200, body: fullRepository(ctx, repoOf(ctx)) });

const createDispatch: Handler = (ctx) => {
  repoOf(ctx).dispatches.push(ctx.body as { event_type: string; client_payload?: unknown });
  return { status: 204 };
};

const createWorkflowDispatch: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const { ref, inputs, return_run_details } = ctx.body as { ref: string; inputs?: unknown; return_run_details?: boolean };
  const short = ref.replace(/^refs\//, '');
  if (!repo.refs.has(short) && !repo.refs.has(`heads/${short}`) && !repo.refs.has(`tags/${short}`)) {
    throw unprocessable(ctx, `No ref found for: ${ref}`);
  }
  repo.workflowDispatches.push({ workflow_id: ctx.params.workflow_id ?? '', ref, inputs });
  if (!return_run_details) return { status: 204 };
  const id = ctx.state.nextId();
  const run = `${ctx.state.repoUrl(repo)}/actions/runs/${id}`;
  return { status: 200, body: { workflow_run_id: id, run_url: run, html_url: `${ctx.state.webUrl}/${repo.owner}/${repo.name}/actions/runs/${id}` } };
};

export const repoRoutes: Record<string, Handler> = {
  'users/get-authenticated': getAuthenticated,
  'repos/get': getRepo,
  'repos/create-dispatch-event': createDispatch,
  'actions/create-workflow-dispatch': createWorkflowDispatch,
};
