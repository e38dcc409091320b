/**
 * drift-check's prediction drift, performance monitoring and datetime columns, through the
 * runner protocol on examples/weather: the weather model is trained (train, `node train.mjs`)
 * and gated on the 2015 hold-out (evaluate-gate), which writes the candidate's prediction
 * profile and its metrics; production is a prediction log of those days (JSON Lines with the
 * model server's `id` and `time`, the inputs and `prediction`), and labels arrive later keyed by id.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { driftReportSchema, type DriftReport } from '../../shared/drift/report.js';
import { columnDrift } from '../../shared/stats/drift/column.js';
import { rawEvidence } from '../../shared/stats/drift/raw.js';
import { REPO_ROOT, runAction } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

const DAY = 86_400_000;
const START = Date.parse('2026-05-01T00:00:00Z');
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'] as const;

let ws: string;
/** The candidate's predicted class counts on the hold-out, from evaluate-gate's predictions.json. */
let referenceCounts: [string, number][];
/** The candidate's accuracy on the hold-out, from evaluate-gate's report.json. */
let baselineAccuracy: number;
let hold: Record<string, string>[];

const fmt = (x: number) => String(Number(x.toPrecision(4)));

/** Rows of the hold-out as a prediction log: the predicted classes laid out with the given counts, 61 rows a day. */
function predictionLog(counts: [string, number][]): { id: string; time: string; prediction: string; [feature: string]: string | number }[] {
  const classes = counts.flatMap(([c, n]) => Array<string>(n).fill(c));
  // Interleave the classes so every day sees the same mix.
  const order = classes.map((c, i) => ({ c, k: (i * 7919) % classes.length })).sort((a, b) => a.k - b.k).map((x) => x.c);
  return hold.map((row, i) => ({
    id: `req-${i}`,
    time: new Date(START + Math.floor(i / 61) * DAY + (i % 61) * 60_000).toISOString(),
    ...Object.fromEntries(FEATURES.map((f) => [f, Number(row[f])])),
    prediction: order[i]!,
  }));
}

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const reportOf = (file: string): DriftReport => driftReportSchema.parse(JSON.parse(fs.readFileSync(path.join(ws, file), 'utf8')));
const check = (inputs: Record<string, string>) => runAction('drift-check', { reference: 'reference.json', 'fail-on': 'never', ...inputs }, { workspace: ws });

beforeAll(async () => {
  ws = tempDir('mlops-monitor-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
  const train = await runAction(
    'train',
    { 'working-directory': 'weather', command: 'node train.mjs', params: 'params.json', data: 'data/seattle-weather.csv', code: '*.mjs', model: 'model.onnx', metrics: 'metrics.json', seed: '7', 'timeout-minutes': '10', cache: 'false', tags: 'latest', publish: 'local:weather' },
    { workspace: ws },
  );
  expect(train.exitCode, train.stdout).toBe(0);
  const gate = await runAction('evaluate-gate', { model: 'local:weather@1', data: 'weather/data/eval-2015.csv', label: 'weather', gates: 'accuracy >= 0.5', resamples: '0', comment: 'never' }, { workspace: ws });
  expect(gate.exitCode, gate.stdout).toBe(0);
  expect(gate.outputs.predictions).toBe('.mlops/evaluate-gate/predictions.json');
  const predictions = JSON.parse(fs.readFileSync(path.join(ws, gate.outputs.predictions!), 'utf8'));
  expect(predictions).toMatchObject({ kind: 'mlops/profile', rows: 365, columns: [{ name: 'prediction', type: 'VARCHAR', kind: 'categorical', values: { complete: true } }] });
  referenceCounts = predictions.columns[0].values.counts;
  baselineAccuracy = JSON.parse(gate.outputs.metrics!).accuracy;
  const [header, ...lines] = fs.readFileSync(path.join(ws, 'weather/data/eval-2015.csv'), 'utf8').trim().split('\n');
  const names = header!.split(',');
  hold = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
  // The reference profile of the features: the hold-out as validate-data profiles it.
  fs.writeFileSync(path.join(ws, 'features.jsonl'), jsonl(hold.map((r) => Object.fromEntries(FEATURES.map((f) => [f, Number(r[f])])))));
  const v = await runAction('validate-data', { data: 'features.jsonl', profile: 'reference.json' }, { workspace: ws });
  expect(v.exitCode, v.stdout).toBe(0);
}, 600_000);

describe('prediction drift', () => {
  it('the same class balance as the evaluation predictions: ok; a swapped balance: drift naming the prediction', async () => {
    fs.writeFileSync(path.join(ws, 'same.jsonl'), jsonl(predictionLog(referenceCounts)));
    const same = await check({ current: 'same.jsonl', 'reference-predictions': '.mlops/evaluate-gate/predictions.json', report: 'same.json' });
    expect(same.exitCode, same.stdout).toBe(0);
    expect(same.outputs).toMatchObject({ status: 'ok', 'prediction-drifted': 'false', 'drifted-columns': '[]' });
    const ok = reportOf('same.json');
    // Evidently's choice for classes on <= 1000 reference rows: chi-square, or the z-test for two classes.
    const test = referenceCounts.length > 2 ? 'chisquare' : 'z';
    expect(ok.predictions).toMatchObject({ column: 'prediction', reference: ['.mlops/evaluate-gate/predictions.json'], result: { test, value: 1, drifted: false } });
    // The predictions, the clock and the id are not features.
    expect(ok.columns.map((c) => c.column).sort()).toEqual([...FEATURES]);
    expect(ok.skipped).toEqual([]);

    // The two most frequent classes swap their counts.
    const [[a, na], [b, nb], ...rest] = referenceCounts as [[string, number], [string, number], ...[string, number][]];
    expect(na - nb, 'the hold-out predictions need two unequal leading classes').toBeGreaterThan(30);
    fs.writeFileSync(path.join(ws, 'swapped.jsonl'), jsonl(predictionLog([[a, nb], [b, na], ...rest])));
    const r = await check({ current: 'swapped.jsonl', 'reference-predictions': '.mlops/evaluate-gate/predictions.json', 'fail-on': 'drift', report: 'swapped.json', 'report-md': 'swapped.md' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ status: 'drift', drifted: 'true', 'prediction-drifted': 'true', 'drift-share': '0', 'drifted-columns': '["prediction"]' });
    const report = reportOf('swapped.json');
    const p = report.predictions!.result;
    expect(p).toMatchObject({ column: 'prediction', kind: 'categorical', test, drifted: true, condition: 'p < 0.05', reason: expect.stringMatching(/^categorical column with \d distinct values and 365 reference values \(<= 1000\): (chi-square|two-proportion z-)test/) });
    expect(p.value!).toBeLessThan(1e-6);
    console.log(`prediction drift: reference ${JSON.stringify(referenceCounts)}, swapped: ${p.test} p = ${p.value!.toExponential(2)}, effect ${p.effect?.name} ${p.effect?.value.toFixed(3)}`);
    expect(report.reason).toMatch(new RegExp(`^0 of 4 tested columns drifted; the predictions \\(prediction\\) drifted \\(${test} p = .+; drift when p < 0\\.05\\)$`));
    expect(r.summary).toContain('#### Prediction drift');
    expect(r.summary).toMatch(new RegExp(`\\| <code>prediction</code> \\| \\*\\*drifted\\*\\* \\| ${test} \\| p = `));
    expect(r.annotations.some((x) => x.title === 'drift-check: predictions prediction drifted')).toBe(true);
  });

  it('any profile with a prediction column is a reference too; a threshold set for the prediction applies', async () => {
    const v = await runAction('validate-data', { data: 'same.jsonl', profile: 'with-predictions.json' }, { workspace: ws });
    expect(v.exitCode, v.stdout).toBe(0);
    const r = await check({ reference: 'with-predictions.json', current: 'swapped.jsonl', stattest: 'prediction: jensenshannon', 'stattest-threshold': 'prediction: 0.5', report: 'js.json' });
    expect(r.exitCode, r.stdout).toBe(0);
    const report = reportOf('js.json');
    expect(report.predictions!.result).toMatchObject({ test: 'jensenshannon', threshold: 0.5, drifted: false, reason: expect.stringMatching(/^set for this column/) });
    expect(report.skipped.map((s) => [s.column, s.reason])).toEqual([
      ['id', 'identifies each prediction (id-column), one value per row'],
      ['time', expect.stringMatching(/^the time of each row \(time-column\): the data's clock/)],
    ]);
  });

  it('reference predictions the current data lacks the column of: a UserError naming the input', async () => {
    const r = await check({ current: 'features.jsonl', 'reference-predictions': '.mlops/evaluate-gate/predictions.json', report: 'x.json' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toMatch(/the current data has no prediction column 'prediction' \(input `prediction-column`\)/);
  });
});

describe('performance monitoring', () => {
  /** Labels for the prediction log of `same.jsonl`: days 1-3 as accurate as on the hold-out, days 4-6 25 points worse; the last 10 rows not labelled yet; 3 labels for unknown ids. */
  function labels(): { csv: string; accuracy: number[] } {
    const log = predictionLog(referenceCounts);
    const classes = referenceCounts.map(([c]) => c);
    const accuracy: number[] = [];
    const lines = ['id,label'];
    for (let day = 0; day * 61 < log.length; day++) {
      const rows = log.slice(day * 61, (day + 1) * 61).filter((r) => Number(r.id.slice(4)) < log.length - 10);
      const correct = Math.round((day < 3 ? baselineAccuracy : baselineAccuracy - 0.25) * rows.length);
      rows.forEach((r, i) => lines.push(`${r.id},${i < correct ? r.prediction : classes.find((c) => c !== r.prediction)}`));
      accuracy.push(correct / rows.length);
    }
    lines.push('req-9999,sun', 'req-9998,rain', 'req-9997,sun');
    return { csv: `${lines.join('\n')}\n`, accuracy };
  }

  it('labels keyed by request id: per-day accuracy against the model\'s recorded accuracy; the decayed days fail the rule with the numbers', async () => {
    const { csv, accuracy } = labels();
    fs.writeFileSync(path.join(ws, 'labels.csv'), csv);
    const r = await check({ current: 'same.jsonl', labels: 'labels.csv', window: '1d', 'baseline-metrics': '.mlops/evaluate-gate/report.json', 'performance-rules': 'accuracy >= baseline - 0.05', 'fail-on': 'drift', report: 'perf.json', 'report-md': 'perf.md' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ status: 'drift', 'performance-passed': 'false', 'drifted-columns': '[]' });
    const perf = reportOf('perf.json').performance!;
    expect(perf).toMatchObject({ task: 'classification', window: '1d', passed: false, rules: ['accuracy >= baseline - 0.05'], labels: { files: ['labels.csv'], column: 'label', predictions: 365, labelled: 355, unlabelled: 10, unmatched: 3 } });
    expect(perf.baseline!.metrics.accuracy).toBe(baselineAccuracy);
    expect(perf.windows.map((w) => w.start)).toEqual([0, 1, 2, 3, 4, 5].map((d) => new Date(START + d * DAY).toISOString().replace(':00.000Z', 'Z')));
    expect(perf.windows.map((w) => w.metrics.accuracy)).toEqual(accuracy);
    const threshold = baselineAccuracy - 0.05;
    perf.windows.forEach((w, day) => {
      const gate = w.gates[0]!;
      if (day < 3) expect(gate).toMatchObject({ passed: true, reason: `${fmt(accuracy[day]!)} >= ${fmt(threshold)} (baseline ${fmt(baselineAccuracy)} - 0.05)` });
      else expect(gate).toMatchObject({ passed: false, reason: `${fmt(accuracy[day]!)} < ${fmt(threshold)} (baseline ${fmt(baselineAccuracy)} - 0.05)` });
    });
    expect(perf.overall.rows).toBe(355);
    console.log(`performance: baseline accuracy ${fmt(baselineAccuracy)}, per day ${accuracy.map(fmt).join(', ')}`);
    expect(reportOf('perf.json').reason).toMatch(/; performance: 3 failed rule\(s\): window 2026-05-04T00:00Z: accuracy >= baseline - 0\.05: /);
    expect(r.summary).toContain('#### Performance: a rule failed');
    expect(r.summary).toContain('355 of 365 predictions labelled, from labels labels.csv (column label); 10 without a label yet, 3 labels match no prediction.');
    expect(r.summary).toMatch(new RegExp(`\\| 2026-05-04T00:00Z – 2026-05-05T00:00Z \\| 61 \\| ${fmt(accuracy[3]!).replace('.', '\\.')} \\|`));
    expect(r.annotations.filter((a) => a.title?.startsWith('drift-check: performance rule failed'))).toHaveLength(3);
  });

  it('the step in docs/drift.md ("Prediction drift and performance") runs as written', async () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/drift.md'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('### Prediction drift and performance')))![1]!;
    const [step] = YAML.parse(block) as { uses: string; with: Record<string, string> }[];
    expect(step!.uses).toBe('mlops-actions/mlops/actions/drift-check@v1');
    // The files it names: the features' profile, the prediction log, the labels.
    fs.mkdirSync(path.join(ws, 'logs'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'labels'), { recursive: true });
    fs.copyFileSync(path.join(ws, 'reference.json'), path.join(ws, '.mlops/profile.json'));
    fs.copyFileSync(path.join(ws, 'same.jsonl'), path.join(ws, 'logs/predictions.jsonl'));
    fs.copyFileSync(path.join(ws, 'labels.csv'), path.join(ws, 'labels/2026-05.csv'));
    const r = await runAction('drift-check', step!.with, { workspace: ws });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ status: 'drift', 'prediction-drifted': 'false', 'performance-passed': 'false' });
    const said = /e\.g\. `(window 2026-05-04T00:00Z: accuracy >= baseline - 0\.05: [^`]+)`/.exec(doc)![1]!;
    expect(JSON.parse(fs.readFileSync(path.join(ws, r.outputs.report!), 'utf8')).reason).toContain(said);
  });

  it('the model\'s manifest metrics as the baseline, and labels in the current data itself', async () => {
    const log = predictionLog(referenceCounts).map((row, i) => ({ ...row, label: i % 10 === 0 ? 'snow' : row.prediction }));
    fs.writeFileSync(path.join(ws, 'labelled.jsonl'), jsonl(log));
    const r = await check({ current: 'labelled.jsonl', 'label-column': 'label', 'baseline-metrics': 'local:weather@1', 'performance-rules': 'accuracy >= baseline * 0.5\nf1.macro >= 0', report: 'inline.json' });
    expect(r.exitCode, r.stdout).toBe(0);
    const perf = reportOf('inline.json').performance!;
    expect(perf).toMatchObject({ passed: true, window: null, windows: [], labels: { files: [], labelled: 365 }, baseline: { source: 'local:weather@1' } });
    expect(perf.overall.metrics.accuracy).toBe(log.filter((x) => x.label === x.prediction).length / 365);
    expect(reportOf('inline.json').columns.map((c) => c.column)).not.toContain('label');
    // A metrics JSON file as train's trainers write it (nested, flattened as train flattens it).
    fs.writeFileSync(path.join(ws, 'metrics.json'), JSON.stringify({ accuracy: 0.95, f1: { macro: 0.9 } }));
    const strict = await check({ current: 'labelled.jsonl', 'label-column': 'label', 'baseline-metrics': 'metrics.json', 'performance-rules': 'f1.macro >= baseline - 0.01', report: 'strict.json' });
    expect(strict.outputs).toMatchObject({ status: 'drift', 'performance-passed': 'false' });
    expect(reportOf('strict.json').performance!.overall.gates[0]!.reason).toMatch(/^0\.\d+ < 0\.89 \(baseline 0\.9 - 0\.01\)$/);
  });

  it('mistakes are UserErrors naming the input', async () => {
    const bad = async (inputs: Record<string, string>, message: RegExp) => {
      const r = await check({ current: 'same.jsonl', report: 'bad.json', ...inputs });
      expect(r.exitCode).toBe(1);
      expect(r.annotations[0]!.message).toMatch(message);
    };
    await bad({ labels: 'labels.csv', 'performance-rules': 'accuracy >= baseline' }, /no baseline metrics were given \(input `baseline-metrics`\)/);
    await bad({ labels: 'labels.csv', 'performance-rules': 'accuracy >= 0.5 significant' }, /`performance-rules` line 1: `significant` are not available/);
    await bad({ labels: 'labels.csv', window: '1 week' }, /"1 week" is not a window length \(input `window`\)/);
    await bad({ labels: 'labels.csv', 'id-column': 'request' }, /the current data has no column 'request' \(input `id-column`\)/);
    fs.writeFileSync(path.join(ws, 'two-rows.jsonl'), jsonl(predictionLog(referenceCounts).map((r) => ({ ...r, id: 'req-1' }))));
    await bad({ current: 'two-rows.jsonl', labels: 'labels.csv' }, /rows 1 and 2 of the current data share id = \["req-1"\].*\(input `id-column`\)\nFix: .*`id-column: id, row`/s);
  });
});

describe('datetime columns', () => {
  const weather = () => fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), 'utf8');
  /** The weather data with every date a year later. */
  const later = () =>
    weather()
      .split('\n')
      .map((l, i) => (i === 0 || !l ? l : `${new Date(Date.parse(l.slice(0, 10)) + 365 * DAY).toISOString().slice(0, 10)}${l.slice(10)}`))
      .join('\n');

  it('compared as epoch seconds on the minute timeline: the same dates are not drifted, dates a year later drift', async () => {
    fs.writeFileSync(path.join(ws, 'weather.csv'), weather());
    fs.writeFileSync(path.join(ws, 'weather-later.csv'), later());
    const v = await runAction('validate-data', { data: 'weather.csv', profile: 'weather.json' }, { workspace: ws });
    expect(v.exitCode, v.stdout).toBe(0);
    const same = await check({ reference: 'weather.json', current: 'weather.csv', report: 'dt-same.json' });
    const date = (file: string) => reportOf(file).columns.find((c) => c.column === 'date')!;
    expect(date('dt-same.json')).toMatchObject({ kind: 'numeric', status: 'tested', test: 'wasserstein', value: 0, drifted: false, notes: [expect.stringMatching(/^datetime column compared as epoch seconds .*minute timeline$/)] });
    expect(same.outputs.status).toBe('ok');
    const r = await check({ reference: 'weather.json', current: 'weather-later.csv', report: 'dt.json' });
    expect(r.outputs.status).toBe('warn');
    expect(JSON.parse(r.outputs['drifted-columns']!)).toEqual(['date']);
    // A year's shift over four years of dates: W1 = 365 days, the reference std about 422 days.
    expect(date('dt.json')).toMatchObject({ drifted: true, test: 'wasserstein' });
    console.log(`datetime: a year later, wasserstein ${date('dt.json').value!.toFixed(4)}`);
    expect(date('dt.json').value!).toBeCloseTo((365 * 86_400) / Math.sqrt(((1461 ** 2 - 1) / 12) * 86_400 ** 2), 6);
  });

  it('with reference-data: the raw-value numbers on epoch seconds', async () => {
    const r = await check({ reference: 'weather.json', current: 'weather-later.csv', 'reference-data': 'weather.csv', report: 'dt-raw.json' });
    expect(r.exitCode, r.stdout).toBe(0);
    const col = reportOf('dt-raw.json').columns.find((c) => c.column === 'date')!;
    const seconds = (text: string) => text.trim().split('\n').slice(1).map((l) => Date.parse(l.slice(0, 10)) / 1000);
    const ours = columnDrift('date', rawEvidence('date', 'numeric', seconds(weather()), seconds(later())));
    expect(col).toMatchObject({ basis: 'raw values', test: ours.test, value: ours.value, drifted: true });
  });
});
