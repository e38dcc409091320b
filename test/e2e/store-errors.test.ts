import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../harness/registry/fault-proxy.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { REPO_ROOT, runAction } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

// Failures of a store that are neither the user's input nor our bug are titled by what failed.
let registry: RunningRegistry;
let ws: string;
let cache: string;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const inputs = {
  'working-directory': 'weather',
  command: 'node train.mjs',
  params: 'params.json',
  data: 'data/seattle-weather.csv',
  model: 'model.onnx',
  metrics: 'metrics.json',
  seed: '7',
  cache: 'true',
  tags: 'latest',
  'timeout-minutes': '10',
};

beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd', users: { ci: 'pw-ci' } });
  ws = tempDir('mlops-store-errors-');
  cache = tempDir('mlops-cache-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ws });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'example');
}, 120_000);

afterAll(async () => {
  await registry?.stop();
});

describe('store failures through the runner protocol', () => {
  it('a local store locked by another host names the host, the pid and the lock file to delete', async () => {
    const layout = path.join(ws, '.mlops/registry/weather');
    fs.mkdirSync(layout, { recursive: true });
    const lock = path.join(layout, 'index.json.lock');
    fs.writeFileSync(lock, '4242@build-host-7');
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lock, hourAgo, hourAgo);
    const r = await runAction('train', { ...inputs, publish: 'local:weather' }, { workspace: ws, env: { MLOPS_CACHE_DIR: cache } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toMatch(/Internal error/);
    expect(r.annotations).toHaveLength(1);
    expect(r.annotations[0]).toMatchObject({ level: 'error', title: 'train: lock held' });
    expect(r.annotations[0]!.message).toMatch(/index\.json\.lock is held by process 4242 on another host \(build-host-7\)[\s\S]*delete .*index\.json\.lock/);
    fs.rmSync(lock);
  }, 300_000);

  it('an unreachable registry is a network error naming the address to check', async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    const r = await runAction('train', { ...inputs, publish: `oci://${host}/models/weather` }, { workspace: ws, env: { MLOPS_CACHE_DIR: cache } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toMatch(/Internal error/);
    expect(r.annotations[0]).toMatchObject({ level: 'error', title: 'train: network error' });
    expect(r.annotations[0]!.message).toContain(host);
  }, 300_000);

  it('a registry that refuses the credentials is a registry login failure', async () => {
    const r = await runAction('train', { ...inputs, publish: `oci://${registry.host}/models/weather` }, { workspace: ws, env: { MLOPS_CACHE_DIR: cache, MLOPS_REGISTRY_USERNAME: 'ci', MLOPS_REGISTRY_PASSWORD: 'wrong' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]).toMatchObject({ level: 'error', title: 'train: registry login' });
    expect(r.annotations[0]!.message).toMatch(/rejected the username and password of user `ci`/);
  }, 300_000);

  it('a failing registry is a registry error', async () => {
    const proxy = await startFaultProxy({ target: registry.url, faults: [{ path: /^\/v2\//, times: Infinity, action: { status: 503 } }] });
    try {
      const r = await runAction('train', { ...inputs, publish: `oci://${proxy.host}/models/weather` }, { workspace: ws, env: { MLOPS_CACHE_DIR: cache, MLOPS_REGISTRY_USERNAME: 'ci', MLOPS_REGISTRY_PASSWORD: 'pw-ci' } });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).not.toMatch(/Internal error/);
      expect(r.annotations[0]).toMatchObject({ level: 'error', title: 'train: registry error' });
      expect(r.annotations[0]!.message).toMatch(/UNAVAILABLE[\s\S]*HTTP 503[\s\S]*Fix: The registry is failing or unavailable/);
    } finally {
      await proxy.stop();
    }
  }, 300_000);
});
