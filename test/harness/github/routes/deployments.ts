/** Deployments and their statuses (deploy-k8s records each rollout as one): list, create, get; list and create statuses. */
import { type Ctx, type Handler, intParam, notFound, paginate, repoOf, unprocessable } from '../http.js';
import { type DeploymentRec, type DeploymentStatusRec, now } from '../state.js';

/** GitHub's limit on a status description. */
export const MAX_STATUS_DESCRIPTION = 140;

function deploymentOf(ctx: Ctx) {
  const repo = repoOf(ctx);
  const deployment = repo.deployments.get(intParam(ctx, 'deployment_id'));
  if (!deployment) throw notFound(ctx);
  return { repo, deployment };
}

/** GET /repos/{o}/{r}/deployments: filtered by sha, ref, task and environment, newest first. */
const listDeployments: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const filters = (['sha', 'ref', 'task', 'environment'] as const).map((k) => [k, ctx.query.get(k)] as const).filter(([, v]) => v !== null);
  const items = [...repo.deployments.values()].filter((d) => filters.every(([k, v]) => d[k] === v)).sort((a, b) => b.id - a.id);
  return paginate(ctx, items.map((d) => ctx.state.deployment(repo, d)));
};

/** POST: `ref` is a sha, a branch or a tag; the fake checks no commit statuses and merges nothing. */
const createDeployment: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const b = ctx.body as { ref: string; task?: string; auto_merge?: boolean; required_contexts?: string[]; payload?: Record<string, unknown> | string; environment?: string; description?: string | null; transient_environment?: boolean; production_environment?: boolean };
  const short = b.ref.replace(/^refs\//, '');
  const sha = /^[0-9a-f]{40}$/.test(b.ref) ? b.ref : (repo.refs.get(short) ?? repo.refs.get(`heads/${short}`) ?? repo.refs.get(`tags/${short}`));
  if (!sha) throw unprocessable(ctx, `No ref found for: ${b.ref}`);
  const environment = b.environment ?? 'production';
  const t = now();
  const d: DeploymentRec = {
    id: ctx.state.nextId(),
    sha,
    ref: b.ref,
    task: b.task ?? 'deploy',
    payload: b.payload ?? {},
    environment,
    description: b.description ?? '',
    login: ctx.auth.login,
    transient_environment: b.transient_environment ?? false,
    production_environment: b.production_environment ?? environment === 'production',
    auto_merge: b.auto_merge ?? true,
    required_contexts: b.required_contexts,
    created_at: t,
    updated_at: t,
    statuses: [],
  };
  repo.deployments.set(d.id, d);
  const body = ctx.state.deployment(repo, d);
  return { status: 201, body, headers: { location: body.url } };
};

const getDeployment: Handler = (ctx) => {
  const { repo, deployment } = deploymentOf(ctx);
  return { status: 200, body: ctx.state.deployment(repo, deployment) };
};

const listStatuses: Handler = (ctx) => {
  const { repo, deployment } = deploymentOf(ctx);
  const items = [...deployment.statuses].reverse();
  return paginate(ctx, items.map((s) => ctx.state.deploymentStatus(repo, deployment, s)));
};

/**
 * POST .../statuses. `auto_inactive` (default true) marks earlier successful deployments to the
 * same environment inactive, for non-transient, non-production environments as GitHub documents.
 */
const createStatus: Handler = (ctx) => {
  const { repo, deployment } = deploymentOf(ctx);
  const b = ctx.body as { state: DeploymentStatusRec['state']; target_url?: string; log_url?: string; description?: string; environment?: string; environment_url?: string; auto_inactive?: boolean };
  const description = b.description ?? '';
  if (description.length > MAX_STATUS_DESCRIPTION) {
    throw unprocessable(ctx, 'Validation Failed', [{ resource: 'DeploymentStatus', code: 'custom', field: 'description', message: `description is too long (maximum is ${MAX_STATUS_DESCRIPTION} characters)` }]);
  }
  const t = now();
  const environment = b.environment ?? deployment.statuses.at(-1)?.environment ?? deployment.environment;
  const status: DeploymentStatusRec = { id: ctx.state.nextId(), state: b.state, description, environment, log_url: b.log_url ?? b.target_url ?? '', environment_url: b.environment_url ?? '', login: ctx.auth.login, created_at: t };
  deployment.statuses.push(status);
  deployment.updated_at = t;
  if (b.state === 'success' && (b.auto_inactive ?? true)) {
    for (const other of repo.deployments.values()) {
      if (other.id === deployment.id || other.environment !== environment || other.transient_environment || other.production_environment) continue;
      if (other.statuses.at(-1)?.state === 'success') other.statuses.push({ ...other.statuses.at(-1)!, id: ctx.state.nextId(), state: 'inactive', description: '', created_at: t });
    }
  }
  const body = ctx.state.deploymentStatus(repo, deployment, status);
  return { status: 201, body, headers: { location: body.url } };
};

export const deploymentRoutes: Record<string, Handler> = {
  'repos/list-deployments': listDeployments,
  'repos/create-deployment': createDeployment,
  'repos/get-deployment': getDeployment,
  'repos/list-deployment-statuses': listStatuses,
  'repos/create-deployment-status': createStatus,
};
