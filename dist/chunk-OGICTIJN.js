import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e,i as t}from"./chunk-XEYM4MCA.js";var o=`name: 'mlops drift-check'
description: 'Compare production data with the reference profile validate-data wrote: Evidently''s drift tests per column (chosen automatically, or set; dates as epoch seconds), why each ran, effect sizes; prediction drift against evaluate-gate''s prediction profile; performance per time window on labels that arrived later, gated with evaluate-gate''s rules; a verdict ok / warn / drift.'
author: 'mlops-actions'
branding:
  icon: 'activity'
  color: 'orange'
inputs:
  reference:
    description: 'The reference profile: the profile.json validate-data wrote (its \`profile\` output), a directory of shard profiles (merged), or a model reference (local:<name>@<version|alias>, oci://..., release:..., or a model file with its manifest beside it) whose manifest names the profile train recorded (train''s \`profile\` input).'
    required: true
  current:
    description: 'The data to check: a file, a glob or a directory (one per line for several); CSV, TSV, Parquet or JSON, read as validate-data reads them (or the model server''s prediction log, with \`current-format: prediction-log\`); profiled on the reference profile''s fixed bins. Or \`prometheus\`: the model server''s bin counters over \`window\`, read from \`prometheus\` (docs/drift.md).'
    required: true
  current-format:
    description: 'How \`current\` files are read: data, or prediction-log (the model server''s JSON Lines log, docs/serving.md: its inputs as columns, the predicted class or value as the column \`prediction\`).'
    required: false
    default: 'data'
  prometheus:
    description: 'current: prometheus: the Prometheus base URL, e.g. http://prometheus.monitoring:9090 (user:password@ is used as basic auth and never shown).'
    required: false
    default: ''
  prometheus-token:
    description: 'current: prometheus: a bearer token for Prometheus (masked).'
    required: false
    default: ''
  prometheus-window:
    description: 'current: prometheus: the window the counts are taken over, a PromQL duration (increase(...[prometheus-window])).'
    required: false
    default: '24h'
  prometheus-selector:
    description: 'current: prometheus: extra label matchers for the server''s series, e.g. namespace="prod",model_name="iris". The counts of every matching server are summed.'
    required: false
    default: ''
  reference-data:
    description: 'The reference''s raw data files (same forms as \`current\`). When set, the statistics run on raw values on both sides and equal Evidently''s exactly; otherwise on the profile''s fixed bins (docs/drift.md).'
    required: false
    default: ''
  columns:
    description: 'Columns to compare, comma-separated. Default: every column of the reference that the current data has.'
    required: false
    default: ''
  stattest:
    description: 'Drift tests set by hand, one \`column: test\` per line (\`*: test\` for every other column): ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger. Default: Evidently''s automatic choice.'
    required: false
    default: ''
  stattest-threshold:
    description: 'Thresholds set by hand, one \`column: number\` per line (\`*: number\` for every other column). Default: the test''s (0.05 for p-values, 0.1 for distances).'
    required: false
    default: ''
  drift-share:
    description: 'Share of tested columns that must drift for the dataset verdict \`drift\` (Evidently''s drift_share); fewer drifted columns give \`warn\`.'
    required: false
    default: '0.5'
  fail-on:
    description: 'Fail the step on: drift (the dataset verdict is drift), warn (warn or drift) or never. Outputs and the report are written either way.'
    required: false
    default: 'drift'
  report:
    description: 'Where to write the JSON report (versioned, docs/drift.md).'
    required: false
    default: '.mlops/drift-report.json'
  report-md:
    description: 'Where to write the markdown report (what the job summary shows).'
    required: false
    default: '.mlops/drift-report.md'
  model:
    description: 'The model this data feeds: names its drift issue (one per model) and goes to the retrain workflow.'
    required: false
    default: 'model'
  issue:
    description: 'Keep one issue per model: opened on drift with the report, updated while the drift lasts (warn or drift), closed when the data recovers (ok); never duplicated. Needs \`permissions: issues: write\`.'
    required: false
    default: 'false'
  retrain:
    description: 'none, or dispatch: on drift, start \`retrain-workflow\` by workflow_dispatch with the input \`drift-report\` (a JSON summary), at most once per \`retrain-cooldown\`. Needs \`issue: true\` (the issue keeps the time of the last dispatch) and \`permissions: actions: write\`.'
    required: false
    default: 'none'
  retrain-workflow:
    description: 'The workflow to dispatch (its file name under .github/workflows, e.g. retrain.yml); it must declare the input \`drift-report\`.'
    required: false
    default: ''
  retrain-ref:
    description: 'The branch or tag to run the retrain workflow on. Default: the ref of this run.'
    required: false
    default: ''
  retrain-cooldown:
    description: 'Hours after a dispatch during which drift does not dispatch again (flapping data must not start a storm of trainings).'
    required: false
    default: '24'
  github-token:
    description: 'Token for the issue (issues: write) and the dispatch (actions: write), and to read a \`release:\` model given as \`reference\` or \`baseline-metrics\` (contents: read).'
    required: false
    default: '\${{ github.token }}'
  prediction-column:
    description: 'The column of the current data holding the model''s predictions (the prediction log''s name). Compared with the reference predictions under prediction drift, never as a feature.'
    required: false
    default: 'prediction'
  reference-predictions:
    description: 'The reference predictions: the \`predictions\` profile evaluate-gate writes (the candidate''s predictions on its evaluation data), or any profile or data with the prediction column. Default: the reference profile''s prediction column, if it has one.'
    required: false
    default: ''
  time-column:
    description: 'The time of each row (the prediction log''s \`time\`): the windows of \`window\` come from it, and it is not compared as a feature (the data''s clock is always later than the reference''s). Other date and timestamp columns are compared as epoch seconds.'
    required: false
    default: 'time'
  labels:
    description: 'Labels that arrived later, for performance monitoring: a file, glob or directory (CSV, TSV, Parquet, JSON) with \`id-column\` and \`label-column\`, joined to the predictions by id. Leave empty and set \`label-column\` when the current data holds the labels itself.'
    required: false
    default: ''
  label-column:
    description: 'The column holding the true label: in \`labels\` (default \`label\`), or in the current data when \`labels\` is empty.'
    required: false
    default: ''
  id-column:
    description: 'The column(s), comma-separated, that key a label to its prediction: the request id the model server logs (\`id\`); \`id, row\` when requests hold several rows.'
    required: false
    default: 'id'
  window:
    description: 'Performance per time window of \`time-column\`: minutes, hours or days (30m, 6h, 1d, 7d), windows starting at multiples of the length since 1970-01-01 UTC. Empty: one window over all labelled predictions.'
    required: false
    default: ''
  baseline-metrics:
    description: 'The model''s recorded metrics, the \`baseline\` of the performance rules: a model reference (local:weather@champion: its manifest''s metrics), evaluate-gate''s report.json, or a metrics JSON file.'
    required: false
    default: ''
  performance-rules:
    description: 'Rules on each window''s metrics, one per line, in evaluate-gate''s language (docs/gates.md; no slices or \`significant\`), e.g. \`f1.macro >= baseline - 0.01\`. A failed rule makes the status drift.'
  webhook:
    description: 'A Slack or Microsoft Teams incoming-webhook URL, or any URL taking a JSON POST; pass it from a secret (the URL is the credential: masked, shown as its origin only). The message: the verdict, the drifted columns, links to the run and the drift issue. Retried on network errors, 429 and 5xx; a failure is a warning, the verdict stands.'
    required: false
    default: ''
  webhook-format:
    description: 'slack (Block Kit message), teams (an Adaptive Card, as Teams workflows and incoming webhooks take) or json (the versioned drift-alert summary, docs/drift.md).'
    required: false
    default: 'slack'
  webhook-on:
    description: 'When to send: drift, warn (warn or drift) or always. With \`issue: true\` the previous state is known: the webhook goes out when the drift starts and when it recovers, not on every run while it lasts (always: every run).'
    required: false
    default: 'drift'
  pushgateway:
    description: 'A Prometheus Pushgateway base URL (e.g. http://pushgateway.monitoring:9091): the drift metrics (mlops_drift_score, mlops_drift_detected, ...) are PUT as the group job=drift-check, model=<model>. A failure is a warning.'
    required: false
    default: ''
  metrics-file:
    description: 'Write the drift metrics in the Prometheus text format to this file (e.g. for node_exporter''s textfile collector: a .prom file in its directory).'
    required: false
    default: ''
outputs:
  status:
    description: 'The dataset verdict: ok, warn or drift.'
  drifted:
    description: 'true when the dataset verdict is drift.'
  drift-share:
    description: 'Drifted columns / tested columns.'
  drifted-columns:
    description: 'The drifted columns, as a JSON array (read it with fromJSON), most severe first.'
  report:
    description: 'Path of the JSON report.'
  report-md:
    description: 'Path of the markdown report.'
  issue-url:
    description: 'URL of the drift issue opened, updated or closed by this run (empty when none).'
  retrain-dispatched:
    description: 'true when this run dispatched the retrain workflow.'
  prediction-drifted:
    description: 'true when the predictions drifted, false when not; empty when no reference predictions were compared.'
  performance-passed:
    description: 'true when every performance rule held in every window, false when one failed; empty without labelled predictions.'
  webhook-sent:
    description: 'true when this run delivered the webhook.'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var n=e.object({reference:e.string().min(1),current:e.string().min(1),"current-format":e.enum(["data","prediction-log"]),prometheus:t.optional(),"prometheus-token":t.optional(),"prometheus-window":e.string().min(1),"prometheus-selector":e.string(),"reference-data":t.optional(),columns:t.list(),stattest:e.string(),"stattest-threshold":e.string(),"drift-share":e.string().regex(/^(0?\.\d+|0|1|1\.0*)$/,"expected a share between 0 and 1, e.g. 0.5").transform(Number),"fail-on":e.enum(["drift","warn","never"]),report:e.string().min(1),"report-md":e.string().min(1),model:e.string().min(1).max(100),issue:t.boolean(),retrain:e.enum(["none","dispatch"]),"retrain-workflow":t.optional(),"retrain-ref":t.optional(),"retrain-cooldown":e.string().regex(/^\d+(\.\d+)?$/,"expected a number of hours, e.g. 24").transform(Number),"github-token":t.optional(),"prediction-column":e.string().min(1),"reference-predictions":t.optional(),"time-column":e.string().min(1),labels:t.optional(),"label-column":t.optional(),"id-column":t.list(),window:e.string(),"baseline-metrics":t.optional(),"performance-rules":e.string(),webhook:t.optional(),"webhook-format":e.enum(["slack","teams","json"]),"webhook-on":e.enum(["drift","warn","always"]),pushgateway:t.optional(),"metrics-file":t.optional()});export{o as a,n as b};
