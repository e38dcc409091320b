// A directory where a file belongs (or a file where a folder belongs) is the user's mistake in
// every action: a clear error naming the input, never "Internal error" with a stack trace.
// One mechanism (shared/runtime/files.ts) serves them all.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

describe('paths that are the wrong kind of thing', () => {
  let ws: string;
  beforeAll(() => {
    ws = tempDir('mlops-paths-');
    fs.mkdirSync(path.join(ws, 'adir'));
    fs.writeFileSync(path.join(ws, 'afile.txt'), 'not a folder\n');
    fs.writeFileSync(path.join(ws, 'd.csv'), 'id,x\n1,2\n2,3\n');
    fs.writeFileSync(path.join(ws, 'schema.yml'), 'columns:\n  id: {type: int}\n  x: {type: int}\n');
  });
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

  const cases: [string, string, Record<string, string>, RegExp][] = [
    ['a directory as the schema', 'validate-data', { data: 'd.csv', schema: 'adir' }, /^adir is a directory, not a file \(input `schema`\)\nFix: give the path of the file itself/],
    ['a directory as the profile to write', 'validate-data', { data: 'd.csv', schema: 'schema.yml', profile: 'adir' }, /adir is a directory, not a file \(input `profile`\)/],
    ['a file as the report folder', 'validate-data', { data: 'd.csv', schema: 'schema.yml', report: 'afile.txt/report.json' }, /cannot write .*afile\.txt\/report\.json: a part of the path .* is a file, not a directory \(input `report`\)/],
    ['a directory as the params', 'train', { command: 'true', 'working-directory': '.', params: 'adir', data: 'd.csv', model: 'm.onnx', metrics: '' }, /adir is a directory, not a file \(input `params`\)/],
    ['a directory as the model to build', 'build-image', { model: 'adir', image: 'localhost/x', 'base-image': 'scratch', push: 'false', output: 'out' }, /adir is a directory, not a file \(input `model`\)/],
  ];
  it.each(cases)('%s', async (_what, action, inputs, message) => {
    const r = await runAction(action, inputs, { workspace: ws, env: { MLOPS_CACHE_DIR: path.join(ws, '.cache') } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/Internal error|    at /);
    expect(r.annotations[0]!.message).toMatch(message);
  }, 120_000);
});
