import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/** Options pointing apt-get at a private, empty set of lists and caches (nothing downloaded). */
function privateApt(): { options: string[]; listsLock: string } {
  const dir = tempDir('apt-');
  for (const d of ['lists/partial', 'cache/archives/partial', 'sources.list.d']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'sources.list'), '');
  const options = [
    ['Dir::State::Lists', 'lists'],
    ['Dir::Cache', 'cache'],
    ['Dir::Etc::sourcelist', 'sources.list'],
    ['Dir::Etc::sourceparts', 'sources.list.d'],
  ].flatMap(([k, v]) => ['-o', `${k}=${path.join(dir, v!)}`]);
  return { options, listsLock: path.join(dir, 'lists/lock') };
}

/** Another apt at work: a process holding the fcntl lock apt-get takes, until its stdin closes. */
async function holdLock(file: string): Promise<ChildProcess> {
  const holder = spawn('python3', ['-c', 'import fcntl,sys; f=open(sys.argv[1],"w"); fcntl.lockf(f, fcntl.LOCK_EX); print("held", flush=True); sys.stdin.read()', file], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
  return holder;
}

describe('scripts/apt-get.sh: test:all waits for another apt instead of failing', () => {
  it.skipIf(!fs.existsSync('/usr/bin/apt-get'))('waits while the package lists are locked, then succeeds', async () => {
    const apt = privateApt();
    const holder = await holdLock(apt.listsLock);
    try {
      // Plain apt-get gives up at once: what test:all did before.
      const plain = spawnSync('apt-get', [...apt.options, 'update'], { encoding: 'utf8' });
      expect(plain.status).not.toBe(0);
      expect(plain.stderr).toMatch(/Could not get lock/);

      const wrapped = spawn(path.join(REPO_ROOT, 'scripts/apt-get.sh'), [...apt.options, 'update'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => wrapped.on('close', resolve));
      // Release the lock only once the wrapper said it is waiting: no timing involved.
      await new Promise<void>((resolve) =>
        wrapped.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('waiting for it to finish')) resolve();
        }),
      );
      holder.stdin!.end();
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/Could not get lock .*lists\/lock.*waiting for it to finish/);
    } finally {
      holder.kill();
    }
  });

  it.skipIf(!fs.existsSync('/usr/bin/apt-get'))('still fails at once on other errors', () => {
    const r = spawnSync(path.join(REPO_ROOT, 'scripts/apt-get.sh'), ['--no-such-option'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/waiting/);
  });
});

describe('scripts/lock-installed.mjs: test:all runs npm ci only when node_modules differs from the lock', () => {
  const check = (dir: string) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/lock-installed.mjs'), dir], { encoding: 'utf8' });
  const project = (installed: Record<string, unknown> | null): string => {
    const dir = tempDir('lock-');
    const locked = { '': { name: 'p' }, 'node_modules/a': { version: '1.0.0', integrity: 'sha512-a' }, 'node_modules/b-linux-arm64': { version: '2.0.0', integrity: 'sha512-b', optional: true } };
    fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: locked }));
    fs.mkdirSync(path.join(dir, 'node_modules/a'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules/a/package.json'), '{}');
    if (installed) fs.writeFileSync(path.join(dir, 'node_modules/.package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: installed }));
    return dir;
  };

  it('says this checkout is installed (npm ci ran)', () => {
    expect(check(REPO_ROOT).status).toBe(0);
  });
  it('accepts the lock\'s packages (optional ones for other platforms may be absent)', () => {
    expect(check(project({ 'node_modules/a': { version: '1.0.0', integrity: 'sha512-a' } })).status).toBe(0);
  });
  const stale: [string, Record<string, unknown> | null, RegExp][] = [
    ['nothing installed', null, /node_modules is not installed/],
    ['another version', { 'node_modules/a': { version: '0.9.0', integrity: 'sha512-z' } }, /node_modules\/a is 0\.9\.0, the lock says 1\.0\.0/],
    ['a package missing', {}, /node_modules\/a is not installed/],
    ['an extra package', { 'node_modules/a': { version: '1.0.0', integrity: 'sha512-a' }, 'node_modules/x': { version: '1.0.0' } }, /node_modules\/x is installed but not in the lock/],
  ];
  for (const [name, installed, message] of stale) {
    it(`asks for npm ci: ${name}`, () => {
      const r = check(project(installed));
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(message);
    });
  }
});
