import path from 'node:path';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { DEFAULT_LOCAL_ROOT, LocalLayoutStore } from './local.js';
import { type ModelReference, type StoreTarget } from './reference.js';
import type { ModelStore, ResolvedModel } from './store.js';

/** Where the local store lives: MLOPS_STORE_ROOT, else .mlops/registry in the workspace. */
export function localRoot(ctx: Context): string {
  return path.resolve(ctx.workspace, ctx.env.MLOPS_STORE_ROOT || DEFAULT_LOCAL_ROOT);
}

export function openStore(target: StoreTarget, ctx: Context): ModelStore {
  switch (target.kind) {
    case 'local':
      return new LocalLayoutStore(localRoot(ctx), target.name);
    case 'oci':
    case 'release':
      throw new UserError(`publishing to ${target.kind === 'oci' ? 'an OCI registry' : 'GitHub Releases'} is not available in this version`, {
        fix: 'publish to local:<name> for now',
      });
  }
}

/** A reference to a stored model -> verified local files and its manifest. */
export async function resolveModel(ref: ModelReference, ctx: Context): Promise<ResolvedModel> {
  switch (ref.kind) {
    case 'local':
      return openStore({ kind: 'local', name: ref.name }, ctx).resolve(ref.tag);
    case 'release':
      return openStore({ kind: 'release', name: ref.name }, ctx).resolve(ref.tag);
    case 'oci':
      return openStore({ kind: 'oci', registry: ref.registry, repository: ref.repository }, ctx).resolve(ref.digest ?? ref.tag!);
    case 'path':
      throw new Error('a path is not a stored model');
  }
}
