/** Releases and release assets (upload on the uploads host, download through a 302). */
import { randomBytes } from 'node:crypto';
import { type Ctx, type Handler, intParam, notFound, paginate, repoOf, unprocessable } from '../http.js';
import { type AssetRec, FakeState, now, type ReleaseRec, type RepoState } from '../state.js';

function releaseOf(ctx: Ctx): { repo: RepoState; rel: ReleaseRec } {
  const repo = repoOf(ctx);
  const rel = repo.releases.get(intParam(ctx, 'release_id'));
  if (!rel || (rel.draft && ctx.auth.readOnly)) throw notFound(ctx);
  return { repo, rel };
}

function assetOf(ctx: Ctx): { repo: RepoState; asset: AssetRec } {
  const repo = repoOf(ctx);
  const asset = ctx.state.assets.get(intParam(ctx, 'asset_id'));
  if (!asset || !repo.releases.has(asset.releaseId)) throw notFound(ctx);
  return { repo, asset };
}

/** The commit a release's target names: a branch, a tag, or a full sha. */
function resolveCommitish(repo: RepoState, commitish: string): string | undefined {
  if (/^[0-9a-f]{40}$/.test(commitish)) return commitish;
  return repo.refs.get(`heads/${commitish}`) ?? repo.refs.get(`tags/${commitish}`);
}

/** A published release owns its tag: a second one with that tag is refused (422 already_exists). */
function claimTag(ctx: Ctx, repo: RepoState, rel: ReleaseRec): void {
  const taken = [...repo.releases.values()].some((r) => r.id !== rel.id && !r.draft && r.tag_name === rel.tag_name);
  if (taken) throw unprocessable(ctx, 'Validation Failed', [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
  if (rel.draft || repo.refs.has(`tags/${rel.tag_name}`)) return; // drafts create their tag when published
  const sha = resolveCommitish(repo, rel.target_commitish);
  if (!sha) throw unprocessable(ctx, 'Validation Failed', [{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
  repo.refs.set(`tags/${rel.tag_name}`, sha);
}

const listReleases: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const visible = [...repo.releases.values()].filter((r) => !(r.draft && ctx.auth.readOnly));
  visible.sort((a, b) => b.id - a.id); // newest first
  return paginate(
    ctx,
    visible.map((r) => ctx.state.release(repo, r)),
  );
};

const getRelease: Handler = (ctx) => {
  const { repo, rel } = releaseOf(ctx);
  return { status: 200, body: ctx.state.release(repo, rel) };
};

const getReleaseByTag: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const rel = [...repo.releases.values()].find((r) => !r.draft && r.tag_name === ctx.params.tag);
  if (!rel) throw notFound(ctx);
  return { status: 200, body: ctx.state.release(repo, rel) };
};

const createRelease: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const b = ctx.body as Record<string, unknown>;
  const t = now();
  const draft = b.draft === true;
  const rel: ReleaseRec = {
    id: ctx.state.nextId(),
    tag_name: String(b.tag_name),
    target_commitish: typeof b.target_commitish === 'string' ? b.target_commitish : repo.default_branch,
    name: typeof b.name === 'string' ? b.name : null,
    body: typeof b.body === 'string' ? b.body : b.generate_release_notes === true ? `**Full Changelog**: ${b.tag_name}` : null,
    draft,
    prerelease: b.prerelease === true,
    created_at: t,
    published_at: draft ? null : t,
    updated_at: t,
    author: ctx.auth.login,
    assets: [],
  };
  claimTag(ctx, repo, rel); // checks and inserts with no await in between: concurrent creates race safely
  repo.releases.set(rel.id, rel);
  const body = ctx.state.release(repo, rel);
  return { status: 201, body, headers: { location: body.url } };
};

const updateRelease: Handler = (ctx) => {
  const { repo, rel } = releaseOf(ctx);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  const next: ReleaseRec = { ...rel, updated_at: now() };
  for (const k of ['tag_name', 'target_commitish', 'name', 'body'] as const) if (typeof b[k] === 'string') next[k] = b[k];
  if (typeof b.prerelease === 'boolean') next.prerelease = b.prerelease;
  if (typeof b.draft === 'boolean') next.draft = b.draft;
  if (!next.draft && !next.published_at) next.published_at = next.updated_at;
  claimTag(ctx, repo, next);
  repo.releases.set(rel.id, next);
  return { status: 200, body: ctx.state.release(repo, next) };
};

const deleteRelease: Handler = (ctx) => {
  const { repo, rel } = releaseOf(ctx);
  for (const id of rel.assets) ctx.state.assets.delete(id);
  repo.releases.delete(rel.id); // the tag stays, as on GitHub
  return { status: 204 };
};

const listAssets: Handler = (ctx) => {
  const { repo, rel } = releaseOf(ctx);
  return paginate(
    ctx,
    rel.assets.map((id) => ctx.state.asset(repo, ctx.state.assets.get(id)!)),
  );
};

/** GitHub renames unusual characters in asset names to dots. */
const sanitize = (name: string) => name.replace(/[^\w.+@-]/g, '.');

const uploadAsset: Handler = async (ctx) => {
  const { repo, rel } = releaseOf(ctx);
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer); // streamed, whatever the size
  const data = Buffer.concat(chunks);
  const name = sanitize(ctx.query.get('name') ?? '');
  if (rel.assets.some((id) => ctx.state.assets.get(id)!.name === name)) {
    throw unprocessable(ctx, 'Validation Failed', [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }]);
  }
  const t = now();
  const asset: AssetRec = {
    id: ctx.state.nextId(),
    releaseId: rel.id,
    name,
    label: ctx.query.get('label'),
    content_type: String(ctx.req.headers['content-type']),
    data,
    digest: FakeState.digest(data),
    download_count: 0,
    created_at: t,
    updated_at: t,
    uploader: ctx.auth.login,
  };
  ctx.state.assets.set(asset.id, asset);
  rel.assets.push(asset.id);
  return { status: 201, body: ctx.state.asset(repo, asset) };
};

/** Where GitHub's 302 points: a signed, unauthenticated storage URL. */
export function storageUrl(state: FakeState, asset: AssetRec): string {
  return `${state.apiUrl}/_storage/assets/${asset.id}/${encodeURIComponent(asset.name)}?sig=${randomBytes(8).toString('hex')}`;
}

const getAsset: Handler = (ctx) => {
  const { repo, asset } = assetOf(ctx);
  if (/application\/octet-stream/i.test(String(ctx.req.headers.accept ?? ''))) {
    asset.download_count++;
    return { status: 302, headers: { location: storageUrl(ctx.state, asset) } };
  }
  return { status: 200, body: ctx.state.asset(repo, asset) };
};

const updateAsset: Handler = (ctx) => {
  const { repo, asset } = assetOf(ctx);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (typeof b.name === 'string') asset.name = sanitize(b.name);
  if (typeof b.label === 'string') asset.label = b.label;
  asset.updated_at = now();
  return { status: 200, body: ctx.state.asset(repo, asset) };
};

const deleteAsset: Handler = (ctx) => {
  const { repo, asset } = assetOf(ctx);
  const rel = repo.releases.get(asset.releaseId)!;
  rel.assets = rel.assets.filter((id) => id !== asset.id);
  ctx.state.assets.delete(asset.id);
  return { status: 204 };
};

export const releaseRoutes: Record<string, Handler> = {
  'repos/list-releases': listReleases,
  'repos/get-release': getRelease,
  'repos/get-release-by-tag': getReleaseByTag,
  'repos/create-release': createRelease,
  'repos/update-release': updateRelease,
  'repos/delete-release': deleteRelease,
  'repos/list-release-assets': listAssets,
  'repos/upload-release-asset': uploadAsset,
  'repos/get-release-asset': getAsset,
  'repos/update-release-asset': updateAsset,
  'repos/delete-release-asset': deleteAsset,
};

/**
 * Non-API downloads: the storage URL a 302 points to, and `browser_download_url`
 * (`{web}/{owner}/{repo}/releases/download/{tag}/{name}`, which redirects to storage).
 */
export function serveDownload(state: FakeState, path: string): { status: number; headers: Record<string, string>; body?: Buffer } {
  const storage = /^\/_storage\/assets\/(\d+)\//.exec(path);
  if (storage) {
    const asset = state.assets.get(Number(storage[1]));
    if (!asset) return { status: 404, headers: {} };
    return { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': String(asset.data.length) }, body: asset.data };
  }
  const web = /^\/_web\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(path);
  if (web) {
    const [owner, name, tag, file] = web.slice(1).map((s) => decodeURIComponent(s!));
    const repo = state.repo(owner!, name!);
    const rel = repo && [...repo.releases.values()].find((r) => !r.draft && r.tag_name === tag);
    const asset = rel?.assets.map((id) => state.assets.get(id)!).find((a) => a.name === file);
    if (!asset) return { status: 404, headers: {} };
    asset.download_count++;
    return { status: 302, headers: { location: storageUrl(state, asset) } };
  }
  return { status: 404, headers: {} };
}

