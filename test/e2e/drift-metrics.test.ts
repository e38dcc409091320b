/**
 * drift-check's metrics through the runner protocol: pushed to a real Pushgateway scraped by a
 * real Prometheus (honor_labels), and written as a text-format file that promtool accepts. The
 * alert rule docs/drift.md shows fires on them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftReportSchema } from '../../shared/drift/report.js';
import { type RunningPrometheus, startPrometheus, startPushgateway } from '../harness/prometheus.js';
import { REPO_ROOT, runAction, workspaceWith } from '../harness/runner.js';
import type { RunningServer } from '../harness/server.js';

const weather = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), 'utf8');
const [header, ...rows] = weather.trimEnd().split('\n');
const slice = rows.filter((r) => /^201[34]-/.test(r));
const csv = (lines: string[]) => `${header}\n${lines.join('\n')}\n`;
const shifted = slice.map((r, i) => {
  const f = r.split(',');
  f[2] = (Number(f[2]) + 5).toFixed(1);
  if (i % 8 === 0) f[5] = 'hail';
  return f.join(',');
});
/** The alert rules shown in docs/drift.md ("Metrics"), run here as written. */
const docRules = /<!-- drift-alert-rules -->\n```yaml\n([\s\S]*?)```/.exec(fs.readFileSync(path.join(REPO_ROOT, 'docs/drift.md'), 'utf8'))![1]!;

let pushgateway: RunningServer;
let prom: RunningPrometheus;
let ws: string;
beforeAll(async () => {
  pushgateway = await startPushgateway();
  prom = await startPrometheus({
    rules: [docRules],
    extraScrapeConfigs: ['  - job_name: pushgateway', '    honor_labels: true', '    static_configs:', `      - targets: ['${new URL(pushgateway.url).host}']`].join('\n'),
  });
  ws = workspaceWith({ 'reference.csv': weather, 'later.csv': csv(slice), 'shifted.csv': csv(shifted) });
  const r = await runAction('validate-data', { data: 'reference.csv', profile: 'profile.json', report: 'vd.json' }, { workspace: ws });
  expect(r.exitCode, r.stdout).toBe(0);
}, 300_000);
afterAll(async () => {
  await Promise.all([prom?.stop(), pushgateway?.stop()]);
});

const check = (current: string, more: Record<string, string> = {}) =>
  runAction('drift-check', { reference: 'profile.json', current, 'drift-share': '0.3', 'time-column': 'date', 'fail-on': 'never', model: 'weather', pushgateway: pushgateway.url, 'metrics-file': 'metrics/drift.prom', ...more }, { workspace: ws });
const groupOf = async (model: string) => (await (await fetch(`${pushgateway.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('mlops_drift_') && l.includes(`model="${model}"`));

describe('drift-check metrics', () => {
  it('pushed to the Pushgateway and scraped by Prometheus: every tested column with its test and value; the alert fires', async () => {
    const r = await check('shifted.csv');
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs.status).toBe('drift');
    expect(r.summary).toContain(`Drift metrics pushed to ${pushgateway.url} (job drift-check, model weather).`);
    const report = driftReportSchema.parse(JSON.parse(fs.readFileSync(path.join(ws, '.mlops/drift-report.json'), 'utf8')));

    const scores = await prom.waitFor('mlops_drift_score{model="weather"}', (s) => s.length === report.tested);
    for (const c of report.columns) {
      const s = scores.find((x) => x.metric.feature === c.column)!;
      expect(s.metric).toEqual({ __name__: 'mlops_drift_score', job: 'drift-check', model: 'weather', feature: c.column, stat: c.test! });
      expect(s.value).toBeCloseTo(c.value!, 12);
    }
    expect((await prom.query('mlops_drift_detected{model="weather"}')).map((s) => s.value)).toEqual([1]);
    expect((await prom.query('mlops_drift_share{model="weather"}'))[0]!.value).toBe(0.4);
    const drifted = await prom.query('mlops_drift_feature_detected{model="weather"} == 1');
    expect(drifted.map((s) => s.metric.feature).sort()).toEqual(['temp_max', 'weather']);
    const lastRun = (await prom.query('mlops_drift_last_run_timestamp_seconds{model="weather"}'))[0]!.value;
    expect(Math.abs(lastRun - Date.now() / 1000)).toBeLessThan(24 * 3600);
    // The rule from docs/drift.md, evaluated by Prometheus on the pushed series.
    const alerts = await prom.waitFor('ALERTS{alertname="DataDrift", model="weather"}');
    expect(alerts[0]!.metric).toMatchObject({ model: 'weather', severity: 'warning' });
  }, 180_000);

  it('the metrics file passes promtool check metrics and holds what was pushed', async () => {
    const text = fs.readFileSync(path.join(ws, 'metrics/drift.prom'), 'utf8');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(text).toMatch(/^# HELP mlops_drift_score /m);
    expect(text).toMatch(/^mlops_drift_score\{model="weather",feature="temp_max",stat="wasserstein"\} 0\.\d+$/m);
    expect(text).toMatch(/^mlops_drift_detected\{model="weather"\} 1$/m);
  });

  it('a later run replaces the group (PUT): a column no longer compared disappears, the verdict goes to 0', async () => {
    const r = await check('later.csv', { columns: 'temp_max' });
    expect(r.outputs.status).toBe('ok');
    const lines = await groupOf('weather');
    expect(lines.filter((l) => l.startsWith('mlops_drift_score'))).toEqual([expect.stringMatching(/^mlops_drift_score\{feature="temp_max",instance="",job="drift-check",model="weather",stat="wasserstein"\} /)]);
    await prom.waitFor('mlops_drift_detected{model="weather"} == 0');
  }, 120_000);

  it('a model name with a slash goes in the base64 grouping key', async () => {
    const r = await check('later.csv', { model: 'team/weather v2', 'metrics-file': '' });
    expect(r.exitCode, r.stdout).toBe(0);
    expect((await groupOf('team/weather v2')).some((l) => l.startsWith('mlops_drift_detected{'))).toBe(true);
  });

  it('a Pushgateway that cannot be reached: a warning, the verdict and the file stand', async () => {
    const r = await check('shifted.csv', { pushgateway: 'http://user:s3cret@127.0.0.1:9', 'metrics-file': 'metrics/down.prom' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.status).toBe('drift');
    const warning = r.annotations.find((a) => a.title === 'drift-check: not delivered')!;
    expect(warning.message).toMatch(/^pushing the drift metrics to http:\/\/127\.0\.0\.1:9 failed: .*ECONNREFUSED.*\(after 4 attempts\); the verdict and outputs stand$/);
    expect(r.stdout).not.toContain('s3cret');
    expect(fs.existsSync(path.join(ws, 'metrics/down.prom'))).toBe(true);
  }, 120_000);

  it('not a URL: a UserError naming the input, before any data is read', async () => {
    const r = await check('shifted.csv', { pushgateway: 'pushgateway:9091 ' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toMatch(/Pushgateway URL must be http\(s\), got pushgateway:.*\(input `pushgateway`\)/);
  });
});
