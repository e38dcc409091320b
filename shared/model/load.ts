import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE, type ModelManifest, parseManifest, PROFILE_FILE } from './manifest.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { requireUserFile, sha256File } from '../runtime/files.js';
import { resolveModel, type StoreCredentials } from '../store/open.js';
import { parseReference } from '../store/reference.js';

export interface ModelFile {
  file: string;
  /** The manifest beside a model file, or the store's; null for a bare file. */
  manifest: ModelManifest | null;
  /** The reference profile the manifest names (beside a model file, or the store's), verified; null when none. */
  profile: string | null;
}

/** A model reference (a path, or a store reference) -> the local file and its manifest, verified. */
export async function resolveModelFile(reference: string, ctx: Context, input = 'model', creds: StoreCredentials = { githubToken: ctx.env.GITHUB_TOKEN }): Promise<ModelFile> {
  const ref = parseReference(reference, input);
  if (ref.kind === 'path') {
    const file = path.resolve(ctx.workspace, ref.path);
    requireUserFile(file, { input, display: ref.path });
    const beside = path.join(path.dirname(file), MANIFEST_FILE);
    const manifest = fs.existsSync(beside) ? parseManifest(JSON.parse(fs.readFileSync(beside, 'utf8')), beside) : null;
    if (manifest && manifest.model.digest !== `sha256:${await sha256File(file)}`) throw new UserError(`${MANIFEST_FILE} beside the model describes another file (digest mismatch)`, { where: { file: beside } });
    let profile: string | null = null;
    if (manifest?.profile) {
      profile = path.join(path.dirname(file), PROFILE_FILE);
      requireUserFile(profile, { input, display: path.join(path.dirname(ref.path), PROFILE_FILE) });
      if (manifest.profile.digest !== `sha256:${await sha256File(profile)}`) throw new UserError(`${PROFILE_FILE} beside the model is not the profile ${MANIFEST_FILE} names (digest mismatch)`, { where: { file: profile } });
    }
    return { file, manifest, profile };
  }
  const resolved = await resolveModel(ref, ctx, creds);
  return { file: resolved.modelPath, manifest: resolved.manifest, profile: resolved.profilePath };
}
