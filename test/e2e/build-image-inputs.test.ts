import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciLayout } from '../../shared/oci/layout.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { writeBaseLayout } from '../harness/base-image.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { NODE24, REPO_ROOT, runAction, type RunResult, TOOL_CACHE } from '../harness/runner.js';

/**
 * build-image given what a user may give it by mistake (a model that is not one, a broken
 * base layout, an output path that is taken) and what it records about where it was built,
 * run the way the runner runs it: a clear error before anything is built or pushed.
 */

const EPOCH = '1700000000';
const run = promisify(execFile);
const tmpDirs: string[] = [];
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
};

let registry: RunningRegistry;
/** A workspace with the weather example trained by the train action (unpublished: version null) and a base layout. */
let ws: string;
const LAYOUT = 'base-layout';

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    model: 'weather/model.onnx',
    image: `${registry.host}/models/weather-server`,
    tags: 'v1',
    'base-image': `oci:${LAYOUT}:multi`,
    builder: 'oci',
    dockerfile: '',
    push: 'false',
    registry: '',
    username: '',
    password: '',
    platforms: 'linux/amd64',
    labels: '',
    annotations: '',
    output: 'out/layout',
    'source-date-epoch': EPOCH,
    'attach-model': 'false',
    'model-compression': 'gzip',
    ...extra,
  };
}

/** A user error: exit 1, the message, no stack trace, no "Internal error". */
function expectUserError(r: RunResult, ...parts: string[]): void {
  expect(r.exitCode, r.stdout).toBe(1);
  expect(r.stdout).not.toMatch(/Internal error|\n\s+at /);
  for (const p of parts) expect(r.stdout).toContain(p);
}

interface Edits {
  manifest?: (m: { layers: { size: number; digest: string }[] }) => void;
  config?: (c: { os?: string; architecture?: string; rootfs: { diff_ids: string[] } }) => void;
}

/** Tag `tag` in the layout: its linux/amd64 image as a single manifest, edited as a broken tool would. */
async function tamper(dir: string, tag: string, edits: Edits): Promise<void> {
  const layout = new OciLayout(dir);
  const blob = (digest: string) => JSON.parse(fs.readFileSync(layout.blobPath(digest), 'utf8'));
  const index = blob(layout.resolve('multi')!.digest) as { manifests: { digest: string; platform: { architecture: string } }[] };
  const manifest = blob(index.manifests.find((m) => m.platform.architecture === 'amd64')!.digest);
  if (edits.config) {
    const config = blob(manifest.config.digest);
    edits.config(config);
    const d = layout.putBytes(manifest.config.mediaType, Buffer.from(JSON.stringify(config)));
    manifest.config = { ...manifest.config, digest: d.digest, size: d.size };
  }
  edits.manifest?.(manifest);
  const descriptor = layout.putBytes('application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify(manifest)));
  await layout.retag(() => ({ descriptor, tags: [tag], result: undefined }));
}

/** The first layer's blob file of tag `tag` (a single manifest). */
function firstLayerBlob(dir: string, tag: string): string {
  const layout = new OciLayout(dir);
  const manifest = JSON.parse(fs.readFileSync(layout.blobPath(layout.resolve(tag)!.digest), 'utf8')) as { layers: { digest: string }[] };
  return layout.blobPath(manifest.layers[0]!.digest);
}

beforeAll(async () => {
  registry = await startRegistry({ auth: 'none' });
  ws = tmp('mlops-img-inputs-');
  fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true });
  const trained = await runAction(
    'train',
    { command: 'node train.mjs', 'working-directory': 'weather', params: 'params.json', data: 'data/seattle-weather.csv', code: '*.mjs', model: 'model.onnx', metrics: 'metrics.json', seed: '1', 'timeout-minutes': '5', cache: 'false', publish: '', tags: '', name: 'weather', 'github-token': '' },
    { workspace: ws, env: { SOURCE_DATE_EPOCH: EPOCH } },
  );
  expect(trained.exitCode, trained.stdout).toBe(0);
  const layout = path.join(ws, LAYOUT);
  await writeBaseLayout(layout, tmp('base-work-'));
  const bump = (m: { layers: { size: number }[] }) => void (m.layers[0]!.size += 1);
  await tamper(layout, 'wrong-size', { manifest: bump });
  await tamper(layout, 'wrong-diff-id', { config: (c) => void (c.rootfs.diff_ids[0] = `sha256:${'0'.repeat(64)}`) });
  await tamper(layout, 'no-platform', { config: (c) => void ((c.os = ''), delete c.architecture) });
  await tamper(layout, 'single', {});
}, 240_000);

afterAll(async () => {
  await registry?.stop();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the model must load in ONNX Runtime before anything is built', () => {
  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['random bytes', crypto.randomBytes(4096)],
  ])('%s as model.onnx: a user error naming the input, nothing pushed', async (_what, bytes) => {
    const dir = tmp('mlops-img-bad-model-');
    fs.writeFileSync(path.join(dir, 'model.onnx'), bytes);
    const r = await runAction('build-image', inputs({ model: 'model.onnx', push: 'true', output: '', 'base-image': 'scratch', tags: 'bad' }), { workspace: dir });
    expectUserError(r, 'model.onnx: the model does not load in ONNX Runtime', '(input `model`)');
    expect(await new RegistryClient({ registry: registry.host }).headManifest('models/weather-server', 'bad')).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual(['model.onnx']);
  });
});

describe('a base from an OCI layout is checked like one from a registry', () => {
  it('the untouched layout builds', async () => {
    const r = await runAction('build-image', inputs({ 'base-image': `oci:${LAYOUT}:single`, output: 'out/ok' }), { workspace: ws });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(new OciLayout(path.join(ws, 'out/ok')).resolve('v1')?.digest).toBe(r.outputs.digest);
  });

  it.each([
    ['a layer descriptor with the wrong size', 'wrong-size', 'does not match the image: it has'],
    ['a config whose diff_id is not the layer', 'wrong-diff-id', `not the diff_id sha256:${'0'.repeat(64)} the config lists`],
  ])('%s: a user error naming the blob and the layout, no image written', async (_what, tag, message) => {
    const out = `out/${tag}`;
    const r = await runAction('build-image', inputs({ 'base-image': `oci:${LAYOUT}:${tag}`, output: out }), { workspace: ws });
    expectUserError(r, `in the OCI layout ${path.join(ws, LAYOUT)}`, message, 'copy the image into it again');
    expect(r.stdout).toMatch(/The layer sha256:[0-9a-f]{64} in the OCI layout/);
    expect(fs.existsSync(path.join(ws, out))).toBe(false);
  });

  it('a missing or corrupted layer blob, a broken index.json: user errors naming them', async () => {
    const copy = (name: string) => {
      fs.cpSync(path.join(ws, LAYOUT), path.join(ws, name), { recursive: true });
      return path.join(ws, name);
    };
    const missing = copy('layout-missing');
    const blob = firstLayerBlob(missing, 'single');
    fs.rmSync(blob);
    expectUserError(await runAction('build-image', inputs({ 'base-image': 'oci:layout-missing:single' }), { workspace: ws }), `The OCI layout ${missing} lacks the blob sha256:${path.basename(blob)}`);

    const corrupted = copy('layout-corrupted');
    const file = firstLayerBlob(corrupted, 'single');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 20]! ^= 0xff; // same size, other bytes
    fs.writeFileSync(file, bytes);
    expectUserError(await runAction('build-image', inputs({ 'base-image': 'oci:layout-corrupted:single' }), { workspace: ws }), `The layer sha256:${path.basename(file)} in the OCI layout ${corrupted} does not match the image: `);

    const broken = copy('layout-broken-index');
    fs.writeFileSync(path.join(broken, 'index.json'), '{"schemaVersion": 2, "manifests": [');
    expectUserError(await runAction('build-image', inputs({ 'base-image': 'oci:layout-broken-index:single' }), { workspace: ws }), `${path.join(broken, 'index.json')}: ${path.join(broken, 'index.json')} is not an OCI image index`);
  });

  it('a base whose config has no os or architecture: says which are missing', async () => {
    const r = await runAction('build-image', inputs({ 'base-image': `oci:${LAYOUT}:no-platform` }), { workspace: ws });
    expectUserError(r, 'does not say which platform it is for: its config has no `os` and `architecture`');
    expect(r.stdout).not.toMatch(/single\s+image|Set platforms to\s+or/);
  });
});

describe('output', () => {
  it.each([
    ['an existing file', 'taken.txt', 'cannot write an OCI layout to taken.txt: it is an existing file'],
    ['a directory with other files', 'weather', 'cannot write an OCI layout to weather: it is a directory with other files in it'],
    ['a path under a file', 'taken.txt/layout', 'is a file, not a directory'],
    ['a .tar path that is a directory', 'dir.tar', 'cannot write the image archive dir.tar: it is a directory'],
    ['an OCI layout whose index.json is broken', 'broken-layout', 'broken-layout/index.json is not an OCI image index'],
  ])('%s: a user error naming the input, before anything is built', async (_what, output, message) => {
    fs.writeFileSync(path.join(ws, 'taken.txt'), 'keep me\n');
    fs.mkdirSync(path.join(ws, 'dir.tar'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'broken-layout'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'broken-layout', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    fs.writeFileSync(path.join(ws, 'broken-layout', 'index.json'), 'not json');
    const before = fs.readdirSync(path.join(ws, 'weather')).sort();
    const r = await runAction('build-image', inputs({ output }), { workspace: ws });
    expectUserError(r, message, '(input `output`)');
    expect(r.stdout).not.toContain('Building');
    expect(fs.readFileSync(path.join(ws, 'taken.txt'), 'utf8')).toBe('keep me\n');
    expect(fs.readdirSync(path.join(ws, 'weather')).sort()).toEqual(before);
  });
});

describe('model-compression', () => {
  it('none on an OCI base: the model layer is the plain tar (digest == diff_id), and umoci unpacks it', async () => {
    const r = await runAction('build-image', inputs({ 'base-image': `oci:${LAYOUT}:single`, output: 'out/plain', 'model-compression': 'none' }), { workspace: ws });
    expect(r.exitCode, r.stdout).toBe(0);
    const out = path.join(ws, 'out/plain');
    const layout = new OciLayout(out);
    const manifest = JSON.parse(fs.readFileSync(layout.blobPath(r.outputs.digest!), 'utf8')) as { config: { digest: string }; layers: { mediaType: string; digest: string }[] };
    const config = JSON.parse(fs.readFileSync(layout.blobPath(manifest.config.digest), 'utf8')) as { rootfs: { diff_ids: string[] } };
    expect(manifest.layers.at(-1)!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    expect(manifest.layers.at(-1)!.digest).toBe(config.rootfs.diff_ids.at(-1));
    const bundle = tmp('umoci-plain-');
    await run('umoci', ['unpack', '--image', `${out}:v1`, path.join(bundle, 'b')]);
    expect(fs.readFileSync(path.join(bundle, 'b/rootfs/models/model.onnx')).equals(fs.readFileSync(path.join(ws, 'weather/model.onnx')))).toBe(true);
  });

  it('none with builder docker: a user error naming the input', async () => {
    const r = await runAction('build-image', inputs({ builder: 'docker', output: '', push: 'true', 'model-compression': 'none' }), { workspace: ws });
    expectUserError(r, 'model-compression applies to builder: oci', '(input `model-compression`)');
  });
});

describe('what the image records', () => {
  it('an unpublished model has no io.mlops.model.version; scratch adds no empty base digest', async () => {
    const r = await runAction('build-image', inputs({ 'base-image': 'scratch', output: 'out/scratch' }), { workspace: ws });
    expect(r.exitCode, r.stdout).toBe(0);
    const metadata = JSON.parse(r.outputs.metadata!);
    expect(metadata.base).toEqual({ name: 'scratch', digest: [] });
    const { stdout } = await run('skopeo', ['inspect', '--config', `oci:${path.join(ws, 'out/scratch')}:v1`]);
    const labels = JSON.parse(stdout).config.Labels as Record<string, string>;
    expect(labels['io.mlops.model.name']).toBe('weather');
    expect(Object.keys(labels)).not.toContain('io.mlops.model.version');
    expect(Object.values(labels)).not.toContain('');
    expect(labels['org.opencontainers.image.source']).toBe('https://github.com/octo-org/ml-project');
  });

  it.each([
    ['a non-GitHub remote with credentials', 'https://deploy:S3CRET@gitlab.example.com/o/r.git', 'https://gitlab.example.com/o/r'],
    ['an ssh remote', 'git@codeberg.org:o/r.git', 'https://codeberg.org/o/r'],
    ['a local clone', '/srv/git/r.git', undefined],
  ])('the CLI in a clone of %s: the source label is its web address or absent', async (_what, remote, expected) => {
    const clone = tmp('mlops-img-clone-');
    fs.copyFileSync(path.join(ws, 'weather', 'model.onnx'), path.join(clone, 'model.onnx'));
    // A laptop, not a runner: none of the runner's variables (this test may itself run in Actions).
    const laptop = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_|RUNNER_|MLOPS_|CI$)/.test(k)));
    const env = { ...laptop, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', MLOPS_CACHE_DIR: path.join(ws, '.cli-cache'), MLOPS_NATIVE_CACHE: path.join(TOOL_CACHE, 'mlops-native') };
    for (const git of [['init', '-q'], ['remote', 'add', 'origin', remote]]) await run('git', git, { cwd: clone, env });
    const cli = path.join(REPO_ROOT, 'cli/dist/mlops.js');
    await run(NODE24, [cli, 'build-image', '--model', 'model.onnx', '--image', 'example.com/m/server', '--base-image', 'scratch', '--push', 'false', '--output', 'out', '--tags', 'v1', '--source-date-epoch', EPOCH], { cwd: clone, env });
    const { stdout } = await run('skopeo', ['inspect', '--config', `oci:${path.join(clone, 'out')}:v1`]);
    const labels = JSON.parse(stdout).config.Labels as Record<string, string>;
    expect(labels['org.opencontainers.image.source']).toBe(expected);
    expect(JSON.stringify(labels)).not.toContain('S3CRET');
  });
});

describe('the workflow token (the github-token input) is a GitHub credential', () => {
  it('is never sent to another registry, even as its password; any other password is', async () => {
    const token = 'ghs_workflowtoken0000000000000000000000';
    const secured = await startRegistry({ auth: 'htpasswd', users: { ci: token } });
    try {
      // No GITHUB_TOKEN in the environment, as on a runner: the token arrives as inputs only.
      const push = (githubToken: string, tag: string) =>
        runAction('build-image', inputs({ image: `${secured.host}/models/weather-server`, 'base-image': 'scratch', push: 'true', output: '', tags: tag, username: 'ci', password: token, 'github-token': githubToken }), { workspace: ws });
      const withheld = await push(token, 'withheld');
      expect(withheld.exitCode, withheld.stdout).toBe(1);
      expect(withheld.stdout).toMatch(/401|credentials|login/i);
      const sent = await push('', 'sent');
      expect(sent.exitCode, sent.stdout).toBe(0);
    } finally {
      await secured.stop();
    }
  });
});
