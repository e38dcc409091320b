import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as a,i as o}from"./chunk-XEYM4MCA.js";import{a as c}from"./chunk-6YQJCVXF.js";var b=`name: 'mlops build-image'
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
`;var m=c(i=>a.string().transform((t,n)=>{let r={};for(let e of t.split(`
`).map(l=>l.trim()).filter(Boolean)){let l=e.indexOf("=");if(l<=0)return n.addIssue({code:"custom",message:`expected key=value ${i}, got "${e}"`}),a.NEVER;r[e.slice(0,l).trim()]=e.slice(l+1).trim()}return r}),"pairs"),v=a.object({model:a.string().min(1),image:a.string().min(1),tags:o.list(),"base-image":a.string().min(1),builder:a.enum(["oci","docker"]),dockerfile:o.optional(),push:o.boolean(),registry:o.optional(),username:o.optional(),password:o.optional(),"github-token":o.optional(),platforms:o.list().refine(i=>i.length>0&&i.every(t=>/^linux\/(amd64|arm64)$/.test(t)),"expected linux/amd64 and/or linux/arm64"),labels:m("label"),annotations:m("annotation"),output:o.optional(),"source-date-epoch":a.string().regex(/^(\d+)?$/,"expected seconds since 1970").transform(i=>i?Number(i):void 0),"attach-model":o.boolean(),"model-compression":a.enum(["gzip","none"])});import s from"node:fs";import h from"node:os";import d from"node:path";function j(i){return i.MLOPS_CACHE_DIR||d.join(i.XDG_CACHE_HOME||d.join(h.homedir(),".cache"),"mlops","cache")}c(j,"localCacheDir");var u=class{constructor(t){this.root=t}root;static{c(this,"LocalFileCache")}kind="local";entry(t){return d.join(this.root,t.replace(/[^A-Za-z0-9._-]/g,"_"))}async restore(t,n){let r=this.entry(t);return s.existsSync(d.join(r,".complete"))?(n.forEach((e,l)=>{s.mkdirSync(d.dirname(e),{recursive:!0}),s.copyFileSync(d.join(r,String(l)),e)}),!0):!1}async save(t,n){let r=this.entry(t);if(s.existsSync(d.join(r,".complete")))return;let e=`${r}.${process.pid}.tmp`;s.rmSync(e,{recursive:!0,force:!0}),s.mkdirSync(e,{recursive:!0}),n.forEach((l,g)=>s.copyFileSync(l,d.join(e,String(g)))),s.writeFileSync(d.join(e,".complete"),t);try{s.renameSync(e,r)}catch{s.rmSync(e,{recursive:!0,force:!0})}}},p=class{constructor(t){this.log=t}log;static{c(this,"ActionsFileCache")}kind="actions";async restore(t,n){let r=await import("./cache-AF35RXQE.js");try{return await r.restoreCache(n,t)===t}catch(e){return this.log.warn(`cache restore failed, training instead: ${e.message}`),!1}}async save(t,n){let r=await import("./cache-AF35RXQE.js");try{await r.saveCache(n,t)}catch(e){this.log.warn(`cache save failed (the model is fine; the next run will train again): ${e.message}`)}}};export{b as a,v as b,j as c,u as d,p as e};
