import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from './context.js';

/**
 * Saves and restores a few files under a key. On a GitHub runner this is the Actions cache
 * (@actions/cache); elsewhere a directory (MLOPS_CACHE_DIR, default ~/.cache/mlops/cache).
 */
export interface FileCache {
  readonly kind: 'actions' | 'local';
  /** Restore into `dir` the files saved under `key`; true on a hit. */
  restore(key: string, dir: string, files: string[]): Promise<boolean>;
  save(key: string, dir: string, files: string[]): Promise<void>;
}

export function localCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.MLOPS_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mlops', 'cache');
}

export class LocalFileCache implements FileCache {
  readonly kind = 'local';
  constructor(readonly root: string) {}

  private entry(key: string): string {
    return path.join(this.root, key.replace(/[^A-Za-z0-9._-]/g, '_'));
  }

  async restore(key: string, dir: string, files: string[]): Promise<boolean> {
    const entry = this.entry(key);
    if (!fs.existsSync(path.join(entry, '.complete'))) return false;
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.copyFileSync(path.join(entry, f), path.join(dir, f));
    }
    return true;
  }

  async save(key: string, dir: string, files: string[]): Promise<void> {
    const entry = this.entry(key);
    if (fs.existsSync(path.join(entry, '.complete'))) return;
    const staging = `${entry}.${process.pid}.tmp`;
    fs.rmSync(staging, { recursive: true, force: true });
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(staging, f)), { recursive: true });
      fs.copyFileSync(path.join(dir, f), path.join(staging, f));
    }
    fs.writeFileSync(path.join(staging, '.complete'), key);
    try {
      fs.renameSync(staging, entry);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another run saved the same key first
    }
  }
}

/** The Actions cache service, when the runner provides one. */
export class ActionsFileCache implements FileCache {
  readonly kind = 'actions';
  constructor(private log: Logger) {}

  async restore(key: string, dir: string, files: string[]): Promise<boolean> {
    const cache = await import('@actions/cache');
    const paths = files.map((f) => path.join(dir, f));
    try {
      return (await cache.restoreCache(paths, key)) === key;
    } catch (e) {
      this.log.warn(`cache restore failed, training instead: ${(e as Error).message}`);
      return false;
    }
  }

  async save(key: string, dir: string, files: string[]): Promise<void> {
    const cache = await import('@actions/cache');
    try {
      await cache.saveCache(files.map((f) => path.join(dir, f)), key);
    } catch (e) {
      this.log.warn(`cache save failed (the model is fine; the next run will train again): ${(e as Error).message}`);
    }
  }
}
