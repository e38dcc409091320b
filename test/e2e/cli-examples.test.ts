import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE24, REPO_ROOT, TOOL_CACHE } from '../harness/runner.js';

/**
 * Every example `mlops <action> --help` shows, run as shown (from a copy of the repository's
 * examples), in the order of the loop. The copy is a git checkout whose remote carries a token,
 * as CI clones often do: nothing the suite writes or prints may hold it.
 */
const SECRET = 'S3CRET-token-value';
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cli-examples-'));
afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));
const env = { ...process.env, RUNNER_TOOL_CACHE: TOOL_CACHE, MLOPS_CACHE_DIR: path.join(ws, '.cache'), GITHUB_ACTIONS: '', GITHUB_TOKEN: '' };

async function mlops(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(NODE24, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), ...args], { cwd: ws, env, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** `mlops a 'b c' d` -> ['a', 'b c', 'd'] (the quoting shellLine writes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return words;
}

async function examplesOf(action: string): Promise<string[][]> {
  const help = await mlops(action, '--help');
  expect(help.code).toBe(0);
  const lines = help.stdout.split('\n');
  const start = lines.indexOf('examples:');
  if (start < 0) return [];
  return lines.slice(start + 1).filter((l) => l.startsWith('  mlops ')).map((l) => shellWords(l.trim()).slice(1));
}

describe('the examples in mlops --help', () => {
  const printed: string[] = [];
  const ran: string[] = [];
  it('run as shown, in the order of the loop', { timeout: 900_000 }, async () => {
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'examples/weather'), { recursive: true, filter: (src) => !/(__pycache__|\.venv)/.test(src) });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ws });
    git('init', '-q');
    git('remote', 'add', 'origin', `https://deploy:${SECRET}@gitlab.example.com/o/r.git`);
    git('add', '-A');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'example');
    for (const action of ['validate-data', 'train', 'evaluate-gate', 'predict', 'drift-check', 'build-image', 'pr-report']) {
      for (const argv of await examplesOf(action)) {
        const r = await mlops(...argv);
        printed.push(r.stdout, r.stderr);
        expect(r.code, `mlops ${argv.join(' ')}\n${r.stderr}`).toBe(0);
        expect(() => JSON.parse(r.stdout)).not.toThrow();
        ran.push(argv.join(' '));
      }
    }
    expect(ran.length).toBeGreaterThanOrEqual(5);
  });

  it("the README's command lines are these examples, --help or --version, and run", async () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const lines = [...readme.matchAll(/^npx mlops (.*?)(?:\s+#.*)?$/gm)].map((m) => shellWords(m[1]!));
    expect(lines.length).toBeGreaterThan(0);
    for (const argv of lines) {
      if (argv.at(-1) === '--help' || argv.at(-1) === '--version') {
        const r = await mlops(...argv);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(argv.at(-1) === '--version' ? /^mlops \d+\.\d+\.\d+\n$/ : /^mlops \S+: /);
      } else expect(ran).toContain(argv.join(' '));
    }
  });

  it('recorded the git remote without its credentials, and nothing holds them', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ws, 'examples/weather/mlops-model.json'), 'utf8'));
    expect(manifest.git.repository).toBe('https://gitlab.example.com/o/r.git');
    // Every file written (the .git directory aside, which holds the remote itself) and every line printed.
    const grep = spawnSync('grep', ['-rlaF', '--exclude-dir=.git', SECRET, ws], { encoding: 'utf8' });
    expect(grep.stdout.trim()).toBe('');
    for (const text of printed) expect(text).not.toContain(SECRET);
  });
});
