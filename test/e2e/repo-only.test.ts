import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pins from '../../shared/native/pins.json' with { type: 'json' };
import { REPO_ROOT, runAction, workspaceWith } from '../harness/runner.js';
import { freePort } from '../harness/server.js';
import { tempDir } from '../harness/temp.js';

/** A directory holding only the repository's files, as a runner checks it out: no node_modules. */
function checkoutWithoutDependencies(): string {
  const dir = tempDir('mlops-checkout-');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT }).toString().split('\0').filter(Boolean);
  for (const f of files) {
    if (!fs.existsSync(path.join(REPO_ROOT, f))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
  }
  return dir;
}

const pin = (pins.duckdb as Record<string, { package: string; version: string }>)['linux-x64']!;
const data = 'a,b\n1,x\n2,y\n';

describe('the bundle on a runner: repository only, native engine fetched at run time', () => {
  let checkout: string;
  beforeAll(() => {
    checkout = checkoutWithoutDependencies();
  });

  it('has no node_modules and still validates, fetching DuckDB once into the tool cache', async () => {
    expect(fs.existsSync(path.join(checkout, 'node_modules'))).toBe(false);
    const toolCache = tempDir('tool-cache-');
    const ws = workspaceWith({ 'd.csv': data });
    const inputs = { data: 'd.csv', profile: 'p.json', report: 'r.json', 'fail-on': 'error' };
    const first = await runAction('validate-data', inputs, { workspace: ws, repoRoot: checkout, toolCache });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.outputs.rows).toBe('2');
    expect(first.stdout).toContain(`Fetching ${pin.package}@${pin.version}`);
    const installed = path.join(toolCache, 'mlops-native', pin.package, pin.version);
    expect(fs.existsSync(path.join(installed, '.complete'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'duckdb.node'))).toBe(true);

    const second = await runAction('validate-data', inputs, { workspace: ws, repoRoot: checkout, toolCache });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).not.toContain('Fetching');
  });

  it('trains there too: ONNX Runtime is fetched (this platform only) and checks the model', async () => {
    const toolCache = tempDir('tool-cache-');
    const ws = tempDir('mlops-ws-');
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), ws, { recursive: true });
    const r = await runAction(
      'train',
      { command: 'node train.mjs', 'working-directory': '.', params: 'params.json', data: 'data/seattle-weather.csv', code: '*.mjs', model: 'model.onnx', metrics: 'metrics.json', seed: '1', 'timeout-minutes': '5', cache: 'true', publish: 'local:weather', tags: 'latest', name: '', 'github-token': '' },
      { workspace: ws, repoRoot: checkout, toolCache },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Fetching onnxruntime-node@');
    expect(r.outputs.reference).toBe('local:weather@1');
    const ortDir = path.join(toolCache, 'mlops-native', 'onnxruntime-node');
    const [installed] = fs.readdirSync(ortDir);
    expect(installed).toMatch(/-bin-napi-v6-linux-x64$/);
    // Only this platform's binaries were kept.
    expect(fs.readdirSync(path.join(ortDir, installed!, 'bin/napi-v6'))).toEqual(['linux']);
  });

  describe('a registry serving the wrong file', () => {
    let server: http.Server;
    let url: string;
    beforeAll(async () => {
      server = http.createServer((_req, res) => res.end(Buffer.alloc(1024, 1)));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('is refused by the integrity check and nothing is installed', async () => {
      const toolCache = tempDir('tool-cache-');
      const r = await runAction('validate-data', { data: 'd.csv', profile: 'p.json', report: 'r.json', 'fail-on': 'error' }, {
        workspace: workspaceWith({ 'd.csv': data }),
        repoRoot: checkout,
        toolCache,
        env: { MLOPS_NPM_REGISTRY: url },
      });
      expect(r.exitCode).toBe(1);
      expect(r.annotations[0]!.message).toMatch(/integrity mismatch .*nothing was installed/);
      expect(r.annotations[0]!.title).toBe('validate-data: download error');
      expect(fs.existsSync(path.join(toolCache, 'mlops-native', pin.package))).toBe(false);
      expect(fs.readdirSync(path.join(toolCache, 'mlops-native'))).toEqual([]);
    });
  });

  it('an unreachable registry is a download failure that says what to check, not an invalid input', async () => {
    const toolCache = tempDir('tool-cache-');
    const r = await runAction('validate-data', { data: 'd.csv', profile: 'p.json', report: 'r.json', 'fail-on': 'error' }, {
      workspace: workspaceWith({ 'd.csv': data }),
      repoRoot: checkout,
      toolCache,
      env: { MLOPS_NPM_REGISTRY: `http://127.0.0.1:${await freePort()}`, HTTPS_PROXY: 'http://proxy.example:3128' },
    });
    expect(r.exitCode).toBe(1);
    const [error] = r.annotations.filter((a) => a.level === 'error');
    expect(error!.title).toBe('validate-data: network error');
    expect(error!.message).toMatch(/could not download the @duckdb\/node-bindings-linux-x64 engine from http:\/\/127\.0\.0\.1:\d+\//);
    expect(error!.message).toMatch(/Fix: check the network and that the npm registry http:\/\/127\.0\.0\.1:\d+ is reachable/);
    expect(error!.message).toMatch(/A proxy is set \(HTTPS_PROXY\) but Node uses it only with NODE_USE_ENV_PROXY=1/);
    expect(r.stdout).not.toMatch(/Internal error|invalid input/);
  });
});

describe('a checkout where npm ci ran (the demo): the engines come from node_modules, nothing is fetched', () => {
  it('validates, trains and builds an image with no registry reachable and an empty tool cache', async () => {
    const toolCache = tempDir('tool-cache-');
    // Anything fetched would fail: the registry address is closed.
    const env = { MLOPS_NPM_REGISTRY: `http://127.0.0.1:${await freePort()}` };
    const ws = tempDir('mlops-ws-');
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), ws, { recursive: true });
    const validated = await runAction('validate-data', { data: 'data/seattle-weather.csv', profile: 'p.json', report: 'r.json', 'fail-on': 'never' }, { workspace: ws, toolCache, env });
    expect(validated.stderr).toBe('');
    expect(validated.exitCode).toBe(0);
    const trained = await runAction(
      'train',
      { command: 'node train.mjs', 'working-directory': '.', params: 'params.json', data: 'data/seattle-weather.csv', code: '*.mjs', model: 'model.onnx', metrics: 'metrics.json', seed: '1', 'timeout-minutes': '5', cache: 'false', publish: '', tags: 'latest', name: 'weather', 'github-token': '' },
      { workspace: ws, toolCache, env },
    );
    expect(trained.stderr).toBe('');
    expect(trained.exitCode).toBe(0);
    const built = await runAction(
      'build-image',
      { model: 'model.onnx', image: 'localhost/weather-server', tags: 'demo', 'base-image': 'scratch', push: 'false', output: 'image', platforms: 'linux/amd64' },
      { workspace: ws, toolCache, env },
    );
    expect(built.stderr).toBe('');
    expect(built.exitCode).toBe(0);
    for (const r of [validated, trained, built]) expect(r.stdout).not.toContain('Fetching');
    expect(fs.readdirSync(toolCache)).toEqual([]);
  });
});

describe('committed bundles', () => {
  it('are what the sources build (dist is not stale)', () => {
    expect(() => execFileSync(process.execPath, ['scripts/build.mjs', '--check'], { cwd: REPO_ROOT, stdio: 'pipe' })).not.toThrow();
  });
  it('pin the native engine the lock file resolves', () => {
    expect(() => execFileSync(process.execPath, ['scripts/pin-native.mjs', '--check'], { cwd: REPO_ROOT, stdio: 'pipe' })).not.toThrow();
  });
});
