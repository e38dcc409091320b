import fs from 'node:fs';
import os from 'node:os';
import { UserError } from './errors.js';

/**
 * Run `fn` holding an exclusive lock file (created with O_EXCL, holding `<pid>@<host>`). A lock
 * left by a process of this host that no longer runs is taken over; otherwise wait, up to
 * `timeoutMs`, then fail naming the holder (at once if the lock is older than that: locks are
 * held for moments, so its holder is stuck or gone). A lock of another host is never taken
 * over: this host cannot tell whether its process still runs.
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
      if (takeOverStale(lock)) continue;
      if (Date.now() > deadline || lockAge(lock) > timeoutMs) throw heldError(lock);
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

function readOwner(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A lock of this host whose process is gone. */
function isStale(owner: string | undefined): boolean {
  const [pid, host] = (owner ?? '').split('@');
  if (host !== os.hostname() || !pid || !/^[0-9]+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Remove a stale lock, one process at a time: without `<lock>.takeover`, two processes that both
 * saw the stale lock could each remove it, the second removing the first one's new lock.
 */
function takeOverStale(lock: string): boolean {
  const seen = readOwner(lock);
  if (!isStale(seen)) return false;
  const takeover = `${lock}.takeover`;
  try {
    fs.writeFileSync(takeover, `${process.pid}@${os.hostname()}`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Another process is taking it over; one that died doing so leaves a stale takeover file.
    if (isStale(readOwner(takeover))) fs.rmSync(takeover, { force: true });
    return false;
  }
  try {
    if (readOwner(lock) === seen) fs.rmSync(lock, { force: true });
    return true;
  } finally {
    fs.rmSync(takeover, { force: true });
  }
}

function lockAge(lock: string): number {
  try {
    return Date.now() - fs.statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

function heldError(lock: string): UserError {
  const [pid, host] = (readOwner(lock) ?? '?@?').split('@');
  const here = host === os.hostname();
  const since = Math.round(lockAge(lock) / 1000);
  return new UserError(`the lock file ${lock} is held by process ${pid} on ${here ? 'this host' : `another host (${host})`}, for ${since} s`, {
    title: 'lock held',
    fix: here
      ? `wait for process ${pid} to finish (or stop it); if it is not an mlops process, delete ${lock}`
      : `the store directory is shared with ${host}: wait for its publish to finish; if no mlops process runs there any more, delete ${lock}`,
  });
}
