import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, TOOL_CACHE } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/**
 * The CLI as npm users get it: `npm pack` of cli/package.json, the tarball installed into a fresh
 * prefix, `mlops` run from a directory that is not a clone (no node_modules, no repository
 * files): the loop's first steps and an image build (the model server bundle ships in the
 * package) work there.
 */
const run = promisify(execFile);
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cli/package.json'), 'utf8')) as { name: string; version: string };
let prefix: string;
let tarball: string;
let elsewhere: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const root = tempDir('cli-package-');
  const packed = await run('npm', ['pack', '--json', '--pack-destination', root], { cwd: path.join(REPO_ROOT, 'cli') });
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(root, info!.filename);
  expect(info!.files.map((f) => f.path).sort()).toEqual(['LICENSE', 'README.md', 'dist/mlops.js', 'dist/server.mjs', 'package.json']);
  prefix = path.join(root, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tarball], { cwd: root });
  elsewhere = path.join(root, 'somewhere-else');
  fs.mkdirSync(elsewhere);
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(elsewhere, 'weather'), { recursive: true });
  env = { ...process.env, RUNNER_TOOL_CACHE: TOOL_CACHE, MLOPS_CACHE_DIR: path.join(root, 'cache'), GITHUB_ACTIONS: '', GITHUB_TOKEN: '', PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
}, 240_000);

async function mlops(...args: string[]): Promise<Record<string, string>> {
  const { stdout } = await run('mlops', args, { cwd: elsewhere, env, maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Record<string, string>;
}

describe(`${pkg.name} installed from its npm tarball`, () => {
  it('is self-contained: the tarball has no dependencies to install', () => {
    const installed = path.join(prefix, 'lib/node_modules', pkg.name);
    expect(fs.readdirSync(installed).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    expect(fs.readFileSync(path.join(installed, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  });

  it('runs `mlops --help` and `--version` from an unrelated directory', async () => {
    const version = await run('mlops', ['--version'], { cwd: elsewhere, env });
    expect(version.stdout).toBe(`mlops ${pkg.version}\n`);
    const help = await run('mlops', ['--help'], { cwd: elsewhere, env });
    expect(help.stdout).toMatch(/^usage: mlops <action>/);
    for (const action of ['validate-data', 'train', 'evaluate-gate', 'build-image', 'deploy-k8s', 'drift-check']) expect(help.stdout).toContain(action);
  });

  it('validates, trains, gates and builds an image there, outside any clone', async () => {
    const validated = await mlops('validate-data', '--data', 'weather/data/seattle-weather.csv', '--schema', 'weather/schema.yml');
    expect(validated).toMatchObject({ passed: 'true', rows: '1461' });
    const trained = await mlops('train', '--working-directory', 'weather', '--command', 'node train.mjs', '--params', 'params.json', '--data', 'data/seattle-weather.csv', '--publish', 'local:weather');
    expect(trained.version).toBe('1');
    const gated = await mlops('evaluate-gate', '--model', 'local:weather@latest', '--data', 'weather/data/eval-2015.csv', '--label', 'weather', '--gates', 'accuracy >= 0.5', '--promote', 'true');
    expect(gated.passed).toBe('true');
    const built = await mlops('build-image', '--model', 'local:weather@champion', '--image', 'localhost/weather-server', '--base-image', 'scratch', '--push', 'false', '--output', 'image');
    expect(built.image).toMatch(/^localhost\/weather-server@sha256:[0-9a-f]{64}$/);
    // build-image found the model server bundle that shipped in the package (it fails without it).
    const index = JSON.parse(fs.readFileSync(path.join(elsewhere, 'image/index.json'), 'utf8')) as { manifests: unknown[] };
    expect(index.manifests.length).toBeGreaterThan(0);
  }, 240_000);

  it('runs every example of its README (cli/README.md) as written', async () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'cli/README.md'), 'utf8');
    const lines = [...readme.matchAll(/^mlops (.*?)(?:\s+#.*)?$/gm)].map((m) => m[1]!.split(/\s+/));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const dir = path.join(elsewhere, 'readme');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), path.join(dir, 'train.csv'));
    fs.copyFileSync(path.join(REPO_ROOT, 'examples/weather/data/eval-2015.csv'), path.join(dir, 'today.csv'));
    for (const args of lines) {
      const r = await run('mlops', args, { cwd: dir, env, maxBuffer: 64 << 20 });
      if (args[0] !== '--help') expect(JSON.parse(r.stdout)).toBeTypeOf('object');
    }
    expect(fs.existsSync(path.join(dir, 'schema.yml'))).toBe(true);
  }, 240_000);
});
