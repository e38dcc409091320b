import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { alertRules, DEFAULT_THRESHOLDS, RUNBOOKS } from '../../shared/monitor/rules.js';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/**
 * The generated alert rules, checked by Prometheus's own promtool: `check rules` on the file,
 * and `test rules` unit tests that show each alert firing on crafted series and resolving again.
 */

const run = promisify(execFile);
const dir = tempDir('monitoring-rules-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const model = { name: 'iris', namespace: 'prod', model: 'iris' };
const group = alertRules(model);
const rulesFile = path.join(dir, 'rules.yml');
fs.writeFileSync(rulesFile, YAML.stringify({ groups: [group] }, { lineWidth: 0 }));

async function promtool(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: dir });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? 1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

/** A counter's samples, one a minute: [increase per minute, minutes] phases, after a 0. */
function counter(phases: [number, number][]): string {
  const values = [0];
  for (const [perMinute, minutes] of phases) for (let i = 0; i < minutes; i++) values.push(values.at(-1)! + perMinute);
  return values.join(' ');
}

const server = 'namespace="prod", model_name="iris", model_version="3", pod="iris-1"';
const infer = `${server}, endpoint="/v2/models/{model}/infer"`;
const annotations = (alert: string, summary: string) => {
  const rule = group.rules.find((r) => r.alert === alert)!;
  return { summary, description: rule.annotations.description, runbook_url: `${RUNBOOKS}#${alert.toLowerCase()}` };
};
const fires = (alert: string, severity: string, labels: Record<string, string>, summary: string) => ({ exp_labels: { severity, ...labels }, exp_annotations: annotations(alert, summary) });
const at = (minutes: number, alertname: string, exp_alerts: unknown[]) => ({ eval_time: `${minutes}m`, alertname, exp_alerts });
const ns = { namespace: 'prod', model_name: 'iris' };

/** One promtool test group per alert: the series, then when it fires and when it has resolved. */
const cases: Record<string, { input_series: { series: string; values: string }[]; alert_rule_test: unknown[] }> = {
  MlopsModelHighErrorRate: {
    input_series: [
      { series: `mlops_http_requests_total{${infer}, code="200"}`, values: counter([[100, 60]]) },
      // 20 of 120 requests a minute fail between minutes 10 and 30.
      { series: `mlops_http_requests_total{${infer}, code="500"}`, values: counter([[0, 10], [20, 20], [0, 30]]) },
      // A readiness probe answered 503 all along: not a prediction, not counted.
      { series: `mlops_http_requests_total{${server}, endpoint="/v2/health/ready", code="503"}`, values: counter([[500, 60]]) },
    ],
    alert_rule_test: [
      at(8, 'MlopsModelHighErrorRate', []),
      at(25, 'MlopsModelHighErrorRate', [fires('MlopsModelHighErrorRate', 'critical', ns, 'iris in prod: 16.67% of requests fail')]),
      at(45, 'MlopsModelHighErrorRate', []),
    ],
  },
  MlopsModelHighLatency: {
    // Requests take under 0.5 s, then 2 s between minutes 20 and 50, then under 0.5 s again.
    input_series: [
      { series: `mlops_http_request_duration_seconds_bucket{${infer}, le="0.5"}`, values: counter([[100, 20], [0, 30], [100, 30]]) },
      { series: `mlops_http_request_duration_seconds_bucket{${infer}, le="1"}`, values: counter([[100, 20], [0, 30], [100, 30]]) },
      { series: `mlops_http_request_duration_seconds_bucket{${infer}, le="2.5"}`, values: counter([[100, 80]]) },
      { series: `mlops_http_request_duration_seconds_bucket{${infer}, le="+Inf"}`, values: counter([[100, 80]]) },
    ],
    alert_rule_test: [
      at(15, 'MlopsModelHighLatency', []),
      at(45, 'MlopsModelHighLatency', [fires('MlopsModelHighLatency', 'warning', ns, 'iris in prod: p99 latency is 2.485s')]),
      at(75, 'MlopsModelHighLatency', []),
    ],
  },
  MlopsModelNotReady: {
    input_series: [
      // iris-1 reports not ready between minutes 10 and 30; iris-2's scrape fails between 40 and 60.
      { series: `mlops_model_ready{${server}}`, values: '1x9 0x20 1x50' },
      { series: 'up{namespace="prod", job="iris", pod="iris-1"}', values: '1x80' },
      { series: 'mlops_model_ready{namespace="prod", model_name="iris", model_version="3", pod="iris-2"}', values: '1x39 _x20 1x20' },
      { series: 'up{namespace="prod", job="iris", pod="iris-2"}', values: '1x39 0x20 1x20' },
    ],
    alert_rule_test: [
      at(5, 'MlopsModelNotReady', []),
      at(25, 'MlopsModelNotReady', [fires('MlopsModelNotReady', 'critical', { ...ns, pod: 'iris-1' }, 'iris in prod: a server is not ready (iris-1)')]),
      at(35, 'MlopsModelNotReady', []),
      at(55, 'MlopsModelNotReady', [fires('MlopsModelNotReady', 'critical', { namespace: 'prod', pod: 'iris-2' }, 'iris in prod: a server is not ready (iris-2)')]),
      at(75, 'MlopsModelNotReady', []),
    ],
  },
  'MlopsModelNotReady (no server at all)': {
    input_series: [{ series: `mlops_model_ready{${server}}`, values: '_x20 1x20' }],
    alert_rule_test: [
      at(15, 'MlopsModelNotReady', [fires('MlopsModelNotReady', 'critical', ns, 'iris in prod: a server is not ready')]),
      at(30, 'MlopsModelNotReady', []),
    ],
  },
  MlopsModelNoPredictions: {
    // Rows predicted for 40 minutes, none for the next 60, then again.
    input_series: [{ series: `mlops_inference_rows_total{${server}}`, values: counter([[10, 40], [0, 60], [10, 40]]) }],
    alert_rule_test: [
      at(60, 'MlopsModelNoPredictions', []),
      at(90, 'MlopsModelNoPredictions', [fires('MlopsModelNoPredictions', 'warning', ns, 'iris in prod: no predictions for 30 minutes')]),
      at(120, 'MlopsModelNoPredictions', []),
    ],
  },
  MlopsPredictionClassShift: {
    // 26 hours of half rain, half sun; 2 hours of 90% rain; then half and half again.
    input_series: [
      { series: `mlops_predictions_total{${server}, class="rain"}`, values: counter([[50, 1560], [90, 120], [50, 120]]) },
      { series: `mlops_predictions_total{${server}, class="sun"}`, values: counter([[50, 1560], [10, 120], [50, 120]]) },
    ],
    alert_rule_test: [
      at(1500, 'MlopsPredictionClassShift', []),
      // The last hour: 90% rain; the day before it: 51.67% (one hour of it shifted already).
      at(1680, 'MlopsPredictionClassShift', [
        fires('MlopsPredictionClassShift', 'warning', { ...ns, class: 'rain' }, 'iris in prod: the share of class rain moved by 38.33%'),
        fires('MlopsPredictionClassShift', 'warning', { ...ns, class: 'sun' }, 'iris in prod: the share of class sun moved by 38.33%'),
      ]),
      at(1800, 'MlopsPredictionClassShift', []),
    ],
  },
  MlopsDriftDetected: {
    input_series: [{ series: 'mlops_drift_detected{job="drift-check", model="iris"}', values: '0x9 1x10 0x10' }],
    alert_rule_test: [
      at(5, 'MlopsDriftDetected', []),
      at(15, 'MlopsDriftDetected', [fires('MlopsDriftDetected', 'warning', { model: 'iris' }, 'iris: drift-check found drift')]),
      at(25, 'MlopsDriftDetected', []),
    ],
  },
  MlopsHighDriftScore: {
    input_series: [
      { series: 'mlops_drift_score{job="drift-check", model="iris", feature="temp_max", stat="psi"}', values: '0.05x9 0.35x10 0.05x10' },
      { series: 'mlops_drift_score{job="drift-check", model="iris", feature="wind", stat="ks"}', values: '0.5x9 0.001x10 0.5x10' },
      // Another model's drift is not this deploy's.
      { series: 'mlops_drift_score{job="drift-check", model="other", feature="wind", stat="psi"}', values: '0.9x30' },
    ],
    alert_rule_test: [
      at(5, 'MlopsHighDriftScore', []),
      at(15, 'MlopsHighDriftScore', [
        fires('MlopsHighDriftScore', 'warning', { model: 'iris', feature: 'temp_max', stat: 'psi' }, 'iris: psi of temp_max is 0.35'),
        fires('MlopsHighDriftScore', 'warning', { model: 'iris', feature: 'wind', stat: 'ks' }, 'iris: ks of wind is 0.001'),
      ]),
      at(25, 'MlopsHighDriftScore', []),
    ],
  },
};

describe('the generated alert rules, with promtool', () => {
  it('pass promtool check rules, as a rules file and as the PrometheusRule spec', async () => {
    const check = await promtool(['check', 'rules', rulesFile]);
    expect(check.out).toContain(`SUCCESS: ${group.rules.length} rules found`);
    expect(check.code).toBe(0);
    // Thresholds given as inputs land in the expressions.
    const custom = alertRules(model, { ...DEFAULT_THRESHOLDS, errorRate: 0.2, p99Seconds: 0.25, noPredictionsMinutes: 10 });
    const customFile = path.join(dir, 'custom.yml');
    fs.writeFileSync(customFile, YAML.stringify({ groups: [custom] }));
    expect((await promtool(['check', 'rules', customFile])).code).toBe(0);
    expect(custom.rules.map((r) => r.expr).join('\n')).toMatch(/> 0\.2\n[\s\S]*> 0\.25[\s\S]*\[10m\]\)\) == 0/);
  });

  it('each carry a severity, a summary, a description and a runbook that docs/monitoring.md has', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/monitoring.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const r of group.rules) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary && r.annotations.description).toBeTruthy();
      expect(anchors, r.alert).toContain(r.annotations.runbook_url.split('#')[1]);
      expect(doc, `docs/monitoring.md shows ${r.alert}'s expression`).toContain(r.expr);
    }
  });

  it('fire and resolve, each of them (promtool test rules)', async () => {
    expect(new Set(Object.keys(cases).map((k) => k.split(' ')[0]))).toEqual(new Set(group.rules.map((r) => r.alert)));
    const tests = Object.values(cases).map((c) => ({ interval: '1m', ...c }));
    fs.writeFileSync(path.join(dir, 'rules.test.yml'), YAML.stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }, { lineWidth: 0 }));
    const result = await promtool(['test', 'rules', 'rules.test.yml']);
    expect(result.out).toContain('SUCCESS');
    expect(result.code, result.out).toBe(0);
  }, 120_000);
});
