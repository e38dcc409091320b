import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';
import { REPO_ROOT, runAction } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/**
 * drift-check with a model in GitHub Releases as its reference (the training profile train
 * recorded with it), as on a runner: the workflow's token arrives as the `github-token` input
 * only, never as GITHUB_TOKEN in the environment (baseline-metrics goes the same way).
 */
let fake: GitHubFake;
let ws: string;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startGitHubFake();
  ws = tempDir('drift-release-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
  const { GITHUB_TOKEN: _unset, ...context } = fake.env();
  env = { ...context, GITHUB_TOKEN: '', MLOPS_CACHE_DIR: tempDir('drift-release-cache-') };
  const validated = await runAction('validate-data', { data: 'weather/data/seattle-weather.csv', profile: 'weather/profile.json', report: '.mlops/validate.json', 'fail-on': 'error' }, { workspace: ws });
  expect(validated.exitCode, validated.stdout).toBe(0);
  const trained = await runAction(
    'train',
    { command: 'node train.mjs', 'working-directory': 'weather', params: 'params.json', data: 'data/seattle-weather.csv', model: 'model.onnx', metrics: 'metrics.json', profile: 'profile.json', seed: '7', 'timeout-minutes': '10', cache: 'false', publish: 'release:weather', tags: 'champion', name: '', code: '**/*.mjs', 'github-token': fake.token },
    { workspace: ws, env },
  );
  expect(trained.exitCode, trained.stdout).toBe(0);
}, 300_000);

afterAll(async () => {
  await fake?.stop();
});

describe('drift-check: a release: model as the reference, with the github-token input only', () => {
  it('reads the recorded training profile with the token given as an input', async () => {
    const inputs = { reference: 'release:weather@champion', current: 'weather/data/eval-2015.csv', 'time-column': 'date', 'fail-on': 'never', model: 'weather' };
    const r = await runAction('drift-check', { ...inputs, 'github-token': fake.token }, { workspace: ws, env });
    expect(r.exitCode, r.stdout).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(ws, '.mlops/drift-report.json'), 'utf8'));
    expect(report.columns.length).toBeGreaterThan(0);
    // Without any token the private release cannot be read: a clear error, not a crash.
    const anonymous = await runAction('drift-check', { ...inputs, 'github-token': '' }, { workspace: ws, env });
    expect(anonymous.exitCode).toBe(1);
    expect(anonymous.stdout).not.toMatch(/Internal error/);
  }, 300_000);
});
