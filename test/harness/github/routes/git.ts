/** Git references: get one, create, move (optionally forced), delete. */
import { type Ctx, type Handler, notFound, repoOf, unprocessable } from '../http.js';

/** `heads/main` from `heads/main` or `refs/heads/main`. */
const short = (ref: string) => ref.replace(/^refs\//, '');

function existingRef(ctx: Ctx, missing: 'not-found' | 'unprocessable') {
  const repo = repoOf(ctx);
  const ref = short(ctx.params.ref ?? '');
  if (!repo.refs.has(ref)) throw missing === 'not-found' ? notFound(ctx) : unprocessable(ctx, 'Reference does not exist');
  return { repo, ref };
}

const getRef: Handler = (ctx) => {
  const { repo, ref } = existingRef(ctx, 'not-found');
  return { status: 200, body: ctx.state.ref(repo, ref) };
};

const createRef: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const { ref, sha } = ctx.body as { ref: string; sha: string };
  if (!/^refs\/[^/]+\/.+/.test(ref)) throw unprocessable(ctx, 'Reference name is invalid');
  if (!/^[0-9a-f]{40}$/.test(sha)) throw unprocessable(ctx, 'Object does not exist');
  if (repo.refs.has(short(ref))) throw unprocessable(ctx, 'Reference already exists');
  repo.refs.set(short(ref), sha);
  const body = ctx.state.ref(repo, short(ref));
  return { status: 201, body, headers: { location: body.url } };
};

const updateRef: Handler = (ctx) => {
  const { repo, ref } = existingRef(ctx, 'unprocessable');
  const { sha, force } = ctx.body as { sha: string; force?: boolean };
  if (!/^[0-9a-f]{40}$/.test(sha)) throw unprocessable(ctx, 'Object does not exist');
  const old = repo.refs.get(ref)!;
  // Only commits made with state.addCommit() have known ancestry; others are taken on trust.
  const known = ctx.state.commits.has(sha) && ctx.state.commits.has(old);
  if (!force && known && !ctx.state.isAncestor(old, sha)) throw unprocessable(ctx, 'Update is not a fast forward');
  repo.refs.set(ref, sha);
  return { status: 200, body: ctx.state.ref(repo, ref) };
};

const deleteRef: Handler = (ctx) => {
  const { repo, ref } = existingRef(ctx, 'unprocessable');
  repo.refs.delete(ref);
  return { status: 204 };
};

export const gitRoutes: Record<string, Handler> = {
  'git/get-ref': getRef,
  'git/create-ref': createRef,
  'git/update-ref': updateRef,
  'git/delete-ref': deleteRef,
};
