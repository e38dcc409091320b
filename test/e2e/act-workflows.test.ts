// Every example workflow (workflows-examples/*.yml) runs end to end under act (nektos/act, host
// mode), as a user's repository would run it: our actions as `./actions/<name>`, the pinned
// github.com actions replaced by local doubles (test/act/doubles), GitHub played by the
// OpenAPI-checked fake, images pushed to a real registry. The rows run in order, each on what
// the earlier ones left (the champion promote.yml published, the artifact the fork run
// uploaded, the retrain monitor.yml dispatched). A new example workflow is one row in `runs`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { type ActRun, requireAct, runWorkflow, suiteRelease, tail, userRepository, workflowEvents } from '../harness/act.js';
import { pushTestBases } from '../harness/base-image.js';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';
import { ACTIONS_BOT } from '../harness/github/state.js';
import { type RunningCluster, startCluster } from '../harness/k8s/cluster.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

const PR = 7;
const FORK_PR = 8;
const CALLER_PR = 9;
const FORK_TOKEN = 'ghs_forkreadonly0000000000000000000000';

let fake: GitHubFake;
let registry: RunningRegistry;
let cluster: RunningCluster;
let repo: { dir: string; sha: string };
let suite: string;
let artifacts: string;
let cacheDir: string;
let baseImage: string;
/** GITHUB_RUN_ID of each workflow's run, by file name. */
const runIds = new Map<string, number>();
const started = Date.now();

const gh = () => fake.state.repo(fake.owner, fake.repo)!;
const commentsOn = (issue: number) => [...gh().comments.values()].filter((c) => c.issue_number === issue);
const artifact = (workflow: string, name: string) => path.join(artifacts, String(runIds.get(workflow)), name);
const pullRequest = (number: number, headRepo: string) => ({
  action: 'synchronize',
  number,
  pull_request: { number, head: { sha: repo.sha, ref: 'tune-params', repo: { full_name: headRepo } }, base: { ref: 'main', repo: { full_name: `${fake.owner}/${fake.repo}` } } },
});
/** A published release: the image and its base are repository variables, the registry is ours. */
const published = (tag: string) => ({
  payload: { action: 'published', release: { tag_name: tag } },
  env: { GITHUB_REF: `refs/tags/${tag}` },
  vars: { MODEL_IMAGE: `${registry.host}/acme/weather-server`, BASE_IMAGE: baseImage },
});
const imageTags = () => new RegistryClient({ registry: registry.host }).listTags('acme/weather-server');

interface Run {
  workflow: string;
  event: string;
  /** The event payload, and what else this run needs (built when the row runs). */
  given?: () => { payload?: unknown; env?: Record<string, string>; vars?: Record<string, string>; secrets?: Record<string, string>; token?: string };
  then: (run: ActRun) => void | Promise<void>;
}

const runs: Run[] = [
  {
    workflow: 'validate-data.yml',
    event: 'push',
    then: (r) => {
      expect(fs.readdirSync(artifact('validate-data.yml', 'validate-data')).sort()).toEqual(['profile.json', 'validate-data-report.json']);
      expect(r.summaries.join('\n')).toMatch(/- rows: `1461`/);
    },
  },
  {
    workflow: 'promote.yml',
    event: 'push',
    then: () => {
      const releases = [...gh().releases.values()];
      expect(releases.map((rel) => rel.tag_name).sort()).toEqual(['weather-aliases', 'weather-v1']);
      expect(releases.find((rel) => rel.tag_name === 'weather-aliases')!.body).toMatch(/"champion":\s*"?1\b/);
    },
  },
  {
    workflow: 'pr-evaluate.yml',
    event: 'pull_request',
    given: () => ({ payload: pullRequest(PR, `${fake.owner}/${fake.repo}`) }),
    then: () => {
      expect(commentsOn(PR)).toHaveLength(1);
      expect(commentsOn(PR)[0]!.body).toMatch(/evaluate-gate passed/);
    },
  },
  {
    // From a fork: a read-only token, so no comment; the report goes up as an artifact.
    workflow: 'pr-evaluate-fork.yml',
    event: 'pull_request',
    given: () => ({ payload: pullRequest(FORK_PR, 'mallory/models'), token: FORK_TOKEN }),
    then: () => {
      expect(commentsOn(FORK_PR)).toHaveLength(0);
      expect(fs.existsSync(path.join(artifact('pr-evaluate-fork.yml', 'evaluate-gate-report'), 'report.json'))).toBe(true);
    },
  },
  {
    workflow: 'pr-evaluate-fork-comment.yml',
    event: 'workflow_run',
    given: () => ({
      payload: {
        action: 'completed',
        workflow_run: { id: runIds.get('pr-evaluate-fork.yml'), name: 'pr-evaluate-fork', event: 'pull_request', head_sha: repo.sha, head_branch: 'tune-params', head_repository: { full_name: 'mallory/models' } },
      },
    }),
    then: () => {
      expect(commentsOn(FORK_PR)).toHaveLength(1);
      expect(commentsOn(FORK_PR)[0]!.body).toMatch(/evaluate-gate passed/);
    },
  },
  {
    workflow: 'release-image.yml',
    event: 'release',
    given: () => published('v1.2.3'),
    then: async () => {
      // The tags from the release, beside the model attached as a referrer.
      expect(await imageTags()).toEqual(expect.arrayContaining(['1', '1.2', '1.2.3', 'latest']));
    },
  },
  {
    workflow: 'monitor.yml',
    event: 'workflow_dispatch',
    then: () => {
      const issues = [...gh().issues.values()];
      expect(issues).toHaveLength(1);
      expect(issues[0]!.state).toBe('open');
      expect(gh().workflowDispatches.map((d) => d.workflow_id)).toEqual(['retrain.yml']);
      expect(fs.readdirSync(artifact('monitor.yml', 'drift-report')).sort()).toEqual(['drift-report.json', 'drift-report.md', 'drift.prom']);
    },
  },
  {
    // The retrain monitor.yml dispatched, with the inputs it sent.
    workflow: 'retrain.yml',
    event: 'workflow_dispatch',
    given: () => {
      const dispatch = gh().workflowDispatches[0]!;
      return { payload: { inputs: dispatch.inputs, ref: dispatch.ref } };
    },
    then: (r) => {
      expect(r.log).toMatch(/Started by drift-check: \{/);
      // Same data, params and code as the champion: the same model, published once; `latest` moves to it.
      expect(r.log, tail(r.log)).toMatch(/published version: 1 \(cache hit: (true|false)\)/);
      expect([...gh().releases.values()].find((rel) => rel.tag_name === 'weather-aliases')!.body).toMatch(/"latest":\s*"?1\b/);
    },
  },
  {
    // The champion, built and rolled out behind the production environment.
    workflow: 'deploy.yml',
    event: 'release',
    given: () => ({ ...published('v1.2.4'), secrets: { KUBECONFIG: fs.readFileSync(cluster.kubeconfig, 'utf8') } }),
    then: async () => {
      const deployment = JSON.parse(await cluster.kubectl(['get', 'deployment', 'weather', '--namespace', 'production', '-o', 'json']));
      expect(deployment.spec.template.spec.containers[0].image).toMatch(new RegExp(`^${registry.host}/acme/weather-server@sha256:[0-9a-f]{64}$`));
    },
  },
  {
    workflow: 'batch-predict.yml',
    event: 'workflow_dispatch',
    then: () => {
      expect(fs.readdirSync(artifact('batch-predict.yml', 'predictions')).sort()).toEqual(['profile.json', 'weather.parquet']);
    },
  },
  {
    // A matrix of four shard profiles, merged, and drift-check on the merged profile.
    workflow: 'profile-shards.yml',
    event: 'workflow_dispatch',
    then: (r) => {
      const merged = JSON.parse(fs.readFileSync(path.join(artifact('profile-shards.yml', 'reference-profile'), 'profile.json'), 'utf8'));
      expect(merged.rows).toBe(1461);
      expect(r.log).toMatch(/merged 4 shard profiles \(1461 rows\); drift-check: (ok|warn|drift)/);
    },
  },
  // The three callers of the reusable workflows (.github/workflows/mlops-*.yml), as users copy them.
  {
    workflow: 'use-pull-request.yml',
    event: 'pull_request',
    given: () => ({ payload: pullRequest(CALLER_PR, `${fake.owner}/${fake.repo}`) }),
    then: () => {
      expect(commentsOn(CALLER_PR)).toHaveLength(1);
      expect(commentsOn(CALLER_PR)[0]!.body).toMatch(/evaluate-gate passed/);
    },
  },
  {
    workflow: 'use-release.yml',
    event: 'release',
    given: () => ({ ...published('v1.3.0'), secrets: { KUBECONFIG: fs.readFileSync(cluster.kubeconfig, 'utf8') } }),
    then: async () => {
      expect(await imageTags()).toContain('1.3.0');
      const deployment = JSON.parse(await cluster.kubectl(['get', 'deployment', 'weather', '-o', 'json']));
      expect(deployment.spec.template.spec.containers[0].image).toMatch(new RegExp(`^${registry.host}/acme/weather-server@sha256:[0-9a-f]{64}$`));
    },
  },
  {
    // The drift is still there: the one issue is updated, and the cooldown holds the retrain back.
    workflow: 'use-monitor.yml',
    event: 'workflow_dispatch',
    then: () => {
      expect([...gh().issues.values()]).toHaveLength(1);
      expect(gh().workflowDispatches).toHaveLength(1);
    },
  },
];

beforeAll(async () => {
  requireAct();
  fake = await startGitHubFake({ tokens: { [FORK_TOKEN]: { login: ACTIONS_BOT, readOnly: true } } });
  registry = await startRegistry({ auth: 'none' });
  const bases = await pushTestBases(new RegistryClient({ registry: registry.host }), tempDir('mlops-act-base-'));
  baseImage = `${registry.host}/${bases.multi.repository}@${bases.multi.digest}`;
  repo = userRepository();
  suite = suiteRelease();
  fake.state.addPull(fake.owner, fake.repo, { number: PR, headSha: repo.sha, headRef: 'tune-params' });
  fake.state.addPull(fake.owner, fake.repo, { number: CALLER_PR, headSha: repo.sha, headRef: 'tune-params' });
  fake.state.addPull(fake.owner, fake.repo, { number: FORK_PR, headSha: repo.sha, headRef: 'tune-params', headRepo: 'mallory/models' });
  cluster = await startCluster();
  await cluster.kubectl(['create', 'namespace', 'production']);
  artifacts = tempDir('mlops-act-artifacts-');
  cacheDir = tempDir('mlops-act-cache-');
}, 600_000);

afterAll(async () => {
  await fake?.stop();
  await registry?.stop();
  await cluster?.stop();
  console.log(`act workflows: ${runs.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('example workflows under act', () => {
  it('every example workflow has a run here', () => {
    const examples = fs.readdirSync(path.join(REPO_ROOT, 'workflows-examples')).filter((f) => /\.ya?ml$/.test(f));
    expect(examples.filter((f) => !runs.some((r) => r.workflow === f))).toEqual([]);
  });

  runs.forEach((run, i) => {
    it(`${run.workflow} on ${run.event}`, async () => {
      expect(workflowEvents(path.join(repo.dir, '.github/workflows', run.workflow))).toContain(run.event);
      const given = run.given?.() ?? {};
      const runId = 1000 + i;
      runIds.set(run.workflow, runId);
      const result = await runWorkflow({
        repo: repo.dir,
        suite,
        workflow: run.workflow,
        event: run.event,
        payload: given.payload ?? {},
        runId,
        token: given.token ?? fake.token,
        env: { GITHUB_API_URL: fake.url, GITHUB_SERVER_URL: fake.webUrl, GITHUB_REPOSITORY: `${fake.owner}/${fake.repo}`, ACT_TEST_ARTIFACTS: artifacts, ...given.env },
        vars: given.vars,
        secrets: given.secrets,
        cacheDir,
      });
      expect(result.exitCode, tail(result.log)).toBe(0);
      expect(result.log).toMatch(/Job succeeded/);
      expect(fake.violations()).toEqual([]);
      expect(fake.unimplemented()).toEqual([]);
      await run.then(result);
    }, 900_000);
  });
});
