import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { z } from 'zod';
import { defineAction, input } from '../../shared/runtime/action.js';
import { UserError } from '../../shared/runtime/errors.js';
import { runAction } from '../../shared/runtime/runner.js';
import { parseOutputFile } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

const yml = `name: t
description: test action
inputs:
  github-token: { description: token, required: true }
  note: { description: free text, default: '' }
  flag: { description: a boolean, default: 'false' }
outputs:
  echoed: { description: the note }
runs: { using: node24, main: dist/index.js }
`;

function fakeAction(run: (i: { 'github-token': string; note: string | undefined; flag: boolean }) => Promise<void> | void) {
  return defineAction({
    id: 't',
    actionYml: YAML.parse(yml),
    inputs: z.object({ 'github-token': z.string(), note: input.optional(), flag: input.boolean() }),
    async run(i) {
      await run(i);
      return { outputs: { echoed: i.note ?? '' }, summary: `note: ${i.note}`, annotations: [] };
    },
  });
}

describe('the Actions adapter', () => {
  let stdout: string;
  let dir: string;
  const saved = { ...process.env };
  beforeEach(() => {
    stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    dir = tempDir('adapter-');
    for (const f of ['out', 'summary']) fs.writeFileSync(path.join(dir, f), '');
    Object.assign(process.env, { GITHUB_OUTPUT: path.join(dir, 'out'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary'), 'INPUT_GITHUB-TOKEN': 'ghs_secret123\nsecond-line', INPUT_NOTE: 'multi\nline', INPUT_FLAG: 'True' });
    process.exitCode = undefined;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.env = { ...saved };
    process.exitCode = undefined;
  });

  it('masks every line of a token input before anything runs, writes outputs and summary', async () => {
    let order = '';
    await runAction(fakeAction((i) => ((order = stdout), expect(i.flag).toBe(true))));
    expect(order).toContain('::add-mask::ghs_secret123');
    expect(order).toContain('::add-mask::second-line');
    expect(parseOutputFile(fs.readFileSync(path.join(dir, 'out'), 'utf8'))).toEqual({ echoed: 'multi\nline' });
    expect(fs.readFileSync(path.join(dir, 'summary'), 'utf8')).toContain('note: multi\nline');
    expect(process.exitCode).toBeUndefined();
  });

  it('reports a UserError as one annotation with its place, exit 1, no stack', async () => {
    await runAction(fakeAction(() => {
      throw new UserError('bad thing', { where: { file: 'a.yml', line: 3, column: 2 }, fix: 'do better' });
    }));
    expect(process.exitCode).toBe(1);
    expect(stdout).toContain('::error title=t%3A invalid input,file=a.yml,line=3,col=2::a.yml:3:2: bad thing%0AFix: do better');
    expect(stdout).not.toMatch(/\s+at /);
  });

  it('reports anything else as a bug, with the stack', async () => {
    await runAction(fakeAction(() => {
      throw new TypeError('oops');
    }));
    expect(process.exitCode).toBe(1);
    expect(stdout).toMatch(/::error::Internal error \(a bug in mlops-actions, not in your inputs\): oops%0ATypeError: oops%0A\s+at /);
  });

  it('rejects a boolean input that getBooleanInput would reject', async () => {
    process.env.INPUT_FLAG = 'yes';
    await runAction(fakeAction(() => {}));
    expect(process.exitCode).toBe(1);
    expect(stdout).toMatch(/input "flag" is invalid: expected true or false/);
  });

  it('writes log lines no value can turn into a workflow command or a leaked credential; annotations shown plainly', async () => {
    process.env.INPUT_NOTE = 'x\n::error::injected\r::warning::lone cr ##[error]legacy https://bot:S3CRET@git.example/r.git';
    await runAction(
      defineAction({
        id: 't',
        actionYml: YAML.parse(yml),
        inputs: z.object({ 'github-token': z.string(), note: input.optional(), flag: input.boolean() }),
        async run(i, ctx) {
          ctx.log.info(`note: ${i.note}`);
          return { outputs: {}, summary: '', annotations: [{ level: 'warning', title: 'spoof\u202Etxt', message: `value ${i.note}\u200B` }] };
        },
      }),
    );
    for (const line of stdout.split(/\r\n|\r|\n/)) {
      expect(line).not.toMatch(/^\s*::(error|warning)::(injected|lone cr)/);
      // The runner parses a line as `::cmd::` first; only other lines are searched for a legacy `##[cmd]`.
      if (!/^::(warning|error|notice|debug|add-mask|group)[ :]/.test(line)) expect(line).not.toContain('##[');
    }
    expect(stdout).not.toContain('S3CRET@');
    expect(stdout).toContain('::warning title=spoof\\u202Etxt::value x%0A');
    expect(stdout).toContain('\\u200B');
    expect(stdout).not.toMatch(/[\u202E\u200B]/);
  });
});
