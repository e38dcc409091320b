/**
 * drift-check's three current sources give the same verdict on the same traffic, through the
 * runner protocol: the rows as a data file, the real model server's prediction log, and the
 * server's bin counters scraped by a real Prometheus. The reference is the model reference
 * train published to the real local OCI store, with the profile validate-data wrote.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftReportSchema, type DriftReport } from '../../shared/drift/report.js';
import { type RunningPrometheus, startPrometheus } from '../harness/prometheus.js';
import { REPO_ROOT, runAction } from '../harness/runner.js';
import { bundleModelServer, launchModelServer, type RunningServer } from '../harness/serving.js';
import { tempDir } from '../harness/temp.js';

const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];
const weather = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), 'utf8').trimEnd().split('\n');
const columns = weather[0]!.split(',');
/** 2013-2014 (730 days) of the 2012-2015 reference: no drift. */
const later: Record<string, number>[] = weather.slice(1).filter((l) => /^201[34]-/.test(l)).map((l) => {
  const f = l.split(',');
  return Object.fromEntries(FEATURES.map((name) => [name, Number(f[columns.indexOf(name)])]));
});
/** The same days 5 degrees warmer: a mean shift in temp_max only. */
const warmer: Record<string, number>[] = later.map((r) => ({ ...r, temp_max: Number((r.temp_max! + 5).toFixed(1)) }));
const CASES = { unshifted: later, shifted: warmer } as const;
type Case = keyof typeof CASES;

let ws: string;
let prom: RunningPrometheus;
const servers: RunningServer[] = [];
let metricsText = '';

beforeAll(async () => {
  ws = tempDir('mlops-drift-sources-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, env: { ...process.env, GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' } });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'example');
  const validated = await runAction('validate-data', { data: 'weather/data/seattle-weather.csv', profile: 'weather/profile.json', report: '.mlops/validate.json', 'fail-on': 'error' }, { workspace: ws });
  expect(validated.exitCode, validated.stdout).toBe(0);
  const trained = await runAction(
    'train',
    { command: 'node train.mjs', 'working-directory': 'weather', params: 'params.json', data: 'data/seattle-weather.csv', model: 'model.onnx', metrics: 'metrics.json', profile: 'profile.json', seed: '7', 'timeout-minutes': '10', cache: 'false', publish: 'local:seattle-weather', tags: 'latest\nchampion', name: '', code: '**/*.mjs', 'github-token': '' },
    { workspace: ws },
  );
  expect(trained.exitCode, trained.stdout).toBe(0);
  expect(trained.outputs.reference).toBe('local:seattle-weather@1');

  // One real server process per case, each with the reference profile train recorded beside the model.
  const bundle = await bundleModelServer();
  const model = path.join(ws, 'weather');
  for (const c of Object.keys(CASES) as Case[]) {
    servers.push(
      await launchModelServer(bundle, {
        MODEL_PATH: path.join(model, 'model.onnx'),
        MODEL_MANIFEST: path.join(model, 'mlops-model.json'),
        MODEL_PROFILE: path.join(model, 'mlops-profile.json'),
        PREDICTION_LOG: path.join(ws, `logs/${c}.jsonl`),
      }),
    );
  }
  prom = await startPrometheus({ targets: (Object.keys(CASES) as Case[]).map((c, i) => ({ url: servers[i]!.url, labels: { case: c } })) });
  await prom.waitForTargetsUp();
  // The same rows go to the server, to a CSV file and (by the server) to its prediction log.
  for (const [i, c] of (Object.keys(CASES) as Case[]).entries()) {
    const rows = CASES[c];
    fs.writeFileSync(path.join(ws, `${c}.csv`), `${FEATURES.join(',')}\n${rows.map((r) => FEATURES.map((f) => r[f]).join(',')).join('\n')}\n`);
    for (let at = 0; at < rows.length; at += 50) {
      const res = await fetch(`${servers[i]!.url}/v1/models/seattle-weather/predict`, { method: 'POST', body: JSON.stringify({ rows: rows.slice(at, at + 50) }) });
      expect(res.status).toBe(200);
    }
    await prom.waitFor(`sum(mlops_feature_bin_total{case="${c}"})`, (s) => s[0]?.value === rows.length * FEATURES.length);
  }
  // increase() extrapolates by up to half a scrape interval past the last sample: with 40 samples
  // of each series that is about 1% of the counts (a day's window in production: far less).
  await prom.waitFor('min(count_over_time(mlops_model_ready[1h]))', (s) => (s[0]?.value ?? 0) >= 40, 180_000);
  metricsText = await (await fetch(`${servers[1]!.url}/metrics`)).text();
  // Stop the servers: the prediction logs are flushed; Prometheus keeps what it scraped.
  for (const s of servers) expect(await s.stop()).toBe(0);
}, 600_000);

afterAll(async () => {
  await Promise.all([prom?.stop(), ...servers.map((s) => s.stop())]);
});

const DEFAULTS = { 'current-format': 'data', prometheus: '', 'prometheus-token': '', 'prometheus-window': '24h', 'prometheus-selector': '', 'reference-data': '', columns: '', stattest: '', 'stattest-threshold': '', 'drift-share': '0.25', 'fail-on': 'never', report: '.mlops/drift-report.json', 'report-md': '.mlops/drift-report.md', model: 'seattle-weather', issue: 'false', retrain: 'none', 'retrain-workflow': '', 'retrain-ref': '', 'retrain-cooldown': '24', 'github-token': '' };

async function check(inputs: Record<string, string>): Promise<DriftReport> {
  const r = await runAction('drift-check', { ...DEFAULTS, reference: 'local:seattle-weather@champion', ...inputs }, { workspace: ws });
  expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  const report = driftReportSchema.parse(JSON.parse(fs.readFileSync(path.join(ws, '.mlops/drift-report.json'), 'utf8')));
  expect(r.outputs.status).toBe(report.status);
  expect(JSON.parse(r.outputs['drifted-columns']!)).toEqual(report.drifted);
  return report;
}

const verdict = (r: DriftReport) => ({ status: r.status, drifted: r.drifted, tests: r.columns.filter((c) => c.drifted).map((c) => c.test), tested: r.columns.filter((c) => c.status === 'tested').map((c) => c.column).sort() });

describe.each([
  ['unshifted', { status: 'ok', drifted: [], tests: [] }],
  ['shifted', { status: 'drift', drifted: ['temp_max'], tests: ['wasserstein'] }],
] as const)('%s traffic', (c, expected) => {
  it('gives the same verdict from the data file, the prediction log and Prometheus', async () => {
    const file = await check({ current: `${c}.csv` });
    const log = await check({ current: `logs/${c}.jsonl`, 'current-format': 'prediction-log' });
    const prometheus = await check({ current: 'prometheus', prometheus: prom.url.replace('http://', 'http://scraper:s3cret@'), 'prometheus-window': '1h', 'prometheus-selector': `case="${c}"` });
    for (const r of [file, log, prometheus]) expect(verdict(r)).toEqual({ ...expected, tested: [...FEATURES].sort() });
    expect(file.reference.profile).toEqual(['local:seattle-weather@champion (mlops-profile.json)']);
    // The log adds the predicted class as `prediction`: not in the reference, so not compared.
    expect(log.current.rows).toBe(CASES[c].length);
    expect(prometheus.current.files[0]).toBe(`${prom.url}: increase over 1h of {case="${c}"}`);
    expect(JSON.stringify(prometheus)).not.toContain('s3cret');
    // The counts Prometheus returns are the rows sent, within increase()'s extrapolation.
    const counts = prometheus.columns.find((x) => x.column === 'temp_max')!;
    expect(Math.abs(counts.currentCount - CASES[c].length) / CASES[c].length).toBeLessThan(0.03);
  });
});

describe('current: prometheus, wrong inputs', () => {
  it('names what is missing: no series for the selector, a window that is not a duration, no URL', async () => {
    const run = (inputs: Record<string, string>) => runAction('drift-check', { ...DEFAULTS, reference: 'local:seattle-weather@champion', current: 'prometheus', prometheus: prom.url, ...inputs }, { workspace: ws });
    const none = await run({ 'prometheus-selector': 'case="nothing"' });
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toMatch(/no mlops_feature_bin_total or mlops_feature_category_total series.*MODEL_PROFILE/s);
    const window = await run({ 'prometheus-window': 'a day' });
    expect(window.stdout).toMatch(/"a day" is not a PromQL duration/);
    const url = await run({ prometheus: '' });
    expect(url.stdout).toMatch(/current: prometheus needs the Prometheus URL/);
    const files = await run({ current: 'shifted.csv' });
    expect(files.stdout).toMatch(/prometheus is set but current is not `prometheus`/);
  });
});

describe("the server's bin counters", () => {
  it('are there for every feature, bounded (at most 52 bins each), and promtool check metrics stays clean', () => {
    for (const f of FEATURES) {
      const bins = metricsText.split('\n').filter((l) => l.startsWith(`mlops_feature_bin_total{`) && l.includes(`feature="${f}"`));
      expect(bins.length).toBeGreaterThan(10);
      expect(bins.length).toBeLessThanOrEqual(52);
    }
    expect(metricsText).toMatch(/mlops_feature_bin_total\{model_name="seattle-weather",model_version="1",feature="temp_max",bin="\+Inf"\} [1-9]/);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: metricsText, encoding: 'utf8' });
    expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({ status: 0, out: '' });
  });
});

describe('reference as a model reference', () => {
  it('resolves the profile train stored with the model, and names a model without one', async () => {
    const byPath = await check({ reference: 'weather/profile.json', current: 'shifted.csv' });
    const byModel = await check({ current: 'shifted.csv' });
    expect(byModel.columns).toEqual(byPath.columns);
    const r = await runAction('drift-check', { ...DEFAULTS, reference: 'local:nothing@1', current: 'shifted.csv' }, { workspace: ws });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/local:nothing@1 not found/);
  });

  it('train refuses a profile that is not one before it trains', async () => {
    const r = await runAction(
      'train',
      { command: 'touch ran && node train.mjs', 'working-directory': 'weather', params: 'params.json', data: 'data/seattle-weather.csv', model: 'model.onnx', metrics: 'metrics.json', profile: 'params.json', seed: '7', 'timeout-minutes': '10', cache: 'false', publish: '', tags: 'latest', name: '', code: '**/*.mjs', 'github-token': '' },
      { workspace: ws },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/not an mlops profile/);
    expect(fs.existsSync(path.join(ws, 'weather/ran'))).toBe(false);
  });
});
