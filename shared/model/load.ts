import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE, type ModelManifest, parseManifest } from './manifest.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { requireUserFile, sha256File } from '../runtime/files.js';
import { resolveModel } from '../store/open.js';
import { parseReference } from '../store/reference.js';

export interface ModelFile {
  file: string;
  /** The manifest beside a model file, or the store's; null for a bare file. */
  manifest: ModelManifest | null;
}

/** A model reference (a path, or a store reference) -> the local file and its manifest, verified. */
export async function resolveModelFile(reference: string, ctx: Context, input = 'model', githubToken = ctx.env.GITHUB_TOKEN): Promise<ModelFile> {
  const ref = parseReference(reference, input);
  if (ref.kind === 'path') {
    const file = path.resolve(ctx.workspace, ref.path);
    requireUserFile(file, { input, display: ref.path });
    const beside = path.join(path.dirname(file), MANIFEST_FILE);
    const manifest = fs.existsSync(beside) ? parseManifest(JSON.parse(fs.readFileSync(beside, 'utf8')), beside) : null;
    if (manifest && manifest.model.digest !== `sha256:${await sha256File(file)}`) throw new UserError(`${MANIFEST_FILE} beside the model describes another file (digest mismatch)`, { where: { file: beside } });
    return { file, manifest };
  }
  const resolved = await resolveModel(ref, ctx, { githubToken });
  return { file: resolved.modelPath, manifest: resolved.manifest };
}
