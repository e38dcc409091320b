/**
 * drift-check's alerts through the runner protocol against the GitHub fake (OpenAPI-validated):
 * one sticky issue per model, opened on drift, updated while it lasts, closed on recovery, never
 * duplicated (re-runs, concurrent runs); the retrain workflow dispatched once per cooldown.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';
import { REPO_ROOT, runAction, workspaceWith } from '../harness/runner.js';

const weather = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), 'utf8');
const [header, ...rows] = weather.trimEnd().split('\n');
const slice = rows.filter((r) => /^201[34]-/.test(r));
const csv = (lines: string[]) => `${header}\n${lines.join('\n')}\n`;
const warmer = slice.map((r) => r.replace(/^([^,]*,[^,]*,)([^,]*)/, (_, head: string, t: string) => `${head}${(Number(t) + 5).toFixed(1)}`));

let fake: GitHubFake;
let ws: string;
beforeAll(async () => {
  fake = await startGitHubFake();
  ws = workspaceWith({ 'reference.csv': weather, 'later.csv': csv(slice), 'warmer.csv': csv(warmer) });
  const r = await runAction('validate-data', { data: 'reference.csv', profile: 'profile.json', report: 'vd.json' }, { workspace: ws });
  expect(r.exitCode, r.stdout).toBe(0);
}, 300_000);
afterAll(async () => {
  expect(fake.violations()).toEqual([]);
  await fake.stop();
});

const check = (current: string, more: Record<string, string> = {}) =>
  runAction(
    'drift-check',
    { reference: 'profile.json', current, 'time-column': 'date', 'drift-share': '0.2', 'fail-on': 'never', issue: 'true', model: 'weather', retrain: 'dispatch', 'retrain-workflow': 'retrain.yml', 'retrain-ref': 'main', 'github-token': fake.token, ...more },
    { workspace: ws, env: fake.env() },
  );
const repo = () => fake.state.repo(fake.owner, fake.repo)!;
const issues = () => [...repo().issues.values()];

describe('drift issue and retrain dispatch', () => {
  it('drift opens one issue and dispatches retrain once; a re-run updates it within the cooldown; recovery closes it', async () => {
    const first = await check('warmer.csv');
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({ status: 'drift', 'retrain-dispatched': 'true' });
    expect(issues()).toHaveLength(1);
    const [issue] = issues();
    expect(issue).toMatchObject({ title: 'Data drift: weather', state: 'open', labels: ['mlops-drift'], login: 'github-actions[bot]' });
    expect(first.outputs['issue-url']).toBe(`${fake.webUrl}/${fake.owner}/${fake.repo}/issues/${issue!.number}`);
    expect(issue!.body).toContain('<!-- mlops:drift-check:weather -->');
    expect(issue!.body).toMatch(/<code>temp\\_max<\/code> \| \*\*yes\*\* \| wasserstein/);
    expect(repo().workflowDispatches).toHaveLength(1);
    const dispatch = repo().workflowDispatches[0]!;
    expect(dispatch).toMatchObject({ workflow_id: 'retrain.yml', ref: 'main' });
    expect(JSON.parse((dispatch.inputs as Record<string, string>)['drift-report']!)).toMatchObject({ model: 'weather', status: 'drift', drifted: ['temp_max'] });
    expect(first.summary).toMatch(/Drift issue #\d+ opened: /);

    const again = await check('warmer.csv');
    expect(again.outputs).toMatchObject({ status: 'drift', 'retrain-dispatched': 'false', 'issue-url': first.outputs['issue-url'] });
    expect(again.summary).toMatch(/Retrain: not dispatched: the last retrain started \S+, within the cooldown of 24 h\./);
    expect(issues()).toHaveLength(1);
    expect(repo().workflowDispatches).toHaveLength(1);

    const recovered = await check('later.csv');
    expect(recovered.outputs).toMatchObject({ status: 'ok', 'retrain-dispatched': 'false', 'issue-url': first.outputs['issue-url'] });
    expect(issues()).toHaveLength(1);
    expect(issues()[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(issues()[0]!.body).toContain('**Recovered**');
    expect(repo().workflowDispatches).toHaveLength(1);

    // Still ok: nothing to open or close.
    const quiet = await check('later.csv');
    expect(quiet.outputs['issue-url']).toBe('');
    expect(issues()).toHaveLength(1);
  }, 300_000);

  it('concurrent runs on a new drift leave exactly one open issue', async () => {
    fake.gather('issues/create', 2);
    const [a, b] = await Promise.all([check('warmer.csv', { model: 'twin', retrain: 'none' }), check('warmer.csv', { model: 'twin', retrain: 'none' })]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const twins = issues().filter((i) => i.title === 'Data drift: twin');
    expect(twins).toHaveLength(2);
    expect(twins.filter((i) => i.state === 'open')).toHaveLength(1);
    expect(twins.find((i) => i.state === 'closed')).toMatchObject({ state_reason: 'duplicate' });
    expect(a.outputs['issue-url']).toBe(b.outputs['issue-url']);
  }, 300_000);

  it('retrain: dispatch without issue: true is a UserError', async () => {
    const r = await check('warmer.csv', { issue: 'false' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]).toMatchObject({ level: 'error', title: 'drift-check: invalid input' });
    expect(r.annotations[0]!.message).toMatch(/retrain: dispatch keeps the time of the last dispatch in the drift issue.*\nFix: set `issue: true`/s);
  });
});
