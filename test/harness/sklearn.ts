/**
 * Golden numbers from the peers at test time: scikit-learn, scipy and numpy in the venv that
 * scripts/install-python.sh creates, through test/harness/sklearn_golden.py. One subprocess per
 * batch of requests; NaN comes back as null.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const VENV_PYTHON = path.resolve(HERE, '../../.tools/venv/bin/python');
const SCRIPT = path.join(HERE, 'sklearn_golden.py');

export type GoldenRequest = { kind: string } & Record<string, unknown>;

/** The peers' answers to the requests, in order. Throws a clear error when the venv is missing. */
export function golden<T = unknown>(requests: GoldenRequest[]): T[] {
  if (!fs.existsSync(VENV_PYTHON)) {
    throw new Error(`no Python venv at ${VENV_PYTHON}: run scripts/install-python.sh (npm run test:all does) to compute the scikit-learn golden values`);
  }
  const out = execFileSync(VENV_PYTHON, [SCRIPT], { input: JSON.stringify(requests), maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  return JSON.parse(out.toString()) as T[];
}

/** |actual - expected| <= rel |expected| (+ 1e-15 around zero); null expected means NaN. */
export function expectClose(actual: number | undefined, expected: number | null | undefined, label: string, rel = 1e-9): void {
  if (expected === null || expected === undefined || Number.isNaN(expected)) {
    expect(actual, `${label}: expected NaN`).toBeNaN();
    return;
  }
  expect(actual, label).toBeTypeOf('number');
  const tolerance = rel * Math.abs(expected) + 1e-15;
  expect(Math.abs(actual! - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}
