import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { gateCommentKey, gateReportSchema, renderGateReport } from '../../shared/gate/report.js';
import { explainGitHubError, githubRepo } from '../../shared/github/client.js';
import { upsertStickyComment } from '../../shared/github/sticky-comment.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { UserError } from '../../shared/runtime/errors.js';

/** A report artifact larger than this is refused unread. */
const MAX_REPORT_BYTES = 1024 * 1024;

const workflowRunEvent = z.object({
  workflow_run: z.object({
    name: z.string(),
    head_sha: z.string().regex(/^[0-9a-f]{40}$/),
    event: z.string(),
  }),
});

/**
 * The second half of the fork pattern. The fork's run could only write an artifact; this run
 * has a write token, so it must not trust the artifact: the report is parsed strictly, the PR
 * it names must exist with the head commit GitHub says the run built, and the comment is
 * rendered here, escaping every string.
 */
export async function prReport(i: Inputs, ctx: Context): Promise<ActionResult> {
  if (ctx.env.GITHUB_EVENT_NAME !== 'workflow_run') {
    throw new UserError('pr-report runs in a workflow triggered by `workflow_run`', { fix: 'see workflows-examples/pr-evaluate-fork-comment.yml' });
  }
  const event = workflowRunEvent.safeParse(JSON.parse(fs.readFileSync(ctx.env.GITHUB_EVENT_PATH ?? '', 'utf8')));
  if (!event.success) throw new UserError('the workflow_run event payload lacks the run\'s name or head commit');
  const run = event.data.workflow_run;

  const file = path.resolve(ctx.workspace, i.report);
  if (!fs.existsSync(file)) throw new UserError(`report not found: ${i.report}`, { where: { input: 'report' }, fix: 'download the artifact the pull-request run uploaded (actions/download-artifact with run-id)' });
  if (fs.statSync(file).size > MAX_REPORT_BYTES) throw new UserError(`the report is larger than ${MAX_REPORT_BYTES} bytes: refused`, { where: { input: 'report' } });
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`the report is not JSON: ${(e as Error).message}`, { where: { input: 'report' } });
  }
  const parsed = gateReportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`the report is not a valid evaluate-gate report (at ${issue.path.join('.') || 'the top'}: ${issue.message}); nothing was commented`, { where: { input: 'report' } });
  }
  const report = parsed.data;
  if (!report.pullRequest) throw new UserError('the report names no pull request; nothing was commented', { where: { input: 'report' } });
  if (report.commit !== run.head_sha) throw new UserError(`the report is about commit ${report.commit ?? 'none'}, but the run built ${run.head_sha}: refused`, { where: { input: 'report' } });

  const repo = githubRepo(ctx.env, i['github-token'] || ctx.env.GITHUB_TOKEN);
  let headSha: string;
  try {
    headSha = (await repo.gh.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: report.pullRequest })).data.head.sha;
  } catch (e) {
    throw explainGitHubError(e, `read pull request #${report.pullRequest}`, 'pull-requests: read');
  }
  if (headSha !== run.head_sha) throw new UserError(`pull request #${report.pullRequest} is at ${headSha}, not at the commit the run built (${run.head_sha}): refused`);

  const markdown = renderGateReport(report);
  const comment = await upsertStickyComment(repo, report.pullRequest, gateCommentKey(run.name, report.candidate.name), markdown);
  return {
    outputs: { 'comment-url': comment.url, 'pull-request': String(report.pullRequest) },
    summary: markdown,
    annotations: [],
  };
}

export const action = defineAction({ id: 'pr-report', actionYml, inputs, run: prReport });
