import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalFileCache } from '../../shared/runtime/cache.js';
import type { Context } from '../../shared/runtime/context.js';
import { tempDir } from './temp.js';

/** A Context for calling operations directly in tests: quiet logger, given workspace, fresh cache. */
export function testContext(workspace: string, cacheDir = tempDir('mlops-cache-')): Context {
  return {
    log: { info: () => {}, warn: () => {}, debug: () => {}, group: (_n, fn) => fn() },
    workspace,
    tempDir: os.tmpdir(),
    env: process.env,
    cache: new LocalFileCache(cacheDir),
    mask: () => undefined,
  };
}
