import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as v}from"./chunk-GU5OERXL.js";import{b as s,i as c}from"./chunk-CWWB7GZR.js";import{a as d}from"./chunk-RFMOYIMQ.js";var A=`name: 'mlops deploy-k8s'
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
  monitoring:
    description: 'The monitoring shipped with the deploy (docs/monitoring.md): \`apply\` writes the files and applies a ServiceMonitor and a PrometheusRule when the cluster has the prometheus-operator CRDs (else a notice says they were skipped) and the Grafana dashboard ConfigMap (label \`grafana_dashboard: "1"\`); \`files\` only writes the files; \`none\` ships nothing.'
    required: false
    default: 'apply'
  monitoring-dir:
    description: 'Where the monitoring files go (relative to the workspace): \`<name>-rules.yml\` (a plain Prometheus rules file), \`<name>-dashboard.json\` (to import into Grafana), and the three objects as YAML under \`kubernetes/\` (for \`kubectl apply -f\`).'
    required: false
    default: '.mlops/monitoring'
  monitoring-labels:
    description: 'Extra labels on the ServiceMonitor, PrometheusRule and dashboard ConfigMap, one key=value per line: what your Prometheus selects them by (kube-prometheus-stack: \`release=<its release name>\`).'
    required: false
    default: ''
  alerts:
    description: 'Alert thresholds, one name=value per line, each optional: \`error-rate\` (share of 5xx, default 0.05), \`p99-seconds\` (default 1), \`no-predictions-minutes\` (default 30), \`class-shift\` (change of a class''s share, default 0.2), \`drift-score\` (a distance statistic, default 0.2), \`drift-p-value\` (a p-value statistic, default 0.01).'
    required: false
    default: ''
  environment:
    description: 'Record the deploy as a GitHub Deployment to this environment (e.g. \`production\`): \`in_progress\` while it rolls out, then \`success\`, \`failure\` (failed or rolled back) or \`error\`, linking the run''s log. Empty (the default): no GitHub deployment. A job with \`environment:\` gets one from GitHub already: set \`deployment: false\` there and name the environment here for a record that knows about rollbacks (docs/deploy.md).'
    required: false
    default: ''
  environment-url:
    description: 'The URL shown for the environment on GitHub. Default: the \`url\` output (the Service''s in-cluster URL).'
    required: false
    default: ''
  github-token:
    description: 'Token for the GitHub deployment (\`permissions: deployments: write\`) and for a \`release:\` model (\`contents: read\`).'
    required: false
    default: '\${{ github.token }}'
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
`;var b={errorRate:.05,p99Seconds:1,noPredictionsMinutes:30,classShift:.2,driftScore:.2,driftPValue:.01},y={"error-rate":"errorRate","p99-seconds":"p99Seconds","no-predictions-minutes":"noPredictionsMinutes","class-shift":"classShift","drift-score":"driftScore","drift-p-value":"driftPValue"},R="https://github.com/mlops-actions/mlops/blob/v1/docs/monitoring.md",g='endpoint!~"/v2/health/.*|/metrics"',w=100,f=d(e=>JSON.stringify(e),"promString");function z(e,t=b){let o=`namespace=${f(e.namespace)}, model_name=${f(e.model)}`,r="namespace, model_name",i=`model=${f(e.model)}`,a=d(u=>Object.values(v).filter(m=>m.kind===u).map(m=>m.name).join("|"),"stats"),n=d(u=>`sum by (${r}, class) (increase(mlops_predictions_total{${o}}${u}))
  / ignoring (class) group_left sum by (${r}) (increase(mlops_predictions_total{${o}}${u}))`,"share"),l=d((u,m,_,$,k,S)=>({alert:u,expr:_,...$?{for:$}:{},labels:{severity:m},annotations:{summary:k,description:S,runbook_url:`${R}#${u.toLowerCase()}`}}),"rule"),p=`${e.model} in ${e.namespace}`;return{name:`mlops-${e.namespace}-${e.name}`,rules:[l("MlopsModelHighErrorRate","critical",`sum by (${r}) (rate(mlops_http_requests_total{${o}, code=~"5..", ${g}}[5m]))
  / sum by (${r}) (rate(mlops_http_requests_total{${o}, ${g}}[5m]))
> ${t.errorRate}`,"5m",`${p}: {{ $value | humanizePercentage }} of requests fail`,`More than ${t.errorRate*100}% of the model server's requests (probes and scrapes left out) were answered with a 5xx status over 5 minutes.`),l("MlopsModelHighLatency","warning",`histogram_quantile(0.99, sum by (${r}, le) (rate(mlops_http_request_duration_seconds_bucket{${o}, ${g}}[5m])))
> ${t.p99Seconds}`,"10m",`${p}: p99 latency is {{ $value | humanizeDuration }}`,`The 99th percentile of request latency has been above ${t.p99Seconds} s for 10 minutes.`),l("MlopsModelNotReady","critical",`max by (${r}, pod) (mlops_model_ready{${o}}) == 0
or max by (namespace, pod) (up{namespace=${f(e.namespace)}, job=${f(e.name)}}) == 0
or absent(mlops_model_ready{${o}})`,"5m",`${p}: a server is not ready{{ with $labels.pod }} ({{ . }}){{ end }}`,"For 5 minutes a model server reports mlops_model_ready 0, its scrape fails (up 0), or no server reports at all."),l("MlopsModelNoPredictions","warning",`sum by (${r}) (increase(mlops_inference_rows_total{${o}}[${t.noPredictionsMinutes}m])) == 0`,void 0,`${p}: no predictions for ${t.noPredictionsMinutes} minutes`,`The model servers are up but predicted no row in the last ${t.noPredictionsMinutes} minutes: the traffic stopped reaching them.`),l("MlopsPredictionClassShift","warning",`abs(
  ${n("[1h]")}
-
  ${n("[1d] offset 1h")}
) > ${t.classShift}
and on (${r}) sum by (${r}) (increase(mlops_predictions_total{${o}}[1h])) >= ${w}`,"15m",`${p}: the share of class {{ $labels.class }} moved by {{ $value | humanizePercentage }}`,`The share of predictions of one class in the last hour differs from its share over the day before by more than ${t.classShift*100} percentage points (with at least ${w} predictions in the hour).`),l("MlopsDriftDetected","warning",`max by (model) (mlops_drift_detected{${i}}) == 1`,void 0,`${e.model}: drift-check found drift`,"The last drift-check run found the input data drifted from the training reference (mlops_drift_detected 1, pushed by drift-check)."),l("MlopsHighDriftScore","warning",`max by (model, feature, stat) (mlops_drift_score{${i}, stat=~"${a("distance")}"}) >= ${t.driftScore}
or min by (model, feature, stat) (mlops_drift_score{${i}, stat=~"${a("p-value")}"}) <= ${t.driftPValue}`,void 0,`${e.model}: {{ $labels.stat }} of {{ $labels.feature }} is {{ printf "%.3g" $value }}`,`A drift statistic drift-check published is past its alert threshold: a distance at or above ${t.driftScore}, or a p-value at or below ${t.driftPValue}.`)]}}d(z,"alertRules");var h=d((e,t)=>s.string().transform((o,r)=>{let i={};for(let a of o.split(/\r?\n/).map(n=>n.trim()).filter(Boolean)){let n=a.indexOf("="),l=n>0?a.slice(0,n).trim():"";if(!t.test(l))return r.addIssue({code:"custom",message:`expected one ${e}=value per line, got "${a}"`}),s.NEVER;i[l]=a.slice(n+1).trim()}return i}),"pairs"),M=h("name",/^[a-z0-9-]+$/).transform((e,t)=>{let o={...b};for(let[r,i]of Object.entries(e)){let a=y[r],n=Number(i);a?!i||!Number.isFinite(n)||n<=0?t.addIssue({code:"custom",message:`${r} must be a positive number, got "${i}"`}):o[a]=n:t.addIssue({code:"custom",message:`unknown alert threshold "${r}" (known: ${Object.keys(y).join(", ")})`})}return o}),O=s.object({image:s.string().min(1),model:c.optional(),name:s.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,"expected a DNS label (lower-case letters, digits and -, at most 63)"),namespace:s.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,"expected a namespace name (lower-case letters, digits and -)"),kubeconfig:c.optional(),manifests:c.list(),replicas:s.string().regex(/^\d+$/,"expected a number of replicas").transform(Number),env:h("NAME",/^[A-Za-z_][A-Za-z0-9_]*$/),annotations:h("key",/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/),strategy:s.enum(["rolling","canary"]),timeout:s.string().regex(/^\d+$/,"expected seconds").transform(Number).refine(e=>e>=1,"at least 1 second"),rollback:s.enum(["auto","never"]),"field-manager":s.string().min(1).max(128),"force-conflicts":c.boolean(),monitoring:s.enum(["apply","files","none"]),"monitoring-dir":s.string().min(1),"monitoring-labels":h("key",/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/),alerts:M,environment:c.optional(),"environment-url":c.optional(),"github-token":c.optional()});export{A as a,z as b,O as c};
