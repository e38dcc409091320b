import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type RunningCluster, startCluster } from '../harness/k8s/cluster.js';
import { type RunningPrometheus, startPrometheus } from '../harness/prometheus.js';
import { REPO_ROOT, runAction, type RunResult, workspaceWith } from '../harness/runner.js';
import { type RunningServer, bundleModelServer, launchModelServer } from '../harness/serving.js';
import { tempDir } from '../harness/temp.js';

// strategy: canary as the runner runs it, on a real control plane (kwok simulates the pods) and
// judged by a real Prometheus scraping real model-server processes that stand for the stable and
// the canary pods: file_sd gives each the labels a pod's series carry in a cluster
// (namespace, pod, track). The analysis reads only Prometheus.
let cluster: RunningCluster;
let prom: RunningPrometheus;
let bundle: string;
let modelEnv: Record<string, string>;
const servers: RunningServer[] = [];
const workspaces: string[] = [];

beforeAll(async () => {
  const modelDir = tempDir('canary-model-');
  execFileSync(process.execPath, ['train.mjs'], {
    cwd: path.join(REPO_ROOT, 'examples/weather'),
    env: { ...process.env, MLOPS_PARAMS: 'params.json', MLOPS_SEED: '1', MLOPS_OUTPUT_DIR: modelDir },
    stdio: 'pipe',
  });
  fs.writeFileSync(path.join(modelDir, 'mlops-model.json'), JSON.stringify({ schemaVersion: 1, kind: 'mlops/model-manifest', name: 'seattle-weather', version: '3' }));
  modelEnv = { MODEL_PATH: path.join(modelDir, 'model.onnx'), MODEL_MANIFEST: path.join(modelDir, 'mlops-model.json') };
  [cluster, prom, bundle] = await Promise.all([startCluster(), startPrometheus(), bundleModelServer()]);
}, 600_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), prom?.stop(), ...servers.map((s) => s.stop())]);
  for (const ws of workspaces) fs.rmSync(ws, { recursive: true, force: true });
});

const image = (c: string) => `registry.example/iris@sha256:${c.repeat(64)}`;

async function server(env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await launchModelServer(bundle, { ...modelEnv, ...env });
  servers.push(s);
  return s;
}

/** 16 days of the weather data spread over a year: every request the same mix of predicted classes. */
const ROWS = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), 'utf8').trim().split('\n').slice(1, 401).filter((_, i) => i % 25 === 0).map((l) => l.split(',').slice(1, 5).map(Number));
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];

/** Users' requests to each server until stopped. */
function traffic(urls: string[]): { stop(): Promise<void>; codes: Map<number, number> } {
  let running = true;
  const codes = new Map<number, number>();
  const loops = urls.map(async (url) => {
    const rows = ROWS;
    while (running) {
      const body = JSON.stringify({ inputs: FEATURES.map((name, j) => ({ name, datatype: 'FP32', shape: [rows.length, 1], data: rows.map((r) => r[j]) })) });
      const res = await fetch(`${url}/v2/models/seattle-weather/infer`, { method: 'POST', body }).catch(() => null);
      if (res) {
        codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
        await res.arrayBuffer();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return {
    codes,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Point Prometheus at the two servers as the pods of `name` in `namespace`, and wait for both. */
async function scrapeAsPods(namespace: string, stable: RunningServer, canary: RunningServer) {
  prom.setTargets([
    { url: stable.url, labels: { namespace, pod: 'iris-7d9f8c6b5-x2k9p', track: 'stable' } },
    { url: canary.url, labels: { namespace, pod: 'iris-canary-5c6d7e8f9-qr4st', track: 'canary' } },
  ]);
  await prom.waitFor(`count(rate(mlops_http_requests_total{namespace="${namespace}", endpoint="/v2/models/{model}/infer"}[3s]) > 0)`, (s) => s[0]?.value === 2, 120_000);
}

async function deployK8s(inputs: Record<string, string>): Promise<RunResult> {
  const ws = workspaceWith({});
  workspaces.push(ws);
  return runAction('deploy-k8s', { kubeconfig: cluster.kubeconfig, ...inputs }, { workspace: ws });
}

const jsonpath = (ns: string, what: string, path: string) => cluster.kubectl(['get', what, '-n', ns, '-o', `jsonpath=${path}`]);
const absent = async (ns: string, what: string) => (await cluster.kubectl(['get', what, '-n', ns, '--ignore-not-found', '-o', 'name'])) === '';

describe('deploy-k8s strategy: canary (real control plane, real Prometheus, real model servers)', () => {
  it("promotes a canary as good as the stable: docs/deploy.md's canary step, with seconds for minutes", async () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('## Canary')))![1]!;
    const step = (YAML.parse(block) as { with: Record<string, string | number> }[])[0]!;
    const ns = String(step.with.namespace);
    await cluster.kubectl(['create', 'namespace', ns]);
    const first = await deployK8s({ image: image('a'), name: 'iris', namespace: ns });
    expect(first.exitCode, first.stdout).toBe(0);

    const [stable, canary] = await Promise.all([server(), server()]);
    const users = traffic([stable.url, canary.url]);
    try {
      await scrapeAsPods(ns, stable, canary);
      // Credentials in the URL: sent as basic auth (this Prometheus ignores it), masked, shown nowhere.
      const expressions: Record<string, string> = {
        '${{ needs.build.outputs.image }}': image('b'),
        '${{ secrets.KUBECONFIG }}': fs.readFileSync(cluster.kubeconfig, 'utf8'),
        '${{ vars.PROMETHEUS_URL }}': prom.url.replace('http://', 'http://mlops:pr0m-s3cret@'),
      };
      const inputs = Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, expressions[String(v)] ?? String(v)]));
      const r = await deployK8s({ ...inputs, interval: '3s' });
      expect(r.exitCode, r.stdout).toBe(0);
      expect(r.outputs).toMatchObject({ revision: '2', 'previous-revision': '1', status: 'deployed' });
      const steps = JSON.parse(r.outputs['canary-steps']!) as { weight: number; canaryReplicas: number; stableReplicas: number; phase: string; rules: { name: string; phase: string; values: number[] }[] }[];
      expect(steps.map((s) => [s.weight, s.canaryReplicas, s.stableReplicas, s.phase])).toEqual([
        [10, 1, 2, 'successful'],
        [50, 2, 2, 'successful'],
      ]);
      expect(steps[0]!.rules.map((x) => x.name)).toEqual(['error-rate', 'latency-p99', 'rain-shift']);
      for (const s of steps) for (const rule of s.rules) expect(rule.values.length).toBeGreaterThanOrEqual(3);
      expect(steps[0]!.rules[0]!.values).toEqual([0, 0, 0]);
      expect(r.summary).toContain('passed every step and was promoted');
      expect(r.summary).toMatch(/\| 10% \| 1 of 3 pods \(33\.3%\) \| <code>error-rate<\/code> \| <code>&lt; 0\.01<\/code> \| 0, 0, 0 \| ✅ passed \|/);
      expect(r.stdout).toContain('::add-mask::pr0m-s3cret');
      expect(r.stdout.replace('::add-mask::pr0m-s3cret', '') + r.summary + JSON.stringify(r.outputs)).not.toContain('pr0m-s3cret');
      // kubectl: the stable Deployment runs the new image, the canary is gone.
      expect(await jsonpath(ns, 'deployment/iris', '{.spec.template.spec.containers[0].image}')).toBe(image('b'));
      expect(await jsonpath(ns, 'deployment/iris', '{.spec.template.metadata.labels.track}')).toBe('stable');
      expect(await cluster.kubectl(['rollout', 'status', 'deployment/iris', '-n', ns, '--timeout=120s'])).toContain('successfully rolled out');
      expect(await absent(ns, 'deployment/iris-canary')).toBe(true);
      expect(users.codes.get(200)).toBeGreaterThan(0);
    } finally {
      await users.stop();
    }
  }, 600_000);

  it('runs the steps without analysis, and without a Prometheus, when every rule is turned off', async () => {
    const ns = 'canary-no-analysis';
    await cluster.kubectl(['create', 'namespace', ns]);
    expect((await deployK8s({ image: image('a'), name: 'iris', namespace: ns })).exitCode).toBe(0);
    const r = await deployK8s({ image: image('b'), name: 'iris', namespace: ns, strategy: 'canary', steps: '10,50,100', interval: '1s', count: '1', analysis: 'error-rate: off\nlatency-p99: off' });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ revision: '2', 'previous-revision': '1', status: 'deployed' });
    expect(JSON.parse(r.outputs['canary-steps']!)).toEqual([
      { weight: 10, canaryReplicas: 1, stableReplicas: 2, share: 33.3, phase: 'successful', rules: [] },
      { weight: 50, canaryReplicas: 2, stableReplicas: 2, share: 50, phase: 'successful', rules: [] },
    ]);
    expect(r.stdout).toContain('No analysis: every rule is turned off, so each step only waits for the canary\'s pods to be ready, then holds 1 x 1 s');
    expect(r.summary).toContain('No analysis: every rule was turned off, so each step waited for the canary\'s pods to be ready, then held 1 s');
    expect(r.summary).toContain('| 50% | 2 of 4 pods (50%) |');
    expect(await jsonpath(ns, 'deployment/iris', '{.spec.template.spec.containers[0].image}')).toBe(image('b'));
    expect(await absent(ns, 'deployment/iris-canary')).toBe(true);
  }, 600_000);

  it('aborts a canary whose pods answer 503, leaves the stable untouched and removes the canary', async () => {
    const ns = 'canary-bad';
    await cluster.kubectl(['create', 'namespace', ns]);
    const first = await deployK8s({ image: image('a'), name: 'iris', namespace: ns });
    expect(first.exitCode, first.stdout).toBe(0);
    const generation = await jsonpath(ns, 'deployment/iris', '{.metadata.generation}');

    // A canary pod that is not ready: SIGTERM with a long shutdown delay keeps it serving,
    // answering every prediction 503 (the model server's own behaviour, docs/serving.md).
    const [stable, canary] = await Promise.all([server(), server({ SHUTDOWN_DELAY_MS: '600000' })]);
    canary.child.kill('SIGTERM');
    for (let i = 0; (await fetch(`${canary.url}/v2/health/ready`)).status !== 503; i++) await new Promise((r) => setTimeout(r, 100));
    const users = traffic([stable.url, canary.url]);
    try {
      await scrapeAsPods(ns, stable, canary);
      const r = await deployK8s({ image: image('b'), name: 'iris', namespace: ns, strategy: 'canary', steps: '50,100', interval: '3s', count: '2', prometheus: prom.url });
      expect(r.exitCode, r.stdout).toBe(1);
      expect(r.outputs).toMatchObject({ revision: '', 'previous-revision': '1', status: 'rolled-back' });
      const error = r.annotations.find((a) => a.level === 'error')!.message;
      expect(error).toMatch(/^deployment\/iris: canary analysis failed at step 50%: error-rate = 1 \(threshold < 0\.01\): 1 of 1 measurement\(s\) failed \(failure-limit 0\) \(query: \(sum\(rate\(mlops_http_requests_total\{namespace="canary-bad", track="canary", pod=~"iris-canary-\[a-z0-9\]\+-\[a-z0-9\]\+", endpoint=~".*\/infer\|.*predict", code=~"5.."\}\[3s\]\)\) or vector\(0\)\) \/ .*\); the canary was removed; revision 1 serves all traffic$/);
      expect(r.summary).toContain('deploy-k8s: rolled-back');
      expect(r.summary).toContain('the canary of <code>registry.example/iris&#64;sha256:bbbb');
      expect(r.summary).toMatch(/\| 50% \| 2 of 4 pods \(50%\) \| <code>error-rate<\/code> \| <code>&lt; 0\.01<\/code> \| 1 \| ❌ failed \|/);
      expect(r.summary).toContain('Failing query: <code>(sum(rate(mlops\\_http\\_requests\\_total{namespace=&quot;canary-bad&quot;');
      expect(JSON.parse(r.outputs['canary-steps']!)).toMatchObject([{ weight: 50, canaryReplicas: 2, phase: 'failed', rules: [{ name: 'error-rate', phase: 'failed', values: [1] }, { name: 'latency-p99', phase: 'not-reached', values: [] }] }]);
      // kubectl: the stable Deployment as it was, the canary gone.
      expect(await jsonpath(ns, 'deployment/iris', '{.spec.template.spec.containers[0].image}')).toBe(image('a'));
      expect(await jsonpath(ns, 'deployment/iris', '{.metadata.generation}')).toBe(generation);
      expect(await jsonpath(ns, 'deployment/iris', '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}')).toBe('1');
      expect(await absent(ns, 'deployment/iris-canary')).toBe(true);
      expect(users.codes.get(503)).toBeGreaterThan(0);
    } finally {
      await users.stop();
    }
  }, 600_000);

  it('splits by the weights of an HTTPRoute when `route` names one, and restores them', async () => {
    // The Gateway API's own HTTPRoute CRD (scripts/install-gateway-api.sh, pinned); no gateway
    // controller: the route is an object whose weights the test watches change.
    const crd = execFileSync(path.join(REPO_ROOT, 'scripts/install-gateway-api.sh'), { encoding: 'utf8' }).trim();
    await cluster.kubectl(['apply', '--server-side', '-f', crd]);
    // `kubectl wait` errors out while the CRD has no status yet (scripts/k8s/start.sh retries it too).
    for (let i = 0; ; i++) {
      const established = await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=5s', 'crd/httproutes.gateway.networking.k8s.io']).then(() => true, (e: unknown) => (i < 30 ? false : Promise.reject(e)));
      if (established) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    const ns = 'canary-route';
    await cluster.kubectl(['create', 'namespace', ns]);
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: ns }, spec: { parentRefs: [{ name: 'gateway' }], rules: [{ backendRefs: [{ name: 'iris', port: 80 }] }] } };
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(route));
    // As the apiserver keeps it: with the CRD's defaults (kind Service, weight 1...).
    const initial = JSON.parse(await cluster.kubectl(['get', 'httproute', 'web', '-n', ns, '-o', 'json'])) as typeof route;
    expect((await deployK8s({ image: image('a'), name: 'iris', namespace: ns })).exitCode).toBe(0);
    // A route that is not there: an error naming the input, before any canary pod.
    const missing = await deployK8s({ image: image('b'), name: 'iris', namespace: ns, strategy: 'canary', route: 'nope', prometheus: prom.url });
    expect(missing.annotations.find((a) => a.level === 'error')?.message).toMatch(/^there is no HTTPRoute canary-route\/nope \(or the Gateway API is not installed in the cluster\) \(input `route`\)\nFix: name an HTTPRoute/);
    expect(await absent(ns, 'deployment/iris-canary')).toBe(true);

    const seen: string[] = [];
    const watch = spawn(path.join(cluster.bin, 'kubectl'), ['--kubeconfig', cluster.kubeconfig, 'get', 'httproute', 'web', '-n', ns, '--watch', '-o', 'jsonpath={.spec.rules[0].backendRefs[*].name}={.spec.rules[0].backendRefs[*].weight}{"\\n"}'], { stdio: ['ignore', 'pipe', 'ignore'] });
    watch.stdout.on('data', (d: Buffer) => seen.push(...d.toString().split('\n').filter(Boolean).map((l) => l.trim())));
    const [stable, canary] = await Promise.all([server(), server()]);
    const users = traffic([stable.url, canary.url]);
    try {
      await scrapeAsPods(ns, stable, canary);
      const r = await deployK8s({ image: image('b'), name: 'iris', namespace: ns, strategy: 'canary', route: 'web', steps: '25,100', interval: '3s', count: '2', 'failure-limit': '1', prometheus: prom.url });
      expect(r.exitCode, r.stdout).toBe(0);
      expect(JSON.parse(r.outputs['canary-steps']!)).toMatchObject([{ weight: 25, canaryReplicas: 1, share: 25, phase: 'successful' }]);
      expect(r.summary).toContain('| 25% | 25% by HTTPRoute <code>web</code> (1 pod(s)) | <code>error-rate</code>');
      const final = JSON.parse(await cluster.kubectl(['get', 'httproute', 'web', '-n', ns, '-o', 'json'])) as typeof route & { metadata: { annotations?: Record<string, string> } };
      expect(final.spec.rules).toEqual(initial.spec.rules);
      expect(final.metadata.annotations?.['mlops.io/canary-stable-weights']).toBeUndefined();
      expect(await absent(ns, 'service/iris-canary')).toBe(true);
      expect(await absent(ns, 'deployment/iris-canary')).toBe(true);
      expect(await jsonpath(ns, 'deployment/iris', '{.spec.template.spec.containers[0].image}')).toBe(image('b'));
      // The watch's last event may come after the step ends.
      for (const until = Date.now() + 60_000; seen[seen.length - 1] !== 'iris=1' && Date.now() < until; ) await new Promise((res) => setTimeout(res, 100));
    } finally {
      await users.stop();
      watch.kill();
    }
    // The route as the watch saw it (names=weights): all to iris, 75/25 during the step, all to iris again.
    // ({range} in a watched jsonpath prints only the first event: kubectl's quirk.)
    expect(seen[0]).toBe('iris=1');
    expect(seen).toContain('iris iris-canary=75 25');
    expect(seen[seen.length - 1]).toBe('iris=1');
  }, 600_000);

  it('aborts a canary whose pods never become ready, before any analysis', async () => {
    const ns = 'canary-crash';
    await cluster.kubectl(['create', 'namespace', ns]);
    expect((await deployK8s({ image: image('a'), name: 'iris', namespace: ns })).exitCode).toBe(0);
    // kwok crash-loops pods with this annotation (scripts/k8s/stages.yaml).
    const r = await deployK8s({ image: image('c'), name: 'iris', namespace: ns, strategy: 'canary', prometheus: prom.url, annotations: 'kwok.mlops.test/stage=crashloop', timeout: '5' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ revision: '', 'previous-revision': '1', status: 'rolled-back' });
    expect(r.annotations.find((a) => a.level === 'error')?.message).toBe('deployment/iris: the canary\'s pods did not become ready at step 10%: deployment "iris-canary" exceeded its progress deadline; the canary was removed; revision 1 serves all traffic');
    expect(JSON.parse(r.outputs['canary-steps']!)).toEqual([{ weight: 10, canaryReplicas: 1, stableReplicas: 2, share: 33.3, phase: 'not-ready', rules: [] }]);
    expect(await absent(ns, 'deployment/iris-canary')).toBe(true);
    expect(await jsonpath(ns, 'deployment/iris', '{.spec.template.spec.containers[0].image}')).toBe(image('a'));
  }, 600_000);

  it('fails before touching the cluster when a rule does not parse as PromQL, naming its line', async () => {
    const ns = 'canary-promql';
    await cluster.kubectl(['create', 'namespace', ns]);
    expect((await deployK8s({ image: image('a'), name: 'iris', namespace: ns })).exitCode).toBe(0);
    const r = await deployK8s({ image: image('b'), name: 'iris', namespace: ns, strategy: 'canary', prometheus: prom.url, analysis: '# mine\nbroken: sum(rate(x[1m]) < 1' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(/^the analysis rule broken \(line 2\) cannot be queried: Prometheus query failed: .*unclosed left parenthesis\n {2}query: sum\(rate\(x\[1m\]\) \(input `analysis`\)/);
    expect(await absent(ns, 'deployment/iris-canary')).toBe(true);
    expect(await jsonpath(ns, 'deployment/iris', '{.spec.template.spec.containers[0].image}')).toBe(image('a'));
  }, 600_000);
});
