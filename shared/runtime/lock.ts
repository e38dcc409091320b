import fs from 'node:fs';
import os from 'node:os';

/**
 * Run `fn` holding an exclusive lock file (created with O_EXCL). A lock left by a process of
 * this host that no longer runs is taken over; otherwise wait, up to `timeoutMs`.
 */
export async function withFileLock<T>(lock: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const owner = `${process.pid}@${os.hostname()}`;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      fs.writeFileSync(lock, owner, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (isStale(lock)) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lock} (held by ${readOwner(lock)})`);
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function readOwner(lock: string): string {
  try {
    return fs.readFileSync(lock, 'utf8');
  } catch {
    return '?';
  }
}

function isStale(lock: string): boolean {
  const [pid, host] = readOwner(lock).split('@');
  if (host !== os.hostname() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
