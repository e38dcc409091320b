import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e,i as t}from"./chunk-UMQWQGYH.js";var o=`name: 'mlops drift-check'
description: 'Compare production data with the reference profile validate-data wrote: Evidently''s drift tests per column (chosen automatically, or set), why each ran, effect sizes, and a dataset verdict ok / warn / drift.'
author: 'mlops-actions'
branding:
  icon: 'activity'
  color: 'orange'
inputs:
  reference:
    description: 'The reference profile: the profile.json validate-data wrote (its \`profile\` output), or a directory of shard profiles, merged.'
    required: true
  current:
    description: 'The data to check: a file, a glob or a directory (one per line for several); CSV, TSV, Parquet or JSON, read as validate-data reads them. Profiled on the reference profile''s fixed bins.'
    required: true
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
    description: 'Token for the issue and the dispatch.'
    required: false
    default: '\${{ github.token }}'
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
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var n=e.object({reference:e.string().min(1),current:e.string().min(1),"reference-data":t.optional(),columns:t.list(),stattest:e.string(),"stattest-threshold":e.string(),"drift-share":e.string().regex(/^(0?\.\d+|0|1|1\.0*)$/,"expected a share between 0 and 1, e.g. 0.5").transform(Number),"fail-on":e.enum(["drift","warn","never"]),report:e.string().min(1),"report-md":e.string().min(1),model:e.string().min(1).max(100),issue:t.boolean(),retrain:e.enum(["none","dispatch"]),"retrain-workflow":t.optional(),"retrain-ref":t.optional(),"retrain-cooldown":e.string().regex(/^\d+(\.\d+)?$/,"expected a number of hours, e.g. 24").transform(Number),"github-token":t.optional()});export{o as a,n as b};
