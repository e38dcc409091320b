/**
 * In-memory state of the GitHub fake, and the JSON objects GitHub would return for it (shaped so
 * that they validate against the OpenAPI schemas: release, release-asset, issue-comment, ...).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface TokenInfo {
  login: string;
  /** Write calls get 403 "Resource not accessible by integration". */
  readOnly: boolean;
}

export interface ReleaseRec {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  updated_at: string;
  author: string;
  assets: number[];
}

export interface AssetRec {
  id: number;
  releaseId: number;
  name: string;
  label: string | null;
  content_type: string;
  data: Buffer;
  digest: string;
  download_count: number;
  created_at: string;
  updated_at: string;
  uploader: string;
}

export interface CommentRec {
  id: number;
  issue_number: number;
  body: string;
  login: string;
  created_at: string;
  updated_at: string;
}

/** An issue (drift alerts): what the issue endpoints read and write. */
export interface IssueRec {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'duplicate' | 'reopened' | null;
  labels: string[];
  login: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

/** A pull request: enough for reports to check which PR a commit belongs to. */
export interface PullRec {
  number: number;
  title: string;
  headSha: string;
  headRef: string;
  /** owner/name of the head repository (a fork when it differs). */
  headRepo: string;
  login: string;
  created_at: string;
}

/** A deployment (deploy-k8s records its rollouts as one) and its statuses, oldest first. */
export interface DeploymentRec {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  environment: string;
  description: string | null;
  login: string;
  transient_environment: boolean;
  production_environment: boolean;
  /** As sent (GitHub does not echo them): for tests that check what a client asked for. */
  auto_merge: boolean;
  required_contexts: string[] | undefined;
  created_at: string;
  updated_at: string;
  statuses: DeploymentStatusRec[];
}

export interface DeploymentStatusRec {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';
  description: string;
  environment: string;
  log_url: string;
  environment_url: string;
  login: string;
  created_at: string;
}

export interface RepoState {
  owner: string;
  name: string;
  id: number;
  default_branch: string;
  created_at: string;
  /** Ref name without `refs/` (`heads/main`, `tags/v1.0.0`) to commit sha. */
  refs: Map<string, string>;
  releases: Map<number, ReleaseRec>;
  comments: Map<number, CommentRec>;
  pulls: Map<number, PullRec>;
  issues: Map<number, IssueRec>;
  deployments: Map<number, DeploymentRec>;
  /** Bodies of `POST /repos/{o}/{r}/dispatches`. */
  dispatches: Array<{ event_type: string; client_payload?: unknown }>;
  /** Bodies of workflow_dispatch calls, with the workflow id or file name. */
  workflowDispatches: Array<{ workflow_id: string; ref: string; inputs?: unknown }>;
}

export const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
export const randomSha = () => randomBytes(20).toString('hex');
const nodeId = (prefix: string, id: number | string) => `${prefix}_kwDO${Buffer.from(`fake:${id}`).toString('base64url')}`;

/** The login GITHUB_TOKEN acts as, with its real id. */
export const ACTIONS_BOT = 'github-actions[bot]';

export class FakeState {
  readonly tokens = new Map<string, TokenInfo>();
  readonly repos = new Map<string, RepoState>();
  readonly assets = new Map<number, AssetRec>();
  /** Commits made by addCommit(), with parents, for fast-forward checks on ref updates. */
  readonly commits = new Set<string>();
  readonly parents = new Map<string, string>();
  private lastId = 1000;
  private userIds = new Map<string, number>([[ACTIONS_BOT, 41898282]]);

  constructor(
    readonly apiUrl: string,
    readonly uploadsUrl: string,
    /** Plays github.com (html_url, browser_download_url). */
    readonly webUrl: string,
  ) {}

  nextId(): number {
    return ++this.lastId;
  }

  addToken(token: string, info: { login: string; readOnly?: boolean }): void {
    this.tokens.set(token, { login: info.login, readOnly: info.readOnly ?? false });
  }

  addRepo(owner: string, name: string, defaultBranch = 'main'): RepoState {
    const repo: RepoState = {
      owner,
      name,
      id: this.nextId(),
      default_branch: defaultBranch,
      created_at: now(),
      refs: new Map([[`heads/${defaultBranch}`, this.addCommit()]]),
      releases: new Map(),
      comments: new Map(),
      pulls: new Map(),
      issues: new Map(),
      deployments: new Map(),
      dispatches: [],
      workflowDispatches: [],
    };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** A new commit sha (child of `parent` when given), for ref tests. */
  addCommit(parent?: string): string {
    const sha = randomSha();
    this.commits.add(sha);
    if (parent) this.parents.set(sha, parent);
    return sha;
  }

  /** True when `ancestor` is reachable from `sha` through known parents. */
  isAncestor(ancestor: string, sha: string): boolean {
    for (let s: string | undefined = sha; s; s = this.parents.get(s)) if (s === ancestor) return true;
    return false;
  }

  /** Seed a pull request (head in a fork when `headRepo` is another repository). */
  addPull(owner: string, repo: string, pull: { number: number; headSha: string; headRepo?: string; headRef?: string; title?: string; login?: string }): PullRec {
    const r = this.repo(owner, repo)!;
    const rec: PullRec = { number: pull.number, title: pull.title ?? `PR ${pull.number}`, headSha: pull.headSha, headRef: pull.headRef ?? `feature-${pull.number}`, headRepo: pull.headRepo ?? `${owner}/${repo}`, login: pull.login ?? 'octocat', created_at: now() };
    r.pulls.set(rec.number, rec);
    return rec;
  }

  /** Seed a comment (by default by someone other than the token's user). */
  seedComment(owner: string, repo: string, issue: number, body: string, login = 'octocat'): CommentRec {
    const r = this.repo(owner, repo);
    if (!r) throw new Error(`no repository ${owner}/${repo} in the fake`);
    const t = now();
    const c: CommentRec = { id: this.nextId(), issue_number: issue, body, login, created_at: t, updated_at: t };
    r.comments.set(c.id, c);
    return c;
  }

  findComment(id: number): { repo: RepoState; comment: CommentRec } | undefined {
    for (const repo of this.repos.values()) {
      const comment = repo.comments.get(id);
      if (comment) return { repo, comment };
    }
    return undefined;
  }

  userId(login: string): number {
    let id = this.userIds.get(login);
    if (id === undefined) this.userIds.set(login, (id = 100_000 + this.userIds.size));
    return id;
  }

  // ---- JSON shapes -------------------------------------------------------------------------

  user(login: string) {
    const bot = login.endsWith('[bot]');
    const api = `${this.apiUrl}/users/${encodeURIComponent(login)}`;
    const id = this.userId(login);
    return {
      login,
      id,
      node_id: nodeId(bot ? 'BOT' : 'U', id),
      avatar_url: `${this.webUrl}/avatars/${id}`,
      gravatar_id: '',
      url: api,
      html_url: bot ? `${this.webUrl}/apps/${login.replace(/\[bot\]$/, '')}` : `${this.webUrl}/${login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: bot ? 'Bot' : 'User',
      user_view_type: 'public',
      site_admin: false,
    };
  }

  /** `GET /user` for a user token: the "private-user" view. */
  privateUser(login: string) {
    const t = '2020-01-01T00:00:00Z';
    return {
      ...this.user(login),
      user_view_type: 'private',
      name: login,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: 1,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: t,
      updated_at: t,
      private_gists: 0,
      total_private_repos: 0,
      owned_private_repos: 0,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: true,
    };
  }

  repoUrl(r: RepoState): string {
    return `${this.apiUrl}/repos/${r.owner}/${r.name}`;
  }

  release(r: RepoState, rel: ReleaseRec) {
    const api = `${this.repoUrl(r)}/releases/${rel.id}`;
    const tag = encodeURIComponent(rel.tag_name);
    return {
      url: api,
      assets_url: `${api}/assets`,
      upload_url: `${this.uploadsUrl}/repos/${r.owner}/${r.name}/releases/${rel.id}/assets{?name,label}`,
      html_url: `${this.webUrl}/${r.owner}/${r.name}/releases/tag/${rel.draft ? `untagged-${rel.id}` : tag}`,
      id: rel.id,
      author: this.user(rel.author),
      node_id: nodeId('RE', rel.id),
      tag_name: rel.tag_name,
      target_commitish: rel.target_commitish,
      name: rel.name,
      draft: rel.draft,
      immutable: false,
      prerelease: rel.prerelease,
      created_at: rel.created_at,
      updated_at: rel.updated_at,
      published_at: rel.published_at,
      assets: rel.assets.map((id) => this.asset(r, this.assets.get(id)!)),
      tarball_url: rel.draft ? null : `${this.repoUrl(r)}/tarball/${tag}`,
      zipball_url: rel.draft ? null : `${this.repoUrl(r)}/zipball/${tag}`,
      body: rel.body,
    };
  }

  asset(r: RepoState, a: AssetRec) {
    const rel = r.releases.get(a.releaseId);
    const tag = rel?.draft ? `untagged-${a.releaseId}` : encodeURIComponent(rel?.tag_name ?? '');
    return {
      url: `${this.repoUrl(r)}/releases/assets/${a.id}`,
      id: a.id,
      node_id: nodeId('RA', a.id),
      name: a.name,
      label: a.label,
      uploader: this.user(a.uploader),
      content_type: a.content_type,
      state: 'uploaded' as const,
      size: a.data.length,
      digest: a.digest,
      download_count: a.download_count,
      created_at: a.created_at,
      updated_at: a.updated_at,
      browser_download_url: `${this.webUrl}/${r.owner}/${r.name}/releases/download/${tag}/${encodeURIComponent(a.name)}`,
    };
  }

  comment(r: RepoState, c: CommentRec) {
    const issueUrl = `${this.repoUrl(r)}/issues/${c.issue_number}`;
    return {
      id: c.id,
      node_id: nodeId('IC', c.id),
      url: `${this.repoUrl(r)}/issues/comments/${c.id}`,
      html_url: `${this.webUrl}/${r.owner}/${r.name}/pull/${c.issue_number}#issuecomment-${c.id}`,
      body: c.body,
      user: this.user(c.login),
      created_at: c.created_at,
      updated_at: c.updated_at,
      issue_url: issueUrl,
      author_association: c.login.toLowerCase() === r.owner.toLowerCase() ? 'OWNER' : 'NONE',
      performed_via_github_app: null,
      reactions: this.reactions(`${this.repoUrl(r)}/issues/comments/${c.id}/reactions`),
    };
  }

  /** Issue and pull request numbers share one sequence. */
  nextIssueNumber(r: RepoState): number {
    return Math.max(0, ...r.issues.keys(), ...r.pulls.keys()) + 1;
  }

  issue(r: RepoState, i: IssueRec) {
    const api = `${this.repoUrl(r)}/issues/${i.number}`;
    return {
      id: 500_000 + i.number,
      node_id: nodeId('I', `${r.id}:${i.number}`),
      url: api,
      repository_url: this.repoUrl(r),
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: `${this.webUrl}/${r.owner}/${r.name}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      // GitHub sends null while open, but its description's enum has no null: left out then.
      ...(i.state_reason ? { state_reason: i.state_reason } : {}),
      title: i.title,
      body: i.body,
      user: this.user(i.login),
      labels: i.labels.map((name) => ({ id: this.userId(`label:${name}`), node_id: nodeId('LA', name), url: `${this.repoUrl(r)}/labels/${encodeURIComponent(name)}`, name, description: null, color: 'ededed', default: false })),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      comments: [...r.comments.values()].filter((c) => c.issue_number === i.number).length,
      closed_at: i.closed_at,
      created_at: i.created_at,
      updated_at: i.updated_at,
      author_association: i.login.toLowerCase() === r.owner.toLowerCase() ? 'OWNER' : 'NONE',
      reactions: this.reactions(`${api}/reactions`),
    };
  }

  deployment(r: RepoState, d: DeploymentRec) {
    const url = `${this.repoUrl(r)}/deployments/${d.id}`;
    return {
      url,
      id: d.id,
      node_id: nodeId('DE', d.id),
      sha: d.sha,
      ref: d.ref,
      task: d.task,
      payload: d.payload,
      original_environment: d.environment,
      environment: d.environment,
      description: d.description,
      creator: this.user(d.login),
      created_at: d.created_at,
      updated_at: d.updated_at,
      statuses_url: `${url}/statuses`,
      repository_url: this.repoUrl(r),
      transient_environment: d.transient_environment,
      production_environment: d.production_environment,
      performed_via_github_app: null,
    };
  }

  deploymentStatus(r: RepoState, d: DeploymentRec, s: DeploymentStatusRec) {
    const deploymentUrl = `${this.repoUrl(r)}/deployments/${d.id}`;
    return {
      url: `${deploymentUrl}/statuses/${s.id}`,
      id: s.id,
      node_id: nodeId('DES', s.id),
      state: s.state,
      creator: this.user(s.login),
      description: s.description,
      environment: s.environment,
      target_url: s.log_url,
      created_at: s.created_at,
      updated_at: s.created_at,
      deployment_url: deploymentUrl,
      repository_url: this.repoUrl(r),
      environment_url: s.environment_url,
      log_url: s.log_url,
      performed_via_github_app: null,
    };
  }

  reactions(url: string) {
    return { url, total_count: 0, '+1': 0, '-1': 0, laugh: 0, confused: 0, heart: 0, hooray: 0, eyes: 0, rocket: 0 };
  }

  ref(r: RepoState, ref: string) {
    const sha = r.refs.get(ref)!;
    return {
      ref: `refs/${ref}`,
      node_id: nodeId('REF', `${r.id}:${ref}`),
      url: `${this.repoUrl(r)}/git/refs/${ref}`,
      object: { type: 'commit', sha, url: `${this.repoUrl(r)}/git/commits/${sha}` },
    };
  }

  static digest(data: Buffer): string {
    return `sha256:${createHash('sha256').update(data).digest('hex')}`;
  }
}
