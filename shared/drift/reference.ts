/**
 * The `reference` input: one profile.json written by validate-data, a directory of shard
 * profiles (a matrix of validate-data jobs), merged exactly with mergeAllProfiles, or a model
 * reference whose manifest names its training profile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mergeAllProfiles, type Profile, profileSchema } from '../data/profile.js';
import { UserError } from '../runtime/errors.js';
import { displayPath, readUserText } from '../runtime/files.js';
import type { Context } from '../runtime/context.js';
import { withoutCredentials } from '../lineage/url.js';
import { resolveModelFile } from '../model/load.js';
import { PROFILE_FILE } from '../model/manifest.js';
import { parseReference } from '../store/reference.js';

export interface Reference {
  profile: Profile;
  /** The profile files read, relative to the workspace. */
  files: string[];
}

function readProfile(file: string, workspace: string, input: string): Profile {
  const shown = displayPath(workspace, file);
  let json: unknown;
  try {
    json = JSON.parse(readUserText(file, { input }));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`not JSON: ${(e as Error).message}`, { where: { file: shown, input }, fix: 'point the input at the profile.json validate-data wrote (its `profile` output)' });
  }
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`not a profile written by validate-data: ${issue.path.join('.') || '(top level)'}: ${issue.message}`, {
      where: { file: shown, input },
      fix: 'point the input at the profile.json validate-data wrote (its `profile` output), or a directory of them',
    });
  }
  return parsed.data;
}

export function loadReference(spec: string, workspace: string, input = 'reference'): Reference {
  const target = path.resolve(workspace, spec);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new UserError(`${spec}: no such file or directory`, { where: { input }, fix: `check the path; it is resolved from ${workspace}` });
  }
  if (!stat.isDirectory()) return { profile: readProfile(target, workspace, input), files: [displayPath(workspace, target)] };
  const files = fs
    .readdirSync(target, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.json'))
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
  if (files.length === 0) throw new UserError(`${spec}: the directory holds no .json profile`, { where: { input }, fix: 'put the shard profiles validate-data wrote (one per shard) in it' });
  const profiles = files.map((f) => readProfile(f, workspace, input));
  const merged = mergeAllProfiles(profiles, (i, e) => {
    throw new UserError(`cannot merge ${displayPath(workspace, files[i]!)} with the others: ${e.message}`, { where: { input }, fix: 'profile every shard of one dataset, in one format' });
  });
  return { profile: merged, files: files.map((f) => displayPath(workspace, f)) };
}

/**
 * The `reference` input, also as a model reference (`local:<name>@<version|alias>`,
 * `oci://...`, `release:...`, or a model file with its manifest beside it): the profile train
 * recorded with the model (its manifest names it by digest; the store verifies it).
 */
export async function resolveReference(spec: string, ctx: Context, input = 'reference', githubToken = ctx.env.GITHUB_TOKEN): Promise<Reference> {
  const ref = parseReference(spec, input);
  if (ref.kind === 'path' && !/\.onnx$/i.test(ref.path)) return loadReference(spec, ctx.workspace, input);
  const model = await resolveModelFile(spec, ctx, input, { githubToken });
  if (!model.profile) {
    throw new UserError(`${withoutCredentials(spec)}: the model has no reference profile`, {
      where: { input },
      fix: 'train it with `profile:` (the profile.json validate-data wrote), or give that profile.json here',
    });
  }
  return { profile: readProfile(model.profile, ctx.workspace, input), files: [`${withoutCredentials(spec)} (${PROFILE_FILE})`] };
}
