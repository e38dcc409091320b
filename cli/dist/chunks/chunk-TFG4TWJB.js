import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as o,i}from"./chunk-4K3J4FFJ.js";import{a as c}from"./chunk-RFMOYIMQ.js";import a from"node:fs";import g from"node:os";import l from"node:path";function k(t){return t.MLOPS_CACHE_DIR||l.join(t.XDG_CACHE_HOME||l.join(g.homedir(),".cache"),"mlops","cache")}c(k,"localCacheDir");var m=class{constructor(r){this.root=r}root;static{c(this,"LocalFileCache")}kind="local";entry(r){return l.join(this.root,r.replace(/[^A-Za-z0-9._-]/g,"_"))}async restore(r,d){let s=this.entry(r);return a.existsSync(l.join(s,".complete"))?(d.forEach((e,n)=>{a.mkdirSync(l.dirname(e),{recursive:!0}),a.copyFileSync(l.join(s,String(n)),e)}),!0):!1}async save(r,d){let s=this.entry(r);if(a.existsSync(l.join(s,".complete")))return;let e=`${s}.${process.pid}.tmp`;a.rmSync(e,{recursive:!0,force:!0}),a.mkdirSync(e,{recursive:!0}),d.forEach((n,p)=>a.copyFileSync(n,l.join(e,String(p)))),a.writeFileSync(l.join(e,".complete"),r);try{a.renameSync(e,s)}catch{a.rmSync(e,{recursive:!0,force:!0})}}};var q=`name: 'mlops build-image'
description: 'Build a reproducible OCI image of the model server (Open Inference Protocol, Prometheus metrics) for a model, without a Docker daemon, and push it or write it to an OCI layout.'
author: 'mlops-actions'
branding:
  icon: 'package'
  color: 'blue'
inputs:
  model:
    description: 'The model: a path to an ONNX file (with mlops-model.json beside it, if any) or local:/release:/oci:// reference.'
    required: true
  image:
    description: 'Image name, e.g. ghcr.io/acme/weather-server. Its first component is the registry.'
    required: true
  tags:
    description: 'Tags, comma- or newline-separated. Empty: from the git ref as docker/metadata-action does (v1.2.3 -> 1.2.3, 1.2, 1, latest; branch; pr-N; sha-<7>).'
    required: false
    default: ''
  base-image:
    description: 'Base image with Node.js 20+ and glibc, pinned by digest for reproducibility; or oci:<layout-dir>[:tag]; or scratch (no runtime: for inspection only).'
    required: false
    default: 'docker.io/library/node:24-bookworm-slim'
  builder:
    description: 'oci (daemonless, reproducible, the default) or docker (a Docker-compatible daemon builds a Dockerfile).'
    required: false
    default: 'oci'
  dockerfile:
    description: 'docker builder: a Dockerfile to use instead of the generated one.'
    required: false
    default: ''
  push:
    description: 'Push the image to its registry.'
    required: false
    default: 'true'
  registry:
    description: 'Registry to push to, when not the image name''s first component.'
    required: false
    default: ''
  username:
    description: 'Registry user. Default: the workflow''s actor (ghcr.io).'
    required: false
    default: '\${{ github.actor }}'
  password:
    description: 'Registry password or token. Default: the workflow''s token for ghcr.io (needs packages: write).'
    required: false
    default: '\${{ github.token }}'
  github-token:
    description: 'The workflow''s token: for a \`release:\` model (\`contents: read\`), and how build-image knows a \`password\` is the workflow''s token, which it sends to ghcr.io only (never to the base image''s or another registry).'
    required: false
    default: '\${{ github.token }}'
  platforms:
    description: 'Platforms, comma-separated (linux/amd64, linux/arm64). Several give a multi-platform index.'
    required: false
    default: 'linux/amd64'
  labels:
    description: 'Extra image labels, one key=value per line.'
    required: false
    default: ''
  annotations:
    description: 'Extra manifest annotations, one key=value per line.'
    required: false
    default: ''
  output:
    description: 'Also write the image here: a directory (an OCI layout; new, empty, or an existing layout the tags are added to) or a .tar file (OCI layout archive).'
    required: false
    default: ''
  source-date-epoch:
    description: 'Seconds since 1970 for every timestamp in the image. Default: SOURCE_DATE_EPOCH, else the commit time.'
    required: false
    default: ''
  attach-model:
    description: 'Also push the model (ModelPack artifact with its manifest and metrics) with the image as its subject.'
    required: false
    default: 'true'
  model-compression:
    description: 'gzip (default) or none: how the model layer is stored. gzip is what every tool reads (crane validate, Docker schema 2); none skips about 5 s of compression per 200 MB of model (weights shrink by only ~7%), needs an OCI base, and makes the layer digest the plain tar''s.'
    required: false
    default: 'gzip'
outputs:
  digest:
    description: 'The image (or index) digest.'
  image:
    description: 'name@digest: what to deploy.'
  tags:
    description: 'The tags pushed, comma-separated.'
  metadata:
    description: 'JSON: name, digest, tags, platforms, model (name, version, digest), base (name, digest), layers.'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var u=c(t=>o.string().transform((r,d)=>{let s={};for(let e of r.split(`
`).map(n=>n.trim()).filter(Boolean)){let n=e.indexOf("=");if(n<=0)return d.addIssue({code:"custom",message:`expected key=value ${t}, got "${e}"`}),o.NEVER;s[e.slice(0,n).trim()]=e.slice(n+1).trim()}return s}),"pairs"),E=o.object({model:o.string().min(1),image:o.string().min(1),tags:i.list(),"base-image":o.string().min(1),builder:o.enum(["oci","docker"]),dockerfile:i.optional(),push:i.boolean(),registry:i.optional(),username:i.optional(),password:i.optional(),"github-token":i.optional(),platforms:i.list().refine(t=>t.length>0&&t.every(r=>/^linux\/(amd64|arm64)$/.test(r)),"expected linux/amd64 and/or linux/arm64"),labels:u("label"),annotations:u("annotation"),output:i.optional(),"source-date-epoch":o.string().regex(/^(\d+)?$/,"expected seconds since 1970").transform(t=>t?Number(t):void 0),"attach-model":i.boolean(),"model-compression":o.enum(["gzip","none"])});export{k as a,m as b,q as c,E as d};
