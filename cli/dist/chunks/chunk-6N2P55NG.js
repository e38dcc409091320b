import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e,i as t}from"./chunk-4K3J4FFJ.js";var n=`name: 'mlops pr-report'
description: 'Comment an evaluate-gate report on a fork''s pull request, from a workflow_run workflow: the report artifact is treated as hostile (validated, bound to the PR''s head commit, rendered escaped).'
author: 'mlops-actions'
branding:
  icon: 'message-square'
  color: 'purple'
inputs:
  report:
    description: 'Path of the report.json evaluate-gate wrote, downloaded from the pull-request run''s artifact.'
    required: true
  github-token:
    description: 'Token with pull-requests: write (the workflow_run workflow has it, unlike the fork''s run).'
    required: false
    default: '\${{ github.token }}'
outputs:
  comment-url:
    description: 'URL of the comment written or edited.'
  pull-request:
    description: 'The pull request number commented on.'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var u=e.object({report:e.string().min(1),"github-token":t.optional()});export{n as a,u as b};
