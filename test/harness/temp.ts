import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];

/**
 * A fresh scratch directory, removed when the test file ends (test/harness/setup.ts). The one
 * way tests make temporary files: under the run's own temp root (test/harness/global-temp.ts).
 */
export function tempDir(prefix = 'mlops-test-', parent = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  created.push(dir);
  return dir;
}

/** Remove every directory tempDir made in this test file. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
