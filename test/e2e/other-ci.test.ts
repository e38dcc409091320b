import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { pushNodeBase } from '../harness/base-image.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { NODE24, REPO_ROOT, TOOL_CACHE } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/**
 * The GitLab CI and Jenkins examples (docs/other-ci.md): the GitLab file is valid against
 * GitLab's CI schema (as check-jsonschema vendors it), and every job's script / `sh` step runs
 * as written, in pipeline order, with `mlops` on PATH, against a real registry holding the
 * models and the image. Only the line installing the CLI from npm is left out (the test puts the
 * repository's CLI on PATH instead).
 */
const GITLAB = path.join(REPO_ROOT, 'workflows-examples/gitlab/.gitlab-ci.yml');
const JENKINS = path.join(REPO_ROOT, 'workflows-examples/jenkins/Jenkinsfile');
const CHECK_JSONSCHEMA = path.join(REPO_ROOT, '.tools/venv/bin/check-jsonschema');
const INSTALL_LINE = /^npm install (--prefix "\$WORKSPACE\/\.mlops-cli" )?--global @mlops-actions\/cli@1$/;

let registry: RunningRegistry;
let base: string;
let bin: string;

beforeAll(async () => {
  registry = await startRegistry({ auth: 'none' });
  const pushed = await pushNodeBase(new RegistryClient({ registry: registry.host }), tempDir('other-ci-base-'), NODE24);
  base = `${registry.host}/${pushed.repository}:${pushed.tag}`;
  bin = tempDir('other-ci-bin-');
  fs.writeFileSync(path.join(bin, 'mlops'), `#!/bin/sh\nexec ${JSON.stringify(NODE24)} ${JSON.stringify(path.join(REPO_ROOT, 'cli/dist/mlops.js'))} "$@"\n`, { mode: 0o755 });
}, 120_000);

afterAll(async () => {
  await registry?.stop();
});

/** A workspace holding the example project, as a CI checkout of a user's repository would. */
function checkout(): string {
  const ws = tempDir('other-ci-ws-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'examples/weather'), { recursive: true });
  return ws;
}

/** Run one step's shell text as a CI runner does (`sh -e`; bash here), failing with its output. */
function step(name: string, script: string, cwd: string, env: Record<string, string>): void {
  const r = spawnSync('bash', ['-eo', 'pipefail', '-c', script], { cwd, env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${name} failed (exit ${r.status}):\n${script}\n${r.stdout}\n${r.stderr}`);
}

async function tags(repository: string): Promise<string[]> {
  const res = await fetch(`${registry.url}/v2/${repository}/tags/list`);
  return res.ok ? (((await res.json()) as { tags: string[] }).tags ?? []).sort() : [];
}

function ciEnv(ws: string): Record<string, string> {
  return { RUNNER_TOOL_CACHE: TOOL_CACHE, MLOPS_CACHE_DIR: path.join(ws, '.cache'), GITHUB_ACTIONS: '', GITHUB_TOKEN: '' };
}

describe('workflows-examples/gitlab/.gitlab-ci.yml', () => {
  it('is valid against GitLab\'s CI schema, and the validator bites', () => {
    const ok = spawnSync(CHECK_JSONSCHEMA, ['--builtin-schema', 'vendor.gitlab-ci', GITLAB], { encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toMatch(/ok -- validation done/);
    expect(ok.status).toBe(0);
    const broken = path.join(tempDir('other-ci-broken-'), '.gitlab-ci.yml');
    fs.writeFileSync(broken, fs.readFileSync(GITLAB, 'utf8').replace('    when: always', '    when: sometimes'));
    const bad = spawnSync(CHECK_JSONSCHEMA, ['--builtin-schema', 'vendor.gitlab-ci', broken], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
  });

  it('runs every job\'s script in stage order: models and the image land in the registry, reports as files', async () => {
    const pipeline = parseYaml(fs.readFileSync(GITLAB, 'utf8')) as Record<string, unknown> & { stages: string[]; variables: Record<string, string>; default: { before_script: string[] } };
    const jobs = Object.entries(pipeline)
      .filter(([, v]) => typeof v === 'object' && v !== null && 'script' in v)
      .map(([name, v]) => ({ name, ...(v as { stage: string; script: string[] }) }))
      .sort((a, b) => pipeline.stages.indexOf(a.stage) - pipeline.stages.indexOf(b.stage));
    expect(jobs.map((j) => j.name)).toEqual(['validate', 'train', 'gate', 'promote', 'build-image', 'drift']);
    expect(pipeline.default.before_script).toHaveLength(1);
    expect(pipeline.default.before_script[0]).toMatch(INSTALL_LINE);
    const ws = checkout();
    // GitLab's predefined variables, then the file's variables (expanded by the shell, as GitLab
    // expands them), with BASE_IMAGE overridden as a project variable would (no docker.io here).
    const predefined = { CI_REGISTRY_IMAGE: `${registry.host}/acme/weather`, CI_REGISTRY_USER: 'gitlab-ci-token', CI_REGISTRY_PASSWORD: 'job-token', CI_COMMIT_SHORT_SHA: 'abc1234', CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main' };
    const exports = Object.entries(pipeline.variables).map(([k, v]) => `export ${k}="${v}"`).join('\n');
    for (const job of jobs) step(job.name, `${exports}\nexport BASE_IMAGE=${base}\n${job.script.join('\n')}`, ws, { ...ciEnv(ws), ...predefined });
    expect(await tags('acme/weather/models/weather')).toEqual(expect.arrayContaining(['1', 'champion', 'latest']));
    expect(await tags('acme/weather/server')).toContain('abc1234');
    expect(fs.readFileSync(path.join(ws, 'gate/report.md'), 'utf8')).toMatch(/accuracy/);
    expect(fs.readFileSync(path.join(ws, 'drift.md'), 'utf8')).toMatch(/drift/i);
  }, 600_000);
});

describe('workflows-examples/jenkins/Jenkinsfile', () => {
  it('runs every `sh` step in stage order against the registry its parameters name', async () => {
    const text = fs.readFileSync(JENKINS, 'utf8');
    const steps = [...text.matchAll(/\bsh\s+(?:'''([\s\S]*?)'''|'([^'\n]*)')/g)].map((m) => (m[1] ?? m[2]!).trim());
    expect(steps[0]).toMatch(INSTALL_LINE);
    const stages = [...text.matchAll(/stage\('([^']+)'\)/g)].map((m) => m[1]);
    expect(stages).toEqual(['Install the CLI', 'Validate', 'Train', 'Gate', 'Promote', 'Build the image', 'Drift']);
    // The environment block, as Jenkins sets it: params.X and the credential's _USR/_PSW.
    const env = [...text.matchAll(/^\s{4}([A-Z_]+) = "(.*)"$/gm)]
      .filter(([, name]) => name !== 'PATH')
      .map(([, name, value]) => `export ${name}="${value!.replace(/\$\{params\.([A-Z_]+)\}/g, '${$1}')}"`)
      .join('\n');
    expect(env).toMatch(/MODEL_STORE=/);
    const ws = checkout();
    const jenkins = { WORKSPACE: ws, REGISTRY: `${registry.host}/acme-jenkins`, BASE_IMAGE: base, REGISTRY_CREDENTIALS_USR: 'jenkins', REGISTRY_CREDENTIALS_PSW: 'secret', GIT_COMMIT: 'def5678', BRANCH_NAME: 'main' };
    for (const [i, script] of steps.slice(1).entries()) step(stages[i + 1]!, `${env}\n${script}`, ws, { ...ciEnv(ws), ...jenkins });
    expect(await tags('acme-jenkins/models/weather')).toEqual(expect.arrayContaining(['1', 'champion', 'latest']));
    expect(await tags('acme-jenkins/server')).toContain('def5678');
    expect(fs.existsSync(path.join(ws, 'drift.md'))).toBe(true);
  }, 600_000);
});
