import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e,i as t}from"./chunk-XEYM4MCA.js";import{a}from"./chunk-6YQJCVXF.js";var n=`name: 'mlops evaluate-gate'
description: 'Score the candidate and the champion model on the same data, gate on statistically sound rules, and report on the pull request (one sticky comment).'
author: 'mlops-actions'
branding:
  icon: 'bar-chart-2'
  color: 'purple'
inputs:
  model:
    description: 'The candidate: a path to an ONNX model, local:<name>@<version>, release:<name>@<version> or oci://...'
    required: true
  baseline:
    description: 'The model to compare with. Default: the \`champion\` alias in \`store\`. \`none\`: no baseline.'
    required: false
    default: ''
  store:
    description: 'Store holding the champion (and where promote moves it): local:<name> or release:<name>. Default: the candidate''s store.'
    required: false
    default: ''
  data:
    description: 'Evaluation data: a file, glob or directory (CSV, TSV, Parquet, JSON arrays or JSON Lines, gzip), with the label column and the model''s input columns.'
    required: true
  label:
    description: 'The label column.'
    required: true
  features:
    description: 'For a model with one [N, k] input: the k data columns that feed it, in the model''s order, comma-separated. Default: the model''s \`features\` metadata, else the columns that are neither the label nor a slice, when there are k of them. Models with one input per column are bound by name.'
    required: false
    default: ''
  task:
    description: 'auto, binary, multiclass or regression.'
    required: false
    default: 'auto'
  metrics:
    description: 'Metrics to report, comma-separated (names as in docs/metrics.md). Default per task: accuracy, precision.macro, recall.macro, f1.macro, their .weighted twins, per class f1.class.<class> (and precision., recall.), roc_auc, pr_auc, log_loss, brier; or rmse, mae, r2, mape.'
    required: false
    default: ''
  gates:
    description: 'Gate rules, one per line, e.g. \`f1.macro >= baseline - 0.01\`, \`latency_p95_ms <= 20\`, \`f1.macro[season=winter] >= 0.5\` (docs/gates.md).'
    required: false
    default: ''
  first-model:
    description: 'When there is no baseline, rules that compare with it: pass or fail.'
    required: false
    default: 'pass'
  slices:
    description: 'Columns to compute metrics per value of (segments), comma-separated; a gate may name a slice. Never the label; a slice column is not fed to the model unless listed in \`features\`.'
    required: false
    default: ''
  confidence:
    description: 'Confidence level of the intervals and significance.'
    required: false
    default: '0.95'
  resamples:
    description: 'Resamples of the paired bootstrap of the confusion counts (accuracy, precision, recall, F1; the same rows for both models); ROC AUC uses DeLong''s method and the other metrics closed-form normal intervals (docs/gates.md). 0: no intervals.'
    required: false
    default: '1000'
  seed:
    description: 'Seed of the count bootstrap (results are deterministic under it).'
    required: false
    default: '42'
  batch-size:
    description: 'Rows per ONNX Runtime call.'
    required: false
    default: '1024'
  comment:
    description: 'Pull-request comment: auto (on pull requests), always or never.'
    required: false
    default: 'auto'
  github-token:
    description: 'Token for the comment (pull-requests: write) and for release: stores (contents).'
    required: false
    default: '\${{ github.token }}'
  promote:
    description: 'On a pass outside a pull request, move the champion alias to the candidate.'
    required: false
    default: 'false'
  report-dir:
    description: 'Where to write report.md, report.json and predictions.json.'
    required: false
    default: '.mlops/evaluate-gate'
outputs:
  passed:
    description: 'true when every gate passed.'
  metrics:
    description: 'The candidate''s metrics, as flat JSON.'
  baseline-metrics:
    description: 'The baseline''s metrics, as flat JSON (empty when there is none).'
  report:
    description: 'Path of the markdown report.'
  report-json:
    description: 'Path of the JSON report (what a workflow_run workflow renders for fork pull requests).'
  comment-url:
    description: 'URL of the pull-request comment, when one was written.'
  predictions:
    description: 'Path of predictions.json: the profile of the candidate''s predictions on the evaluation data (class counts, or fixed-edge bins for a regressor), drift-check''s \`reference-predictions\`.'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var s=a(r=>e.string().regex(/^\d+$/,`expected ${r}`).transform(Number),"int"),c=e.object({model:e.string().min(1),baseline:t.optional(),store:t.optional(),data:e.string().min(1),label:e.string().min(1),features:t.list(),task:e.enum(["auto","binary","multiclass","regression"]),metrics:t.list(),gates:e.string(),"first-model":e.enum(["pass","fail"]),slices:t.list(),confidence:e.string().regex(/^0?\.\d+$/,"expected a level between 0 and 1, e.g. 0.95").transform(Number),resamples:s("a number of resamples").refine(r=>r>=0&&r<=1e5,"between 0 and 100000"),seed:s("a non-negative integer"),"batch-size":s("a number of rows").refine(r=>r>=1,"at least 1"),comment:e.enum(["auto","always","never"]),"github-token":t.optional(),promote:t.boolean(),"report-dir":e.string().min(1)});export{n as a,c as b};
