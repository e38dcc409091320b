import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e}from"./chunk-XEYM4MCA.js";var r=`name: 'mlops merge-profiles'
description: 'Merge the profiles validate-data wrote for shards of one dataset (a matrix of jobs) into the profile of the whole: counts, min/max, moments, fixed-edge histograms, timelines and complete value counts exactly.'
author: 'mlops-actions'
branding:
  icon: 'layers'
  color: 'green'
inputs:
  profiles:
    description: 'A directory of shard profiles (every .json file in it and below, e.g. the artifacts of a matrix of validate-data jobs downloaded into one directory).'
    required: true
  output:
    description: 'Where to write the merged profile.'
    required: false
    default: '.mlops/profile.json'
outputs:
  profile:
    description: 'Path of the merged profile (drift-check''s \`reference\`).'
  rows:
    description: 'Rows of the whole dataset.'
  shards:
    description: 'Number of shard profiles merged.'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var s=e.object({profiles:e.string().min(1),output:e.string().min(1)});export{r as a,s as b};
