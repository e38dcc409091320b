import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';
import { tempDir } from '../harness/temp.js';

let fake: GitHubFake;
beforeEach(async () => {
  fake = await startGitHubFake({ tokens: { ghp_octocat: { login: 'octocat' }, ghs_readonly: { login: 'github-actions[bot]', readOnly: true } } });
});
afterEach(async () => {
  await fake.stop();
});

/** retries: 0 so a 500 (a contract violation) fails at once instead of being retried. */
const kit = (token = fake.token) => getOctokit(token, { baseUrl: fake.url, request: { retries: 0 } }, retry);
const repo = () => ({ owner: fake.owner, repo: fake.repo });

async function status(p: Promise<unknown>): Promise<{ status: number; message: string; response?: { data: unknown; headers: Record<string, unknown> } }> {
  try {
    await p;
    return { status: 200, message: '' };
  } catch (err) {
    return err as never;
  }
}

describe('GitHub fake: releases and assets', () => {
  it('creates a release, uploads an asset, downloads it back through the 302', async () => {
    const gh = kit();
    const { data: rel, status: created } = await gh.rest.repos.createRelease({ ...repo(), tag_name: 'v1.0.0', name: 'v1.0.0', body: 'first' });
    expect(created).toBe(201);
    expect(rel.author.login).toBe('github-actions[bot]');
    expect(rel.upload_url).toMatch(new RegExp(`^${fake.uploadsUrl}/repos/acme/models/releases/${rel.id}/assets\\{\\?name,label\\}$`));
    expect(fake.state.repo('acme', 'models')!.refs.has('tags/v1.0.0')).toBe(true); // the release created its tag

    const bytes = Buffer.from('model weights \u0000\u0001\u00ff'.repeat(1000), 'latin1');
    const { data: asset } = await gh.rest.repos.uploadReleaseAsset({
      ...repo(),
      release_id: rel.id,
      url: rel.upload_url,
      name: 'model.onnx',
      label: 'Model',
      data: bytes as unknown as string,
      headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
    });
    expect(asset).toMatchObject({ name: 'model.onnx', label: 'Model', size: bytes.length, state: 'uploaded' });

    const dl = await gh.rest.repos.getReleaseAsset({ ...repo(), asset_id: asset.id, headers: { accept: 'application/octet-stream' } });
    expect(Buffer.from(dl.data as unknown as ArrayBuffer).equals(bytes)).toBe(true);
    const viaBrowser = await fetch(asset.browser_download_url);
    expect(Buffer.from(await viaBrowser.arrayBuffer()).equals(bytes)).toBe(true);

    const { data: byTag } = await gh.rest.repos.getReleaseByTag({ ...repo(), tag: 'v1.0.0' });
    expect(byTag.assets.map((a) => [a.name, a.download_count])).toEqual([['model.onnx', 2]]);
    const { data: list } = await gh.rest.repos.listReleaseAssets({ ...repo(), release_id: rel.id });
    expect(list).toHaveLength(1);
    await gh.rest.repos.updateRelease({ ...repo(), release_id: rel.id, body: 'edited' });
    await gh.rest.repos.deleteReleaseAsset({ ...repo(), asset_id: asset.id });
    await gh.rest.repos.deleteRelease({ ...repo(), release_id: rel.id });
    expect((await status(gh.rest.repos.getRelease({ ...repo(), release_id: rel.id }))).status).toBe(404);
    expect(fake.violations()).toEqual([]);
  });

  it('streams an upload from a file with fetch; refuses a duplicate name and a missing Content-Length', async () => {
    const { data: rel } = await kit().rest.repos.createRelease({ ...repo(), tag_name: 'v2.0.0' });
    const file = path.join(tempDir('ghfake-'), 'model.tar.gz');
    fs.writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
    const upload = (headers: Record<string, string>) =>
      fetch(rel.upload_url.replace(/\{.*\}$/, '?name=model.tar.gz'), {
        method: 'POST',
        body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
        duplex: 'half',
        headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/gzip', ...headers },
      } as RequestInit);
    const size = String(fs.statSync(file).size);
    const first = await upload({ 'content-length': size });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ size: 3 * 1024 * 1024, content_type: 'application/gzip' });
    const dup = await upload({ 'content-length': size });
    expect(dup.status).toBe(422);
    expect(await dup.json()).toMatchObject({ errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }] });
    expect(fake.violations()).toEqual([]);

    const chunked = await upload({}); // no Content-Length: chunked transfer, which uploads refuse
    expect(chunked.status).toBe(500);
    expect(fake.violations().map((v) => v.where)).toEqual(['request.headers.content-length']);
  });

  it('lets exactly one of several concurrent creates of a tag win (422 already_exists)', async () => {
    const gh = kit();
    const results = await Promise.all(Array.from({ length: 5 }, () => status(gh.rest.repos.createRelease({ ...repo(), tag_name: 'v3.0.0' }))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 422);
    expect(refused).toHaveLength(4);
    expect(refused[0]!.response!.data).toMatchObject({ message: 'Validation Failed', errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }] });
    expect(fake.violations()).toEqual([]);
  });

  it('pages releases with a Link header', async () => {
    const gh = kit();
    for (let i = 0; i < 7; i++) await gh.rest.repos.createRelease({ ...repo(), tag_name: `v0.${i}.0` });
    const page2 = await gh.rest.repos.listReleases({ ...repo(), per_page: 3, page: 2 });
    expect(page2.data.map((r) => r.tag_name)).toEqual(['v0.3.0', 'v0.2.0', 'v0.1.0']);
    expect(page2.headers.link).toContain('page=3>; rel="next"');
    expect(page2.headers.link).toContain('page=1>; rel="prev"');
    const all = await gh.paginate(gh.rest.repos.listReleases, { ...repo(), per_page: 2 });
    expect(all).toHaveLength(7);
    expect(fake.violations()).toEqual([]);
  });
});

describe('GitHub fake: comments, refs, dispatches', () => {
  it('pages through 160 comments with octokit.paginate; the token user owns its comments', async () => {
    const gh = kit();
    for (let i = 0; i < 120; i++) fake.state.seedComment('acme', 'models', 7, `chatter ${i}`, i % 2 ? 'octocat' : 'dependabot[bot]');
    for (let i = 0; i < 40; i++) await gh.rest.issues.createComment({ ...repo(), issue_number: 7, body: `<!-- report -->\nrun ${i}` });
    const first = await gh.rest.issues.listComments({ ...repo(), issue_number: 7 });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toMatch(/page=2>; rel="next", <[^>]*page=6>; rel="last"/);
    const all = await gh.paginate(gh.rest.issues.listComments, { ...repo(), issue_number: 7, per_page: 100 });
    expect(all).toHaveLength(160);
    const mine = all.filter((c) => c.user?.login === fake.login && c.body?.startsWith('<!-- report -->'));
    expect(mine).toHaveLength(40);
    const { data: edited } = await gh.rest.issues.updateComment({ ...repo(), comment_id: mine[0]!.id, body: '<!-- report -->\nupdated' });
    expect(edited.body).toContain('updated');
    await gh.rest.issues.deleteComment({ ...repo(), comment_id: mine[1]!.id });
    expect((await status(gh.rest.issues.getComment({ ...repo(), comment_id: mine[1]!.id }))).status).toBe(404);
    const tooLong = await status(gh.rest.issues.createComment({ ...repo(), issue_number: 7, body: 'x'.repeat(65_537) }));
    expect(tooLong.status).toBe(422);
    expect(fake.violations()).toEqual([]);
  });

  it('creates, reads, moves and deletes git refs', async () => {
    const gh = kit();
    const main = fake.state.repo('acme', 'models')!.refs.get('heads/main')!;
    await gh.rest.git.createRef({ ...repo(), ref: 'refs/tags/v1', sha: main });
    const again = await status(gh.rest.git.createRef({ ...repo(), ref: 'refs/tags/v1', sha: main }));
    expect(again.status).toBe(422);
    expect(again.message).toContain('Reference already exists');
    const { data: ref } = await gh.rest.git.getRef({ ...repo(), ref: 'tags/v1' });
    expect(ref).toMatchObject({ ref: 'refs/tags/v1', object: { sha: main, type: 'commit' } });
    const unrelated = fake.state.addCommit();
    const ff = await status(gh.rest.git.updateRef({ ...repo(), ref: 'heads/main', sha: unrelated }));
    expect(ff.message).toContain('Update is not a fast forward');
    await gh.rest.git.updateRef({ ...repo(), ref: 'heads/main', sha: fake.state.addCommit(main) });
    await gh.rest.git.updateRef({ ...repo(), ref: 'tags/v1', sha: unrelated, force: true });
    await gh.rest.git.deleteRef({ ...repo(), ref: 'tags/v1' });
    expect((await status(gh.rest.git.getRef({ ...repo(), ref: 'tags/v1' }))).status).toBe(404);
    expect(fake.violations()).toEqual([]);
  });

  it('accepts repository and workflow dispatches', async () => {
    const gh = kit();
    expect((await gh.rest.repos.createDispatchEvent({ ...repo(), event_type: 'retrain', client_payload: { drift: 0.3 } })).status).toBe(204);
    expect((await gh.rest.actions.createWorkflowDispatch({ ...repo(), workflow_id: 'train.yml', ref: 'main', inputs: { reason: 'drift' } })).status).toBe(204);
    expect((await status(gh.rest.actions.createWorkflowDispatch({ ...repo(), workflow_id: 'train.yml', ref: 'nope' }))).status).toBe(422);
    const r = fake.state.repo('acme', 'models')!;
    expect(r.dispatches).toEqual([{ event_type: 'retrain', client_payload: { drift: 0.3 } }]);
    expect(r.workflowDispatches).toEqual([{ workflow_id: 'train.yml', ref: 'main', inputs: { reason: 'drift' } }]);
    expect(fake.violations()).toEqual([]);
  });
});

describe('GitHub fake: auth and permissions', () => {
  it('answers 401 without a token or with a wrong one', async () => {
    const anonymous = await fetch(`${fake.url}/repos/acme/models`);
    expect([anonymous.status, ((await anonymous.json()) as { message: string }).message]).toEqual([401, 'Requires authentication']);
    const wrong = await status(kit('ghp_wrong').rest.repos.get(repo()));
    expect([wrong.status, wrong.message]).toEqual([401, expect.stringContaining('Bad credentials')]);
    expect(fake.violations()).toEqual([]);
  });

  it('GET /user names a user token; GITHUB_TOKEN (a bot) gets 403 as on GitHub', async () => {
    expect((await kit('ghp_octocat').rest.users.getAuthenticated()).data.login).toBe('octocat');
    expect((await status(kit().rest.users.getAuthenticated())).status).toBe(403);
    expect((await kit().rest.repos.get(repo())).data.full_name).toBe('acme/models');
    expect(fake.violations()).toEqual([]);
  });

  it('a read-only token reads but gets 403 naming the permission on writes', async () => {
    const ro = kit('ghs_readonly');
    expect((await ro.rest.repos.listReleases(repo())).status).toBe(200);
    const err = await status(ro.rest.repos.createRelease({ ...repo(), tag_name: 'v9' }));
    expect([err.status, err.message]).toEqual([403, expect.stringContaining('Resource not accessible by integration')]);
    expect(err.response!.headers['x-accepted-github-permissions']).toBe('contents=write');
    const comment = await status(ro.rest.issues.createComment({ ...repo(), issue_number: 1, body: 'hi' }));
    expect(comment.response!.headers['x-accepted-github-permissions']).toBe('issues=write; pull_requests=write');
    expect(fake.violations()).toEqual([]);
  });

  it('answers 404 for what it does not implement, and records it', async () => {
    expect((await status(kit().rest.pulls.list(repo()))).status).toBe(404);
    expect((await status(kit().rest.repos.get({ owner: 'acme', repo: 'missing' }))).status).toBe(404);
    expect(fake.unimplemented().map((r) => r.operationId)).toEqual(['pulls/list']);
    expect(fake.violations()).toEqual([]);
  });
});

describe('GitHub fake: the OpenAPI validation bites', () => {
  it('rejects a request body that violates the schema (tag_name: 42)', async () => {
    const err = await status(kit().request('POST /repos/{owner}/{repo}/releases', { ...repo(), tag_name: 42 as unknown as string }));
    expect(err.status).toBe(500);
    expect(err.message).toContain('/tag_name must be string');
    expect(fake.violations()).toMatchObject([{ operationId: 'repos/create-release', where: 'request.body', message: '/tag_name must be string' }]);
  });

  it('rejects bad parameters: a non-integer id, an unknown query parameter', async () => {
    await status(kit().request('GET /repos/{owner}/{repo}/releases', { ...repo(), per_page: 'ten' as unknown as number }));
    await status(kit().request('GET /repos/{owner}/{repo}/releases', { ...repo(), perpage: 10 }));
    expect(fake.violations().map((v) => v.where)).toEqual(['request.query.per_page', 'request.query.perpage']);
  });

  it('catches a reply that drops a required field', async () => {
    const gh = kit();
    const { data: rel } = await gh.rest.repos.createRelease({ ...repo(), tag_name: 'v1' });
    fake.tamperNextReply('repos/get-release', (body) => {
      delete body.tag_name;
      return body;
    });
    const err = await status(gh.rest.repos.getRelease({ ...repo(), release_id: rel.id }));
    expect(err.status).toBe(500);
    expect(fake.violations()).toMatchObject([{ operationId: 'repos/get-release', where: 'response.200', message: "/ must have required property 'tag_name'" }]);
  });

  it('starts quickly once the description is loaded', async () => {
    const t0 = performance.now();
    const other = await startGitHubFake();
    const started = performance.now() - t0;
    await other.stop();
    expect(started).toBeLessThan(200);
  });
});

describe('GitHub fake: deployments', () => {
  it('creates a deployment, lists it by sha, environment and task, and keeps its statuses newest first', async () => {
    const gh = kit();
    const sha = fake.state.addCommit();
    const { data: d, status: created } = await gh.rest.repos.createDeployment({ ...repo(), ref: sha, task: 'deploy:k8s', environment: 'staging', auto_merge: false, required_contexts: [], payload: { run_id: '7' } });
    expect(created).toBe(201);
    if (!('id' in d)) throw new Error('no deployment');
    expect(d).toMatchObject({ sha, task: 'deploy:k8s', environment: 'staging', production_environment: false, payload: { run_id: '7' } });
    await gh.rest.repos.createDeployment({ ...repo(), ref: 'main', environment: 'staging' });
    const listed = await gh.rest.repos.listDeployments({ ...repo(), sha, environment: 'staging', task: 'deploy:k8s' });
    expect(listed.data.map((x) => x.id)).toEqual([d.id]);
    await gh.rest.repos.createDeploymentStatus({ ...repo(), deployment_id: d.id, state: 'in_progress' });
    await gh.rest.repos.createDeploymentStatus({ ...repo(), deployment_id: d.id, state: 'success', environment_url: 'http://iris.staging.svc.cluster.local', log_url: 'https://github.com/acme/models/actions/runs/7' });
    const statuses = await gh.rest.repos.listDeploymentStatuses({ ...repo(), deployment_id: d.id });
    expect(statuses.data.map((s) => [s.state, s.environment_url])).toEqual([['success', 'http://iris.staging.svc.cluster.local'], ['in_progress', '']]);
    expect(fake.violations()).toEqual([]);
  });

  it('refuses an unknown ref and a description over 140 characters; a read-only token is told deployments=write', async () => {
    const gh = kit();
    expect((await status(gh.rest.repos.createDeployment({ ...repo(), ref: 'no-such-branch' }))).status).toBe(422);
    const { data: d } = await gh.rest.repos.createDeployment({ ...repo(), ref: 'main', environment: 'production' });
    if (!('id' in d)) throw new Error('no deployment');
    expect(d.production_environment).toBe(true);
    expect((await status(gh.rest.repos.createDeploymentStatus({ ...repo(), deployment_id: d.id, state: 'error', description: 'x'.repeat(141) }))).status).toBe(422);
    const denied = await status(kit('ghs_readonly').rest.repos.createDeployment({ ...repo(), ref: 'main' }));
    expect(denied.status).toBe(403);
    expect(denied.response?.headers['x-accepted-github-permissions']).toBe('deployments=write');
    expect((await status(gh.rest.repos.listDeploymentStatuses({ ...repo(), deployment_id: 999_999 }))).status).toBe(404);
  });
});
