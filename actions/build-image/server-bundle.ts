import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The model server bundle (shared/serving/main.ts, built to actions/build-image/dist/server.mjs
 * and cli/dist/server.mjs) as the running code finds it: from a chunk of the actions' bundles
 * (dist/ at the repository's root), from a chunk of the CLI package (cli/dist/chunks), or from
 * source (actions/build-image).
 */
export function serverBundlePath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, '..', 'actions', 'build-image', 'dist', 'server.mjs'), path.join(here, '..', 'server.mjs'), path.join(here, 'dist', 'server.mjs')];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`the model server bundle is missing (looked in ${candidates.join(', ')}): run npm run build`);
  return found;
}
