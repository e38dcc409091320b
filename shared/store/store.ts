import crypto from 'node:crypto';
import fs from 'node:fs';
import { UserError } from '../runtime/errors.js';
import type { ModelManifest } from '../model/manifest.js';
import { TAG } from './reference.js';

/** What a store needs to publish a model: its file and its manifest (version still null). */
export interface PublishRequest {
  manifest: ModelManifest;
  modelFile: string;
  /** The reference profile the manifest's `profile` names (its digest checked), stored with the model. */
  profileFile?: string;
  /** Movable aliases to point at the published version, e.g. `latest`, `champion`. */
  aliases: string[];
}

export interface Published {
  version: string;
  /** A reference that resolves to exactly this version, e.g. `local:weather@3`. */
  reference: string;
  /** Digest of what the store holds for it (the OCI manifest digest, or the model digest for releases). */
  digest: string;
  /** False when an identical model was already published: nothing new was created. */
  created: boolean;
}

export interface ResolvedModel {
  reference: string;
  version: string | null;
  /** A local file holding the verified model. */
  modelPath: string;
  manifest: ModelManifest;
  /** A local file holding the verified reference profile, when the manifest names one. */
  profilePath: string | null;
}

/**
 * One model's versions in one place. Versions are 1, 2, 3... allocated by the store so that two
 * concurrent publishes never get the same one; aliases (`latest`, `champion`...) move.
 */
export interface ModelStore {
  readonly name: string;
  publish(req: PublishRequest): Promise<Published>;
  /** A version number or an alias -> verified local files and the manifest. */
  resolve(versionOrAlias: string): Promise<ResolvedModel>;
  /** Published versions, ascending. */
  versions(): Promise<string[]>;
  setAlias(alias: string, version: string): Promise<void>;
}

export const isVersion = (tag: string): boolean => /^[1-9][0-9]*$/.test(tag);

/**
 * Aliases every store can hold: OCI tags (the strictest of the three stores' rules, so a name
 * valid in one store is valid in all) that are not version numbers. Every store checks them
 * before it publishes anything; `input` names the input they came from.
 */
export function checkAliases(aliases: string[], input?: string): void {
  for (const alias of aliases) {
    const where = input ? { input } : {};
    if (isVersion(alias)) throw new UserError(`${JSON.stringify(alias)} is a version number, not an alias`, { where, fix: 'aliases are names such as latest or champion' });
    if (!TAG.test(alias)) {
      throw new UserError(`${JSON.stringify(alias)} is not a valid alias`, { where, fix: 'an alias is an OCI tag: 1 to 128 letters, digits, _ . or -, not starting with . or - (e.g. latest, candidate, v1.2)' });
    }
  }
}

export function nextVersion(existing: string[]): string {
  return String(existing.filter(isVersion).reduce((max, v) => Math.max(max, Number(v)), 0) + 1);
}

/** The same model published again: same file, same lineage apart from the version. */
export function sameModel(a: ModelManifest, b: ModelManifest): boolean {
  return a.model.digest === b.model.digest && a.training.cacheKey === b.training.cacheKey && a.name === b.name && a.profile?.digest === b.profile?.digest;
}

/** The profile bytes a publish stores, checked against the manifest's digest. */
export function profileBytes(req: PublishRequest): Buffer | undefined {
  if (!req.manifest.profile) return undefined;
  if (!req.profileFile) throw new Error('the manifest names a profile but no profile file was given');
  const bytes = fs.readFileSync(req.profileFile);
  const digest = `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
  if (digest !== req.manifest.profile.digest) throw new Error(`profile file changed while publishing (${digest} != ${req.manifest.profile.digest})`);
  return bytes;
}

/**
 * Stored content that is not what was published (a changed blob, a tag moved by another tool, a
 * missing asset): neither the user's input nor a bug of ours, and never used.
 */
export function corruptStore(what: string, fix = 're-publish the model, or restore the store from a copy'): UserError {
  return new UserError(what, { title: 'corrupt store', fix });
}
