import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';
import { REPO_ROOT, runAction } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

const VENV_BIN = path.join(REPO_ROOT, '.tools/venv/bin');
const HEAD_SHA = 'feedfacefeedfacefeedfacefeedfacefeedface';

const trainInputs = {
  'working-directory': 'weather',
  params: 'params.json',
  data: 'data/seattle-weather.csv',
  code: '*.py\n*.mjs',
  model: 'model.onnx',
  metrics: 'metrics.json',
  seed: '7',
  'timeout-minutes': '10',
  cache: 'false',
  tags: 'latest',
  name: '',
  'github-token': '',
  publish: 'local:weather',
};

const gateInputs = {
  baseline: '',
  store: '',
  data: 'eval.csv',
  label: 'weather',
  task: 'auto',
  metrics: '',
  gates: '',
  'first-model': 'pass',
  slices: '',
  confidence: '0.95',
  resamples: '300',
  seed: '42',
  'batch-size': '128',
  comment: 'auto',
  'github-token': '',
  promote: 'false',
  'report-dir': '.mlops/evaluate-gate',
};

function prEvent(fork = false) {
  return {
    pull_request: {
      number: 12,
      head: { sha: HEAD_SHA, repo: { full_name: fork ? 'mallory/models' : 'acme/models' } },
      base: { ref: 'main', repo: { full_name: 'acme/models' } },
    },
  };
}

describe('evaluate-gate through the runner protocol', () => {
  let ws: string;
  let fake: GitHubFake;
  let pythonMetrics: Record<string, number>;
  const env = () => ({ ...fake.env(), PATH: `${VENV_BIN}:${process.env.PATH}`, GITHUB_WORKFLOW: 'pr.yml' });

  beforeAll(async () => {
    fake = await startGitHubFake();
    ws = tempDir('mlops-gate-');
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
    // The evaluation rows: the trainers' test split (2015), with a `season` slice column.
    const lines = fs.readFileSync(path.join(ws, 'weather/data/seattle-weather.csv'), 'utf8').trim().split('\n');
    const rows = lines.slice(1).filter((l) => l >= '2015-01-01');
    const season = (d: string) => (['01', '02', '12'].includes(d.slice(5, 7)) ? 'winter' : ['06', '07', '08'].includes(d.slice(5, 7)) ? 'summer' : 'other');
    fs.writeFileSync(path.join(ws, 'eval.csv'), [`${lines[0]},season`, ...rows.map((l) => `${l},${season(l)}`)].join('\n') + '\n');
    // v1: the Node trainer; v2: the Python trainer (scikit-learn + skl2onnx, with ZipMap).
    const v1 = await runAction('train', { ...trainInputs, command: 'node train.mjs' }, { workspace: ws, env: env() });
    expect(v1.outputs.version).toBe('1');
    const v2 = await runAction('train', { ...trainInputs, command: 'python train.py' }, { workspace: ws, env: env() });
    expect(v2.outputs.version, v2.stdout).toBe('2');
    pythonMetrics = JSON.parse(v2.outputs.metrics!);
  }, 300_000);
  afterAll(async () => {
    expect(fake.violations()).toEqual([]);
    await fake.stop();
  });

  it('the first model passes by policy and is promoted to champion on a push', async () => {
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@1', gates: 'accuracy >= 0.5\nf1 >= baseline - 0.01', promote: 'true' }, { workspace: ws, env: env() });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ passed: 'true', 'baseline-metrics': '', 'comment-url': '' });
    expect(r.summary).toMatch(/^### ✅ evaluate-gate passed: candidate <code>local:weather&#64;1<\/code> at <code>0123456789ab<\/code> vs no baseline \(first model\)/);
    const index = JSON.parse(fs.readFileSync(path.join(ws, '.mlops/registry/weather/index.json'), 'utf8'));
    const champion = index.manifests.find((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'] === 'champion');
    const v1 = index.manifests.find((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'] === '1');
    expect(champion.digest).toBe(v1.digest);
  });

  it('scores the skl2onnx model (ZipMap) exactly as scikit-learn did, against the champion, and comments once on the PR', async () => {
    const inputs = {
      ...gateInputs,
      model: 'local:weather@2',
      gates: 'accuracy >= baseline - 0.05\nf1 >= 0.3\nlatency_p95_ms <= 50\naccuracy[season=winter] >= 0.5',
      slices: 'season',
      'github-token': fake.token,
    };
    const r = await runAction('evaluate-gate', inputs, { workspace: ws, env: env(), eventName: 'pull_request', event: prEvent() });
    expect(r.stderr).toBe('');
    expect(r.exitCode, r.stdout).toBe(0);
    const metrics = JSON.parse(r.outputs.metrics!);
    // train.py computed these with scikit-learn on the same rows (the 2015 test split).
    expect(metrics.accuracy).toBeCloseTo(pythonMetrics.accuracy!, 12);
    expect(metrics.f1).toBeCloseTo(pythonMetrics.f1_macro!, 12);
    expect(metrics.log_loss).toBeCloseTo(pythonMetrics.log_loss!, 5);
    const baseline = JSON.parse(r.outputs['baseline-metrics']!);
    expect(baseline.accuracy).toBeGreaterThan(0.5);

    const report = JSON.parse(fs.readFileSync(path.join(ws, r.outputs['report-json']!), 'utf8'));
    expect(report).toMatchObject({ passed: true, task: 'multiclass', rows: 365, commit: HEAD_SHA, pullRequest: 12, baseline: { reference: 'local:weather@1', version: '1' } });
    expect(report.gates.map((g: { passed: boolean }) => g.passed)).toEqual([true, true, true, true]);
    expect(report.mcnemar.method).toMatch(/exact|chi2/);
    const acc = report.metrics.find((m: { name: string }) => m.name === 'accuracy');
    expect(acc.differenceCi.lo).toBeLessThanOrEqual(acc.candidate - acc.baseline);
    expect(acc.differenceCi.hi).toBeGreaterThanOrEqual(acc.candidate - acc.baseline);

    const comments = () => [...fake.state.repo(fake.owner, fake.repo)!.comments.values()].filter((c) => c.issue_number === 12);
    expect(comments()).toHaveLength(1);
    expect(r.outputs['comment-url']).toMatch(/\/pull\/12#issuecomment-\d+|\/issues\/12#issuecomment-\d+/);
    const body = comments()[0]!.body;
    expect(body.split('\n')[1]).toMatch(/^### ✅ evaluate-gate passed: candidate <code>local:weather&#64;2<\/code> at <code>feedfacefeed<\/code> vs baseline <code>local:weather&#64;1<\/code>/);
    expect(body).toContain('| Metric | Baseline | Candidate | Δ | Δ% | CI (95%) | Rule | Result |');
    expect(body).toContain('```mermaid');

    // A re-run edits the same comment.
    const again = await runAction('evaluate-gate', inputs, { workspace: ws, env: env(), eventName: 'pull_request', event: prEvent() });
    expect(again.exitCode).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(again.outputs['comment-url']).toBe(r.outputs['comment-url']);
  });

  it('a failing gate fails the step with one annotation per failed rule', async () => {
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@2', gates: 'accuracy >= 0.99\nf1 >= 0.1\nnot_a_metric >= 1', comment: 'never' }, { workspace: ws, env: env() });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.passed).toBe('false');
    const titles = r.annotations.filter((a) => a.title?.startsWith('gate: ')).map((a) => a.title);
    expect(titles).toEqual(['gate: accuracy >= 0.99', 'gate: not_a_metric >= 1']);
    expect(r.annotations.find((a) => a.title === 'gate: not_a_metric >= 1')!.message).toMatch(/missing metric not_a_metric/);
    expect(r.annotations.some((a) => /2 of 3 gate\(s\) failed/.test(a.message))).toBe(true);
  });

  it('a fork pull request gets no comment (read-only token) but a report for the workflow_run pattern', async () => {
    const before = fake.requests().length;
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@2', 'github-token': fake.token, 'report-dir': 'fork-report' }, { workspace: ws, env: env(), eventName: 'pull_request', event: prEvent(true) });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['comment-url']).toBe('');
    expect(r.annotations.some((a) => a.level === 'warning' && /comes from a fork/.test(a.message))).toBe(true);
    expect(fs.existsSync(path.join(ws, 'fork-report/report.json'))).toBe(true);
    expect(fake.requests().length).toBe(before);
  });

  it('the workflow_run half comments the fork report, treating the artifact as hostile', async () => {
    fake.state.addPull(fake.owner, fake.repo, { number: 12, headSha: HEAD_SHA, headRepo: 'mallory/models' });
    const run = { workflow_run: { name: 'pr.yml', head_sha: HEAD_SHA, event: 'pull_request' } };
    const comments = () => [...fake.state.repo(fake.owner, fake.repo)!.comments.values()].filter((c) => c.issue_number === 12);
    const before = comments().length;
    const report = JSON.parse(fs.readFileSync(path.join(ws, 'fork-report/report.json'), 'utf8'));
    const write = (name: string, value: unknown) => {
      fs.writeFileSync(path.join(ws, name), typeof value === 'string' ? value : JSON.stringify(value));
      return name;
    };
    const comment = (file: string, event: unknown = run) =>
      runAction('pr-report', { report: file, 'github-token': fake.token }, { workspace: ws, env: env(), eventName: event === 'push' ? 'push' : 'workflow_run', event: event === 'push' ? {} : event });

    const ok = await comment('fork-report/report.json');
    expect(fake.violations(), JSON.stringify(fake.violations().slice(0, 2))).toEqual([]);
    expect(ok.stdout.match(/::error.*/)?.[0] ?? '').toBe('');
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(ok.outputs['pull-request']).toBe('12');
    // Same (workflow, model) key as evaluate-gate's own comment: the one comment is edited.
    expect(comments()).toHaveLength(Math.max(before, 1));
    expect(comments().some((c) => c.body.includes('evaluate-gate passed'))).toBe(true);

    const refused: [string, string, RegExp, unknown?][] = [
      ['an unknown key', write('x1.json', { ...report, extra: '<script>' }), /not a valid evaluate-gate report/],
      ['markup where a number belongs', write('x2.json', { ...report, rows: '<img src=x>' }), /not a valid evaluate-gate report .*rows/],
      ['another commit', write('x3.json', { ...report, commit: 'a'.repeat(40) }), /about commit a{40}, but the run built/],
      ['another PR', write('x4.json', { ...report, pullRequest: 99 }), /read pull request #99 \(HTTP 404\)/],
      ['not JSON', write('x5.json', '{"schemaVersion": 1,'), /not JSON/],
      ['a PR whose head is another commit', write('x6.json', { ...report, commit: 'b'.repeat(40) }), /pull request #12 is at feedface.*not at the commit the run built/, { workflow_run: { ...run.workflow_run, head_sha: 'b'.repeat(40) } }],
      ['not a workflow_run', 'fork-report/report.json', /runs in a workflow triggered by `workflow_run`/, 'push'],
    ];
    for (const [what, file, message, event] of refused) {
      const r = await comment(file, event ?? run);
      expect(r.exitCode, what).toBe(1);
      expect(r.annotations[0]!.message, what).toMatch(message);
    }
    expect(comments()).toHaveLength(Math.max(before, 1));
  });

  it('a gate syntax error points at the rule', async () => {
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@2', gates: 'accuracy >= 0.5\nf1 => 0.3' }, { workspace: ws, env: env() });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toMatch(/line 2, column 4[\s\S]*f1 => 0\.3[\s\S]*\^/);
  });

  it('hostile slice values cannot inject markdown into the report', async () => {
    const lines = fs.readFileSync(path.join(ws, 'eval.csv'), 'utf8').trim().split('\n');
    const hostile = ['<img src=x onerror=alert(1)>', '[click](https://evil.example)', '@octocat **bold**'];
    fs.writeFileSync(path.join(ws, 'hostile.csv'), [lines[0], ...lines.slice(1).map((l, i) => l.replace(/,[a-z]+$/, `,"${hostile[i % 3]}"`))].join('\n') + '\n');
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@2', data: 'hostile.csv', slices: 'season', comment: 'never' }, { workspace: ws, env: env() });
    expect(r.exitCode).toBe(0);
    expect(r.summary).not.toMatch(/<img|[^\\]\]\(https|[^;]@octocat/);
    expect(r.summary).toContain('season=&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('evaluate-gate on a regressor (skl2onnx, one [N, 3] input)', () => {
  it('gives scikit-learn\'s rmse, mae, r2 and mape on the same rows', async () => {
    const ws = tempDir('mlops-reg-');
    const src = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), 'utf8').trim().split('\n').slice(1);
    fs.writeFileSync(path.join(ws, 'data.csv'), ['precipitation,temp_min,wind,temp_max', ...src.map((l) => { const f = l.split(','); return `${f[1]},${f[3]},${f[4]},${f[2]}`; })].join('\n') + '\n');
    execFileSync(path.join(VENV_BIN, 'python'), [path.join(REPO_ROOT, 'test/harness/python/regressor.py'), path.join(ws, 'data.csv'), ws]);
    const sklearn = JSON.parse(fs.readFileSync(path.join(ws, 'sklearn-metrics.json'), 'utf8'));
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'model.onnx', data: 'data.csv', label: 'temp_max', gates: 'rmse <= 3\nr2 >= 0.8', comment: 'never' }, { workspace: ws });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const m = JSON.parse(r.outputs.metrics!);
    // The ONNX model computes in float32; scikit-learn in float64.
    for (const k of ['rmse', 'mae', 'r2', 'mape']) expect(Math.abs(m[k] / sklearn[k] - 1), k).toBeLessThan(1e-6);
  });
});
