import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e,i as t}from"./chunk-4K3J4FFJ.js";var s=`name: 'mlops predict'
description: 'Batch inference: score a dataset with a model (ONNX Runtime) and write Parquet or CSV with the key columns, the \`prediction\` (the column drift-check reads) and, if asked, one probability column per class; streamed with bounded memory, written whole or not at all.'
author: 'mlops-actions'
branding:
  icon: 'cpu'
  color: 'green'
inputs:
  model:
    description: 'The model: a path to an ONNX model, local:<name>@<version|alias>, release:<name>@<version|alias> or oci://<registry>/<repo>:<tag> (docs/model-store.md).'
    required: true
  data:
    description: 'The rows to score: a file, glob or directory (one per line for several); CSV, TSV, Parquet, JSON arrays or JSON Lines, gzip. Holds the model''s input columns (bound by name; a single [N, k] input takes \`features\`).'
    required: true
  output:
    description: 'The file to write: .parquet or .csv (or set \`format\`). Written to a temp file beside it, then renamed: never half-written.'
    required: true
  format:
    description: 'Output format: auto (from the output''s extension), parquet or csv.'
    required: false
    default: 'auto'
  key-columns:
    description: 'Input columns copied to the output before the predictions, with their types (an id, a timestamp), comma-separated. Never fed to the model unless listed in \`features\`.'
    required: false
    default: ''
  features:
    description: 'For a model with one [N, k] input: the k data columns that feed it, in the model''s order, comma-separated. Default: the model''s \`features\` metadata, else the columns that are not key columns, when there are k of them. Models with one input per column are bound by name.'
    required: false
    default: ''
  probabilities:
    description: 'true: one \`probability_<class>\` column per class (classifiers that give probabilities).'
    required: false
    default: 'false'
  batch-size:
    description: 'Rows per ONNX Runtime call.'
    required: false
    default: '4096'
  github-token:
    description: 'Token for release: models (contents: read).'
    required: false
    default: '\${{ github.token }}'
outputs:
  output:
    description: 'Path of the written file.'
  rows:
    description: 'Rows scored (and written).'
  distribution:
    description: 'The prediction distribution, as JSON: {"kind": "classes", "classes": [{"label", "count", "share"}]} or {"kind": "values", "count", "min", "max", "mean", "quantiles": [{"q", "value"}]}.'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var u=e.object({model:e.string().min(1),data:e.string().min(1),output:e.string().min(1),format:e.enum(["auto","parquet","csv"]),"key-columns":t.list(),features:t.list(),probabilities:t.boolean(),"batch-size":e.string().regex(/^\d+$/,"expected a number of rows").transform(Number).refine(o=>o>=1&&o<=1e6,"between 1 and 1000000"),"github-token":t.optional()});export{s as a,u as b};
