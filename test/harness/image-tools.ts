import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './runner.js';
import { tempDir } from './temp.js';

/**
 * The ecosystem's own image tools on what we build: crane (go-containerregistry, pinned by
 * scripts/install-crane.sh into .tools/bin), skopeo and umoci (apt, scripts/test-all.sh).
 * Async: a registry served from the test process (the token server) must keep answering.
 */

const run = promisify(execFile);
export const CRANE = path.join(REPO_ROOT, '.tools', 'bin', 'crane');

async function tool(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { env, maxBuffer: 64 << 20 });
    return { ok: true, out: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message };
  }
}

/** `crane validate --remote`: reads every layer, checks digests, sizes and diff_ids. `creds`: `user:password`. */
export async function craneValidate(ref: string, opts: { creds?: string } = {}): Promise<{ ok: boolean; out: string }> {
  if (!fs.existsSync(CRANE)) throw new Error(`${CRANE} is missing: run scripts/install-crane.sh`);
  // crane reads credentials from a docker config only: a temp one, removed afterwards.
  const dir = tempDir('crane-auth-');
  try {
    const auths = opts.creds ? { [ref.split('/')[0]!]: { auth: Buffer.from(opts.creds).toString('base64') } } : {};
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths }));
    return await tool(CRANE, ['validate', '--insecure', '--remote', ref], { ...process.env, DOCKER_CONFIG: dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** crane, skopeo and umoci each read the pushed image `ref` (`host/repo:tag`) whole; throws what they said. */
export async function checkPushedImage(ref: string, opts: { creds?: string; crane?: boolean } = {}): Promise<void> {
  if (opts.crane !== false) {
    const crane = await craneValidate(ref, opts);
    if (!crane.ok) throw new Error(`crane validate --remote ${ref} failed:\n${crane.out}`);
  }
  const dir = tempDir('image-tools-');
  try {
    const creds = opts.creds ? ['--src-creds', opts.creds] : [];
    const copy = await tool('skopeo', ['copy', '-q', '--src-tls-verify=false', ...creds, `docker://${ref}`, `oci:${dir}/layout:t`]);
    if (!copy.ok) throw new Error(`skopeo copy docker://${ref} failed:\n${copy.out}`);
    const unpack = await tool('umoci', ['unpack', '--image', `${dir}/layout:t`, `${dir}/bundle`]);
    if (!unpack.ok) throw new Error(`umoci unpack of ${ref} failed:\n${unpack.out}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
