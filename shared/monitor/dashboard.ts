/**
 * The Grafana dashboard shipped with each deploy, built with Grafana's typed builders
 * (@grafana/grafana-foundation-sdk): the model server's traffic, errors, latency, batches,
 * predictions, inputs and drift, for one namespace and model picked by variables.
 */
import { createHash } from 'node:crypto';
import { DashboardBuilder, type Dashboard, DatasourceVariableBuilder, type Panel, QueryVariableBuilder, RowBuilder, type RowPanel, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { BigValueTextMode, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { MonitoredModel } from './rules.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** The series of the model picked by the dashboard's variables. */
const SEL = 'namespace="$namespace", model_name="$model"';
const PREDICTIONS = `${SEL}, endpoint!~"/v2/health/.*|/metrics"`;
const RATE = '$__rate_interval';

const query = (expr: string, legend: string, refId = 'A') => new DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(refId);
const timeseries = (title: string, unit: string, description: string) => new TimeseriesPanel().title(title).description(description).datasource(DATASOURCE).unit(unit).height(8).span(12);

/** A dashboard uid: at most 40 characters, unique per namespace and deploy name. */
export function dashboardUid(m: MonitoredModel): string {
  const uid = `mlops-${m.namespace}-${m.name}`;
  return uid.length <= 40 ? uid : `${uid.slice(0, 31)}-${createHash('sha256').update(uid).digest('hex').slice(0, 8)}`;
}

export function modelDashboard(m: MonitoredModel): Dashboard {
  const quantile = (q: number, metric: string, filter: string) => `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket{${filter}}[${RATE}])))`;
  return new DashboardBuilder(`Model ${m.model} (${m.namespace})`)
    .uid(dashboardUid(m))
    .description(`The model server behind deployment ${m.namespace}/${m.name}, shipped by mlops deploy-k8s.`)
    .tags(['mlops', 'model-serving'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder('namespace')
        .label('Namespace')
        .datasource(DATASOURCE)
        .query('label_values(mlops_model_ready, namespace)')
        .current({ text: m.namespace, value: m.namespace })
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    )
    .withVariable(
      new QueryVariableBuilder('model')
        .label('Model')
        .datasource(DATASOURCE)
        .query('label_values(mlops_model_ready{namespace="$namespace"}, model_name)')
        .current({ text: m.model, value: m.model })
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    )
    .withRow(new RowBuilder('Serving'))
    .withPanel(
      new StatPanel()
        .title('Model version')
        .description('Ready servers by model version and track (stable or canary): mlops_model_ready.')
        .datasource(DATASOURCE)
        .height(4)
        .span(8)
        .textMode(BigValueTextMode.ValueAndName)
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
        .withTarget(query(`sum by (model_version, track) (mlops_model_ready{${SEL}})`, '{{model_version}} {{track}}').instant()),
    )
    .withPanel(
      new TablePanel()
        .title('Servers')
        .description('Each server pod, its model version, track and readiness.')
        .datasource(DATASOURCE)
        .height(4)
        .span(16)
        .withTarget(query(`max by (pod, model_version, track) (mlops_model_ready{${SEL}})`, '').instant().format(PromQueryFormat.Table)),
    )
    .withPanel(timeseries('Request rate', 'reqps', 'Requests per second by endpoint (probes and scrapes left out).').withTarget(query(`sum by (endpoint) (rate(mlops_http_requests_total{${PREDICTIONS}}[${RATE}]))`, '{{endpoint}}')))
    .withPanel(
      timeseries('Errors', 'reqps', 'Requests answered 4xx and 5xx per second by code, and the share of 5xx.')
        .withTarget(query(`sum by (code) (rate(mlops_http_requests_total{${PREDICTIONS}, code=~"4..|5.."}[${RATE}]))`, '{{code}}'))
        .withTarget(query(`(sum(rate(mlops_http_requests_total{${PREDICTIONS}, code=~"5.."}[${RATE}])) or vector(0)) / sum(rate(mlops_http_requests_total{${PREDICTIONS}}[${RATE}]))`, '5xx share', 'B')),
    )
    .withPanel(
      timeseries('Latency', 's', 'Request latency quantiles (mlops_http_request_duration_seconds) and one model run (mlops_inference_duration_seconds).')
        .withTarget(query(quantile(0.5, 'mlops_http_request_duration_seconds', PREDICTIONS), 'p50'))
        .withTarget(query(quantile(0.9, 'mlops_http_request_duration_seconds', PREDICTIONS), 'p90', 'B'))
        .withTarget(query(quantile(0.99, 'mlops_http_request_duration_seconds', PREDICTIONS), 'p99', 'C'))
        .withTarget(query(quantile(0.99, 'mlops_inference_duration_seconds', SEL), 'model run p99', 'D')),
    )
    .withPanel(
      timeseries('Batch size', 'none', 'Rows per model run: the mean and the p90 (larger than a request when dynamic batching merges requests).')
        .withTarget(query(`sum(rate(mlops_inference_batch_size_sum{${SEL}}[${RATE}])) / sum(rate(mlops_inference_batch_size_count{${SEL}}[${RATE}]))`, 'mean'))
        .withTarget(query(quantile(0.9, 'mlops_inference_batch_size', SEL), 'p90', 'B')),
    )
    .withRow(new RowBuilder('Predictions and inputs'))
    .withPanel(timeseries('Predicted classes', 'percentunit', 'Share of predicted rows by class (classification models).').withTarget(query(`sum by (class) (rate(mlops_predictions_total{${SEL}}[${RATE}])) / ignoring (class) group_left sum(rate(mlops_predictions_total{${SEL}}[${RATE}]))`, '{{class}}')))
    .withPanel(timeseries('Feature means', 'none', 'Mean of each numeric input feature over the interval (mlops_input_feature sum / count).').withTarget(query(`sum by (feature) (rate(mlops_input_feature_sum{${SEL}}[${RATE}])) / sum by (feature) (rate(mlops_input_feature_count{${SEL}}[${RATE}]))`, '{{feature}}')))
    .withRow(new RowBuilder('Drift (drift-check)'))
    .withPanel(timeseries('Drift scores', 'none', 'The statistics drift-check published per feature (mlops_drift_score): distances grow with drift, p-values shrink.').withTarget(query('max by (feature, stat) (mlops_drift_score{model="$model"})', '{{feature}} {{stat}}')))
    .withPanel(timeseries('Drift detected', 'none', "drift-check's verdict (mlops_drift_detected: 1 drifted, 0 not).").withTarget(query('max(mlops_drift_detected{model="$model"})', 'drift detected')))
    .build();
}

/** Every PromQL expression of a dashboard, with its panel's title. */
export function dashboardQueries(d: Dashboard): { panel: string; expr: string }[] {
  const panels = (d.panels ?? []).flatMap((p) => ('panels' in p && p.type === 'row' ? [p, ...((p as RowPanel).panels ?? [])] : [p])) as Panel[];
  return panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? '', expr: String((t as { expr?: unknown }).expr ?? '') })));
}
