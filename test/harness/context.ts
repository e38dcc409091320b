import os from 'node:os';
import type { Context } from '../../shared/runtime/context.js';

/** A Context for calling operations directly in tests: quiet logger, given workspace. */
export function testContext(workspace: string): Context {
  return {
    log: { info: () => {}, warn: () => {}, debug: () => {}, group: (_n, fn) => fn() },
    workspace,
    tempDir: os.tmpdir(),
    env: process.env,
  };
}
