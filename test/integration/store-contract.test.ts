import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubRepo } from '../../shared/github/client.js';
import { PROFILE_FILE } from '../../shared/model/manifest.js';
import { UserError } from '../../shared/runtime/errors.js';
import { LocalLayoutStore } from '../../shared/store/local.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { OciStore } from '../../shared/store/oci.js';
import { ReleaseStore } from '../../shared/store/release.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import type { ModelStore } from '../../shared/store/store.js';
import { testContext } from '../harness/context.js';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';
import { fakeModel } from '../harness/models.js';
import { tempDir } from '../harness/temp.js';

interface Backend {
  name: string;
  open(modelName: string): ModelStore;
  /** Change stored bytes behind the store's back. */
  corrupt(store: ModelStore, version: string): Promise<void>;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

const log = testContext(os.tmpdir()).log;
let fake: GitHubFake;
let localRoot: string;
let registry: RunningRegistry;
const ociCache = tempDir('oci-cache-');

const backends: Backend[] = [
  {
    name: 'local OCI layout',
    async setup() {
      localRoot = tempDir('store-');
    },
    open: (n) => new LocalLayoutStore(localRoot, n),
    async corrupt(store) {
      const root = path.join((store as LocalLayoutStore).root, store.name, 'blobs', 'sha256');
      for (const f of fs.readdirSync(root)) if (fs.statSync(path.join(root, f)).size === 'model v1'.length) fs.writeFileSync(path.join(root, f), 'model v!');
    },
  },
  {
    name: 'GitHub Releases (OpenAPI-validated fake)',
    async setup() {
      fake = await startGitHubFake();
    },
    async teardown() {
      expect(fake.violations()).toEqual([]);
      expect(fake.unimplemented()).toEqual([]);
      await fake.stop();
    },
    open: (n) => new ReleaseStore(githubRepo(fake.env(), fake.token), n, tempDir('dl-'), null, log),
    async corrupt(_store, version) {
      const repo = fake.state.repo(fake.owner, fake.repo)!;
      const rel = [...repo.releases.values()].find((r) => r.tag_name === `weather-v${version}`)!;
      for (const asset of fake.state.assets.values()) if (asset.releaseId === rel.id && asset.name === 'model.onnx') asset.data = Buffer.from('model v!');
    },
  },
  {
    name: "OCI registry (Debian's docker-registry with token auth)",
    async setup() {
      registry = await startRegistry({ auth: 'token', users: { ci: 'pw-for-ci' } });
    },
    async teardown() {
      await registry.stop();
    },
    open: (n) => new OciStore(new RegistryClient({ registry: registry.host, credentials: { username: 'ci', password: 'pw-for-ci' } }), `models/${n}`, n, ociCache, log),
    async corrupt() {
      // Change the model blob in the registry's storage, and drop our verified copies.
      const blobs = path.join(registry.storageDir, 'docker/registry/v2/blobs/sha256');
      for (const dir of fs.readdirSync(blobs)) {
        for (const hex of fs.readdirSync(path.join(blobs, dir))) {
          const data = path.join(blobs, dir, hex, 'data');
          if (fs.readFileSync(data, 'utf8') === 'model v1') fs.writeFileSync(data, 'model v!');
        }
      }
      fs.rmSync(ociCache, { recursive: true, force: true });
    },
  },
];

afterAll(() => {
  fs.rmSync(ociCache, { recursive: true, force: true });
  if (localRoot) fs.rmSync(localRoot, { recursive: true, force: true });
});

for (const b of backends) {
  describe(`model store contract: ${b.name}`, () => {
    beforeAll(async () => b.setup?.());
    afterAll(async () => b.teardown?.());

    it('publishes versions 1, 2..., resolves versions and aliases, and re-publishing the same model creates nothing', async () => {
      const store = b.open('weather');
      const v1 = fakeModel('model v1');
      const p1 = await store.publish({ manifest: v1.manifest, modelFile: v1.file, aliases: ['latest'] });
      expect(p1).toMatchObject({ version: '1', created: true });
      const again = await store.publish({ manifest: v1.manifest, modelFile: v1.file, aliases: ['latest'] });
      expect(again).toMatchObject({ version: '1', created: false });
      expect(await store.versions()).toEqual(['1']);

      const v2 = fakeModel('model v2, longer');
      expect(await store.publish({ manifest: v2.manifest, modelFile: v2.file, aliases: ['latest'] })).toMatchObject({ version: '2', created: true });
      expect(await store.versions()).toEqual(['1', '2']);

      const latest = await store.resolve('latest');
      expect(latest.version).toBe('2');
      expect(latest.manifest).toMatchObject({ version: '2', model: { digest: v2.manifest.model.digest } });
      expect(fs.readFileSync(latest.modelPath, 'utf8')).toBe('model v2, longer');

      await store.setAlias('champion', '1');
      const champion = await store.resolve('champion');
      expect(champion.version).toBe('1');
      expect(fs.readFileSync(champion.modelPath, 'utf8')).toBe('model v1');
      expect((await store.resolve('1')).manifest.version).toBe('1');
    });

    it('concurrent publishes get distinct versions, never an overwrite', async () => {
      const store = b.open('concurrent');
      const models = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'].map((c) => fakeModel(`model ${c}`, 'concurrent'));
      const results = await Promise.all(models.map((m) => b.open('concurrent').publish({ manifest: m.manifest, modelFile: m.file, aliases: ['latest'] })));
      const versions = results.map((r) => r.version).sort((x, y) => Number(x) - Number(y));
      expect(new Set(versions).size).toBe(models.length);
      // Only the versions reported exist: no publish wrote a version another one reported.
      expect(await store.versions()).toEqual(versions);
      for (const [i, r] of results.entries()) {
        const got = await store.resolve(r.version);
        expect(got.manifest.model.digest).toBe(models[i]!.manifest.model.digest);
      }
    });

    it('keeps the reference profile the manifest names with the model, verified, and a new profile is a new version', async () => {
      const store = b.open('profiled');
      const m = fakeModel('model with a profile', 'profiled');
      const profileFile = path.join(tempDir('profile-'), 'profile.json');
      const write = (text: string) => {
        fs.writeFileSync(profileFile, text);
        return { file: PROFILE_FILE as typeof PROFILE_FILE, digest: `sha256:${crypto.createHash('sha256').update(text).digest('hex')}`, size: Buffer.byteLength(text) };
      };
      const first = { ...m.manifest, profile: write('{"profile": 1}\n') };
      expect(await store.publish({ manifest: first, modelFile: m.file, profileFile, aliases: ['latest'] })).toMatchObject({ version: '1', created: true });
      expect(await store.publish({ manifest: first, modelFile: m.file, profileFile, aliases: ['latest'] })).toMatchObject({ version: '1', created: false });
      const got = await store.resolve('latest');
      expect(got.manifest.profile).toEqual(first.profile);
      expect(fs.readFileSync(got.profilePath!, 'utf8')).toBe('{"profile": 1}\n');
      const second = { ...m.manifest, profile: write('{"profile": 2}\n') };
      expect(await store.publish({ manifest: second, modelFile: m.file, profileFile, aliases: ['latest'] })).toMatchObject({ version: '2', created: true });
      expect(fs.readFileSync((await store.resolve('2')).profilePath!, 'utf8')).toBe('{"profile": 2}\n');
      expect((await b.open('weather').resolve('1')).profilePath).toBeNull();
    });

    it('an unknown version or alias is a clear user error', async () => {
      const store = b.open('weather');
      await expect(store.resolve('99')).rejects.toBeInstanceOf(UserError);
      await expect(store.resolve('nope')).rejects.toThrow(/not found/);
      await expect(store.setAlias('3', '1')).rejects.toThrow(/version number, not an alias/);
    });

    it('refuses content that does not match its digest', async () => {
      const store = b.open('weather');
      await b.corrupt(store, '1');
      const refused = await store.resolve('1').catch((e: unknown) => e);
      expect((refused as Error).message).toMatch(/digest/);
      // Not used, and not reported as a bug of ours: the store's content changed.
      expect(refused).toBeInstanceOf(UserError);
    });
  });
}
