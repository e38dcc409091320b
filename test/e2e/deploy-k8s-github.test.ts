import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';
import type { DeploymentRec } from '../harness/github/state.js';
import { type RunningCluster, startCluster } from '../harness/k8s/cluster.js';
import { githubRepo } from '../../shared/github/client.js';
import { ReleaseStore } from '../../shared/store/release.js';
import { testContext } from '../harness/context.js';
import { fakeModel } from '../harness/models.js';
import { tempDir } from '../harness/temp.js';
import { REPO_ROOT, runAction, type RunResult, workspaceWith } from '../harness/runner.js';
import YAML from 'yaml';

// deploy-k8s recording its rollouts as GitHub Deployments: the bundle as the runner runs it,
// against a real control plane and the OpenAPI-checked GitHub fake.
let cluster: RunningCluster;
let github: GitHubFake;
const workspaces: string[] = [];
beforeAll(async () => {
  github = await startGitHubFake({ tokens: { ghs_readonly: { login: 'github-actions[bot]', readOnly: true } } });
  cluster = await startCluster();
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
  await github?.stop();
  for (const ws of workspaces) fs.rmSync(ws, { recursive: true, force: true });
});

const SHA = '0123456789abcdef0123456789abcdef01234567';
const image = (c: string) => `registry.example/iris@sha256:${c.repeat(64)}`;

async function deployK8s(inputs: Record<string, string>, run: { id: string; attempt?: string; token?: string }): Promise<RunResult> {
  const ws = workspaceWith({});
  workspaces.push(ws);
  // As on a runner: no GITHUB_TOKEN in the environment, the token comes through the input.
  const { GITHUB_TOKEN: _token, ...context } = github.env();
  const env = { ...context, GITHUB_RUN_ID: run.id, GITHUB_RUN_ATTEMPT: run.attempt ?? '1', GITHUB_SHA: SHA };
  return runAction('deploy-k8s', { kubeconfig: cluster.kubeconfig, 'github-token': run.token ?? github.token, ...inputs }, { workspace: ws, env });
}

const deployments = (): DeploymentRec[] => [...github.state.repo(github.owner, github.repo)!.deployments.values()];
const ofRun = (id: string) => deployments().filter((d) => (d.payload as { run_id?: string }).run_id === id);
const runLog = (id: string, attempt = 1) => `${github.webUrl}/${github.owner}/${github.repo}/actions/runs/${id}/attempts/${attempt}`;

describe('deploy-k8s records the rollout as a GitHub Deployment', () => {
  it('success: in_progress then success with the environment URL and the log; a re-run adds statuses to the same deployment', async () => {
    await cluster.kubectl(['create', 'namespace', 'gh-ok']);
    const r = await deployK8s({ image: image('a'), name: 'iris', namespace: 'gh-ok', environment: 'production' }, { id: '101' });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`::add-mask::${github.token}`);
    const [d, ...more] = ofRun('101');
    expect(more).toEqual([]);
    expect(d).toMatchObject({
      sha: SHA,
      ref: SHA,
      task: 'deploy:k8s',
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: true,
      payload: { run_id: '101', run_attempt: '1', workload: 'gh-ok/iris', image: image('a'), image_digest: `sha256:${'a'.repeat(64)}`, model: null },
    });
    expect(d!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(d!.statuses[1]).toMatchObject({ environment_url: 'http://iris.gh-ok.svc.cluster.local', log_url: runLog('101'), description: 'revision 1 of gh-ok/iris serves registry.example/iris@sha256:aaaaaaaaaaaa' });
    expect(d!.statuses[0]!.log_url).toBe(runLog('101'));
    expect(r.summary).toContain(`GitHub deployment ${d!.id} to [production](${github.webUrl}/${github.owner}/${github.repo}/deployments/production): <code>success</code>.`);

    // Re-running the job (attempt 2 of run 101), with the environment URL given.
    const again = await deployK8s({ image: image('a'), name: 'iris', namespace: 'gh-ok', environment: 'production', 'environment-url': 'https://iris.example.com' }, { id: '101', attempt: '2' });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.stdout).toContain(`GitHub deployment ${d!.id} to production (found again: this run created it)`);
    expect(ofRun('101').map((x) => x.id)).toEqual([d!.id]);
    expect(d!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success', 'in_progress', 'success']);
    expect(d!.statuses[3]).toMatchObject({ environment_url: 'https://iris.example.com', log_url: runLog('101', 2) });
    expect(github.violations()).toEqual([]);
  }, 600_000);

  it('rollback: a crash-looping revision ends the deployment in failure, naming the reason', async () => {
    await cluster.kubectl(['create', 'namespace', 'gh-rollback']);
    expect((await deployK8s({ image: image('a'), name: 'iris', namespace: 'gh-rollback', environment: 'staging' }, { id: '201' })).exitCode).toBe(0);
    const crash = await deployK8s({ image: image('b'), name: 'iris', namespace: 'gh-rollback', environment: 'staging', annotations: 'kwok.mlops.test/stage=crashloop', timeout: '5' }, { id: '202' });
    expect(crash.exitCode).toBe(1);
    expect(crash.outputs.status).toBe('rolled-back');
    const [d] = ofRun('202');
    expect(d).toMatchObject({ environment: 'staging', production_environment: false });
    expect(d!.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(d!.statuses[1]!.description).toBe('revision 2 failed (CrashLoopBackOff); revision 1 serves again');
    expect(crash.summary).toContain(`GitHub deployment ${d!.id} to [staging](`);
    expect(crash.summary).toContain('<code>failure</code>');
    expect(d!.statuses[1]!.environment_url).toBe('http://iris.gh-rollback.svc.cluster.local'); // revision 1 serves there again
    expect(github.violations()).toEqual([]);
  }, 600_000);

  it('error: a deploy that cannot be carried out (an apply conflict) ends the deployment in error', async () => {
    await cluster.kubectl(['create', 'namespace', 'gh-error']);
    expect((await deployK8s({ image: image('a'), name: 'iris', namespace: 'gh-error' }, { id: '301' })).exitCode).toBe(0);
    expect(ofRun('301')).toEqual([]); // no environment: no GitHub deployment
    const theirs = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'iris', namespace: 'gh-error' }, spec: { replicas: 3 } });
    await cluster.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'autoscaler-script', '-f', '-'], theirs);
    const conflict = await deployK8s({ image: image('b'), name: 'iris', namespace: 'gh-error', environment: 'production' }, { id: '302' });
    expect(conflict.exitCode).toBe(1);
    const [d] = ofRun('302');
    expect(d!.statuses.map((s) => s.state)).toEqual(['in_progress', 'error']);
    expect(d!.statuses[1]!.description).toMatch(/^applying Deployment gh-error\/iris as field manager "mlops-deploy-k8s" conflicts with other field managers/);
    expect(d!.statuses[1]!.description.length).toBeLessThanOrEqual(140);
    expect(github.violations()).toEqual([]);
  }, 600_000);

  it('names the missing permission, before changing the cluster', async () => {
    await cluster.kubectl(['create', 'namespace', 'gh-denied']);
    const r = await deployK8s({ image: image('a'), name: 'iris', namespace: 'gh-denied', environment: 'production' }, { id: '401', token: 'ghs_readonly' });
    expect(r.exitCode).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error')!;
    expect(error.title).toBe('deploy-k8s: GitHub API error');
    expect(error.message).toContain('GitHub refused to create a deployment to the environment production (HTTP 403)');
    expect(error.message).toContain("Fix: give the job's token `permissions: deployments: write` (GitHub asks for deployments=write)");
    expect(ofRun('401')).toEqual([]);
    expect(await cluster.kubectl(['get', 'deployments', '-n', 'gh-denied', '-o', 'name'])).toBe('');
  }, 600_000);

  it("runs workflows-examples/deploy.yml's deploy step: least privilege, the environment's gate, GitHub's own deployment record", async () => {
    const wf = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows-examples/deploy.yml'), 'utf8')) as { permissions: unknown; jobs: { deploy: { permissions: unknown; environment: unknown; steps: { uses?: string; with?: Record<string, string | number> }[] } } };
    const job = wf.jobs.deploy;
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(job.permissions).toEqual({ contents: 'read' });
    expect(job.environment).toEqual({ name: 'production', url: 'https://weather.example.com' });
    const step = job.steps.find((s) => s.uses === './actions/deploy-k8s')!;
    const expressions: Record<string, string> = {
      '${{ needs.image.outputs.image }}': image('f'),
      "${{ inputs.model || 'release:weather@champion' }}": 'release:weather@champion',
      '${{ secrets.KUBECONFIG }}': fs.readFileSync(cluster.kubeconfig, 'utf8'),
    };
    const inputs = Object.fromEntries(Object.entries(step.with!).map(([k, v]) => [k, expressions[String(v)] ?? String(v)]));
    expect(inputs).toMatchObject({ strategy: 'rolling', rollback: 'auto' });
    expect(inputs.environment).toBeUndefined();
    // The champion, published to the repository's releases as train does (release:weather@champion).
    const model = fakeModel('the champion');
    const store = new ReleaseStore(githubRepo(github.env(), github.token), 'weather', tempDir('releases-'), SHA, testContext(tempDir('ws-')).log);
    await store.publish({ manifest: model.manifest, modelFile: model.file, aliases: ['champion'] });
    await cluster.kubectl(['create', 'namespace', inputs.namespace!]);
    const r = await deployK8s(inputs, { id: '501' });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    // GitHub records the job's deployment itself: deploy-k8s sends none.
    expect(ofRun('501')).toEqual([]);
    expect(await cluster.kubectl(['get', 'deployment', 'weather', '-n', 'production', '-o', 'jsonpath={.status.availableReplicas}'])).toBe('3');
  }, 600_000);

  it("runs docs/deploy.md's GitHub deployments example", async () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
    const block = /## GitHub deployments[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const step = (YAML.parse(block) as { with: Record<string, string> }[])[0]!;
    const expressions: Record<string, string> = { '${{ needs.image.outputs.image }}': image('9'), '${{ secrets.KUBECONFIG }}': fs.readFileSync(cluster.kubeconfig, 'utf8') };
    const inputs = Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, expressions[v] ?? v]));
    const r = await deployK8s(inputs, { id: '601' });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [d] = ofRun('601');
    expect(d).toMatchObject({ environment: 'production', payload: { workload: 'default/iris', image_digest: `sha256:${'9'.repeat(64)}` } });
    expect(d!.statuses.map((s) => [s.state, s.environment_url])).toEqual([['in_progress', ''], ['success', 'https://iris.example.com']]);
  }, 600_000);
});
