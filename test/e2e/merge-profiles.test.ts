/**
 * workflows-examples/profile-shards.yml run job by job, step by step, through the runner
 * protocol: a matrix of validate-data jobs (one per year of the weather data) uploads shard
 * profiles, the merge job downloads them (artifacts are directories here), merges them with
 * merge-profiles and runs drift-check on the merged profile. The merged profile equals the
 * profile of the whole dataset; the CLI's merge-profiles writes the same file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type Profile, profileSchema } from '../../shared/data/profile.js';
import { driftReportSchema } from '../../shared/drift/report.js';
import { REPO_ROOT, runAction } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  run?: string;
}
interface Job {
  needs?: string;
  strategy?: { matrix: Record<string, string[]> };
  steps: Step[];
}

/** A fresh checkout: the repository files the example reads. */
function checkout(): string {
  const ws = tempDir('mlops-shards-ws-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'examples/weather'), { recursive: true });
  return ws;
}

/** Run one job's steps; artifacts live in `artifacts/<name>/`. Returns the steps' outputs and what run steps printed. */
async function runJob(job: Job, matrix: Record<string, string>, artifacts: string): Promise<{ ws: string; outputs: Record<string, Record<string, string>>; printed: string[] }> {
  const ws = checkout();
  const outputs: Record<string, Record<string, string>> = {};
  const printed: string[] = [];
  const expr = (text: string) =>
    text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, ref: string) => {
      const m = /^matrix\.([\w-]+)$/.exec(ref);
      if (m) return matrix[m[1]!]!;
      const s = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(ref);
      if (!s) throw new Error(`unsupported expression ${ref}`);
      return outputs[s[1]!]?.[s[2]!] ?? '';
    });
  for (const step of job.steps) {
    const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expr(String(v))]));
    if (step.uses?.startsWith('actions/checkout@')) continue;
    if (step.uses?.startsWith('actions/upload-artifact@')) {
      const dir = path.join(artifacts, inputs.name!);
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(path.join(ws, inputs.path!), path.join(dir, path.basename(inputs.path!)));
    } else if (step.uses?.startsWith('actions/download-artifact@')) {
      expect(inputs).toMatchObject({ pattern: 'profile-*', 'merge-multiple': 'true' });
      fs.mkdirSync(path.join(ws, inputs.path!), { recursive: true });
      for (const name of fs.readdirSync(artifacts).filter((n) => n.startsWith('profile-'))) {
        for (const f of fs.readdirSync(path.join(artifacts, name))) fs.copyFileSync(path.join(artifacts, name, f), path.join(ws, inputs.path!, f));
      }
    } else if (step.uses) {
      const action = /^\.\/actions\/([\w-]+)$/.exec(step.uses)![1]!;
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
  return { ws, outputs, printed };
}

/** Equal, except the source (other files) and the moments, which agree to floating-point rounding. */
function expectSameProfile(merged: Profile, whole: Profile): void {
  const ROUNDED = new Set(['mean', 'm2', 'variance']);
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (typeof a === 'number' && typeof b === 'number' && ROUNDED.has(at.split('.').at(-1)!)) {
      expect(Math.abs(a - b), at).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
    } else if (a && b && typeof a === 'object' && typeof b === 'object') {
      expect(Object.keys(a).sort(), at).toEqual(Object.keys(b).sort());
      for (const k of Object.keys(a)) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    } else expect(a, at).toEqual(b);
  };
  expect(merged.rows).toBe(whole.rows);
  walk(merged.columns, whole.columns, 'columns');
}

describe('workflows-examples/profile-shards.yml', () => {
  it('a matrix of shard profiles merges into the profile of the whole; drift-check reads it; the CLI merges the same', async () => {
    const wf = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows-examples/profile-shards.yml'), 'utf8')) as { jobs: Record<string, Job> };
    const artifacts = tempDir('mlops-artifacts-');
    const { profile, merge } = wf.jobs as { profile: Job; merge: Job };
    expect(merge.needs).toBe('profile');
    const years = profile.strategy!.matrix.year!;
    expect(years).toEqual(['2012', '2013', '2014', '2015']);
    for (const year of years) await runJob(profile, { year }, artifacts);
    const job = await runJob(merge, {}, artifacts);
    expect(job.outputs.merge).toEqual({ profile: '.mlops/profile.json', rows: '1461', shards: '4' });
    expect(job.printed).toEqual([`merged 4 shard profiles (1461 rows); drift-check: ${job.outputs.drift!.status}\n`]);
    const merged = profileSchema.parse(JSON.parse(fs.readFileSync(path.join(job.ws, '.mlops/profile.json'), 'utf8')));
    expect(merged.source.files.map((f) => f.path)).toEqual(years.map((y) => `shard/weather-${y}.csv`));

    // The profile of the whole file, as validate-data writes it.
    const whole = await runAction('validate-data', { data: 'examples/weather/data/seattle-weather.csv', profile: 'whole.json' }, { workspace: job.ws });
    expect(whole.exitCode, whole.stdout).toBe(0);
    const wholeProfile = profileSchema.parse(JSON.parse(fs.readFileSync(path.join(job.ws, 'whole.json'), 'utf8')));
    expectSameProfile(merged, wholeProfile);
    // Every column's distinct count is exact here (date: 1,461 values, each shard kept all of its own).
    expect(merged.columns.map((c) => [c.name, c.distinct.exact])).toEqual(wholeProfile.columns.map((c) => [c.name, true]));

    // drift-check on the merged profile and on the whole one: the same numbers.
    const drift = (reference: string, report: string) => runAction('drift-check', { reference, current: 'examples/weather/data/eval-2015.csv', 'time-column': 'date', 'fail-on': 'never', report }, { workspace: job.ws });
    expect((await drift('whole.json', 'whole-drift.json')).exitCode).toBe(0);
    const values = (file: string) => driftReportSchema.parse(JSON.parse(fs.readFileSync(path.join(job.ws, file), 'utf8'))).columns.map((c) => [c.column, c.test, c.value, c.drifted]);
    const fromMerged = values('.mlops/drift-report.json');
    const fromWhole = values('whole-drift.json');
    fromMerged.forEach((c, i) => {
      expect(c.slice(0, 2)).toEqual(fromWhole[i]!.slice(0, 2));
      expect(Math.abs((c[2] as number) - (fromWhole[i]![2] as number))).toBeLessThanOrEqual(1e-9);
      expect(c[3]).toBe(fromWhole[i]![3]);
    });

    // The CLI: `mlops merge-profiles --profiles shards --output merged.json`, the same file.
    const cli = spawnSync(process.execPath, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), 'merge-profiles', '--profiles', 'shards', '--output', 'merged.json'], { cwd: job.ws, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual({ profile: 'merged.json', rows: '1461', shards: '4' });
    expect(fs.readFileSync(path.join(job.ws, 'merged.json'), 'utf8')).toBe(fs.readFileSync(path.join(job.ws, '.mlops/profile.json'), 'utf8'));
  }, 600_000);

  it('a directory without profiles, and shards of different formats, are UserErrors naming the input', async () => {
    const ws = checkout();
    fs.mkdirSync(path.join(ws, 'empty'));
    const empty = await runAction('merge-profiles', { profiles: 'empty' }, { workspace: ws });
    expect(empty.exitCode).toBe(1);
    expect(empty.annotations[0]!.message).toMatch(/empty: the directory holds no \.json profile \(input `profiles`\)/);
    fs.writeFileSync(path.join(ws, 'a.csv'), 'x\n1\n2\n');
    fs.writeFileSync(path.join(ws, 'b.json'), '[{"x": 3}]\n');
    for (const [data, profile] of [['a.csv', 'mixed/a.json'], ['b.json', 'mixed/b.json']]) expect((await runAction('validate-data', { data: data!, profile: profile! }, { workspace: ws })).exitCode).toBe(0);
    const mixed = await runAction('merge-profiles', { profiles: 'mixed' }, { workspace: ws });
    expect(mixed.exitCode).toBe(1);
    expect(mixed.annotations[0]!.message).toMatch(/cannot merge mixed\/b\.json with the others: cannot merge a csv profile with a json one \(input `profiles`\)/);
  }, 300_000);
});
