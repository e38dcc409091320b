import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as e,i}from"./chunk-UMQWQGYH.js";import{a as n}from"./chunk-6YQJCVXF.js";var m=`name: 'mlops deploy-k8s'
description: 'Roll a model-server image out to Kubernetes with server-side apply, wait for it the way \`kubectl rollout status\` does (a watch, not polling), and roll back automatically when the new revision fails.'
author: 'mlops-actions'
branding:
  icon: 'upload-cloud'
  color: 'purple'
inputs:
  image:
    description: 'The image to deploy, by digest (registry/repository@sha256:...), e.g. the \`image\` output of build-image. A tag is resolved to its digest in the registry first.'
    required: true
  model:
    description: 'The model the image serves (a path, local:<name>@<version>, release:... or oci://...), for the labels and annotations that trace a pod back to its model. Optional.'
    required: false
    default: ''
  name:
    description: 'Name of the Deployment and Service (a DNS label: lower-case letters, digits and -).'
    required: true
  namespace:
    description: 'Namespace to deploy into (it must exist).'
    required: false
    default: 'default'
  kubeconfig:
    description: 'A kubeconfig: its content (e.g. from a secret) or a path to it. Default: $KUBECONFIG, else ~/.kube/config, else the in-cluster service account. Its token and client key are masked in the log.'
    required: false
    default: ''
  manifests:
    description: 'Your own manifests: YAML files or directories, comma or newline separated, holding exactly one Deployment (containers using the image''s repository get \`image\`). Default: a generated Deployment and Service (probes on /v2/health/*, resources, non-root security context, prometheus.io annotations).'
    required: false
    default: ''
  replicas:
    description: 'Replicas of the generated Deployment.'
    required: false
    default: '2'
  env:
    description: 'Environment variables for the server container, one NAME=value per line.'
    required: false
    default: ''
  annotations:
    description: 'Extra pod-template annotations, one key=value per line (e.g. for a service mesh or a log agent).'
    required: false
    default: ''
  strategy:
    description: '\`rolling\` (a RollingUpdate of the Deployment). \`canary\` is not available yet.'
    required: false
    default: 'rolling'
  timeout:
    description: 'How long the rollout may go without progress before it fails, in seconds (the Deployment''s progressDeadlineSeconds, unless your manifests set one; the wait gives up after twice that plus a minute).'
    required: false
    default: '600'
  rollback:
    description: '\`auto\`: when the new revision fails, roll back to the previous one and wait for it; \`never\`: leave the failed rollout as it is.'
    required: false
    default: 'auto'
  field-manager:
    description: 'The server-side apply field manager this action applies as.'
    required: false
    default: 'mlops-deploy-k8s'
  force-conflicts:
    description: 'Take over fields another field manager owns (server-side apply with force). Without it such a conflict fails the step and names the fields and their managers.'
    required: false
    default: 'false'
outputs:
  revision:
    description: 'The Deployment revision this run rolled out (when rolled back: the revision that failed).'
  previous-revision:
    description: 'The revision before this run (empty on a first deploy); a rollback restores it (Kubernetes then numbers it anew, as kubectl rollout undo does).'
  status:
    description: '\`deployed\`, \`rolled-back\` (the new revision failed and the previous one serves again) or \`failed\`.'
  url:
    description: 'The Service''s in-cluster URL, e.g. http://iris.prod.svc.cluster.local (empty when no Service was applied).'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var l=n((o,d)=>e.string().transform((c,p)=>{let r={};for(let a of c.split(/\r?\n/).map(t=>t.trim()).filter(Boolean)){let t=a.indexOf("="),s=t>0?a.slice(0,t).trim():"";if(!d.test(s))return p.addIssue({code:"custom",message:`expected one ${o}=value per line, got "${a}"`}),e.NEVER;r[s]=a.slice(t+1).trim()}return r}),"pairs"),v=e.object({image:e.string().min(1),model:i.optional(),name:e.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,"expected a DNS label (lower-case letters, digits and -, at most 63)"),namespace:e.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,"expected a namespace name (lower-case letters, digits and -)"),kubeconfig:i.optional(),manifests:i.list(),replicas:e.string().regex(/^\d+$/,"expected a number of replicas").transform(Number),env:l("NAME",/^[A-Za-z_][A-Za-z0-9_]*$/),annotations:l("key",/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/),strategy:e.enum(["rolling","canary"]),timeout:e.string().regex(/^\d+$/,"expected seconds").transform(Number).refine(o=>o>=1,"at least 1 second"),rollback:e.enum(["auto","never"]),"field-manager":e.string().min(1).max(128),"force-conflicts":i.boolean()});export{m as a,v as b};
