import { execFileSync, spawnSync } from 'node:child_process';
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
  features: '',
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

function prEvent(fork = false, number = 12) {
  return {
    pull_request: {
      number,
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
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('the first model passes by policy and is promoted to champion on a push', async () => {
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@1', gates: 'accuracy >= 0.5\nf1.macro >= baseline - 0.01', promote: 'true' }, { workspace: ws, env: env() });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ passed: 'true', 'baseline-metrics': '', 'comment-url': '' });
    expect(r.summary).toMatch(/^### ✅ evaluate-gate passed: candidate <code>local:weather&#64;1<\/code> at <code>0123456789ab<\/code> vs no baseline \(first model\)/);
    // No baseline, no "vs baseline" chart.
    expect(r.summary).toContain('title "candidate (no baseline yet)"');
    expect(r.summary).not.toContain('vs baseline (line)');
    const index = JSON.parse(fs.readFileSync(path.join(ws, '.mlops/registry/weather/index.json'), 'utf8'));
    const champion = index.manifests.find((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'] === 'champion');
    const v1 = index.manifests.find((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name'] === '1');
    expect(champion.digest).toBe(v1.digest);
  });

  it('scores the skl2onnx model (ZipMap) exactly as scikit-learn did, against the champion, and comments once on the PR', async () => {
    const inputs = {
      ...gateInputs,
      model: 'local:weather@2',
      gates: 'accuracy >= baseline - 0.05\nf1.macro >= 0.3\nlatency_p95_ms <= 50\naccuracy[season=winter] >= 0.5',
      slices: 'season',
      'github-token': fake.token,
    };
    const r = await runAction('evaluate-gate', inputs, { workspace: ws, env: env(), eventName: 'pull_request', event: prEvent() });
    expect(r.stderr).toBe('');
    expect(r.exitCode, r.stdout).toBe(0);
    const metrics = JSON.parse(r.outputs.metrics!);
    // train.py computed these with scikit-learn on the same rows (the 2015 test split).
    expect(metrics.accuracy).toBeCloseTo(pythonMetrics.accuracy!, 12);
    expect(metrics['f1.macro']).toBeCloseTo(pythonMetrics['f1.macro']!, 12);
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
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@2', gates: 'accuracy >= 0.99\nf1.macro >= 0.1\nnot_a_metric >= 1', comment: 'never' }, { workspace: ws, env: env() });
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

  it('every gate rule shown in the docs, action.yml, the catalog, the workflows and --help runs against the example', async () => {
    const shown = documentedRules();
    expect(shown.length).toBeGreaterThanOrEqual(20);
    // --help is generated from action.yml: it shows the same rules.
    const help = spawnSync(process.execPath, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), 'evaluate-gate', '--help'], { encoding: 'utf8' });
    for (const { rule } of shown.filter((s) => s.source.endsWith('action.yml'))) expect(`${help.stdout}${help.stderr}`).toContain(rule);
    const r = await runAction(
      'evaluate-gate',
      { ...gateInputs, model: 'local:weather@2', baseline: 'local:weather@1', data: 'weather/data/eval-2015.csv', slices: 'season', gates: shown.map((s) => s.rule).join('\n'), resamples: '200', comment: 'never', 'report-dir': 'doc-rules' },
      { workspace: ws, env: env() },
    );
    expect(r.stderr).toBe('');
    const report = JSON.parse(fs.readFileSync(path.join(ws, 'doc-rules/report.json'), 'utf8'));
    expect(report.gates).toHaveLength(shown.length);
    // Each rule finds its metric (and slice) and is decided on numbers: pass or fail, never "missing".
    report.gates.forEach((g: { reason: string }, k: number) => expect(g.reason, `${shown[k]!.source}: ${shown[k]!.rule}`).not.toMatch(/missing|not a finite number|could not be assessed/));
  });

  it('an undefined metric says why, in the gate reason and the report', async () => {
    const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@2', data: 'weather/data/eval-2015.csv', gates: 'roc_auc >= 0.5\npr_auc >= 0.1', comment: 'never', 'report-dir': 'nan' }, { workspace: ws, env: env() });
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(fs.readFileSync(path.join(ws, 'nan/report.json'), 'utf8'));
    expect(report.gates[0].reason).toMatch(/^roc_auc is NaN in the candidate, not a finite number: class "snow" never occurs in the evaluation data/);
    expect(report.gates[1].passed).toBe(true);
    expect(r.summary).toMatch(/<code>roc\\_auc<\/code> is undefined \(—\): class &quot;snow&quot; never occurs in the evaluation data/);
  });

  it('refuses, as the user\'s error, what cannot be scored: a non-ONNX model, a directory, unknown labels, slicing by the label', async () => {
    fs.writeFileSync(path.join(ws, 'model.pkl'), Buffer.from('\x80\x04\x95\x00sklearn.linear_model pickle, not ONNX', 'latin1'));
    const lines = fs.readFileSync(path.join(ws, 'weather/data/eval-2015.csv'), 'utf8').trim().split('\n');
    const codes = ['drizzle', 'fog', 'rain', 'snow', 'sun'];
    const relabel = (f: (w: string, i: number) => string) => [lines[0], ...lines.slice(1).map((l, i) => { const c = l.split(','); c[5] = f(c[5]!, i); return c.join(','); })].join('\n') + '\n';
    fs.writeFileSync(path.join(ws, 'numeric-label.csv'), relabel((w) => String(codes.indexOf(w))));
    fs.writeFileSync(path.join(ws, 'unseen-class.csv'), relabel((w, i) => (i % 50 === 0 ? 'hail' : w)));
    const cases: [string, Record<string, string>, RegExp][] = [
      ['a pickle as the model', { model: 'model.pkl' }, /model\.pkl: the candidate model is not an ONNX model .*\nFix: give the \.onnx file/],
      ['a directory as the model', { model: 'weather' }, /^weather is a directory, not a file \(input `model`\)/],
      ['a file as the report directory', { 'report-dir': 'weather/params.json' }, /cannot write .*weather\/params\.json\/report\.md: a part of the path .* is a file, not a directory \(input `report-dir`\)/],
      ['a numeric label for a string classifier', { data: 'numeric-label.csv' }, /the label column "weather" holds value\(s\) the candidate model does not predict: "0", "1", "2", "4"; its classes are "drizzle", "fog", "rain", "snow", "sun" \(input `label`\)/],
      ['a class the model never saw', { data: 'unseen-class.csv' }, /does not predict: "hail"/],
      ['slicing by the label', { data: 'weather/data/eval-2015.csv', slices: 'weather' }, /slicing by the label column "weather" keeps one class per slice.* \(input `slices`\)/],
    ];
    for (const [what, inputs, message] of cases) {
      const r = await runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@2', comment: 'never', ...inputs }, { workspace: ws, env: env() });
      expect(r.exitCode, what).toBe(1);
      expect(r.stdout + r.stderr, what).not.toMatch(/Internal error|    at /);
      expect(r.annotations[0]!.message, what).toMatch(message);
    }
  });

  it('concurrent runs on one pull request leave one comment (3 runs, 2 rounds)', async () => {
    const comments = () => [...fake.state.repo(fake.owner, fake.repo)!.comments.values()].filter((c) => c.issue_number === 21);
    for (let round = 0; round < 2; round++) {
      for (const c of comments()) fake.state.repo(fake.owner, fake.repo)!.comments.delete(c.id);
      // Every run lists the comments before any writes: each finds none and creates one.
      fake.gather('issues/list-comments', 3);
      const runs = await Promise.all(
        [0, 1, 2].map((k) =>
          runAction('evaluate-gate', { ...gateInputs, model: 'local:weather@2', 'github-token': fake.token, resamples: '50', 'report-dir': `concurrent-${k}` }, { workspace: ws, env: env(), eventName: 'pull_request', event: prEvent(false, 21) }),
        ),
      );
      for (const r of runs) expect(r.exitCode, r.stdout).toBe(0);
      expect(comments(), `round ${round}`).toHaveLength(1);
      expect(comments()[0]!.body).toContain('evaluate-gate passed');
      expect(new Set(runs.map((r) => r.outputs['comment-url'])).size).toBe(1);
    }
    expect(fake.requests().filter((q) => q.operationId === 'issues/delete-comment' && q.status === 204)).toHaveLength(4);
  }, 600_000);

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

describe('evaluate-gate on a model with one [N, 4] input (skl2onnx), beside id, date and slice columns', () => {
  let ws: string;
  beforeAll(() => {
    ws = tempDir('mlops-matrix-');
    const source = path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv');
    const py = path.join(VENV_BIN, 'python');
    execFileSync(py, [path.join(REPO_ROOT, 'test/harness/python/matrix_classifier.py'), source, path.join(ws, 'plain.onnx')]);
    execFileSync(py, [path.join(REPO_ROOT, 'test/harness/python/matrix_classifier.py'), source, path.join(ws, 'named.onnx'), 'meta']);
    // The example's hold-out: date, the 4 features, the label, and a season slice column.
    fs.copyFileSync(path.join(REPO_ROOT, 'examples/weather/data/eval-2015.csv'), path.join(ws, 'eval.csv'));
    // Without the date: only the features, the label and the slice.
    const rows = fs.readFileSync(path.join(ws, 'eval.csv'), 'utf8').trim().split('\n');
    fs.writeFileSync(path.join(ws, 'no-date.csv'), rows.map((l) => l.split(',').slice(1).join(',')).join('\n') + '\n');
  }, 300_000);
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

  const run = (inputs: Record<string, string>) => runAction('evaluate-gate', { ...gateInputs, baseline: 'none', comment: 'never', slices: 'season', gates: 'accuracy >= 0.6', resamples: '50', ...inputs }, { workspace: ws });

  it('the features input picks the columns, in the model\'s order; an id or a date is not fed', async () => {
    const r = await run({ model: 'plain.onnx', data: 'eval.csv', features: 'precipitation, temp_max, temp_min, wind' });
    expect(r.stderr).toBe('');
    expect(r.exitCode, r.stdout).toBe(0);
    expect(JSON.parse(r.outputs.metrics!).accuracy).toBeGreaterThan(0.6);
  });

  it('without features, the model\'s own features metadata binds it', async () => {
    const r = await run({ model: 'named.onnx', data: 'eval.csv' });
    expect(r.exitCode, r.stdout).toBe(0);
  });

  it('a slice column is never fed: the 4 other columns bind', async () => {
    const r = await run({ model: 'plain.onnx', data: 'no-date.csv' });
    expect(r.exitCode, r.stdout).toBe(0);
    const named = await run({ model: 'plain.onnx', data: 'no-date.csv', features: 'precipitation, temp_max, temp_min, wind' });
    const quality = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.includes('latency')));
    expect(quality(JSON.parse(named.outputs.metrics!))).toEqual(quality(JSON.parse(r.outputs.metrics!)));
  });

  it('an ambiguous binding names the features input, not a column rename', async () => {
    const r = await run({ model: 'plain.onnx', data: 'eval.csv' });
    expect(r.exitCode).toBe(1);
    const message = r.annotations[0]!.message;
    expect(message).toMatch(/input "X" \(float32 \[.*, 4\]\) takes 4 columns, but the data has 5 besides the label and the slices \(date, precipitation, temp_max, temp_min, wind\).* \(input `features`\)\nFix: set `features` to the 4 columns/);
    expect(message).not.toMatch(/rename|name the data columns/);
    const wrong = await run({ model: 'plain.onnx', data: 'eval.csv', features: 'precipitation, temp_max, wind' });
    expect(wrong.annotations[0]!.message).toMatch(/the `features` input lists 3 column\(s\), but the candidate model's input "X" takes 4 \(input `features`\)/);
    const typo = await run({ model: 'plain.onnx', data: 'eval.csv', features: 'precipitation, temp_max, temp_min, windd' });
    expect(typo.annotations[0]!.message).toMatch(/names column\(s\) the data lacks: windd/);
  });
});

/** Where a gate rule is shown to users, and the rules found there (`gates: |` blocks and `rule` code spans). */
function documentedRules(): { source: string; rule: string }[] {
  const files = [
    'README.md',
    'action-catalog.md',
    'examples/weather/README.md',
    'shared/gate/parse.ts',
    ...fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    ...fs.readdirSync(path.join(REPO_ROOT, 'actions')).map((a) => `actions/${a}/action.yml`).filter((f) => fs.existsSync(path.join(REPO_ROOT, f))),
    ...(fs.readdirSync(path.join(REPO_ROOT, 'workflows-examples'), { recursive: true }) as string[]).map((f) => `workflows-examples/${f}`).filter((f) => fs.statSync(path.join(REPO_ROOT, f)).isFile()),
  ];
  // Shown on purpose as mistakes, or not a rule at all.
  const notRules = new Set(['f1 >= 0.8 and f2 >= 0.7']);
  const out: { source: string; rule: string }[] = [];
  const looksLikeRule = /^"?[A-Za-z_][\w.]*"?(\[[^\]]*\])?\s*(>=|<=|==|<|>)\s*([+-]?[\d.]|baseline\b)/;
  for (const source of files) {
    const lines = fs.readFileSync(path.join(REPO_ROOT, source), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const block = /^(\s*)gates: \|\s*$/.exec(line);
      if (block) {
        for (const next of lines.slice(i + 1)) {
          if (next.trim() === '') continue;
          if (next.search(/\S/) <= block[1]!.length) break;
          const rule = next.replace(/#.*$/, '').trim();
          if (rule) out.push({ source, rule });
        }
      }
      for (const [, span] of line.matchAll(/`([^`]+)`/g)) if (looksLikeRule.test(span!) && !notRules.has(span!)) out.push({ source, rule: span! });
    });
  }
  return out;
}
