/** Issues (list, create, get, update) and issue (and pull request) comments: list with pagination, create, get, update, delete. */
import { type Ctx, type Handler, intParam, notFound, paginate, repoOf, unprocessable } from '../http.js';
import { type CommentRec, type IssueRec, now } from '../state.js';

/** GitHub's limit on a comment body, in characters. */
export const MAX_COMMENT_CHARS = 65_536;

function checkBody(ctx: Ctx): string {
  const body = String((ctx.body as { body?: unknown }).body ?? '');
  if (!body.trim()) throw unprocessable(ctx, 'Validation Failed', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
  if (body.length > MAX_COMMENT_CHARS) {
    const message = `body is too long (maximum is ${MAX_COMMENT_CHARS} characters)`;
    throw unprocessable(ctx, 'Validation Failed', [{ resource: 'IssueComment', code: 'custom', field: 'body', message }]);
  }
  return body;
}

function commentOf(ctx: Ctx) {
  const repo = repoOf(ctx);
  const comment = repo.comments.get(intParam(ctx, 'comment_id'));
  if (!comment) throw notFound(ctx);
  return { repo, comment };
}

const listComments: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const issue = intParam(ctx, 'issue_number');
  const since = ctx.query.get('since');
  const items = [...repo.comments.values()]
    .filter((c) => c.issue_number === issue && (!since || Date.parse(c.updated_at) >= Date.parse(since)))
    .sort((a, b) => a.id - b.id);
  return paginate(
    ctx,
    items.map((c) => ctx.state.comment(repo, c)),
  );
};

const createComment: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const t = now();
  const c: CommentRec = { id: ctx.state.nextId(), issue_number: intParam(ctx, 'issue_number'), body: checkBody(ctx), login: ctx.auth.login, created_at: t, updated_at: t };
  repo.comments.set(c.id, c);
  const body = ctx.state.comment(repo, c);
  return { status: 201, body, headers: { location: body.url } };
};

const getComment: Handler = (ctx) => {
  const { repo, comment } = commentOf(ctx);
  return { status: 200, body: ctx.state.comment(repo, comment) };
};

const updateComment: Handler = (ctx) => {
  const { repo, comment } = commentOf(ctx);
  comment.body = checkBody(ctx);
  comment.updated_at = now();
  return { status: 200, body: ctx.state.comment(repo, comment) };
};

const deleteComment: Handler = (ctx) => {
  const { repo, comment } = commentOf(ctx);
  repo.comments.delete(comment.id);
  return { status: 204 };
};

function issueOf(ctx: Ctx) {
  const repo = repoOf(ctx);
  const issue = repo.issues.get(intParam(ctx, 'issue_number'));
  if (!issue) throw notFound(ctx);
  return { repo, issue };
}

function labelsOf(ctx: Ctx, labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels.map((l) => (typeof l === 'string' ? l : String((l as { name?: unknown }).name ?? '')));
}

/** GET /repos/{o}/{r}/issues: open by default, `labels` all required, newest first (GitHub's default sort). */
const listIssues: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const state = ctx.query.get('state') ?? 'open';
  const labels = (ctx.query.get('labels') ?? '').split(',').map((l) => l.trim()).filter(Boolean);
  const creator = ctx.query.get('creator');
  const items = [...repo.issues.values()]
    .filter((i) => (state === 'all' || i.state === state) && labels.every((l) => i.labels.includes(l)) && (!creator || i.login === creator))
    .sort((a, b) => b.number - a.number);
  return paginate(ctx, items.map((i) => ctx.state.issue(repo, i)));
};

const createIssue: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const b = ctx.body as { title?: unknown; body?: unknown; labels?: unknown };
  if (b.title === undefined || String(b.title).trim() === '') throw unprocessable(ctx, 'Validation Failed', [{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
  const t = now();
  const i: IssueRec = { number: ctx.state.nextIssueNumber(repo), title: String(b.title), body: b.body === undefined || b.body === null ? null : String(b.body), state: 'open', state_reason: null, labels: labelsOf(ctx, b.labels), login: ctx.auth.login, created_at: t, updated_at: t, closed_at: null };
  if ((i.body ?? '').length > MAX_COMMENT_CHARS) throw unprocessable(ctx, 'Validation Failed', [{ resource: 'Issue', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_COMMENT_CHARS} characters)` }]);
  repo.issues.set(i.number, i);
  const body = ctx.state.issue(repo, i);
  return { status: 201, body, headers: { location: body.url } };
};

const getIssue: Handler = (ctx) => {
  const { repo, issue } = issueOf(ctx);
  return { status: 200, body: ctx.state.issue(repo, issue) };
};

const updateIssue: Handler = (ctx) => {
  const { repo, issue } = issueOf(ctx);
  const b = ctx.body as { title?: string; body?: string | null; state?: 'open' | 'closed'; state_reason?: IssueRec['state_reason']; labels?: unknown };
  if (b.body !== undefined && (b.body ?? '').length > MAX_COMMENT_CHARS) throw unprocessable(ctx, 'Validation Failed', [{ resource: 'Issue', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_COMMENT_CHARS} characters)` }]);
  if (b.title !== undefined) issue.title = b.title;
  if (b.body !== undefined) issue.body = b.body;
  if (b.labels !== undefined) issue.labels = labelsOf(ctx, b.labels);
  const t = now();
  if (b.state && b.state !== issue.state) {
    issue.state = b.state;
    issue.closed_at = b.state === 'closed' ? t : null;
    issue.state_reason = b.state === 'closed' ? (b.state_reason ?? 'completed') : 'reopened';
  }
  issue.updated_at = t;
  return { status: 200, body: ctx.state.issue(repo, issue) };
};

export const issueRoutes: Record<string, Handler> = {
  'issues/list-for-repo': listIssues,
  'issues/create': createIssue,
  'issues/get': getIssue,
  'issues/update': updateIssue,
  'issues/list-comments': listComments,
  'issues/create-comment': createComment,
  'issues/get-comment': getComment,
  'issues/update-comment': updateComment,
  'issues/delete-comment': deleteComment,
};
