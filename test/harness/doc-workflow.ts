/**
 * A workflow shown in a doc, run step by step through the runner protocol: each
 * `mlops-actions/mlops/actions/<name>@v1` step's bundle with its `with:` inputs, each `run:` step
 * in bash with its `env:`; `${{ steps.<id>.outputs.<name> }}` in `with:` and `env:` is replaced by
 * the earlier steps' outputs (the only expressions such docs use). actions/checkout is skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT, runAction, type RunResult } from './runner.js';

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  run?: string;
}

/** The first ```yaml block after `heading` in docs/<doc>, as a workflow's steps (its first job). */
export function documentedSteps(doc: string, heading: string): Step[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'docs', doc), 'utf8');
  const at = text.indexOf(heading);
  const block = at < 0 ? null : /```yaml\n([\s\S]*?)```/.exec(text.slice(at));
  if (!block) throw new Error(`no yaml block under "${heading}" in docs/${doc}`);
  const workflow = YAML.parse(block[1]!) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(workflow.jobs)[0]!.steps;
}

export interface StepRun {
  step: Step;
  action?: RunResult;
  shell?: { status: number | null; stdout: string; stderr: string };
}

/** Run the steps in order in `workspace`; stops at the first that fails (its run is the last). */
export async function runSteps(steps: Step[], workspace: string, env: Record<string, string> = {}): Promise<StepRun[]> {
  const outputs: Record<string, Record<string, string>> = {};
  const expr = (text: string) => text.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g, (_, id: string, name: string) => outputs[id]?.[name] ?? '');
  const runs: StepRun[] = [];
  for (const step of steps) {
    if (step.uses?.startsWith('actions/checkout@')) continue;
    if (step.uses) {
      const action = /^mlops-actions\/mlops\/actions\/([\w-]+)@v1$/.exec(step.uses)?.[1];
      if (!action) throw new Error(`not one of our actions: ${step.uses}`);
      const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expr(String(v))]));
      const r = await runAction(action, inputs, { workspace, env });
      runs.push({ step, action: r });
      if (r.exitCode !== 0) return runs;
      if (step.id) outputs[step.id] = r.outputs;
    } else {
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(v)]));
      const r = spawnSync('bash', ['-e', '-c', step.run!], { cwd: workspace, env: { PATH: process.env.PATH, ...env, ...stepEnv }, encoding: 'utf8' });
      runs.push({ step, shell: { status: r.status, stdout: r.stdout, stderr: r.stderr } });
      if (r.status !== 0) return runs;
    }
  }
  return runs;
}
