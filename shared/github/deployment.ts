/**
 * A rollout recorded as a GitHub Deployment, so it shows in the repository (its environments,
 * the commit, the pull request): created for the commit once the image and model are known,
 * `in_progress` while it rolls out, then `success` (with the environment's URL), `failure` (the
 * new revision failed, rolled back or not) or `error` (it could not be carried out: an
 * unreachable cluster, an apply conflict, a bug of ours). Every status links the run's log.
 *
 * A re-run of the job (a new attempt of the same run) finds the deployment its first attempt
 * created, by sha, environment, task and the run and workload in the payload, and adds statuses
 * to it instead of creating a second one.
 */
import { z } from 'zod';
import type { GitHubRepo } from './client.js';
import { explainGitHubError } from './client.js';
import type { DeployResult, DeployStart } from '../k8s/deploy.js';
import { gitInfo, runUrl } from '../lineage/git.js';
import { withoutCredentialsIn } from '../lineage/url.js';
import { code, Md, md } from '../report/markdown.js';
import type { Context } from '../runtime/context.js';
import { isUserError, UserError } from '../runtime/errors.js';

/** The deployment task deploy-k8s creates (GitHub's `task`, e.g. `deploy` or `deploy:migrations`). */
export const DEPLOY_TASK = 'deploy:k8s';
const PERMISSION = 'deployments: write';
/** GitHub refuses longer status descriptions. */
const DESCRIPTION_LIMIT = 140;

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error';

export interface EnvironmentTarget {
  /** The GitHub environment, e.g. `production`. */
  environment: string;
  /** The URL shown for the environment (default: the deploy's Service URL). */
  url?: string;
}

/** What deploy-k8s puts in a deployment's payload (GitHub stores and returns it as given). */
const payloadSchema = z.object({
  run_id: z.string(),
  run_attempt: z.string(),
  workload: z.string(),
  cluster: z.string(),
  image: z.string(),
  image_digest: z.string(),
  model: z.object({ name: z.string(), version: z.string(), digest: z.string().nullable() }).nullable(),
});
export type DeploymentPayload = z.infer<typeof payloadSchema>;

export interface RecordedDeployment {
  id: number;
  url: string;
  /** Found again on a re-run, rather than created by this run. */
  reused: boolean;
}

/** The deployment for this run and workload: the one an earlier attempt created, or a new one. */
export async function findOrCreateDeployment(r: GitHubRepo, d: { sha: string; environment: string; description: string; payload: DeploymentPayload }): Promise<RecordedDeployment> {
  const { gh, owner, repo } = r;
  try {
    const listed = await gh.paginate(gh.rest.repos.listDeployments, { owner, repo, sha: d.sha, environment: d.environment, task: DEPLOY_TASK, per_page: 100 });
    const earlier = listed.filter((x) => sameRun(x.payload, d.payload)).sort((a, b) => a.id - b.id)[0];
    if (earlier) return { id: earlier.id, url: earlier.url, reused: true };
    const { data } = await gh.rest.repos.createDeployment({
      owner,
      repo,
      ref: d.sha,
      task: DEPLOY_TASK,
      environment: d.environment,
      description: d.description,
      payload: d.payload,
      // Deploy exactly this commit: no merge of the default branch, no wait on commit statuses (the workflow gates).
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: d.environment === 'production',
    });
    if (!('id' in data)) throw new UserError(`GitHub did not create the deployment of ${d.sha} to ${d.environment}: ${data.message ?? 'no reason given'}`, { title: 'GitHub API error' });
    return { id: data.id, url: data.url, reused: false };
  } catch (e) {
    throw explainGitHubError(e, `create a deployment to the environment ${d.environment}`, PERMISSION);
  }
}

function sameRun(payload: unknown, ours: DeploymentPayload): boolean {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return false;
    }
  }
  const p = payloadSchema.safeParse(value);
  return p.success && p.data.run_id === ours.run_id && p.data.workload === ours.workload && p.data.cluster === ours.cluster;
}

export async function setDeploymentStatus(r: GitHubRepo, id: number, s: { state: DeploymentState; description: string; logUrl?: string; environmentUrl?: string }): Promise<void> {
  const { gh, owner, repo } = r;
  const description = withoutCredentialsIn(s.description.split('\n')[0]!);
  try {
    await gh.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: id,
      state: s.state,
      description: description.length > DESCRIPTION_LIMIT ? `${description.slice(0, DESCRIPTION_LIMIT - 1)}…` : description,
      ...(s.logUrl ? { log_url: s.logUrl } : {}),
      ...(s.environmentUrl ? { environment_url: s.environmentUrl } : {}),
    });
  } catch (e) {
    throw explainGitHubError(e, `set the status of deployment ${id} to ${s.state}`, PERMISSION);
  }
}

/** The status a finished deploy leaves: `success` when it serves, else `failure`. */
export function finalStatus(r: DeployResult): { state: DeploymentState; description: string } {
  const image = r.image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]*$/, '@sha256:$1');
  if (r.status === 'deployed') return { state: 'success', description: `revision ${r.revision ?? '?'} of ${r.namespace}/${r.name} serves ${image}` };
  const reasons = [...new Set(r.failure?.problems.map((p) => p.reason) ?? [])];
  const why = `revision ${r.revision ?? '?'} failed${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
  return { state: 'failure', description: r.status === 'rolled-back' ? `${why}; revision ${r.previousRevision ?? '?'} serves again` : `${why}; ${r.rollbackMessage ?? 'not rolled back'}` };
}

/**
 * Run a deploy recorded as a GitHub Deployment to `target` (none: just run it). The deployment is
 * created when the deploy calls `onStart` (before it applies anything, so a token without
 * `deployments: write` fails the step before the cluster changes); a status that cannot be set
 * at the end is a warning, since the rollout itself is done.
 */
export async function recordOnGitHub(
  github: { repo: GitHubRepo; target: EnvironmentTarget } | undefined,
  ctx: Context,
  run: (onStart?: (start: DeployStart) => Promise<void>) => Promise<DeployResult>,
): Promise<{ result: DeployResult; recorded?: GitHubRecord }> {
  if (!github) return { result: await run() };
  const { repo, target } = github;
  const sha = gitInfo(ctx.env, ctx.workspace).sha;
  if (!sha) throw new UserError('recording a GitHub deployment needs the commit being deployed, and there is none (no GITHUB_SHA, not in a git checkout)', { where: { input: 'environment' }, fix: 'run in a checkout of the repository, or leave `environment` empty' });
  const run_ = runUrl(ctx.env);
  const logUrl = run_ && ctx.env.GITHUB_RUN_ATTEMPT ? `${run_}/attempts/${ctx.env.GITHUB_RUN_ATTEMPT}` : run_;
  let recorded: RecordedDeployment | undefined;
  const onStart = async (s: DeployStart) => {
    const payload: DeploymentPayload = { run_id: ctx.env.GITHUB_RUN_ID ?? '', run_attempt: ctx.env.GITHUB_RUN_ATTEMPT ?? '', workload: `${s.namespace}/${s.name}`, cluster: s.server, image: s.image, image_digest: s.imageDigest, model: s.model };
    // Off a runner there is no run to find again: every deploy is a deployment of its own.
    if (!payload.run_id) payload.run_id = `local-${Date.now()}`;
    recorded = await findOrCreateDeployment(repo, { sha, environment: target.environment, description: `deploy-k8s: ${s.image} to ${s.namespace}/${s.name}`, payload });
    ctx.log.info(`GitHub deployment ${recorded.id} to ${target.environment} (${recorded.reused ? 'found again: this run created it' : 'created'})`);
    await setDeploymentStatus(repo, recorded.id, { state: 'in_progress', description: `rolling out ${s.namespace}/${s.name}`, logUrl });
  };
  let result: DeployResult;
  try {
    result = await run(onStart);
  } catch (e) {
    if (recorded) {
      const description = isUserError(e) ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`;
      await setDeploymentStatus(repo, recorded.id, { state: 'error', description, logUrl }).catch((err: unknown) => ctx.log.warn(`could not mark GitHub deployment ${recorded!.id} as error: ${(err as Error).message}`));
    }
    throw e;
  }
  if (!recorded) return { result };
  const final = finalStatus(result);
  const record: GitHubRecord = { id: recorded.id, environment: target.environment, state: final.state, reused: recorded.reused, url: environmentPage(ctx.env, target.environment) };
  // After a rollback the previous revision serves at the same URL; a failed one serves nothing.
  const environmentUrl = result.status === 'failed' ? undefined : target.url || result.url || undefined;
  await setDeploymentStatus(repo, recorded.id, { ...final, logUrl, environmentUrl }).catch((err: unknown) => {
    ctx.log.warn(`the rollout is done, but GitHub deployment ${recorded!.id} could not be updated: ${(err as Error).message}`);
    record.state = 'in_progress';
  });
  return { result, recorded: record };
}

export interface GitHubRecord {
  id: number;
  environment: string;
  /** The last status set. */
  state: DeploymentState;
  reused: boolean;
  /** The environment's deployments page, when the run is on GitHub. */
  url?: string;
}

function environmentPage(env: Context['env'], environment: string): string | undefined {
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: slug } = env;
  // Parentheses too: the URL goes into a markdown link.
  return slug ? `${server}/${slug}/deployments/${encodeURIComponent(environment).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}` : undefined;
}

/** One line of the job summary: where the deploy shows on GitHub. */
export function renderRecord(r: GitHubRecord): Md {
  const where = r.url ? md`[${r.environment}](${new Md(r.url)})` : code(r.environment);
  return md`GitHub deployment ${r.id} to ${where}: ${code(r.state)}${r.reused ? md` (created by an earlier attempt of this run)` : md``}.`;
}
