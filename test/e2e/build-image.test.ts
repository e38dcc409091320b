import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { pushNodeBase } from '../harness/base-image.js';
import { checkPushedImage } from '../harness/image-tools.js';
import { podman, runContainer, stopContainer } from '../harness/podman.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { NODE24, REPO_ROOT, runAction } from '../harness/runner.js';
import { freePort } from '../harness/server.js';
import { tempDir } from '../harness/temp.js';

const EPOCH = '1700000000';

/** A workspace with the weather example trained by the train action (model + manifest). */
async function trainedModel(seed: string, profile = ''): Promise<string> {
  const ws = tempDir('mlops-img-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
  if (profile) {
    const v = await runAction('validate-data', { data: 'weather/data/seattle-weather.csv', profile: `weather/${profile}`, report: 'validate.json', 'fail-on': 'error' }, { workspace: ws });
    expect(v.exitCode, v.stdout).toBe(0);
  }
  const r = await runAction(
    'train',
    { command: 'node train.mjs', 'working-directory': 'weather', params: 'params.json', data: 'data/seattle-weather.csv', code: '*.mjs', model: 'model.onnx', metrics: 'metrics.json', profile, seed, 'timeout-minutes': '5', cache: 'false', publish: '', tags: '', name: 'weather', 'github-token': '' },
    { workspace: ws, env: { SOURCE_DATE_EPOCH: EPOCH } },
  );
  expect(r.exitCode, r.stdout).toBe(0);
  return ws;
}

describe('build-image (builder oci) through the runner protocol', () => {
  let registry: RunningRegistry;
  let base: string;
  const image = () => `${registry.host}/models/weather-server`;
  const inputs = (extra: Record<string, string> = {}) => ({
    model: 'weather/model.onnx',
    image: image(),
    tags: '1.0.0, latest',
    'base-image': base,
    builder: 'oci',
    dockerfile: '',
    push: 'true',
    registry: '',
    username: '',
    password: '',
    platforms: 'linux/amd64',
    labels: 'team=ml',
    annotations: '',
    output: '',
    'source-date-epoch': EPOCH,
    'attach-model': 'true',
    'model-compression': 'gzip',
    ...extra,
  });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    const client = new RegistryClient({ registry: registry.host });
    const pushed = await pushNodeBase(client, tempDir('base-'), NODE24);
    base = `${registry.host}/${pushed.repository}@${pushed.digest}`;
  }, 120_000);
  afterAll(async () => registry.stop());

  it('builds the same digest twice, and a model-only rebuild uploads only the model layer and the config', async () => {
    const a = await trainedModel('1');
    const first = await runAction('build-image', inputs({ output: 'out/layout' }), { workspace: a });
    expect(first.stderr).toBe('');
    expect(first.exitCode, first.stdout).toBe(0);
    const digest = first.outputs.digest!;
    expect(first.outputs.image).toBe(`${image()}@${digest}`);
    expect(first.outputs.tags).toBe('1.0.0,latest');

    // Same inputs (the same model files), another workspace with other paths and mtimes: the same digest.
    const b = tempDir('mlops-img-copy-');
    fs.mkdirSync(path.join(b, 'weather'));
    for (const f of ['model.onnx', 'mlops-model.json']) {
      fs.copyFileSync(path.join(a, 'weather', f), path.join(b, 'weather', f));
      fs.utimesSync(path.join(b, 'weather', f), new Date(), new Date());
      fs.chmodSync(path.join(b, 'weather', f), 0o600);
    }
    // A fresh layer cache, as on a hosted runner: the server layer is found in the registry by its
    // key (the tags point at the first build), not compressed again: nothing enters the cache.
    const freshCache = tempDir('mlops-img-cache-');
    const again = await runAction('build-image', inputs(), { workspace: b, env: { MLOPS_CACHE_DIR: freshCache } });
    expect(again.outputs.digest).toBe(digest);
    expect(Object.values(JSON.parse(again.outputs.metadata!).layers).filter((o) => o === 'uploaded')).toEqual([]);
    expect(fs.readdirSync(freshCache)).toEqual([]);

    // Another model: only its layer and the config are new.
    const c = await trainedModel('2');
    const rebuilt = await runAction('build-image', inputs({ tags: '1.0.1' }), { workspace: c });
    expect(rebuilt.outputs.digest).not.toBe(digest);
    const layers = JSON.parse(rebuilt.outputs.metadata!).layers as Record<string, string>;
    expect(Object.values(layers).filter((o) => o === 'uploaded')).toHaveLength(2);

    // skopeo reads the pushed image; umoci unpacks the layout output.
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${image()}:1.0.0`]).toString());
    expect(inspect.Digest).toBe(digest);
    expect(inspect.Labels).toMatchObject({ team: 'ml', 'io.mlops.model.name': 'weather', 'org.opencontainers.image.title': 'weather' });
    const config = JSON.parse(execFileSync('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${image()}:1.0.0`]).toString());
    expect(config.config).toMatchObject({ User: '65532', Entrypoint: ['node', '/opt/mlops/server.mjs'], ExposedPorts: { '8080/tcp': {} } });
    const raw = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${image()}:1.0.0`]).toString());
    expect(raw.annotations['org.opencontainers.image.base.digest']).toBe(base.split('@')[1]);
    const bundle = tempDir('umoci-');
    execFileSync('umoci', ['unpack', '--image', `${a}/out/layout:1.0.0`, `${bundle}/b`]);
    const rootfs = `${bundle}/b/rootfs`;
    expect(fs.readFileSync(`${rootfs}/models/model.onnx`).equals(fs.readFileSync(`${a}/weather/model.onnx`))).toBe(true);
    expect(fs.existsSync(`${rootfs}/opt/mlops/onnxruntime/onnxruntime_binding.node`)).toBe(true);

    // Every layer gzip (crane's validator reads no other), in OCI media types on this OCI base.
    expect(raw.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
    for (const tag of ['1.0.0', '1.0.1']) await checkPushedImage(`${image()}:${tag}`);

    // The model artifact is attached: the referrers fallback tag lists it.
    const referrers = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${image()}:sha256-${digest.slice(7)}`]).toString());
    expect(referrers.manifests[0].artifactType).toBe('application/vnd.cncf.model.manifest.v1+json');
    // Annotated as the artifact's manifest, and once only although the rebuild attached it again; oras reads it.
    const modelDigest = JSON.parse(fs.readFileSync(path.join(a, 'weather', 'mlops-model.json'), 'utf8')).model.digest;
    expect(referrers.manifests).toHaveLength(1);
    expect(referrers.manifests[0].annotations).toMatchObject({ 'org.opencontainers.image.title': 'weather', 'io.mlops.model.digest': modelDigest });
    const discovered = JSON.parse(execFileSync(path.join(REPO_ROOT, '.tools/bin/oras'), ['discover', '--plain-http', '--format', 'json', `${image()}@${digest}`], { env: { ...process.env, DOCKER_CONFIG: bundle } }).toString());
    expect(discovered.referrers).toEqual([expect.objectContaining({ digest: referrers.manifests[0].digest, artifactType: 'application/vnd.cncf.model.manifest.v1+json', annotations: expect.objectContaining({ 'io.mlops.model.digest': modelDigest }) })]);
  });

  it('puts the reference profile train recorded beside the model, and points MODEL_PROFILE at it', async () => {
    const ws = await trainedModel('3', 'profile.json');
    const r = await runAction('build-image', inputs({ push: 'false', output: 'out/layout', tags: 'p' }), { workspace: ws });
    expect(r.exitCode, r.stdout).toBe(0);
    const bundle = tempDir('umoci-');
    execFileSync('umoci', ['unpack', '--image', `${ws}/out/layout:p`, `${bundle}/b`]);
    expect(fs.readFileSync(`${bundle}/b/rootfs/models/mlops-profile.json`).equals(fs.readFileSync(`${ws}/weather/profile.json`))).toBe(true);
    const config = JSON.parse(fs.readFileSync(`${bundle}/b/config.json`, 'utf8'));
    expect(config.process.env).toContain('MODEL_PROFILE=/models/mlops-profile.json');
  });

  it('builder docker: the same image built by a Docker-compatible daemon (podman) and pushed', async () => {
    const { startPodmanService } = await import('../harness/podman-service.js');
    const service = await startPodmanService({ insecureRegistries: [registry.host] });
    try {
      const ws = await trainedModel('4');
      const r = await runAction('build-image', inputs({ builder: 'docker', tags: 'docker-built', 'attach-model': 'true' }), { workspace: ws, env: { DOCKER_HOST: `unix://${service.socketPath}` } });
      expect(r.stderr).toBe('');
      expect(r.exitCode, r.stdout).toBe(0);
      const inspect = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${image()}:docker-built`]).toString());
      expect(inspect.Digest).toBe(r.outputs.digest);
      const config = JSON.parse(execFileSync('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${image()}:docker-built`]).toString());
      expect(config.config).toMatchObject({ User: '65532', Entrypoint: ['node', '/opt/mlops/server.mjs'] });
      expect(config.config.Env).toContain('MODEL_PATH=/models/model.onnx');
      expect(config.config.Labels['io.mlops.model.name']).toBe('weather');
      const refs = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${image()}:sha256-${r.outputs.digest!.slice(7)}`]).toString());
      expect(refs.manifests).toHaveLength(1);
      await checkPushedImage(`${image()}:docker-built`);
    } finally {
      await service.stop();
    }
  });

  it('runs under podman and answers health and infer', async () => {
    const ws = await trainedModel('3');
    const r = await runAction('build-image', inputs({ tags: 'run' }), { workspace: ws });
    expect(r.exitCode, r.stdout).toBe(0);
    await checkPushedImage(`${image()}:run`);
    podman('pull', '--quiet', '--tls-verify=false', `${image()}:run`);
    const port = await freePort();
    const id = runContainer(`${image()}:run`, { PORT: String(port), HOST: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ok = await fetch(`${url}/v2/health/ready`).then((res) => res.ok).catch(() => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`not ready: ${stopContainer(id).logs}`);
        await new Promise((res) => setTimeout(res, 200));
      }
      const meta = (await (await fetch(`${url}/v2/models/weather`)).json()) as { inputs: { name: string }[] };
      expect(meta.inputs.map((i) => i.name)).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
      const infer = await fetch(`${url}/v2/models/weather/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: ['precipitation', 'temp_max', 'temp_min', 'wind'].map((name, k) => ({ name, shape: [2, 1], datatype: 'FP32', data: [[10 + k], [0 + k]] })) }),
      });
      expect(infer.status).toBe(200);
      const body = (await infer.json()) as { outputs: { name: string; shape: number[] }[] };
      expect(body.outputs.find((o) => o.name === 'probabilities')!.shape).toEqual([2, 5]);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/mlops_http_requests_total\{.*model_name="weather".*\} \d+/);
    } finally {
      const stopped = stopContainer(id);
      expect(stopped.exitCode).toBe(0); // SIGTERM drains and exits 0
    }
  });

  it('pushes to a registry with token auth, with the password masked', async () => {
    const secured = await startRegistry({ auth: 'token', users: { ci: 'tok3n-pass' } });
    try {
      const client = new RegistryClient({ registry: secured.host, credentials: { username: 'ci', password: 'tok3n-pass' } });
      const pushed = await pushNodeBase(client, tempDir('base-'), NODE24);
      const ws = await trainedModel('5');
      const r = await runAction(
        'build-image',
        inputs({ image: `${secured.host}/models/weather-server`, 'base-image': `${secured.host}/${pushed.repository}@${pushed.digest}`, username: 'ci', password: 'tok3n-pass', tags: 'secure' }),
        { workspace: ws },
      );
      expect(r.stderr).toBe('');
      expect(r.exitCode, r.stdout).toBe(0);
      expect(r.stdout).toContain('::add-mask::tok3n-pass');
      expect(r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain('tok3n-pass');
      // Not execFileSync: the token server lives in this process and must keep answering.
      const { stdout } = await promisify(execFile)('skopeo', ['inspect', '--tls-verify=false', '--creds', 'ci:tok3n-pass', `docker://${secured.host}/models/weather-server:secure`]);
      const inspect = JSON.parse(stdout);
      expect(inspect.Digest).toBe(r.outputs.digest);
      // Not crane: since v0.22 it refuses a token realm on a private address other than the
      // registry's host:port (this harness's token server has its own port).
      await checkPushedImage(`${secured.host}/models/weather-server:secure`, { creds: 'ci:tok3n-pass', crane: false });
      const denied = await runAction('build-image', inputs({ image: `${secured.host}/models/weather-server`, 'base-image': `${secured.host}/${pushed.repository}@${pushed.digest}`, username: 'ci', password: 'wrong', tags: 'nope' }), { workspace: ws });
      expect(denied.exitCode).toBe(1);
      expect(denied.stdout).not.toMatch(/Internal error/);
    } finally {
      await secured.stop();
    }
  });
});
