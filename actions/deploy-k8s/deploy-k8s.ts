import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { githubRepo } from '../../shared/github/client.js';
import { recordOnGitHub, renderRecord } from '../../shared/github/deployment.js';
import { deploy } from '../../shared/k8s/deploy.js';
import { canarySteps } from '../../shared/k8s/canary-report.js';
import { failureLine, renderDeploy } from '../../shared/k8s/report.js';
import { join, Md } from '../../shared/report/markdown.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';

async function deployK8s(i: Inputs, ctx: Context): Promise<ActionResult> {
  const github = i.environment ? { repo: githubRepo(ctx.env, i['github-token'] || ctx.env.GITHUB_TOKEN), target: { environment: i.environment, url: i['environment-url'] } } : undefined;
  const { result: r, recorded } = await recordOnGitHub(github, ctx, (onStart) => deploy(
    {
      image: i.image,
      model: i.model,
      name: i.name,
      namespace: i.namespace,
      kubeconfig: i.kubeconfig,
      manifests: i.manifests,
      replicas: i.replicas,
      env: i.env,
      annotations: i.annotations,
      strategy: i.strategy,
      timeoutSeconds: i.timeout,
      rollback: i.rollback,
      fieldManager: i['field-manager'],
      forceConflicts: i['force-conflicts'],
      monitoring: { mode: i.monitoring, dir: i['monitoring-dir'], labels: i['monitoring-labels'], thresholds: i.alerts },
      githubToken: i['github-token'],
      onStart,
      canary: {
        steps: i.steps,
        intervalSeconds: i.interval,
        count: i.count,
        failureLimit: i['failure-limit'],
        inconclusiveLimit: i['inconclusive-limit'],
        consecutiveErrorLimit: i['consecutive-error-limit'],
        prometheus: i.prometheus,
        prometheusToken: i['prometheus-token'],
        analysis: i.analysis,
        route: i.route,
      },
    },
    ctx,
  ));
  return {
    outputs: { revision: String(r.revision ?? ''), 'previous-revision': String(r.previousRevision ?? ''), status: r.status, url: r.url ?? '', 'canary-steps': r.canary ? JSON.stringify(canarySteps(r.canary)) : '' },
    summary: join([new Md(renderDeploy(r)), recorded && renderRecord(recorded)]).text,
    annotations: (r.monitoring?.notes ?? []).map((message) => ({ level: 'notice' as const, title: 'deploy-k8s: monitoring', message })),
    failure: failureLine(r),
  };
}

export const action = defineAction({ id: 'deploy-k8s', actionYml, inputs, run: deployK8s });
