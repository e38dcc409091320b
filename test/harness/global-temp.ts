import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One temp root per `vitest run`: TMPDIR points into it for the workers and every process they
 * start (bundles, Python, podman, skopeo), so whatever a test or a tool leaves behind goes when
 * the run ends. Tests clean up after themselves too (tempDir); this catches the rest.
 */
export default function setup(): () => void {
  const outer = os.tmpdir();
  const root = fs.mkdtempSync(path.join(outer, 'mlops-test-run-'));
  process.env.MLOPS_TEST_OUTER_TMPDIR ??= outer;
  process.env.TMPDIR = root;
  return () => {
    // What the tests' own cleanup missed (tools' files, a test not using tempDir), for finding it.
    const left = fs.existsSync(root) ? fs.readdirSync(root) : [];
    if (left.length) console.warn(`removing what the tests left in ${root}: ${left.slice(0, 20).join(', ')}${left.length > 20 ? ` and ${left.length - 20} more` : ''}`);
    try {
      fs.rmSync(root, { recursive: true, force: true });
    } catch (e) {
      console.warn(`could not remove the test run's temp root ${root}: ${(e as Error).message}`);
    }
  };
}
