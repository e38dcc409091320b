import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e,i as r}from"./chunk-XEYM4MCA.js";var o=`name: 'mlops validate-data'
description: 'Check a dataset against a schema and write its reference profile (DuckDB engine: CSV, TSV, Parquet, JSON arrays or JSON Lines, gzip).'
author: 'mlops-actions'
branding:
  icon: 'check-square'
  color: 'green'
inputs:
  data:
    description: 'Data to validate: a file, a glob or a directory (one per line for several); CSV, TSV, Parquet or JSON (an array of objects, or JSON Lines), optionally .gz.'
    required: true
  schema:
    description: 'Schema YAML with the checks to run (docs/schema.md). Empty: profile only.'
    required: false
    default: ''
  infer-schema:
    description: 'Write a schema inferred from the data to this path (to start a schema from).'
    required: false
    default: ''
  profile:
    description: 'Where to write the reference profile (JSON), which drift-check compares production data against.'
    required: false
    default: '.mlops/profile.json'
  report:
    description: 'Where to write the JSON report of every check.'
    required: false
    default: '.mlops/validate-data-report.json'
  fail-on:
    description: 'Fail the step on: error (failed checks of severity error), warning (any failed check) or never.'
    required: false
    default: 'error'
outputs:
  passed:
    description: 'true when no check of severity error failed.'
  rows:
    description: 'Number of rows read.'
  failed-checks:
    description: 'Number of failed checks (errors and warnings).'
  profile:
    description: 'Path of the profile written.'
  report:
    description: 'Path of the JSON report.'
  data-digest:
    description: 'sha256 over the data content (the file sha256 for one file), stable across runs and machines.'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var s=e.object({data:e.string().min(1),schema:r.optional(),"infer-schema":r.optional(),profile:e.string().min(1),report:e.string().min(1),"fail-on":e.enum(["error","warning","never"])});export{o as a,s as b};
