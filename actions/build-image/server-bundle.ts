import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The model server bundle (shared/serving/main.ts, built to actions/build-image/dist/server.mjs)
 * as the running code finds it: beside the action bundle, from the CLI bundle, or from source.
 */
export function serverBundlePath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'server.mjs'), path.join(here, 'dist', 'server.mjs'), path.join(here, '..', '..', 'actions', 'build-image', 'dist', 'server.mjs')];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`the model server bundle is missing (looked in ${candidates.join(', ')}): run npm run build`);
  return found;
}
