import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runAction } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

const PYTHON_BIN = path.join(REPO_ROOT, '.tools/venv/bin');

/** A workspace holding the weather example in a git repository (lineage needs a commit). */
function exampleWorkspace(): string {
  const ws = tempDir('mlops-train-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ws, env: { ...process.env, GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' } });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'example');
  return ws;
}

const base = {
  'working-directory': 'weather',
  params: 'params.json',
  data: 'data/seattle-weather.csv',
  model: 'model.onnx',
  metrics: 'metrics.json',
  seed: '7',
  'timeout-minutes': '10',
  cache: 'true',
  tags: 'latest',
  name: '',
  publish: '',
  code: '**/*.py\n**/*.{js,mjs,cjs,ts}\n**/requirements*.txt\n**/pyproject.toml\n**/package.json',
  'github-token': '',
};

const sha256 = (file: string) => `sha256:${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;

describe('train through the runner protocol', () => {
  it('trains the Node example, records lineage, publishes; the second run is a cache hit that skips the command', async () => {
    const ws = exampleWorkspace();
    const cache = tempDir('mlops-cache-');
    const inputs = { ...base, command: 'echo ran >> ../runs.log && node train.mjs', publish: 'local:weather' };
    const first = await runAction('train', inputs, { workspace: ws, env: { MLOPS_CACHE_DIR: cache } });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const model = path.join(ws, 'weather/model.onnx');
    expect(first.outputs).toMatchObject({ model: 'weather/model.onnx', 'model-digest': sha256(model), manifest: 'weather/mlops-model.json', version: '1', reference: 'local:weather@1', 'cache-hit': 'false' });
    const metrics = JSON.parse(first.outputs.metrics!);
    expect(metrics.accuracy).toBeGreaterThan(0.7);
    expect(metrics['f1.class.rain']).toBeGreaterThan(0.5); // nested keys flattened

    const manifest = JSON.parse(fs.readFileSync(path.join(ws, 'weather/mlops-model.json'), 'utf8'));
    expect(manifest).toMatchObject({
      schemaVersion: 1,
      kind: 'mlops/model-manifest',
      name: 'weather',
      version: '1', // the published version, in the manifest the `manifest` output names
      model: { file: 'model.onnx', digest: sha256(model), format: 'onnx', irVersion: 8, opset: [{ domain: 'ai.onnx', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }] },
      data: { digest: sha256(path.join(ws, 'weather/data/seattle-weather.csv')), files: [{ path: 'weather/data/seattle-weather.csv' }] },
      params: { target: 'weather', logreg: { epochs: 8000 } },
      git: { repository: 'octo-org/ml-project', sha: '0123456789abcdef0123456789abcdef01234567', ref: 'refs/heads/main' },
      training: { command: inputs.command, workingDirectory: 'weather', seed: 7, cacheKey: first.outputs['cache-key'], tools: { node: expect.stringMatching(/^24\./), onnxruntime: '1.30.0' } },
      created: '2026-01-02T03:04:05.000Z',
    });
    expect(manifest.signature.inputs.map((s: { name: string }) => s.name)).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
    expect(manifest.signature.outputs).toEqual([
      { name: 'label', type: 'string', shape: ['N'] },
      { name: 'probabilities', type: 'float32', shape: ['N', 5] },
    ]);
    expect(manifest.code.files).toBeGreaterThanOrEqual(3);
    expect(first.summary).toMatch(/^### ✅ train: weather trained in [\d.]+ s/);
    expect(first.summary).toContain('Published as <code>local:weather&#64;1</code>');

    // The layout is a real OCI image layout: skopeo reads it and copies the artifact out.
    const raw = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', `oci:${ws}/.mlops/registry/weather:1`]).toString());
    expect(raw).toMatchObject({ artifactType: 'application/vnd.cncf.model.manifest.v1+json', layers: [{ mediaType: 'application/vnd.cncf.model.weight.v1.raw', digest: sha256(model) }, {}] });
    const out = tempDir('skopeo-');
    execFileSync('skopeo', ['copy', '-q', `oci:${ws}/.mlops/registry/weather:latest`, `dir:${out}/m`]);
    expect(sha256(path.join(out, 'm', sha256(model).slice(7)))).toBe(sha256(model));

    const second = await runAction('train', inputs, { workspace: ws, env: { MLOPS_CACHE_DIR: cache } });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({ 'cache-hit': 'true', 'model-digest': first.outputs['model-digest'], version: '1', 'cache-key': first.outputs['cache-key'] });
    expect(fs.readFileSync(path.join(ws, 'runs.log'), 'utf8')).toBe('ran\n'); // the command ran once
    expect(second.summary).toContain('restored from the cache');
    expect(second.summary).toContain('nothing new was created');
    expect(JSON.parse(fs.readFileSync(path.join(ws, 'weather/mlops-model.json'), 'utf8')).version).toBe('1');

    // A change to the params is a new cache key: the command runs and a new version appears.
    const params = JSON.parse(fs.readFileSync(path.join(ws, 'weather/params.json'), 'utf8'));
    params.logreg.epochs = 4000;
    fs.writeFileSync(path.join(ws, 'weather/params.json'), JSON.stringify(params));
    const third = await runAction('train', inputs, { workspace: ws, env: { MLOPS_CACHE_DIR: cache } });
    expect(third.outputs).toMatchObject({ 'cache-hit': 'false', version: '2' });
    expect(third.outputs['cache-key']).not.toBe(first.outputs['cache-key']);
    expect(JSON.parse(fs.readFileSync(path.join(ws, 'weather/mlops-model.json'), 'utf8')).version).toBe('2');
  });

  it('an unpublished model\'s manifest has no version', async () => {
    const ws = exampleWorkspace();
    const r = await runAction('train', { ...base, command: 'node train.mjs' }, { workspace: ws });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.version).toBe('');
    expect(JSON.parse(fs.readFileSync(path.join(ws, 'weather/mlops-model.json'), 'utf8')).version).toBeNull();
  });

  it('metrics: \'\' means no metrics file (the runner passes the empty string, not the default)', async () => {
    const ws = exampleWorkspace();
    const r = await runAction('train', { ...base, command: 'node train.mjs && rm metrics.json', metrics: '' }, { workspace: ws });
    expect(r.stdout).not.toMatch(/::error/);
    expect(r.exitCode).toBe(0);
    expect(r.outputs.metrics).toBe('{}');
    expect(r.summary).toContain('No metrics.');
  });

  it('data file names may hold line breaks: MLOPS_DATA_FILES lists them as JSON, MLOPS_DATA is unset', async () => {
    const ws = exampleWorkspace();
    const csv = fs.readFileSync(path.join(ws, 'weather/data/seattle-weather.csv'), 'utf8').split('\n');
    fs.mkdirSync(path.join(ws, 'weather/split'));
    fs.writeFileSync(path.join(ws, 'weather/split/seattle-weather.csv'), csv.slice(0, 1000).join('\n') + '\n');
    fs.writeFileSync(path.join(ws, 'weather/split/more\nweather.csv'), [csv[0], ...csv.slice(1000)].join('\n'));
    const command = 'cp "$MLOPS_DATA_FILES" ../files.json && echo "${MLOPS_DATA-unset}" > ../data.txt && node train.mjs';
    const r = await runAction('train', { ...base, command, data: 'split/*.csv', cache: 'false' }, { workspace: ws, env: { MLOPS_DATA: 'from-the-job-env' } });
    expect(r.exitCode).toBe(0);
    const files = JSON.parse(fs.readFileSync(path.join(ws, 'files.json'), 'utf8'));
    expect(files).toEqual([path.join(ws, 'weather/split/more\nweather.csv'), path.join(ws, 'weather/split/seattle-weather.csv')]);
    expect(fs.readFileSync(path.join(ws, 'data.txt'), 'utf8')).toBe('unset\n');
    expect(r.stdout).toMatch(/::warning::a data file name holds a line break: MLOPS_DATA is unset/);
    const manifest = JSON.parse(fs.readFileSync(path.join(ws, 'weather/mlops-model.json'), 'utf8'));
    expect(manifest.data.files.map((f: { path: string }) => f.path)).toEqual(['weather/split/more\nweather.csv', 'weather/split/seattle-weather.csv']);
    // The example trainer read both files (all rows of 2015 are in the second one).
    expect(JSON.parse(r.outputs.metrics!).accuracy).toBeGreaterThan(0.7);
    // Plain names still get MLOPS_DATA, one path per line.
    const plain = await runAction('train', { ...base, command: 'echo "$MLOPS_DATA" > ../data.txt && node train.mjs', cache: 'false' }, { workspace: ws });
    expect(plain.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(ws, 'data.txt'), 'utf8')).toBe(`${path.join(ws, 'weather/data/seattle-weather.csv')}\n`);
  });

  it('trains the Python example (scikit-learn + skl2onnx; venv from scripts/install-python.sh)', async () => {
    expect(fs.existsSync(path.join(PYTHON_BIN, 'python')), 'run scripts/install-python.sh (npm run test:all does)').toBe(true);
    const ws = exampleWorkspace();
    const r = await runAction('train', { ...base, command: 'python train.py' }, { workspace: ws, env: { PATH: `${PYTHON_BIN}:${process.env.PATH}`, SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(ws, 'weather/mlops-model.json'), 'utf8'));
    expect(manifest.model.producer).toMatch(/^skl2onnx/);
    expect(manifest.created).toBe('2023-11-14T22:13:20.000Z');
    expect(manifest.signature.outputs.map((o: { name: string; type: string }) => `${o.name}:${o.type}`)).toEqual(['label:string', 'probabilities:non-tensor']);
    expect(JSON.parse(r.outputs.metrics!).accuracy).toBeGreaterThan(0.75);
  });

  describe('failures are clear and publish nothing', () => {
    const cases: [string, string, RegExp, string?][] = [
      ['a failing command shows its log tail', 'echo "loading data"; echo "Traceback: boom" >&2; exit 3', /the training command exited with code 3; nothing was published/, 'Traceback: boom'],
      ['a missing model', 'echo "{}" > metrics.json', /the command did not write the model weather\/model\.onnx \(input `model`\)/],
      ['an unloadable model', 'echo "not onnx" > model.onnx; echo "{}" > metrics.json', /weather\/model\.onnx: the model does not load in ONNX Runtime/],
      ['invalid metrics JSON', 'node train.mjs && printf \'{\\n  "accuracy": 0.9,\\n  oops\\n}\' > metrics.json', /weather\/metrics\.json:3:3: metrics are not valid JSON/],
      ['a metric that is not a number', 'node train.mjs && echo \'{"accuracy": "high"}\' > metrics.json', /metric "accuracy" is "high", not a finite number/],
      ['a timeout', 'sleep 30', /the training command timed out after 0\.02 minutes/],
    ];
    for (const [name, command, message, inSummary] of cases) {
      it(name, async () => {
        const ws = exampleWorkspace();
        const r = await runAction('train', { ...base, command, publish: 'local:weather', 'timeout-minutes': name === 'a timeout' ? '0.02' : '10' }, { workspace: ws });
        expect(r.exitCode).toBe(1);
        const errors = r.annotations.filter((a) => a.level === 'error');
        expect(errors.map((e) => e.message).join('\n')).toMatch(message);
        if (inSummary) expect(r.summary).toContain(inSummary);
        expect(r.stdout).not.toMatch(/Internal error/);
        expect(fs.existsSync(path.join(ws, '.mlops/registry/weather/index.json'))).toBe(false);
      });
    }
  });

  describe('inputs that resolve to nothing or cannot be stored fail before the command runs', () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['a data glob that matches nothing', { data: 'data/*.parquet' }, /data "data\/\*\.parquet" matched no file \(input `data`\)/],
      ['a data path that does not exist', { data: 'data/seattle-weather.csv\ndata/missing.csv' }, /data "data\/missing\.csv" matched no file/],
      ['an empty data directory', { data: 'empty' }, /data "empty" matched no file/],
      ['aliases that are not OCI tags', { tags: 'latest, a b,../x' }, /"a b" is not a valid alias \(input `tags`\)/],
      ['an alias that is a version number', { tags: '3' }, /"3" is a version number, not an alias \(input `tags`\)/],
    ];
    for (const [name, inputs, message] of cases) {
      it(name, async () => {
        const ws = exampleWorkspace();
        fs.mkdirSync(path.join(ws, 'weather/empty'));
        const r = await runAction('train', { ...base, command: 'echo ran > ../ran.txt; node train.mjs', publish: 'local:weather', ...inputs }, { workspace: ws });
        expect(r.exitCode).toBe(1);
        expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message).join('\n')).toMatch(message);
        expect(r.stdout).not.toMatch(/Internal error/);
        expect(fs.existsSync(path.join(ws, 'ran.txt'))).toBe(false);
        expect(fs.existsSync(path.join(ws, '.mlops/registry/weather'))).toBe(false);
      });
    }
  });

  it('three concurrent publishes get three distinct versions', async () => {
    const ws = exampleWorkspace();
    // Three jobs, each in its own checkout of the project, publishing to one store. (Runs sharing
    // one working directory would overwrite each other's model.onnx: not a publishing question.)
    for (const seed of ['1', '2', '3']) fs.cpSync(path.join(ws, 'weather'), path.join(ws, `weather-${seed}`), { recursive: true });
    const runs = await Promise.all(
      ['1', '2', '3'].map((seed) => runAction('train', { ...base, command: 'node train.mjs', seed, cache: 'false', publish: 'local:weather', 'working-directory': `weather-${seed}` }, { workspace: ws })),
    );
    expect(runs.map((r) => r.stdout.match(/^::error.*$/m)?.[0] ?? r.exitCode)).toEqual([0, 0, 0]);
    const versions = runs.map((r) => r.outputs.version).sort();
    expect(new Set(versions).size).toBe(runs.length);
    const index = JSON.parse(fs.readFileSync(path.join(ws, '.mlops/registry/weather/index.json'), 'utf8'));
    const tags = index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name']);
    expect(tags.filter((t: string) => /^\d+$/.test(t)).sort()).toEqual(versions);
    expect(spawnSync('skopeo', ['inspect', '--raw', `oci:${ws}/.mlops/registry/weather:latest`]).status).toBe(0);
  });
});

describe('train publishing to GitHub Releases (OpenAPI-validated fake)', () => {
  it('publishes a release with the model and manifest, re-runs create nothing, a read-only token is named', async () => {
    const { startGitHubFake } = await import('../harness/github/server.js');
    const fake = await startGitHubFake({ tokens: { ghs_readonly: { login: 'github-actions[bot]', readOnly: true } } });
    try {
      const ws = exampleWorkspace();
      const cache = tempDir('mlops-cache-');
      const env = { ...fake.env(), MLOPS_CACHE_DIR: cache };
      const inputs = { ...base, command: 'node train.mjs', publish: 'release:weather', tags: 'latest, candidate', 'github-token': fake.token };
      const first = await runAction('train', inputs, { workspace: ws, env });
      expect(first.stderr).toBe('');
      expect(first.exitCode).toBe(0);
      expect(first.outputs).toMatchObject({ version: '1', reference: 'release:weather@1' });
      const repo = fake.state.repo(fake.owner, fake.repo)!;
      const releases = [...repo.releases.values()];
      const v1 = releases.find((r) => r.tag_name === 'weather-v1')!;
      expect(v1.draft).toBe(false);
      const assets = [...fake.state.assets.values()].filter((a) => a.releaseId === v1.id);
      expect(assets.map((a) => a.name).sort()).toEqual(['mlops-model.json', 'model.onnx']);
      expect(sha256Buffer(assets.find((a) => a.name === 'model.onnx')!.data)).toBe(first.outputs['model-digest']);
      expect(releases.find((r) => r.tag_name === 'weather-aliases')!.body).toMatch(/"candidate":"1","latest":"1"/);

      const again = await runAction('train', inputs, { workspace: ws, env });
      expect(again.outputs).toMatchObject({ 'cache-hit': 'true', version: '1' });
      expect([...repo.releases.values()].filter((r) => r.tag_name.startsWith('weather-v'))).toHaveLength(1);

      const denied = await runAction('train', { ...inputs, seed: '8', 'github-token': 'ghs_readonly' }, { workspace: ws, env });
      expect(denied.exitCode).toBe(1);
      expect(denied.annotations[0]!.message).toMatch(/GitHub refused to create the tag weather-v2 \(HTTP 403\)[\s\S]*permissions: contents: write/);
      // The token is masked before anything runs, and printed nowhere else.
      expect(denied.stdout.split('\n')[0]).toBe('::add-mask::ghs_readonly');
      expect(denied.stdout.split('\n').slice(1).join('\n')).not.toContain('ghs_readonly');
      expect([...repo.releases.values()].filter((r) => r.tag_name.startsWith('weather-v'))).toHaveLength(1);
      expect(fake.violations()).toEqual([]);
    } finally {
      await fake.stop();
    }
  });
});

function sha256Buffer(b: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
}

describe('train publishing to an OCI registry (docker-registry with htpasswd auth)', () => {
  it('pushes a ModelPack artifact that skopeo reads, tagged with the version and aliases', async () => {
    const { startRegistry } = await import('../harness/registry/registry.js');
    const registry = await startRegistry({ auth: 'htpasswd', users: { ci: 'pw-ci' } });
    try {
      const ws = exampleWorkspace();
      const env = { MLOPS_REGISTRY_USERNAME: 'ci', MLOPS_REGISTRY_PASSWORD: 'pw-ci' };
      const target = `oci://${registry.host}/models/weather`;
      const r = await runAction('train', { ...base, command: 'node train.mjs', publish: target, tags: 'latest' }, { workspace: ws, env });
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.outputs).toMatchObject({ version: '1', reference: `${target}:1` });
      const raw = JSON.parse(
        execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', 'ci:pw-ci', `docker://${registry.host}/models/weather:latest`]).toString(),
      );
      expect(raw.artifactType).toBe('application/vnd.cncf.model.manifest.v1+json');
      expect(raw.layers[0].digest).toBe(r.outputs['model-digest']);
      expect(raw.annotations['org.opencontainers.image.version']).toBe('1');

      const wrong = await runAction('train', { ...base, command: 'node train.mjs', seed: '9', publish: target }, { workspace: ws, env: { ...env, MLOPS_REGISTRY_PASSWORD: 'nope' } });
      expect(wrong.exitCode).toBe(1);
      expect(wrong.annotations[0]!.message).toMatch(/127\.0\.0\.1:\d+/);
      expect(wrong.stdout).not.toMatch(/Internal error/);
    } finally {
      await registry.stop();
    }
  });
});
