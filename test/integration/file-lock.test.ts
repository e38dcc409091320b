import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../shared/runtime/errors.js';
import { withFileLock } from '../../shared/runtime/lock.js';
import { tempDir } from '../harness/temp.js';

const dir = tempDir('lock-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('lock files', () => {
  it('a lock of another host is a clear error naming the host, the pid and the file to delete, not a bug', async () => {
    const lock = path.join(dir, 'foreign.lock');
    fs.writeFileSync(lock, '4242@build-host-7');
    const error = await withFileLock(lock, async () => 'ran', 50).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).title).toBe('lock held');
    expect((error as UserError).describe()).toMatch(new RegExp(`${lock} is held by process 4242 on another host \\(build-host-7\\)[\\s\\S]*delete ${lock}`));
    expect(fs.readFileSync(lock, 'utf8')).toBe('4242@build-host-7');
  });

  it('a lock older than the wait is reported at once, not waited for', async () => {
    const lock = path.join(dir, 'old.lock');
    fs.writeFileSync(lock, `${process.pid}@${os.hostname()}`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lock, hourAgo, hourAgo);
    await expect(withFileLock(lock, async () => 'ran', 3_000_000)).rejects.toThrow(/held by process \d+ on this host, for 3[56]\d\d s/);
  });

  it('a lock left by a dead process of this host is taken over, and concurrent holders still exclude each other', async () => {
    const lock = path.join(dir, 'stale.lock');
    fs.writeFileSync(lock, `${deadPid()}@${os.hostname()}`);
    let inside = 0;
    let most = 0;
    const runs = Array.from({ length: 8 }, () =>
      withFileLock(lock, async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setImmediate(r));
        inside--;
      }),
    );
    await Promise.all(runs);
    expect(most).toBe(1);
    expect(fs.existsSync(lock)).toBe(false);
    expect(fs.existsSync(`${lock}.takeover`)).toBe(false);
  });
});
