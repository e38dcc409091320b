import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { OciStore } from '../../shared/store/oci.js';
import { testContext } from '../harness/context.js';
import { fakeModel } from '../harness/models.js';
import { type FaultProxy, startFaultProxy } from '../harness/registry/fault-proxy.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { REPO_ROOT, runAction } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

// Concurrent publishes to a registry whose manifest PUTs land 0-3 s late, in any order: the
// race that made several runs report the same version while one model overwrote another.
const USER = { ci: 'pw-ci' };
const PUBLISHERS = 6;
const ROUNDS = 3;

let registry: RunningRegistry;
let proxy: FaultProxy;
const log = testContext(os.tmpdir()).log;

/** Each run in its own clone of the weather example (lineage needs a commit). */
function exampleWorkspace(): string {
  const ws = tempDir('mlops-train-race-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ws });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'example');
  return ws;
}

/** A store as one run of `train` opens it: its own client, its own session. */
const open = (repository: string) =>
  new OciStore(new RegistryClient({ registry: proxy.host, credentials: { username: 'ci', password: USER.ci } }), repository, repository.split('/').pop()!, tempDir('oci-cache-'), log);

beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd', users: USER });
  proxy = await startFaultProxy({ target: registry.url, faults: [{ kind: 'manifest-put', times: Infinity, action: { delayMs: [0, 3000] } }] });
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

describe('OCI store: concurrent publishes while manifest PUTs take 0-3 s', () => {
  it(`${ROUNDS} rounds of ${PUBLISHERS} concurrent publishes: every reported version resolves to that run's model`, async () => {
    const reported = new Map<string, string>();
    for (let round = 1; round <= ROUNDS; round++) {
      const models = Array.from({ length: PUBLISHERS }, (_, i) => fakeModel(`round ${round} model ${i}`, 'races'));
      const results = await Promise.all(models.map((m) => open('models/races').publish({ manifest: m.manifest, modelFile: m.file, aliases: ['latest'] })));
      for (const [i, r] of results.entries()) {
        expect(r.created).toBe(true);
        expect(reported.has(r.version), `version ${r.version} reported twice`).toBe(false);
        reported.set(r.version, models[i]!.manifest.model.digest);
      }
      // Checked after the round, once every late PUT has landed.
      const store = open('models/races');
      for (const [version, digest] of reported) {
        const got = await store.resolve(version);
        expect(got.manifest.model.digest, `version ${version}`).toBe(digest);
        expect(got.manifest.version).toBe(version);
      }
      expect(await store.versions()).toEqual([...reported.keys()].sort((a, b) => Number(a) - Number(b)));
    }
    expect(proxy.requests.filter((r) => r.kind === 'manifest-put' && r.fault?.startsWith('delayed')).length).toBeGreaterThan(ROUNDS * PUBLISHERS * 2);
  }, 900_000);

  it('a version tag that names another version\'s artifact (an overwrite outside mlops) is refused, not resolved', async () => {
    const store = open('models/moved');
    const [a, b] = [fakeModel('moved a', 'moved'), fakeModel('moved b', 'moved')];
    await store.publish({ manifest: a.manifest, modelFile: a.file, aliases: [] });
    await store.publish({ manifest: b.manifest, modelFile: b.file, aliases: [] });
    const client = new RegistryClient({ registry: registry.host, credentials: { username: 'ci', password: USER.ci } });
    const two = await client.getManifest('models/moved', '2');
    await client.putManifest('models/moved', '1', two.bytes, two.mediaType);
    await expect(open('models/moved').resolve('1')).rejects.toThrow(/models\/moved:1 holds the model published as version 2/);
  }, 300_000);

  it(`${PUBLISHERS} concurrent \`train\` runs (the bundle, as the runner runs it) publish ${PUBLISHERS} models under ${PUBLISHERS} versions`, async () => {
    const target = `oci://${proxy.host}/models/weather`;
    const env = { MLOPS_REGISTRY_USERNAME: 'ci', MLOPS_REGISTRY_PASSWORD: USER.ci };
    const inputs = { 'working-directory': 'weather', command: 'node train.mjs', params: 'params.json', data: 'data/seattle-weather.csv', model: 'model.onnx', metrics: 'metrics.json', cache: 'false', publish: target, tags: 'latest', 'timeout-minutes': '10' };
    const runs = await Promise.all(Array.from({ length: PUBLISHERS }, (_, i) => runAction('train', { ...inputs, seed: String(i + 1) }, { workspace: exampleWorkspace(), env })));
    for (const r of runs) expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const versions = runs.map((r) => r.outputs.version!);
    expect(new Set(versions).size).toBe(PUBLISHERS);
    expect(new Set(runs.map((r) => r.outputs['model-digest'])).size).toBe(PUBLISHERS);
    const store = open('models/weather');
    for (const r of runs) expect((await store.resolve(r.outputs.version!)).manifest.model.digest).toBe(r.outputs['model-digest']);
  }, 900_000);
});
