// Every workflows-examples/*.yml and reusable .github/workflows/mlops-*.yml must (a) parse with
// GitHub's own workflow schema (@actions/workflow-parser), (b) pass actionlint, which also checks
// `with:` against the action.yml of our actions and a caller's inputs against the reusable
// workflow's, and (c) follow the security rules: top-level least-privilege permissions,
// third-party actions pinned by SHA (with a version comment; ours at `@v1` or by SHA), no
// untrusted `${{ github.event.* }}` inside `run:`. Each check is also run on a bad workflow to
// prove it bites. test/e2e/act-workflows.test.ts runs them.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
// The package imports its JSON schema without an import attribute: plain Node refuses it, so
// vitest.config.ts inlines the package (server.deps.inline) and Vite resolves the JSON.
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { tempDir } from '../harness/temp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const examplesDir = path.join(root, 'workflows-examples');
const actionlintBin = path.join(root, '.tools', 'bin', 'actionlint');
const installScript = path.join(root, 'scripts', 'install-actionlint.sh');

const examples = fs
  .readdirSync(examplesDir)
  .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
  .sort();
/** The reusable workflows users call (`uses: mlops-actions/mlops/.github/workflows/<file>@v1`). */
const reusableDir = path.join(root, '.github', 'workflows');
const reusable = fs.readdirSync(reusableDir).filter((f) => /^mlops-.*\.yml$/.test(f)).sort();
const workflowPath = (file: string) => (reusable.includes(file) ? path.join(reusableDir, file) : path.join(examplesDir, file));


// ---------------------------------------------------------------------------------------------
// (a) GitHub's workflow schema

async function workflowParserErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || parsed.value === undefined) {
    return errors.length > 0 ? errors : [`${name}: no workflow parsed`];
  }
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return [
    ...parsed.context.errors.getErrors().map((e) => e.message),
    ...(template.errors ?? []).map((e) => e.Message),
  ].filter((m, i, all) => all.indexOf(m) === i);
}

// ---------------------------------------------------------------------------------------------
// (b) actionlint

function pinnedActionlintVersion(): string {
  const m = /^ACTIONLINT_VERSION="(v[0-9.]+)"/m.exec(fs.readFileSync(installScript, 'utf8'));
  if (!m?.[1]) throw new Error('ACTIONLINT_VERSION not found in scripts/install-actionlint.sh');
  return m[1];
}

function requireActionlint(): string {
  const pinned = pinnedActionlintVersion();
  if (!fs.existsSync(actionlintBin)) {
    throw new Error(`actionlint not found at ${actionlintBin}: run scripts/install-actionlint.sh`);
  }
  const installed = execFileSync(actionlintBin, ['-version'], { encoding: 'utf8' }).split('\n')[0]?.trim();
  if (installed !== pinned) {
    throw new Error(`actionlint ${installed} found, ${pinned} pinned: run scripts/install-actionlint.sh`);
  }
  return actionlintBin;
}

interface ActionlintError {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

/**
 * This suite's actions and reusable workflows at `@v1` as the local paths they are here, so
 * actionlint checks every `with:` against the action.yml, and a caller's inputs and secrets
 * (names, types, required ones) against the reusable workflow's `workflow_call`.
 */
const localized = (content: string) => content.replace(/\bmlops-actions\/mlops\/([^@\s'"]+)@v\d+/g, './$1');

/**
 * actionlint only resolves local `./` actions inside a "project": a directory with `.git` and
 * `.github/workflows/`. The repository keeps its examples elsewhere, so build such a project in a
 * temp dir with the workflow under .github/workflows and `actions/` linked to the repo's.
 */
function actionlintErrors(name: string, content: string): string[] {
  const bin = requireActionlint();
  const project = tempDir('mlops-workflows-');
  fs.writeFileSync(path.join(project, '.git'), ''); // actionlint accepts a .git file (worktrees).
  fs.mkdirSync(path.join(project, '.github', 'workflows'), { recursive: true });
  fs.symlinkSync(path.join(root, 'actions'), path.join(project, 'actions'), 'dir');
  for (const file of reusable) fs.writeFileSync(path.join(project, '.github/workflows', file), localized(fs.readFileSync(path.join(reusableDir, file), 'utf8')));
  const rel = `.github/workflows/${path.basename(name)}`;
  fs.writeFileSync(path.join(project, rel), localized(content));
  const r = spawnSync(bin, ['-no-color', '-format', '{{json .}}', rel], { cwd: project, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`actionlint failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
  }
  const found = JSON.parse(r.stdout.trim() || '[]') as ActionlintError[] | null;
  const messages = (found ?? []).map((e) => `${name}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
  if (r.status === 1 && messages.length === 0) messages.push(`actionlint exited 1: ${r.stderr}`);
  return messages;
}

// ---------------------------------------------------------------------------------------------
// (c) security rules

const SHA_PIN = /^[^@\s]+@[0-9a-f]{40}$/;
/** This suite's own actions and reusable workflows at their major tag, as README.md says to pin them (or by SHA). */
const SUITE_TAG = /^mlops-actions\/mlops\/[^@\s]+@v\d+$/;
const DOCKER_DIGEST_PIN = /^docker:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/;
/** Untrusted context in an expression: PR titles/bodies, commit messages, branch names. */
const UNTRUSTED_EXPR = /\$\{\{[^}]*\bgithub\s*\.\s*(event\s*\.|head_ref\b)/i;

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function securityViolations(name: string, content: string): string[] {
  const problems: string[] = [];
  const wf: unknown = parseYaml(content);
  if (!isMap(wf)) return [`${name}: not a YAML mapping`];

  if (!('permissions' in wf)) problems.push(`${name}: no top-level permissions (use contents: read)`);
  const checkPermissions = (where: string, p: unknown): void => {
    if (p === 'write-all') problems.push(`${name}: ${where} permissions: write-all`);
  };
  checkPermissions('top-level', wf.permissions);

  const jobs = isMap(wf.jobs) ? wf.jobs : {};
  for (const [jobId, job] of Object.entries(jobs)) {
    if (!isMap(job)) continue;
    checkPermissions(`job ${jobId}`, job.permissions);
    const uses: string[] = typeof job.uses === 'string' ? [job.uses] : [];
    const steps = Array.isArray(job.steps) ? job.steps : [];
    steps.forEach((step: unknown, i: number) => {
      if (!isMap(step)) return;
      if (typeof step.uses === 'string') uses.push(step.uses);
      if (typeof step.run === 'string' && UNTRUSTED_EXPR.test(step.run)) {
        problems.push(`${name}: job ${jobId} step ${i + 1} interpolates github.event/head_ref in run: (pass it through env:)`);
      }
    });
    for (const u of uses) {
      if (u.startsWith('./')) continue;
      if (!SHA_PIN.test(u) && !DOCKER_DIGEST_PIN.test(u) && !SUITE_TAG.test(u)) {
        problems.push(`${name}: job ${jobId} uses ${u}: pin it to a full 40-hex commit SHA`);
      }
    }
  }

  // A SHA pin needs its version as a trailing comment so people (and Dependabot) can read it.
  content.split('\n').forEach((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(#.*)?$/.exec(line);
    if (m?.[1] && SHA_PIN.test(m[1]) && !/^#\s*v\d/.test(m[2] ?? '')) {
      problems.push(`${name}:${i + 1}: ${m[1]} has no "# vX.Y.Z" version comment`);
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------

/** The three checks, for one workflow file. */
function checkWorkflow(file: string, content: string): void {
  it('(a) parses with @actions/workflow-parser without errors', async () => {
    expect(await workflowParserErrors(file, content)).toEqual([]);
  });

  it('(b) passes actionlint', () => {
    expect(actionlintErrors(file, content)).toEqual([]);
  });

  it('(c) follows the security rules', () => {
    expect(securityViolations(file, content)).toEqual([]);
  });
}

describe('workflows-examples', () => {
  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it('has the three reusable workflows, each called by an example', () => {
    expect(reusable).toEqual(['mlops-monitor.yml', 'mlops-pull-request.yml', 'mlops-release.yml']);
    const callers = examples.map((f) => fs.readFileSync(path.join(examplesDir, f), 'utf8')).join('\n');
    for (const file of reusable) expect(callers).toContain(`uses: mlops-actions/mlops/.github/workflows/${file}@v1`);
  });

  it("README's adoption snippet is the jobs of use-pull-request.yml, word for word (that file runs under act)", () => {
    const caller = fs.readFileSync(path.join(examplesDir, 'use-pull-request.yml'), 'utf8');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`yaml\n${caller.slice(caller.indexOf('jobs:\n'))}\`\`\``);
  });

  describe.each([...examples, ...reusable])('%s', (file) => checkWorkflow(file, fs.readFileSync(workflowPath(file), 'utf8')));

  it('validate-data.yml converts to the expected job and steps', async () => {
    const content = fs.readFileSync(path.join(examplesDir, 'validate-data.yml'), 'utf8');
    const parsed = parseWorkflow({ name: 'validate-data.yml', content }, new NoOperationTraceWriter());
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    const job = template.jobs[0];
    expect(job?.type).toBe('job');
    const uses = job && job.type === 'job' ? job.steps.flatMap((s) => ('uses' in s ? [s.uses.value] : [])) : [];
    expect(uses).toContain('./actions/validate-data');
  });
});

// The repository's own workflows (the release process) pass the same checks.
const own = fs.readdirSync(reusableDir).filter((f) => (f.endsWith('.yml') || f.endsWith('.yaml')) && !reusable.includes(f)).sort();
describe('.github/workflows', () => {
  describe.each(own)('%s', (file) => checkWorkflow(file, fs.readFileSync(path.join(reusableDir, file), 'utf8')));
});

describe('the checks bite', () => {
  const good = `name: t
on: pull_request
permissions:
  contents: read
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: v
        uses: ./actions/validate-data
        with:
          data: data.csv
      - env:
          PASSED: \${{ steps.v.outputs.passed }}
        run: echo "$PASSED"
`;

  it('the baseline bad-workflow template is itself clean', async () => {
    expect(await workflowParserErrors('good.yml', good)).toEqual([]);
    expect(actionlintErrors('good.yml', good)).toEqual([]);
    expect(securityViolations('good.yml', good)).toEqual([]);
  });

  it('(a) workflow-parser flags a schema error', async () => {
    const bad = good.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutez: 5');
    const errors = await workflowParserErrors('bad.yml', bad);
    expect(errors.join('\n')).toMatch(/timeout-minutez/);
  });

  it('(b) actionlint flags an unknown input of ./actions/validate-data', () => {
    const bad = good.replace('data: data.csv', 'data: data.csv\n          profil: x.json');
    const errors = actionlintErrors('bad.yml', bad);
    expect(errors.join('\n')).toMatch(/input "profil" is not defined in action "mlops validate-data"/);
  });

  it('(b) actionlint checks a caller\'s inputs against the reusable workflow, and its steps\' against action.yml', () => {
    const caller = fs.readFileSync(path.join(examplesDir, 'use-pull-request.yml'), 'utf8');
    expect(actionlintErrors('bad.yml', caller.replace('label: weather', 'labels: weather')).join('\n')).toMatch(/input "labels" is not defined in "\.\/\.github\/workflows\/mlops-pull-request\.yml"/);
    expect(actionlintErrors('bad.yml', caller.replace('      store: release:weather\n', '')).join('\n')).toMatch(/input "store" is required/);
    const reusablePr = fs.readFileSync(path.join(reusableDir, 'mlops-pull-request.yml'), 'utf8');
    expect(actionlintErrors('bad.yml', reusablePr.replace('slices: ${{ inputs.slices }}', 'slice: ${{ inputs.slices }}')).join('\n')).toMatch(/input "slice" is not defined in action "mlops evaluate-gate"/);
  });

  it('(b) actionlint flags a missing required input of ./actions/validate-data', () => {
    const bad = good.replace('        with:\n          data: data.csv\n', '');
    expect(actionlintErrors('bad.yml', bad).join('\n')).toMatch(/missing input "data"/);
  });

  it('(c) flags an unpinned action', () => {
    const bad = good.replace('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2', 'actions/checkout@v4');
    expect(securityViolations('bad.yml', bad)).toEqual([
      'bad.yml: job t uses actions/checkout@v4: pin it to a full 40-hex commit SHA',
    ]);
  });

  it('(c) takes this suite at its major tag, nothing looser and no lookalike', () => {
    const suite = (ref: string) => good.replace('uses: ./actions/validate-data', `uses: ${ref}`);
    expect(securityViolations('ok.yml', suite('mlops-actions/mlops/actions/validate-data@v1'))).toEqual([]);
    expect(securityViolations('bad.yml', suite('mlops-actions/mlops/actions/validate-data@main'))).toEqual([
      'bad.yml: job t uses mlops-actions/mlops/actions/validate-data@main: pin it to a full 40-hex commit SHA',
    ]);
    expect(securityViolations('bad.yml', suite('mlops-actions/mlops-fork/actions/validate-data@v1'))).toHaveLength(1);
  });

  it('(c) flags a SHA pin without a version comment', () => {
    const bad = good.replace(' # v4.2.2', '');
    expect(securityViolations('bad.yml', bad).join('\n')).toMatch(/no "# vX.Y.Z" version comment/);
  });

  it('(c) flags missing top-level permissions and write-all', () => {
    const missing = good.replace('permissions:\n  contents: read\n', '');
    expect(securityViolations('bad.yml', missing).join('\n')).toMatch(/no top-level permissions/);
    const writeAll = good.replace('permissions:\n  contents: read\n', 'permissions: write-all\n');
    expect(securityViolations('bad.yml', writeAll).join('\n')).toMatch(/top-level permissions: write-all/);
  });

  it('(c) flags ${{ github.event.* }} inside run:', () => {
    const bad = good.replace('run: echo "$PASSED"', 'run: echo "${{ github.event.pull_request.title }}"');
    expect(securityViolations('bad.yml', bad).join('\n')).toMatch(/interpolates github\.event\/head_ref in run:/);
  });
});
