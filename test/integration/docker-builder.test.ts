import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWithDocker, type DockerBuildOptions, type DockerImageConfig, generateDockerfile, isIgnored, parseDockerignore } from '../../actions/build-image/docker-builder.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { UserError } from '../../shared/runtime/errors.js';
import { pushNodeBase } from '../harness/base-image.js';
import { type PodmanService, startPodmanService } from '../harness/podman-service.js';
import { type RunningRegistry, startRegistry } from '../harness/registry/registry.js';
import { NODE24 } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/**
 * The `docker` builder against podman's Docker-compatible API (`podman system service`), with
 * a password-protected docker-registry holding the base: the base is pulled with the build's
 * X-Registry-Config credentials, the result pushed with X-Registry-Auth, and the pushed image
 * read back with skopeo and the registry's own manifest digest.
 */

const USER = 'ci';
const PASSWORD = 'correct-horse';
const ACCEPT = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');

describe('docker builder (podman system service)', () => {
  let registry: RunningRegistry;
  let service: PodmanService;
  let docker: Dockerode;
  let base: string;
  let work: string;
  const auth = () => ({ username: USER, password: PASSWORD, serveraddress: registry.host });
  const basic = () => `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const skopeo = (...args: string[]) => JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, ...args]).toString());

  /** What the registry itself says the tag's manifest digest is. */
  async function registryDigest(repository: string, tag: string): Promise<string> {
    const res = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { accept: ACCEPT, authorization: basic() } });
    expect(res.status).toBe(200);
    return res.headers.get('docker-content-digest')!;
  }

  /** Every layer's entries (`tar -tv`, numeric owners), and a way to read a file of the last layer holding it. */
  async function layers(ref: string): Promise<{ listing: Map<string, string>; read(file: string): Buffer }> {
    const manifest = skopeo('--raw', `docker://${ref}`) as { layers: { digest: string; mediaType: string }[] };
    const [repository] = ref.slice(registry.host.length + 1).split(':');
    const listing = new Map<string, string>();
    const where = new Map<string, string>();
    for (const layer of manifest.layers) {
      const res = await fetch(`${registry.url}/v2/${repository}/blobs/${layer.digest}`, { headers: { authorization: basic() } });
      expect(res.status).toBe(200);
      const file = path.join(work, `${layer.digest.slice(7)}.tar${layer.mediaType.includes('gzip') ? '.gz' : ''}`);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      for (const line of execFileSync('tar', ['--numeric-owner', '-tvf', file]).toString().trim().split('\n')) {
        const name = line.split(/\s+/).slice(5).join(' ').replace(/^\.\//, '').replace(/\/$/, '');
        listing.set(name, line);
        where.set(name, file);
      }
    }
    return { listing, read: (name) => execFileSync('tar', ['-xOf', where.get(name)!, name]) };
  }

  beforeAll(async () => {
    work = tempDir('docker-builder-');
    registry = await startRegistry({ auth: 'htpasswd', users: { [USER]: PASSWORD } });
    const client = new RegistryClient({ registry: registry.host, credentials: { username: USER, password: PASSWORD } });
    const pushed = await pushNodeBase(client, fs.mkdtempSync(path.join(work, 'base-')), NODE24);
    base = `${registry.host}/${pushed.repository}@${pushed.digest}`;
    const t0 = Date.now();
    service = await startPodmanService({ insecureRegistries: [registry.host] });
    console.log(`podman system service answered /_ping after ${Date.now() - t0} ms`);
    docker = new Dockerode({ socketPath: service.socketPath });
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
    await registry?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('builds from the generated Dockerfile, pushes, and reports the manifest digest the registry has', async () => {
    const server = path.join(work, 'server.mjs');
    fs.writeFileSync(server, 'console.log("hello from the server")\n');
    fs.chmodSync(server, 0o600); // the mode given wins over the host file's
    const tricky = `a "quoted" $HOME \${PATH} \\path\\ it's = ok, ünïcødé \`tick\``;
    const metrics = JSON.stringify({ accuracy: 0.91, note: 'a "b" $c \\d' });
    const config: DockerImageConfig = {
      entrypoint: ['node', '/opt/mlops/server.mjs', '--greeting=$HOME "x"'],
      env: { MODEL_PATH: '/models/model.onnx', PORT: '8080', TRICKY: tricky, TRAILING: 'ends with \\', EMPTY: '' },
      user: '65532',
      workingDir: '/opt/mlops',
      exposedPorts: ['8080/tcp', '9090'],
      labels: { team: 'ml', 'io.mlops.model.metrics': metrics, 'org.opencontainers.image.title': 'weather server' },
    };
    const repository = 'models/docker-built';
    const log: string[] = [];
    const t0 = Date.now();
    const result = await buildWithDocker({
      docker,
      baseImage: base,
      files: [
        { path: '/opt/mlops/server.mjs', source: server, mode: 0o644 },
        { path: '/opt/mlops/bin/tool', source: Buffer.from('#!/bin/sh\necho tool\n'), mode: 0o755 },
        { path: '/tmp/hello.txt', source: Buffer.from('hi\n'), mode: 0o600 },
        { path: '/models/model.onnx', source: Buffer.from('not really onnx'), mode: 0o644 },
      ],
      config,
      tags: [`${registry.host}/${repository}:1.0.0`, `${registry.host}/${repository}:latest`],
      push: true,
      auth: auth(),
      platform: 'linux/amd64',
      sourceDateEpoch: 1_700_000_000,
      log: (l) => log.push(l),
    }).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- log ---\n${log.join('\n')}\n--- service ---\n${service.output()}`);
    });
    console.log(`build + push: ${Date.now() - t0} ms`);

    expect(result.tags).toEqual([`${registry.host}/${repository}:1.0.0`, `${registry.host}/${repository}:latest`]);
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registryDigest(repository, '1.0.0')).toBe(result.digest);
    expect(await registryDigest(repository, 'latest')).toBe(result.digest);
    const inspect = skopeo(`docker://${registry.host}/${repository}:1.0.0`);
    expect(inspect.Digest).toBe(result.digest);

    const { config: c } = skopeo('--config', `docker://${registry.host}/${repository}:1.0.0`) as { config: Record<string, unknown> };
    expect(c.Entrypoint).toEqual(config.entrypoint);
    expect(c.Cmd ?? null).toBeNull(); // the base's Cmd ['/bin/sh'] is not inherited
    expect(c.User).toBe('65532');
    expect(c.WorkingDir).toBe('/opt/mlops');
    expect(c.ExposedPorts).toEqual({ '8080/tcp': {}, '9090/tcp': {} });
    expect(c.Env).toEqual(expect.arrayContaining(['PATH=/usr/local/bin:/usr/bin:/bin', 'MODEL_PATH=/models/model.onnx', 'PORT=8080', `TRICKY=${tricky}`, 'TRAILING=ends with \\', 'EMPTY=']));
    expect(c.Labels).toMatchObject({ team: 'ml', 'io.mlops.model.metrics': metrics, 'org.opencontainers.image.title': 'weather server', 'org.opencontainers.image.vendor': 'mlops-test' });

    const { listing, read } = await layers(`${registry.host}/${repository}:1.0.0`);
    expect(listing.get('opt/mlops/server.mjs')).toMatch(/^-rw-r--r-- 0\/0 /);
    expect(listing.get('opt/mlops/bin/tool')).toMatch(/^-rwxr-xr-x 0\/0 /);
    expect(listing.get('tmp/hello.txt')).toMatch(/^-rw------- 0\/0 /);
    expect(listing.get('models/model.onnx')).toMatch(/^-rw-r--r-- 0\/0 /);
    // The base's /tmp keeps its sticky, world-writable mode where our layer names it.
    expect(listing.get('tmp')).toMatch(/^drwxrwxrwt 0\/0 /);
    const raw = skopeo('--raw', `docker://${registry.host}/${repository}:1.0.0`) as { mediaType?: string; config: { digest: string } };
    // podman (and Docker's classic image store) name an image by its config digest.
    expect(raw.config.digest).toBe(result.imageId);
    expect(read('opt/mlops/server.mjs').toString()).toBe('console.log("hello from the server")\n');
    expect(listing.has('usr/local/bin/node')).toBe(true); // the base's layer
  });

  it("builds the user's Dockerfile with its directory as the context, .dockerignore honoured, our files under mlops-files/", async () => {
    const dir = path.join(work, 'user-context');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'logs'));
    fs.writeFileSync(
      path.join(dir, 'Dockerfile.serve'),
      ['ARG MLOPS_BASE_IMAGE', 'FROM ${MLOPS_BASE_IMAGE}', 'COPY mlops-files/opt/ /opt/', 'COPY . /ctx/', 'USER 65532', 'ENTRYPOINT ["node", "/opt/mlops/server.mjs"]', ''].join('\n'),
    );
    fs.writeFileSync(path.join(dir, '.dockerignore'), '# secrets stay out\nsecret*\n!secret-ok.txt\nlogs/\n');
    for (const f of ['app.txt', 'secret.txt', 'secret-ok.txt', 'logs/a.log', 'sub/keep.txt']) fs.writeFileSync(path.join(dir, f), `${f}\n`);
    const repository = 'models/user-dockerfile';
    const log: string[] = [];
    const result = await buildWithDocker({
      docker: service.socketPath,
      baseImage: base,
      dockerfile: path.join(dir, 'Dockerfile.serve'),
      files: [{ path: '/opt/mlops/server.mjs', source: Buffer.from('// server\n'), mode: 0o644 }],
      config: { entrypoint: [], env: {}, user: '0', workingDir: '/', exposedPorts: [], labels: { team: 'ml', 'io.mlops.model.name': 'weather' } },
      tags: [`${registry.host}/${repository}:1`],
      push: true,
      auth: auth(),
      log: (l) => log.push(l),
    });
    expect(await registryDigest(repository, '1')).toBe(result.digest);
    const { config: c } = skopeo('--config', `docker://${registry.host}/${repository}:1`) as { config: Record<string, unknown> };
    expect(c.Entrypoint).toEqual(['node', '/opt/mlops/server.mjs']);
    expect(c.Labels).toMatchObject({ team: 'ml', 'io.mlops.model.name': 'weather' });
    const { listing } = await layers(`${registry.host}/${repository}:1`);
    expect(listing.has('opt/mlops/server.mjs')).toBe(true);
    const ctx = [...listing.keys()].filter((n) => n.startsWith('ctx/')).sort();
    expect(ctx).toEqual(expect.arrayContaining(['ctx/Dockerfile.serve', 'ctx/.dockerignore', 'ctx/app.txt', 'ctx/secret-ok.txt', 'ctx/sub/keep.txt', 'ctx/mlops-files/opt/mlops/server.mjs']));
    expect(ctx.filter((n) => /secret\.txt|logs/.test(n))).toEqual([]);
  });

  it('fails a broken build with the daemon error and the tail of the build log', async () => {
    const dir = path.join(work, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'ARG MLOPS_BASE_IMAGE\nFROM ${MLOPS_BASE_IMAGE}\nCOPY missing.txt /x\n');
    const opts: DockerBuildOptions = {
      docker,
      baseImage: base,
      dockerfile: path.join(dir, 'Dockerfile'),
      files: [],
      config: { entrypoint: [], env: {}, user: '0', workingDir: '/', exposedPorts: [], labels: {} },
      tags: [`${registry.host}/models/broken:1`],
      push: true,
      auth: auth(),
      log: () => {},
    };
    const error = await buildWithDocker(opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^The image build failed: .*missing\.txt/);
    expect((error as Error).message).toMatch(/last lines of the build log[\s\S]*COPY missing\.txt/);
  });

  it('fails a push without credentials with the registry error', async () => {
    const log: string[] = [];
    const error = await buildWithDocker({
      pull: false, // the base is in the daemon already: the credentials are not needed to build
      docker,
      baseImage: base,
      files: [{ path: '/x.txt', source: Buffer.from('x'), mode: 0o644 }],
      config: { entrypoint: ['/bin/sh'], env: {}, user: '0', workingDir: '/', exposedPorts: [], labels: {} },
      tags: [`${registry.host}/models/no-creds:1`],
      push: true,
      // Credentials for another registry: the push has none that fit.
      auth: { ...auth(), serveraddress: 'elsewhere.example' },
      log: (l) => log.push(l),
    }).catch((e: unknown) => e);
    expect(error, log.join('\n')).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(new RegExp(`^Pushing ${registry.host}/models/no-creds:1 failed: .*(unauthorized|authentication required)`));
    expect((error as UserError).fix).toMatch(/username\/password/);
  });

  it('names the socket and DOCKER_HOST when no daemon answers', async () => {
    const socket = path.join(work, 'no-daemon.sock');
    const error = await buildWithDocker({
      docker: `unix://${socket}`,
      baseImage: base,
      files: [],
      config: { entrypoint: [], env: {}, user: '0', workingDir: '/', exposedPorts: [], labels: {} },
      tags: ['127.0.0.1:1/x:1'],
      push: false,
      log: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`Cannot reach a Docker daemon at unix://${socket} (the socket does not exist).`);
    expect((error as UserError).fix).toMatch(/DOCKER_HOST/);
  });
});

describe('docker builder: Dockerfile text and .dockerignore', () => {
  const config: DockerImageConfig = { entrypoint: ['node', 'a b'], env: { A: 'x"$y\\', B: '' }, user: '65532', workingDir: '/opt/mlops', exposedPorts: ['8080', '53/udp'], labels: { 'a.b': 'c' } };

  it('writes quoted, shell-free instructions, one COPY per directory in order', () => {
    const text = generateDockerfile('r.example/base@sha256:' + 'a'.repeat(64), [
      { path: '/opt/mlops/server.mjs', source: 'x', mode: 0o644 },
      { path: '/opt/mlops/onnxruntime/a.so', source: 'x', mode: 0o755 },
      { path: '/opt/mlops/onnxruntime/b.so', source: 'x', mode: 0o755 },
      { path: '/models/model.onnx', source: 'x', mode: 0o644 },
    ], config);
    expect(text).toBe(
      [
        `FROM r.example/base@sha256:${'a'.repeat(64)}`,
        'COPY ["mlops-files/opt/mlops/server.mjs","/opt/mlops/"]',
        'COPY ["mlops-files/opt/mlops/onnxruntime/a.so","mlops-files/opt/mlops/onnxruntime/b.so","/opt/mlops/onnxruntime/"]',
        'COPY ["mlops-files/models/model.onnx","/models/"]',
        'ENV A="x\\"\\$y\\\\" \\',
        '    B=""',
        'LABEL a.b="c"',
        'EXPOSE 8080/tcp \\',
        '    53/udp',
        'USER 65532',
        'WORKDIR /opt/mlops',
        'ENTRYPOINT ["node","a b"]',
        'CMD []',
        '',
      ].join('\n'),
    );
    expect(text).not.toMatch(/^RUN/m);
  });

  it('refuses what a Dockerfile cannot carry safely', () => {
    const files = (p: string) => [{ path: p, source: 'x', mode: 0o644 }];
    expect(() => generateDockerfile('b', files('/opt/a b'), config)).toThrow(UserError);
    expect(() => generateDockerfile('b', files('/opt/$x'), config)).toThrow(UserError);
    expect(() => generateDockerfile('b', files('/opt/*.so'), config)).toThrow(UserError);
    expect(() => generateDockerfile('b', files('/opt/../etc/passwd'), config)).toThrow(UserError);
    expect(() => generateDockerfile('b', [], { ...config, env: { A: 'line\nRUN rm -rf /' } })).toThrow(/line break/);
    expect(() => generateDockerfile('b', [], { ...config, env: { 'A B': 'x' } })).toThrow(UserError);
    expect(() => generateDockerfile('b', [], { ...config, labels: { 'a=b': 'x' } })).toThrow(UserError);
    expect(() => generateDockerfile('b', [], { ...config, user: 'root\nRUN id' })).toThrow(UserError);
    expect(() => generateDockerfile('b', [], { ...config, exposedPorts: ['8080 9090'] })).toThrow(UserError);
    expect(() => generateDockerfile('b --platform=x', [], config)).toThrow(UserError);
  });

  it('reads .dockerignore as Docker does', () => {
    const rules = parseDockerignore('# c\n/node_modules\n**/*.log\nsecret*\n!secret-ok.txt\ndata/raw/\n');
    const ignored = (p: string) => isIgnored(rules, p);
    expect(ignored('node_modules')).toBe(true);
    expect(ignored('node_modules/x/y.js')).toBe(true);
    expect(ignored('a/b/c.log')).toBe(true);
    expect(ignored('c.log')).toBe(true);
    expect(ignored('secret.txt')).toBe(true);
    expect(ignored('secret-ok.txt')).toBe(false);
    expect(ignored('sub/secret.txt')).toBe(false); // patterns are rooted
    expect(ignored('data/raw/big.csv')).toBe(true);
    expect(ignored('data/clean.csv')).toBe(false);
  });
});
