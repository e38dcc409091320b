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
  /** Restore the files (absolute paths, in the order they were saved) saved under `key`; true on a hit. */
  restore(key: string, files: string[]): Promise<boolean>;
  save(key: string, files: string[]): Promise<void>;
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

  /** Files are kept by position (`0`, `1`...): the caller names them the same way each time. */
  async restore(key: string, files: string[]): Promise<boolean> {
    const entry = this.entry(key);
    if (!fs.existsSync(path.join(entry, '.complete'))) return false;
    files.forEach((f, i) => {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.copyFileSync(path.join(entry, String(i)), f);
    });
    return true;
  }

  async save(key: string, files: string[]): Promise<void> {
    const entry = this.entry(key);
    if (fs.existsSync(path.join(entry, '.complete'))) return;
    const staging = `${entry}.${process.pid}.tmp`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    files.forEach((f, i) => fs.copyFileSync(f, path.join(staging, String(i))));
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

  async restore(key: string, files: string[]): Promise<boolean> {
    const cache = await import('@actions/cache');
    try {
      return (await cache.restoreCache(files, key)) === key;
    } catch (e) {
      this.log.warn(`cache restore failed, training instead: ${(e as Error).message}`);
      return false;
    }
  }

  async save(key: string, files: string[]): Promise<void> {
    const cache = await import('@actions/cache');
    try {
      await cache.saveCache(files, key);
    } catch (e) {
      this.log.warn(`cache save failed (the model is fine; the next run will train again): ${(e as Error).message}`);
    }
  }
}
