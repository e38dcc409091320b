import { createRequire as __mlopsCreateRequire } from 'node:module';
import { fileURLToPath as __mlopsFileURLToPath } from 'node:url';
const require = __mlopsCreateRequire(import.meta.url);
const __mlopsFilename = __mlopsFileURLToPath(import.meta.url);
const __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));
import{b as w}from"./chunk-GU5OERXL.js";import{b as a,i}from"./chunk-4K3J4FFJ.js";import{a as u}from"./chunk-RFMOYIMQ.js";var z=`name: 'mlops deploy-k8s'
description: 'Roll a model-server image out to Kubernetes with server-side apply, wait for it the way \`kubectl rollout status\` does (a watch, not polling), and roll back automatically when the new revision fails; or run it as a canary judged on the model server''s Prometheus metrics first.'
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
    description: '\`rolling\` (a RollingUpdate of the Deployment) or \`canary\`: the new pods first run as a second Deployment, \`<name>-canary\`, beside the stable ones, taking the traffic shares of \`steps\`; after each step an analysis on \`prometheus\` decides; passing every step promotes the canary (the rolling update), failing one removes it and fails the step (docs/deploy.md#canary). A first deploy, with no stable Deployment to compare with, rolls out directly.'
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
  steps:
    description: 'Canary: the traffic shares in percent, increasing, comma separated. The canary''s pods are added beside the stable ones so that their share of the pods is as close as whole pods allow (at least one pod); after each step below 100 the analysis runs; the last passing promotes.'
    required: false
    default: '10,50,100'
  interval:
    description: 'Canary: time between two measurements of the analysis, and the rate window of its queries (\`$interval\`), e.g. 30s, 1m, 1m30s. At least twice Prometheus''s scrape interval.'
    required: false
    default: '1m'
  count:
    description: 'Canary: measurements per step (Argo Rollouts'' count); the first after one \`interval\`.'
    required: false
    default: '3'
  failure-limit:
    description: 'Canary: failed measurements a rule may have per step; one more aborts the canary (Argo Rollouts'' failureLimit).'
    required: false
    default: '0'
  inconclusive-limit:
    description: 'Canary: measurements without data (an empty result or NaN, e.g. no requests in the window) a rule may have per step; one more aborts the canary (Argo Rollouts'' inconclusiveLimit).'
    required: false
    default: '0'
  consecutive-error-limit:
    description: 'Canary: query errors in a row a rule may have; one more aborts the canary (Argo Rollouts'' consecutiveErrorLimit).'
    required: false
    default: '4'
  prometheus:
    description: 'Canary: the base URL of the Prometheus that scrapes the model server, e.g. http://prometheus.monitoring:9090 (user:password@ is used as basic auth and masked). Required unless every \`analysis\` rule is off.'
    required: false
    default: ''
  prometheus-token:
    description: 'Canary: a bearer token for \`prometheus\` (masked).'
    required: false
    default: ''
  analysis:
    description: 'Canary: your own rules, one per line: \`name: <PromQL> <op> <threshold>\` (op <, <=, > or >=), the query returning one value; \`$canary\` and \`$stable\` are label matchers selecting the canary''s and the stable''s pods, \`$interval\` the window, \`$namespace\` and \`$name\` the inputs. They add to the defaults \`error-rate\` (5xx share of the canary''s predictions < 0.01) and \`latency-p99\` (canary p99 over stable p99, the latter at least 50 ms, < 2); \`name: <query> ...\` with a default''s name replaces it, \`name: off\` turns it off. With every rule off there is no analysis: each step holds \`count\` x \`interval\` once its pods are ready, and \`prometheus\` is not needed.'
    required: false
    default: ''
  route:
    description: 'Canary: the name of a Gateway API HTTPRoute in \`namespace\` sending to the Service \`name\`: the canary''s share is then its weight there (exactly the step''s percentage), through a Service \`<name>-canary\` of its own, instead of its share of the pods. Empty: split by replicas.'
    required: false
    default: ''
outputs:
  revision:
    description: 'The Deployment revision this run rolled out (when rolled back: the revision that failed; empty when a canary was aborted: the Deployment did not change).'
  previous-revision:
    description: 'The revision before this run (empty on a first deploy); a rollback restores it (Kubernetes then numbers it anew, as kubectl rollout undo does).'
  status:
    description: '\`deployed\`, \`rolled-back\` (the new revision failed and the previous one serves again) or \`failed\`.'
  url:
    description: 'The Service''s in-cluster URL, e.g. http://iris.prod.svc.cluster.local (empty when no Service was applied).'
  canary-steps:
    description: 'Canary: the steps as JSON, \`[{"weight":10,"canaryReplicas":1,"stableReplicas":2,"share":33.3,"phase":"successful","rules":[{"name":"error-rate","op":"<","threshold":0.01,"phase":"successful","values":[0,0,0]}, ...]}, ...]\` (empty without a canary).'
runs:
  using: 'node24'
  main: 'dist/index.js'
`;var b={errorRate:.05,p99Seconds:1,noPredictionsMinutes:30,classShift:.2,driftScore:.2,driftPValue:.01},v={"error-rate":"errorRate","p99-seconds":"p99Seconds","no-predictions-minutes":"noPredictionsMinutes","class-shift":"classShift","drift-score":"driftScore","drift-p-value":"driftPValue"},q="https://github.com/mlops-actions/mlops/blob/v1/docs/monitoring.md",y='endpoint!~"/v2/health/.*|/metrics"',k=100,f=u(e=>JSON.stringify(e),"promString");function P(e,t=b){let s=`namespace=${f(e.namespace)}, model_name=${f(e.model)}`,r="namespace, model_name",o=`model=${f(e.model)}`,l=u(c=>Object.values(w).filter(m=>m.kind===c).map(m=>m.name).join("|"),"stats"),n=u(c=>`sum by (${r}, class) (increase(mlops_predictions_total{${s}}${c}))
  / ignoring (class) group_left sum by (${r}) (increase(mlops_predictions_total{${s}}${c}))`,"share"),d=u((c,m,_,$,x,S)=>({alert:c,expr:_,...$?{for:$}:{},labels:{severity:m},annotations:{summary:x,description:S,runbook_url:`${q}#${c.toLowerCase()}`}}),"rule"),p=`${e.model} in ${e.namespace}`;return{name:`mlops-${e.namespace}-${e.name}`,rules:[d("MlopsModelHighErrorRate","critical",`sum by (${r}) (rate(mlops_http_requests_total{${s}, code=~"5..", ${y}}[5m]))
  / sum by (${r}) (rate(mlops_http_requests_total{${s}, ${y}}[5m]))
> ${t.errorRate}`,"5m",`${p}: {{ $value | humanizePercentage }} of requests fail`,`More than ${t.errorRate*100}% of the model server's requests (probes and scrapes left out) were answered with a 5xx status over 5 minutes.`),d("MlopsModelHighLatency","warning",`histogram_quantile(0.99, sum by (${r}, le) (rate(mlops_http_request_duration_seconds_bucket{${s}, ${y}}[5m])))
> ${t.p99Seconds}`,"10m",`${p}: p99 latency is {{ $value | humanizeDuration }}`,`The 99th percentile of request latency has been above ${t.p99Seconds} s for 10 minutes.`),d("MlopsModelNotReady","critical",`max by (${r}, pod) (mlops_model_ready{${s}}) == 0
or max by (namespace, pod) (up{namespace=${f(e.namespace)}, job=${f(e.name)}}) == 0
or absent(mlops_model_ready{${s}})`,"5m",`${p}: a server is not ready{{ with $labels.pod }} ({{ . }}){{ end }}`,"For 5 minutes a model server reports mlops_model_ready 0, its scrape fails (up 0), or no server reports at all."),d("MlopsModelNoPredictions","warning",`sum by (${r}) (increase(mlops_inference_rows_total{${s}}[${t.noPredictionsMinutes}m])) == 0`,void 0,`${p}: no predictions for ${t.noPredictionsMinutes} minutes`,`The model servers are up but predicted no row in the last ${t.noPredictionsMinutes} minutes: the traffic stopped reaching them.`),d("MlopsPredictionClassShift","warning",`abs(
  ${n("[1h]")}
-
  ${n("[1d] offset 1h")}
) > ${t.classShift}
and on (${r}) sum by (${r}) (increase(mlops_predictions_total{${s}}[1h])) >= ${k}`,"15m",`${p}: the share of class {{ $labels.class }} moved by {{ $value | humanizePercentage }}`,`The share of predictions of one class in the last hour differs from its share over the day before by more than ${t.classShift*100} percentage points (with at least ${k} predictions in the hour).`),d("MlopsDriftDetected","warning",`max by (model) (mlops_drift_detected{${o}}) == 1`,void 0,`${e.model}: drift-check found drift`,"The last drift-check run found the input data drifted from the training reference (mlops_drift_detected 1, pushed by drift-check)."),d("MlopsHighDriftScore","warning",`max by (model, feature, stat) (mlops_drift_score{${o}, stat=~"${l("distance")}"}) >= ${t.driftScore}
or min by (model, feature, stat) (mlops_drift_score{${o}, stat=~"${l("p-value")}"}) <= ${t.driftPValue}`,void 0,`${e.model}: {{ $labels.stat }} of {{ $labels.feature }} is {{ printf "%.3g" $value }}`,`A drift statistic drift-check published is past its alert threshold: a distance at or above ${t.driftScore}, or a p-value at or below ${t.driftPValue}.`)]}}u(P,"alertRules");var g=u((e,t)=>a.string().transform((s,r)=>{let o={};for(let l of s.split(/\r?\n/).map(n=>n.trim()).filter(Boolean)){let n=l.indexOf("="),d=n>0?l.slice(0,n).trim():"";if(!t.test(d))return r.addIssue({code:"custom",message:`expected one ${e}=value per line, got "${l}"`}),a.NEVER;o[d]=l.slice(n+1).trim()}return o}),"pairs"),T=g("name",/^[a-z0-9-]+$/).transform((e,t)=>{let s={...b};for(let[r,o]of Object.entries(e)){let l=v[r],n=Number(o);l?!o||!Number.isFinite(n)||n<=0?t.addIssue({code:"custom",message:`${r} must be a positive number, got "${o}"`}):s[l]=n:t.addIssue({code:"custom",message:`unknown alert threshold "${r}" (known: ${Object.keys(v).join(", ")})`})}return s}),h=u((e,t)=>a.string().regex(/^\d+$/,`expected ${e}`).transform(Number).refine(s=>s>=t,`at least ${t}`),"count"),A=i.list().superRefine((e,t)=>{e.length>0&&e.every((r,o)=>/^\d+$/.test(r)&&Number(r)>=1&&Number(r)<=100&&(o===0||Number(r)>Number(e[o-1])))||t.addIssue({code:"custom",message:`expected increasing percentages from 1 to 100, e.g. 10,50,100; got "${e.join(",")}"`})}),N=a.string().transform((e,t)=>{let s=/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(e.trim()),r=s&&e.trim()?Number(s[1]??0)*3600+Number(s[2]??0)*60+Number(s[3]??0):0;return r<1?(t.addIssue({code:"custom",message:`expected a duration such as 30s, 1m or 1m30s, got "${e}"`}),a.NEVER):r}),I=a.object({image:a.string().min(1),model:i.optional(),name:a.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,"expected a DNS label (lower-case letters, digits and -, at most 63)"),namespace:a.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,"expected a namespace name (lower-case letters, digits and -)"),kubeconfig:i.optional(),manifests:i.list(),replicas:a.string().regex(/^\d+$/,"expected a number of replicas").transform(Number),env:g("NAME",/^[A-Za-z_][A-Za-z0-9_]*$/),annotations:g("key",/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/),strategy:a.enum(["rolling","canary"]),timeout:a.string().regex(/^\d+$/,"expected seconds").transform(Number).refine(e=>e>=1,"at least 1 second"),rollback:a.enum(["auto","never"]),"field-manager":a.string().min(1).max(128),"force-conflicts":i.boolean(),monitoring:a.enum(["apply","files","none"]),"monitoring-dir":a.string().min(1),"monitoring-labels":g("key",/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/),alerts:T,environment:i.optional(),"environment-url":i.optional(),"github-token":i.optional(),steps:A.transform(e=>e.map(Number)),interval:N,count:h("a number of measurements",1),"failure-limit":h("a number of failed measurements",0),"inconclusive-limit":h("a number of inconclusive measurements",0),"consecutive-error-limit":h("a number of query errors",0),prometheus:i.optional(),"prometheus-token":i.optional(),analysis:a.string(),route:a.union([a.literal(""),a.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,"expected the name of an HTTPRoute in `namespace`")]).transform(e=>e||void 0)});export{z as a,P as b,I as c};
