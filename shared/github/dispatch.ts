/** Start a workflow by `workflow_dispatch` (the retrain trigger). */
import { UserError } from '../runtime/errors.js';
import type { GitHubRepo } from './client.js';
import { explainGitHubError } from './client.js';

export async function dispatchWorkflow(r: GitHubRepo, workflow: string, ref: string, inputs: Record<string, string>, input = 'retrain-workflow'): Promise<void> {
  const { gh, owner, repo } = r;
  try {
    await gh.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: workflow, ref, inputs });
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 422) {
      throw new UserError(`GitHub refused to start ${workflow} on ${ref}: ${(e as Error).message}`, {
        where: { input },
        title: 'GitHub API error',
        fix: `the workflow needs \`on: workflow_dispatch\` with the inputs ${Object.keys(inputs).join(', ')} declared, and the ref must exist`,
      });
    }
    if (status === 404) {
      throw new UserError(`GitHub found no workflow ${workflow} in ${owner}/${repo} (HTTP 404)`, {
        where: { input },
        title: 'GitHub API error',
        fix: 'name a workflow file under .github/workflows (e.g. retrain.yml) and give the token `permissions: actions: write`',
      });
    }
    throw explainGitHubError(e, `start the workflow ${workflow}`, 'actions: write');
  }
}
