/**
 * The alert rules shipped with each deploy: Prometheus alerting rules over the model server's
 * own metrics (docs/serving.md) and the drift metrics drift-check publishes. Pure: a rule group
 * as plain data, written as a PrometheusRule's spec or as a plain rules file.
 */
import { STAT_TESTS } from '../stats/drift/tests.js';

/** Which series are this deploy's: the server's `model_name` in the deploy's namespace. */
export interface MonitoredModel {
  /** The Deployment and Service name (the ServiceMonitor's job). */
  name: string;
  namespace: string;
  /** The model name the server reports (`model_name`) and drift-check labels its metrics with (`model`). */
  model: string;
}

export interface AlertThresholds {
  /** Share of prediction requests answered 5xx. */
  errorRate: number;
  /** p99 request latency in seconds. */
  p99Seconds: number;
  /** Minutes without a predicted row. */
  noPredictionsMinutes: number;
  /** Absolute change of a class's share of predictions: the last hour against the day before. */
  classShift: number;
  /** A distance statistic (psi, wasserstein, ...) at or above this. */
  driftScore: number;
  /** A p-value statistic (ks, chisquare, z) at or below this. */
  driftPValue: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = { errorRate: 0.05, p99Seconds: 1, noPredictionsMinutes: 30, classShift: 0.2, driftScore: 0.2, driftPValue: 0.01 };

/** The `alerts` input's names for the thresholds. */
export const THRESHOLD_NAMES: Record<string, keyof AlertThresholds> = {
  'error-rate': 'errorRate',
  'p99-seconds': 'p99Seconds',
  'no-predictions-minutes': 'noPredictionsMinutes',
  'class-shift': 'classShift',
  'drift-score': 'driftScore',
  'drift-p-value': 'driftPValue',
};

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}
export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** Where each alert's runbook lives: its section of docs/monitoring.md. */
export const RUNBOOKS = 'https://github.com/mlops-actions/mlops/blob/v1/docs/monitoring.md';
/** Requests that are not predictions: probes and scrapes. */
const NOT_PREDICTIONS = 'endpoint!~"/v2/health/.*|/metrics"';
/** Fewer predictions than this in the last hour are too few to compare class shares. */
export const CLASS_SHIFT_MIN_PREDICTIONS = 100;

/** A PromQL string literal (Go escapes; JSON's are a subset). */
export const promString = (s: string) => JSON.stringify(s);

export function alertRules(m: MonitoredModel, t: AlertThresholds = DEFAULT_THRESHOLDS): RuleGroup {
  const sel = `namespace=${promString(m.namespace)}, model_name=${promString(m.model)}`;
  const by = 'namespace, model_name';
  const drift = `model=${promString(m.model)}`;
  const stats = (kind: 'p-value' | 'distance') => Object.values(STAT_TESTS).filter((s) => s.kind === kind).map((s) => s.name).join('|');
  const share = (range: string) =>
    `sum by (${by}, class) (increase(mlops_predictions_total{${sel}}${range}))\n  / ignoring (class) group_left sum by (${by}) (increase(mlops_predictions_total{${sel}}${range}))`;
  const rule = (alert: string, severity: 'critical' | 'warning', expr: string, forDuration: string | undefined, summary: string, description: string): AlertRule => ({
    alert,
    expr,
    ...(forDuration ? { for: forDuration } : {}),
    labels: { severity },
    annotations: { summary, description, runbook_url: `${RUNBOOKS}#${alert.toLowerCase()}` },
  });
  const who = `${m.model} in ${m.namespace}`;
  return {
    name: `mlops-${m.namespace}-${m.name}`,
    rules: [
      rule(
        'MlopsModelHighErrorRate',
        'critical',
        `sum by (${by}) (rate(mlops_http_requests_total{${sel}, code=~"5..", ${NOT_PREDICTIONS}}[5m]))\n  / sum by (${by}) (rate(mlops_http_requests_total{${sel}, ${NOT_PREDICTIONS}}[5m]))\n> ${t.errorRate}`,
        '5m',
        `${who}: {{ $value | humanizePercentage }} of requests fail`,
        `More than ${t.errorRate * 100}% of the model server's requests (probes and scrapes left out) were answered with a 5xx status over 5 minutes.`,
      ),
      rule(
        'MlopsModelHighLatency',
        'warning',
        `histogram_quantile(0.99, sum by (${by}, le) (rate(mlops_http_request_duration_seconds_bucket{${sel}, ${NOT_PREDICTIONS}}[5m])))\n> ${t.p99Seconds}`,
        '10m',
        `${who}: p99 latency is {{ $value | humanizeDuration }}`,
        `The 99th percentile of request latency has been above ${t.p99Seconds} s for 10 minutes.`,
      ),
      rule(
        'MlopsModelNotReady',
        'critical',
        `max by (${by}, pod) (mlops_model_ready{${sel}}) == 0\nor max by (namespace, pod) (up{namespace=${promString(m.namespace)}, job=${promString(m.name)}}) == 0\nor absent(mlops_model_ready{${sel}})`,
        '5m',
        `${who}: a server is not ready{{ with $labels.pod }} ({{ . }}){{ end }}`,
        'For 5 minutes a model server reports mlops_model_ready 0, its scrape fails (up 0), or no server reports at all.',
      ),
      rule(
        'MlopsModelNoPredictions',
        'warning',
        `sum by (${by}) (increase(mlops_inference_rows_total{${sel}}[${t.noPredictionsMinutes}m])) == 0`,
        undefined,
        `${who}: no predictions for ${t.noPredictionsMinutes} minutes`,
        `The model servers are up but predicted no row in the last ${t.noPredictionsMinutes} minutes: the traffic stopped reaching them.`,
      ),
      rule(
        'MlopsPredictionClassShift',
        'warning',
        `abs(\n  ${share('[1h]')}\n-\n  ${share('[1d] offset 1h')}\n) > ${t.classShift}\nand on (${by}) sum by (${by}) (increase(mlops_predictions_total{${sel}}[1h])) >= ${CLASS_SHIFT_MIN_PREDICTIONS}`,
        '15m',
        `${who}: the share of class {{ $labels.class }} moved by {{ $value | humanizePercentage }}`,
        `The share of predictions of one class in the last hour differs from its share over the day before by more than ${t.classShift * 100} percentage points (with at least ${CLASS_SHIFT_MIN_PREDICTIONS} predictions in the hour).`,
      ),
      rule(
        'MlopsDriftDetected',
        'warning',
        `max by (model) (mlops_drift_detected{${drift}}) == 1`,
        undefined,
        `${m.model}: drift-check found drift`,
        'The last drift-check run found the input data drifted from the training reference (mlops_drift_detected 1, pushed by drift-check).',
      ),
      rule(
        'MlopsHighDriftScore',
        'warning',
        `max by (model, feature, stat) (mlops_drift_score{${drift}, stat=~"${stats('distance')}"}) >= ${t.driftScore}\nor min by (model, feature, stat) (mlops_drift_score{${drift}, stat=~"${stats('p-value')}"}) <= ${t.driftPValue}`,
        undefined,
        `${m.model}: {{ $labels.stat }} of {{ $labels.feature }} is {{ printf "%.3g" $value }}`,
        `A drift statistic drift-check published is past its alert threshold: a distance at or above ${t.driftScore}, or a p-value at or below ${t.driftPValue}.`,
      ),
    ],
  };
}
