/** Issue (and pull request) comments: list with pagination, create, get, update, delete. */
import { type Ctx, type Handler, intParam, notFound, paginate, repoOf, unprocessable } from '../http.js';
import { type CommentRec, now } from '../state.js';

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

export const issueRoutes: Record<string, Handler> = {
  'issues/list-comments': listComments,
  'issues/create-comment': createComment,
  'issues/get-comment': getComment,
  'issues/update-comment': updateComment,
  'issues/delete-comment': deleteComment,
};
