/**
 * The workflow in docs/drift.md ("The drift-check action"), run step by step through the runner
 * protocol: each `uses:` step's bundle with its `with:` inputs, each `run:` step in bash with its
 * `env:` and `if:` evaluated from the earlier steps' outputs (the only expressions it uses).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { REPO_ROOT, runAction, workspaceWith } from '../harness/runner.js';

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
  if?: string;
  env?: Record<string, string>;
  run?: string;
}

function documentedWorkflow(): { jobs: Record<string, { steps: Step[] }> } {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/drift.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The drift-check action'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('no yaml block in the drift-check section of docs/drift.md');
  return YAML.parse(block[1]!);
}

describe('the drift-check workflow in docs/drift.md', () => {
  it('runs as written', async () => {
    const ws = workspaceWith({});
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather/data'), path.join(ws, 'examples/weather/data'), { recursive: true });
    const outputs: Record<string, Record<string, string>> = {};
    const expr = (text: string) =>
      text.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g, (_, id: string, name: string) => outputs[id]?.[name] ?? '');
    const printed: string[] = [];
    const steps = Object.values(documentedWorkflow().jobs)[0]!.steps;
    for (const step of steps) {
      if (step.uses?.startsWith('actions/checkout@')) continue;
      if (step.if) {
        const m = /^steps\.([\w-]+)\.outputs\.([\w-]+) == '([^']*)'$/.exec(step.if);
        expect(m, `unsupported if: ${step.if}`).not.toBeNull();
        if (outputs[m![1]!]?.[m![2]!] !== m![3]) continue;
      }
      if (step.uses) {
        const action = /^mlops-actions\/mlops\/actions\/([\w-]+)@v1$/.exec(step.uses)![1]!;
        const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)]));
        const r = await runAction(action, inputs, { workspace: ws });
        expect(r.exitCode, `${action}: ${r.stdout}`).toBe(0);
        if (step.id) outputs[step.id] = r.outputs;
      } else {
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(v)]));
        const r = spawnSync('bash', ['-e', '-c', step.run!], { cwd: ws, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        printed.push(r.stdout);
      }
    }
    expect(outputs.drift).toMatchObject({ status: 'drift', drifted: 'true' });
    const said = /drifted columns: (\[.*\])/.exec(fs.readFileSync(path.join(REPO_ROOT, 'docs/drift.md'), 'utf8'))![1]!;
    expect(printed).toEqual([`drifted columns: ${said}\n`]);
  }, 300_000);
});
