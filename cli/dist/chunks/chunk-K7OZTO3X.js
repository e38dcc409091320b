import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e,i as t}from"./chunk-4K3J4FFJ.js";var o=`name: 'mlops train'
description: 'Run your training command (any language), cached by the digests of its inputs; check the ONNX model, record its lineage, and publish it to a model store.'
author: 'mlops-actions'
branding:
  icon: 'cpu'
  color: 'blue'
inputs:
  command:
    description: 'The training command, run with bash in working-directory. It reads MLOPS_PARAMS, MLOPS_SEED, the data files (MLOPS_DATA_FILES: a JSON file holding their paths; MLOPS_DATA: one path per line, unset if a name holds a line break) and writes the model and metrics (MLOPS_MODEL, MLOPS_METRICS).'
    required: true
  working-directory:
    description: 'Directory the command runs in; model, metrics, params and code paths are relative to it.'
    required: false
    default: '.'
  params:
    description: 'Parameters file (YAML or JSON), recorded in the manifest and passed as MLOPS_PARAMS (its path).'
    required: false
    default: ''
  data:
    description: 'Training data: paths, globs or directories, one per line; each must match at least one file. Digested for the cache key and lineage, passed as MLOPS_DATA_FILES and MLOPS_DATA.'
    required: false
    default: ''
  code:
    description: 'Globs of the code whose changes must retrain (cache key), one per line.'
    required: false
    default: |
      **/*.py
      **/*.{js,mjs,cjs,ts}
      **/requirements*.txt
      **/pyproject.toml
      **/package.json
  model:
    description: 'Where the command writes the ONNX model.'
    required: false
    default: 'model.onnx'
  metrics:
    description: 'JSON file of metrics the command writes; nested keys become dotted names. Empty: no metrics.'
    required: false
    default: 'metrics.json'
  profile:
    description: 'The training data''s reference profile: the profile.json validate-data wrote (its \`profile\` output). Stored with the model (named in the manifest by digest), so drift-check can take the model reference as its \`reference\` and build-image puts it in the image for the server''s drift counters. Empty: none.'
    required: false
    default: ''
  name:
    description: 'Model name (lower-case letters, digits, . _ -). Default: the publish target''s name, else the working directory''s name.'
    required: false
    default: ''
  seed:
    description: 'Random seed passed as MLOPS_SEED (and PYTHONHASHSEED); part of the cache key.'
    required: false
    default: '42'
  timeout-minutes:
    description: 'Stop the command after this many minutes.'
    required: false
    default: '60'
  cache:
    description: 'Reuse the model of an earlier run with the same data, params, code and command, skipping the command.'
    required: false
    default: 'true'
  publish:
    description: 'Store to publish to: local:<name>, oci://<registry>/<repository> or release:<name>. Empty: do not publish.'
    required: false
    default: ''
  tags:
    description: 'Aliases to point at the published version, one per line or comma-separated (e.g. latest, candidate); each an OCI tag (letters, digits, _ . -, up to 128, not a number), checked before training.'
    required: false
    default: 'latest'
  github-token:
    description: 'Token for publishing to GitHub Releases (needs \`contents: write\`). Elsewhere GITHUB_TOKEN from the environment.'
    required: false
    default: '\${{ github.token }}'
outputs:
  model:
    description: 'Path of the model file.'
  model-digest:
    description: 'sha256 of the model file.'
  manifest:
    description: 'Path of the model manifest (lineage JSON) written next to the model.'
  metrics:
    description: 'The metrics, as flat JSON.'
  version:
    description: 'The published version (empty when not published).'
  reference:
    description: 'A reference to the published version, e.g. local:weather@3 (empty when not published).'
  cache-hit:
    description: 'true when the model came from the cache and the command did not run.'
  cache-key:
    description: 'The cache key: digests of data, params, code, command and seed.'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var m=e.object({command:e.string().min(1),"working-directory":e.string().min(1),params:t.optional(),data:e.string().transform(i=>i.split(`
`).map(r=>r.trim()).filter(Boolean)),code:e.string().transform(i=>i.split(`
`).map(r=>r.trim()).filter(Boolean)),model:e.string().min(1),metrics:t.optional(),profile:t.optional(),name:t.optional(),seed:e.string().regex(/^\d+$/,"expected a non-negative integer").transform(Number),"timeout-minutes":e.string().regex(/^\d+(\.\d+)?$/,"expected a number of minutes").transform(Number).refine(i=>i>0,"must be more than 0"),cache:t.boolean(),publish:t.optional(),tags:t.list(),"github-token":t.optional()});export{o as a,m as b};
