import fs from 'node:fs';
import { z } from 'zod';

/** The pull request a run is about, from the event payload (zod-parsed: the payload is outside input). */
export interface PullRequestContext {
  number: number;
  /** The PR head commit: what the author pushed, not the merge commit GITHUB_SHA names. */
  headSha: string;
  baseRef: string;
  /** From a fork: the token is read-only, so comments need the workflow_run pattern. */
  fromFork: boolean;
}

const payloadSchema = z.object({
  pull_request: z
    .object({
      number: z.number().int().positive(),
      head: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), repo: z.object({ full_name: z.string() }).nullable().optional() }),
      base: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }) }),
    })
    .optional(),
});

export function pullRequestContext(env: Readonly<Record<string, string | undefined>>): PullRequestContext | null {
  const eventName = env.GITHUB_EVENT_NAME;
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') return null;
  if (!env.GITHUB_EVENT_PATH || !fs.existsSync(env.GITHUB_EVENT_PATH)) return null;
  const parsed = payloadSchema.safeParse(JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, 'utf8')));
  if (!parsed.success || !parsed.data.pull_request) return null;
  const pr = parsed.data.pull_request;
  return { number: pr.number, headSha: pr.head.sha, baseRef: pr.base.ref, fromFork: (pr.head.repo?.full_name ?? '') !== pr.base.repo.full_name };
}
