import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './runner.js';
import { tempDir } from './temp.js';

export interface DemoRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A fresh copy of the example project with the demo's scripts, as a new user has it after
 * `npm ci && npm run build`: the built bundles and the installed packages are links to this
 * checkout; the control plane's scripts too (the demo asks scripts/k8s/install.sh for kubectl).
 */
export function demoCheckout(): string {
  const dir = tempDir('mlops-demo-');
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(path.join(REPO_ROOT, 'scripts/demo.sh'), path.join(dir, 'scripts/demo.sh'));
  fs.cpSync(path.join(REPO_ROOT, 'scripts/demo'), path.join(dir, 'scripts/demo'), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, 'scripts/k8s'), path.join(dir, 'scripts/k8s'));
  fs.cpSync(path.join(REPO_ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
  for (const link of ['cli', 'actions', 'node_modules', 'package.json']) fs.symlinkSync(path.join(REPO_ROOT, link), path.join(dir, link));
  return dir;
}

/** `npm run demo -- <args>` in `dir`, with none of the runner's variables; its temp files under `dir/tmp`. */
export function runDemo(dir: string, args: string[] = [], env: Record<string, string> = {}): DemoRun {
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const all: NodeJS.ProcessEnv = { ...process.env, MLOPS_CACHE_DIR: path.join(dir, '.cache'), TMPDIR: tmp, ...env };
  for (const k of Object.keys(all)) if (/^(GITHUB_|INPUT_|RUNNER_|npm_)/.test(k)) delete all[k];
  const r = spawnSync('npm', ['run', '--silent', 'demo', ...(args.length ? ['--', ...args] : [])], { cwd: dir, env: all, encoding: 'utf8', timeout: 540_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
