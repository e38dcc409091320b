/**
 * Run a workflow of this repository with act (nektos/act, scripts/install-act.sh) in host mode
 * (`-P ubuntu-latest=-self-hosted`: no Docker), offline: our actions are the local
 * `./actions/<name>` or, in the reusable workflows, `mlops-actions/mlops/...@v1` served from a
 * copy of this checkout; every pinned github.com action is replaced by its double in
 * test/act/doubles (--local-repository); GitHub is the OpenAPI-checked fake; the Actions cache
 * is act's own cache server.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NODE24, REPO_ROOT, TOOL_CACHE } from './runner.js';
import { tempDir } from './temp.js';

export const ACT_BIN = path.join(REPO_ROOT, '.tools/bin/act');
const DOUBLES = path.join(REPO_ROOT, 'test/act/doubles');

/** act, at the version scripts/install-act.sh pins (else an error saying to run it). */
export function requireAct(): string {
  const pinned = /^ACT_VERSION="([0-9.]+)"/m.exec(fs.readFileSync(path.join(REPO_ROOT, 'scripts/install-act.sh'), 'utf8'))?.[1];
  const installed = fs.existsSync(ACT_BIN) ? execFileSync(ACT_BIN, ['--version'], { encoding: 'utf8' }).trim() : 'none';
  if (installed !== `act version ${pinned}`) throw new Error(`act ${pinned} is needed at ${ACT_BIN} (found: ${installed}): run scripts/install-act.sh`);
  return ACT_BIN;
}

/**
 * A git repository holding what a user's repository would (the example data and code) plus the
 * actions (the examples use them as `./actions/<name>`), with workflows-examples/*.yml under
 * .github/workflows, committed: act takes the sha, ref and checkout from it. Returns its path
 * and HEAD.
 */
export function userRepository(): { dir: string; sha: string } {
  const dir = tempDir('mlops-act-repo-');
  copyWithoutSources('actions', dir);
  copyWithoutSources('dist', dir);
  copyWithoutSources('examples', dir);
  fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
  for (const file of yamlFiles(path.join(REPO_ROOT, 'workflows-examples'))) fs.copyFileSync(file, path.join(dir, '.github/workflows', path.basename(file)));
  fs.writeFileSync(path.join(dir, '.gitignore'), '.mlops/\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=octocat', '-c', 'user.email=octocat@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'the weather model');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

/**
 * This suite as a user's workflow fetches it at `@v1`: the actions (action.yml, dist and the chunks they share in dist/) and the
 * reusable workflows, without the sources, tests and node_modules (act copies the whole
 * repository for each step that uses one of its actions).
 */
export function suiteRelease(): string {
  const dir = tempDir('mlops-act-suite-');
  copyWithoutSources('actions', dir);
  copyWithoutSources('dist', dir);
  fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
  for (const file of reusableWorkflows()) fs.copyFileSync(file, path.join(dir, '.github/workflows', path.basename(file)));
  return dir;
}

/** A folder of this repository into `dir`, without TypeScript sources (the bundles are in dist/). */
const copyWithoutSources = (part: string, dir: string) => fs.cpSync(path.join(REPO_ROOT, part), path.join(dir, part), { recursive: true, filter: (src) => !src.endsWith('.ts') });

const yamlFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f)) : []);

/** The reusable workflows (`on: workflow_call`) of .github/workflows. */
const reusableWorkflows = () => yamlFiles(path.join(REPO_ROOT, '.github/workflows')).filter((f) => workflowEvents(f).includes('workflow_call'));

/** workflows-examples/*.yml, and the reusable workflows they call. */
const workflowFiles = () => [...yamlFiles(path.join(REPO_ROOT, 'workflows-examples')), ...reusableWorkflows()];

/** This suite as users reference it: `mlops-actions/mlops/actions/<name>@v1`, `.../.github/workflows/<file>@v1`. */
const SUITE_REPOSITORY = 'mlops-actions/mlops';

/**
 * `--local-repository <server>/owner/repo@ref=<dir>` for every remote `uses:` of the workflows:
 * this suite at its major tag is `suite` (suiteRelease()); any other action is pinned by SHA
 * and replaced by its double in test/act/doubles/<repo>, and one without a double is an error
 * naming it. actions/checkout needs none: act copies the
 * repository into the workspace itself.
 */
export function localRepositoryFlags(serverUrl: string, suite: string): string[] {
  const used = new Set<string>();
  for (const file of workflowFiles()) {
    // Steps left as comments (an OIDC login to fill in) are not run: their actions need no double.
    const text = fs.readFileSync(file, 'utf8').replace(/^\s*#.*$/gm, '');
    for (const m of text.matchAll(/uses:\s*['"]?([\w.-]+\/[\w.-]+)(?:\/[^@\s'"]*)?@([\w.-]+)/g)) used.add(`${m[1]}@${m[2]}`);
  }
  const flags: string[] = [];
  for (const ref of [...used].sort()) {
    const repository = ref.slice(0, ref.indexOf('@'));
    if (repository === 'actions/checkout') continue;
    let dir = suite;
    if (repository !== SUITE_REPOSITORY) {
      dir = path.join(DOUBLES, repository.slice(repository.indexOf('/') + 1));
      if (!fs.existsSync(path.join(dir, 'action.yml'))) throw new Error(`no test double for ${ref}: add ${path.relative(REPO_ROOT, dir)}/action.yml (test/act/doubles/README.md)`);
    }
    // act clones from GITHUB_SERVER_URL (the fake's): the replacement names that URL.
    flags.push('--local-repository', `${serverUrl}/${ref}=${dir}`);
  }
  return flags;
}

export interface ActRun {
  exitCode: number;
  /** act's whole log (every step's output). */
  log: string;
  /** The job summaries act printed (`Summary - ...`), in order. */
  summaries: string[];
}

export interface WorkflowRun {
  /** The repository from userRepository(). */
  repo: string;
  /** This suite at `@v1`, from suiteRelease(). */
  suite: string;
  /** File name under .github/workflows. */
  workflow: string;
  event: string;
  payload: unknown;
  /** GITHUB_RUN_ID: artifacts are stored per run. */
  runId: number;
  env?: Record<string, string>;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /** github.token (act's GITHUB_TOKEN secret). */
  token: string;
  /** Where act keeps its per-job directories (kept for the file's run, removed with its temp dirs). */
  cacheDir: string;
}

/** Run one workflow with act and wait for it; act's whole log is returned, never thrown away. */
export async function runWorkflow(w: WorkflowRun): Promise<ActRun> {
  const eventFile = path.join(tempDir('mlops-act-event-'), 'event.json');
  fs.writeFileSync(eventFile, JSON.stringify(w.payload));
  // Native engines fetched once across runs (the tests' shared tool cache), not per act run.
  const toolCache = path.join(w.cacheDir, 'tool_cache');
  if (!fs.existsSync(toolCache)) fs.symlinkSync(TOOL_CACHE, toolCache);
  fs.mkdirSync(TOOL_CACHE, { recursive: true });
  const env: Record<string, string> = { GITHUB_RUN_ID: String(w.runId), ...w.env };
  const args = [
    w.event,
    '-W', `.github/workflows/${w.workflow}`,
    '-e', eventFile,
    '-P', 'ubuntu-latest=-self-hosted',
    '--action-cache-path', w.cacheDir,
    '--cache-server-addr', '127.0.0.1',
    '--cache-server-port', '0',
    '--cache-server-path', path.join(w.cacheDir, 'actions-cache'),
    '--concurrent-jobs', '1',
    ...Object.entries({ ...w.secrets, GITHUB_TOKEN: w.token }).flatMap(([k, v]) => ['-s', `${k}=${v}`]),
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...Object.entries(w.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
    ...localRepositoryFlags(env.GITHUB_SERVER_URL ?? 'https://github.com', w.suite),
  ];
  // Host mode runs `node` from PATH for `using: node24` actions: the repository's Node 24 first.
  // The test process's own GITHUB_*/RUNNER_*/INPUT_* stay out, as runner.ts does.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|MLOPS_)/.test(k))) as Record<string, string>;
  const child = spawn(requireAct(), args, {
    cwd: w.repo,
    env: { ...inherited, PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Also streamed to a file while it runs, to follow a long run.
  const logFile = path.join(w.cacheDir, `${w.runId}-${w.workflow}.log`);
  let log = '';
  const collect = (d: Buffer) => {
    log += d.toString();
    fs.appendFileSync(logFile, d);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { exitCode, log, summaries: summariesOf(log) };
}

/** act prints each step's summary as `⚙  Summary - <first line>` followed by the rest. */
function summariesOf(log: string): string[] {
  return log.split(/\n(?=\[)/).flatMap((block) => {
    const m = /\]\s+⚙\s+Summary - ([\s\S]*)$/.exec(block);
    return m?.[1] ? [m[1]] : [];
  });
}

/** The last lines of a log, for assertion messages. */
export function tail(log: string, lines = 60): string {
  return log.split('\n').slice(-lines).join('\n');
}

/** The `on:` events of a workflow file. */
export function workflowEvents(file: string): string[] {
  const on = (parseYaml(fs.readFileSync(file, 'utf8')) as { on?: unknown }).on;
  return typeof on === 'string' ? [on] : Array.isArray(on) ? (on as string[]) : Object.keys((on as object | undefined) ?? {});
}
