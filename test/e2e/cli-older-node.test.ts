import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nodeSupportsClient } from '../../shared/k8s/client.js';
import { REPO_ROOT } from '../harness/runner.js';

const run = promisify(execFile);
const cli = path.join(REPO_ROOT, 'cli/dist/mlops.js');

/** A Node.js on PATH too old for the Kubernetes client (npm puts node24 first: look past node_modules). */
function olderNode(): { bin: string; version: string } | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const bin = path.join(dir, 'node');
    if (dir.includes('node_modules') || !fs.existsSync(bin)) continue;
    const version = execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    if (!nodeSupportsClient(version)) return { bin, version };
  }
  return undefined;
}
const old = olderNode();

// The Kubernetes client needs Node.js >= 22.19 and crashes on import before: the CLI loads it
// only for deploy-k8s. Skipped where the machine has no older Node.js.
describe.skipIf(!old)(`mlops on an older Node.js (${old?.version ?? 'none on PATH'})`, () => {
  it('runs the other commands', async () => {
    const { stdout } = await run(old!.bin, [cli, 'validate-data', '--help']);
    expect(stdout).toContain('--data');
  });

  it('says what deploy-k8s needs instead of crashing', async () => {
    const e = await run(old!.bin, [cli, 'deploy-k8s', '--image', `r.example/iris@sha256:${'a'.repeat(64)}`, '--name', 'iris']).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(e?.code).toBe(1);
    expect(e?.stderr).toBe(
      `error: deploy-k8s needs Node.js 22.19 or newer (this is ${old!.version}): its Kubernetes client, @kubernetes/client-node 2, requires it\nFix: run the action (it runs on node24), or run \`mlops deploy-k8s\` with Node.js 22.19+ or 24; the other commands work on Node.js 20\n`,
    );
  });
});
