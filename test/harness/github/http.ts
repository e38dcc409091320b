/** What route handlers of the GitHub fake receive and return, and GitHub-shaped error replies. */
import type { IncomingMessage } from 'node:http';
import type { MatchedOperation } from './openapi.js';
import type { FakeState, RepoState, TokenInfo } from './state.js';

export interface Ctx {
  state: FakeState;
  auth: TokenInfo;
  op: MatchedOperation;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON request body (undefined for none, or for binary uploads: read `req`). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  req: IncomingMessage;
  /** The URL this request was made to, without its query (for Link headers). */
  selfUrl: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

/** Thrown by handlers to reply with a GitHub error. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

export function errorBody(message: string, docsUrl: string, status: number) {
  return { message, documentation_url: docsUrl, status: String(status) };
}

export function notFound(ctx: Ctx): HttpError {
  return new HttpError(404, errorBody('Not Found', ctx.op.docsUrl, 404));
}

export interface FieldError {
  resource?: string;
  code: string;
  field?: string;
  message?: string;
}

/** 422 as GitHub sends it: `Validation Failed` with an `errors` array, or a bare message. */
export function unprocessable(ctx: Ctx, message: string, errors?: FieldError[]): HttpError {
  return new HttpError(422, { ...errorBody(message, ctx.op.docsUrl, 422), ...(errors ? { errors } : {}) });
}

/** The repository named by the path, or 404 (as for a private repository you cannot see). */
export function repoOf(ctx: Ctx): RepoState {
  const repo = ctx.state.repo(ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (!repo) throw notFound(ctx);
  return repo;
}

/** A positive integer path parameter (ids), or 404 for anything else. */
export function intParam(ctx: Ctx, name: string): number {
  const v = Number(ctx.params[name]);
  if (!Number.isSafeInteger(v) || v < 1) throw notFound(ctx);
  return v;
}

/** The permission GitHub names (header `x-accepted-github-permissions`) for a write call. */
export function writePermission(operationId: string): string {
  if (operationId.startsWith('issues/')) return 'issues=write; pull_requests=write';
  if (operationId.startsWith('actions/')) return 'actions=write';
  if (operationId.startsWith('repos/create-deployment')) return 'deployments=write';
  return 'contents=write';
}

/**
 * One page of `items` as GitHub pages lists: `per_page` (default 30, at most 100) and `page`
 * (from 1), with a `Link` header carrying prev/next/last/first.
 */
export function paginate(ctx: Ctx, items: unknown[]): Reply {
  const requested = Number(ctx.query.get('per_page') ?? 30);
  const perPage = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, 100) : 30;
  const requestedPage = Number(ctx.query.get('page') ?? 1);
  const page = Number.isInteger(requestedPage) && requestedPage >= 1 ? requestedPage : 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(ctx.query);
    q.set('page', String(p));
    return `<${ctx.selfUrl}?${q}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  const body = items.slice((page - 1) * perPage, page * perPage);
  return { status: 200, body, headers: links.length ? { link: links.join(', ') } : {} };
}
