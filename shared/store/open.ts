import path from 'node:path';
import type { Context } from '../runtime/context.js';
import { githubRepo } from '../github/client.js';
import { gitInfo } from '../lineage/git.js';
import { DEFAULT_LOCAL_ROOT, LocalLayoutStore } from './local.js';
import { RegistryClient } from '../oci/registry/client.js';
import { OciStore } from './oci.js';
import { ReleaseStore } from './release.js';
import { type ModelReference, type StoreTarget } from './reference.js';
import type { ModelStore, ResolvedModel } from './store.js';

/** Where the local store lives: MLOPS_STORE_ROOT, else .mlops/registry in the workspace. */
export function localRoot(ctx: Context): string {
  return path.resolve(ctx.workspace, ctx.env.MLOPS_STORE_ROOT || DEFAULT_LOCAL_ROOT);
}

/** Credentials the remote stores use; each falls back to the environment. */
export interface StoreCredentials {
  githubToken?: string;
  registryUsername?: string;
  registryPassword?: string;
}

/** Where models fetched from remote stores are kept (verified) for use. */
export function modelCacheDir(ctx: Context): string {
  return path.resolve(ctx.workspace, '.mlops/models');
}

export function openStore(target: StoreTarget, ctx: Context, creds: StoreCredentials = {}): ModelStore {
  switch (target.kind) {
    case 'local':
      return new LocalLayoutStore(localRoot(ctx), target.name);
    case 'release': {
      const repo = githubRepo(ctx.env, creds.githubToken || ctx.env.GITHUB_TOKEN);
      return new ReleaseStore(repo, target.name, modelCacheDir(ctx), gitInfo(ctx.env, ctx.workspace).sha, ctx.log);
    }
    case 'oci': {
      // ghcr.io takes the workflow's token as the password of the actor.
      const password = creds.registryPassword || ctx.env.MLOPS_REGISTRY_PASSWORD || (target.registry === 'ghcr.io' ? creds.githubToken || ctx.env.GITHUB_TOKEN : undefined);
      const username = creds.registryUsername || ctx.env.MLOPS_REGISTRY_USERNAME || ctx.env.GITHUB_ACTOR;
      const client = new RegistryClient({
        registry: target.registry,
        credentials: password ? { username: username ?? 'token', password } : undefined,
        onSecret: (s) => ctx.mask(s),
        log: (line) => ctx.log.info(line),
      });
      return new OciStore(client, target.repository, target.repository.split('/').pop()!, modelCacheDir(ctx), ctx.log);
    }
  }
}

/** A reference to a stored model -> verified local files and its manifest. */
export async function resolveModel(ref: ModelReference, ctx: Context, creds: StoreCredentials = {}): Promise<ResolvedModel> {
  switch (ref.kind) {
    case 'local':
      return openStore({ kind: 'local', name: ref.name }, ctx, creds).resolve(ref.tag);
    case 'release':
      return openStore({ kind: 'release', name: ref.name }, ctx, creds).resolve(ref.tag);
    case 'oci':
      return openStore({ kind: 'oci', registry: ref.registry, repository: ref.repository }, ctx, creds).resolve(ref.digest ?? ref.tag!);
    case 'path':
      throw new Error('a path is not a stored model');
  }
}
