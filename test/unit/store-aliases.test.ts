import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubRepo } from '../../shared/github/client.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { isUserError } from '../../shared/runtime/errors.js';
import { LocalLayoutStore } from '../../shared/store/local.js';
import { OciStore } from '../../shared/store/oci.js';
import { ReleaseStore } from '../../shared/store/release.js';
import { checkAliases, type ModelStore } from '../../shared/store/store.js';
import { testContext } from '../harness/context.js';
import { fakeModel } from '../harness/models.js';
import { tempDir } from '../harness/temp.js';

describe('checkAliases: the OCI distribution spec tag grammar, not numbers', () => {
  const valid = ['latest', 'candidate', 'v1.2.3', '_x', 'A-b_c.d', 'x'.repeat(128)];
  const invalid: [string, RegExp][] = [
    ['a b', /"a b" is not a valid alias/],
    ['../x', /"\.\.\/x" is not a valid alias/],
    ['-x', /not a valid alias/],
    ['.x', /not a valid alias/],
    ['x'.repeat(129), /not a valid alias/],
    ['a\nb', /"a\\nb" is not a valid alias/],
    ['é', /not a valid alias/],
    ['7', /"7" is a version number, not an alias/],
  ];
  for (const alias of valid) it(`accepts ${alias.slice(0, 20)}`, () => expect(() => checkAliases([alias])).not.toThrow());
  for (const [alias, message] of invalid) {
    it(`refuses ${JSON.stringify(alias.slice(0, 20))}, naming the input`, () => {
      let error: unknown;
      try {
        checkAliases(['latest', alias], 'tags');
      } catch (e) {
        error = e;
      }
      expect(isUserError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as { where: { input?: string } }).where.input).toBe('tags');
    });
  }
});

describe('every store refuses a bad alias before it publishes anything', () => {
  const ctx = testContext(tempDir('aliases-ws-'));
  // The remote stores point at nothing listening: refusing first means no connection is tried.
  const stores: [string, () => ModelStore][] = [
    ['local', () => new LocalLayoutStore(path.join(ctx.workspace, 'registry'), 'weather')],
    ['oci', () => new OciStore(new RegistryClient({ registry: '127.0.0.1:9', retry: { attempts: 1 } }), 'models/weather', 'weather', path.join(ctx.workspace, 'oci'), ctx.log)],
    ['release', () => new ReleaseStore(githubRepo({ GITHUB_REPOSITORY: 'o/r', GITHUB_API_URL: 'http://127.0.0.1:9' }, 't'), 'weather', path.join(ctx.workspace, 'dl'), 'a'.repeat(40), ctx.log)],
  ];
  for (const [name, open] of stores) {
    it(name, async () => {
      const { file, manifest } = fakeModel('model bytes');
      const store = open();
      await expect(store.publish({ manifest, modelFile: file, aliases: ['latest', 'a b'] })).rejects.toThrow(/"a b" is not a valid alias/);
      await expect(store.setAlias('../x', '1')).rejects.toThrow(/"\.\.\/x" is not a valid alias/);
      expect(fs.readdirSync(ctx.workspace)).toEqual([]);
    });
  }
});
