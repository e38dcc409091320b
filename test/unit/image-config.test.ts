import { describe, expect, it } from 'vitest';
import type { BaseImage } from '../../shared/oci/image/base.js';
import { appendLayers, indexImages } from '../../shared/oci/image/build.js';
import { appendToConfig, applyConfigOptions, type ImageConfig } from '../../shared/oci/image/config.js';
import { epochToRfc3339, sha256Digest, stableJson } from '../../shared/oci/image/json.js';
import type { NewLayer } from '../../shared/oci/image/layer.js';
import { FAMILY_MEDIA } from '../../shared/oci/image/media.js';
import { parsePlatform, platformMatches } from '../../shared/oci/image/platform.js';
import { formatReference, parseImageReference } from '../../shared/oci/image/reference.js';
import { isUserError } from '../../shared/runtime/errors.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;

const baseConfig: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  created: '2020-01-01T00:00:00Z',
  config: { Env: ['PATH=/usr/bin:/bin', 'LANG=C'], Cmd: ['/bin/sh'], Labels: { vendor: 'base', keep: 'yes' }, ExposedPorts: { '22/tcp': {} }, StopSignal: 'SIGTERM' },
  rootfs: { type: 'layers', diff_ids: [D('a')] },
  history: [{ created: '2020-01-01T00:00:00Z', created_by: 'ADD rootfs /' }],
  docker_version: '20.10',
};

describe('stableJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(stableJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }).toString()).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
    expect(stableJson({ x: 1, y: 2 }).equals(stableJson({ y: 2, x: 1 }))).toBe(true);
  });
  it('formats the epoch without fractions', () => {
    expect(epochToRfc3339(0)).toBe('1970-01-01T00:00:00Z');
    expect(epochToRfc3339(1_700_000_000)).toBe('2023-11-14T22:13:20Z');
  });
});

describe('applyConfigOptions', () => {
  it('Entrypoint clears the inherited Cmd, as Docker does', () => {
    const c = applyConfigOptions(baseConfig.config, { entrypoint: ['/app/serve'] });
    expect(c.Entrypoint).toEqual(['/app/serve']);
    expect(c.Cmd).toBeUndefined();
    expect(JSON.parse(stableJson(c).toString())).not.toHaveProperty('Cmd');
    expect(applyConfigOptions(baseConfig.config, { entrypoint: ['/app/serve'], cmd: ['--port', '8080'] }).Cmd).toEqual(['--port', '8080']);
    expect(applyConfigOptions(baseConfig.config, { cmd: ['x'] })).toMatchObject({ Cmd: ['x'] });
  });

  it('merges Env (ours replace in place, new ones appended), labels and ports; keeps other fields', () => {
    const c = applyConfigOptions(baseConfig.config, { env: { LANG: 'C.UTF-8', MODEL_DIR: '/models' }, labels: { vendor: 'acme' }, exposedPorts: ['8080', '9000/udp'], user: '65532', workingDir: '/app' });
    expect(c.Env).toEqual(['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', 'MODEL_DIR=/models']);
    expect(c.Labels).toEqual({ vendor: 'acme', keep: 'yes' });
    expect(c.ExposedPorts).toEqual({ '22/tcp': {}, '8080/tcp': {}, '9000/udp': {} });
    expect(c).toMatchObject({ User: '65532', WorkingDir: '/app', StopSignal: 'SIGTERM' });
  });

  it.each([
    [{ exposedPorts: ['http'] }],
    [{ exposedPorts: ['70000'] }],
    [{ env: { 'BAD-NAME': 'x' } }],
    [{ user: 'root; rm -rf /' }],
    [{ workingDir: 'relative' }],
  ])('refuses %j', (opts) => {
    let error: unknown;
    try {
      applyConfigOptions(baseConfig.config, opts);
    } catch (e) {
      error = e;
    }
    expect(isUserError(error)).toBe(true);
  });
});

describe('appendToConfig', () => {
  it('appends diff_ids and history at SOURCE_DATE_EPOCH, keeps unknown fields', () => {
    const c = appendToConfig(baseConfig, [D('b'), D('c')], [{ createdBy: 'COPY app /app' }, { comment: 'model' }], {}, 86400);
    expect(c.created).toBe('1970-01-02T00:00:00Z');
    expect(c.rootfs.diff_ids).toEqual([D('a'), D('b'), D('c')]);
    expect(c.history).toEqual([
      { created: '2020-01-01T00:00:00Z', created_by: 'ADD rootfs /' },
      { created: '1970-01-02T00:00:00Z', created_by: 'COPY app /app' },
      { created: '1970-01-02T00:00:00Z', created_by: 'mlops-actions build-image', comment: 'model' },
    ]);
    expect(c.docker_version).toBe('20.10');
    expect(baseConfig.rootfs.diff_ids).toEqual([D('a')]); // the base is not modified
  });
});

function base(family: 'oci' | 'docker', arch = 'amd64'): BaseImage {
  return {
    name: '127.0.0.1:5000/base:1',
    digest: D(arch === 'amd64' ? '1' : '2'),
    platform: { os: 'linux', architecture: arch },
    family,
    manifest: { schemaVersion: 2, config: { mediaType: FAMILY_MEDIA[family].config, digest: D('f'), size: 10 }, layers: [{ mediaType: FAMILY_MEDIA[family].layerGzip, digest: D('e'), size: 100 }] },
    config: { ...baseConfig, architecture: arch },
    layers: [{ descriptor: { mediaType: FAMILY_MEDIA[family].layerGzip, digest: D('e'), size: 100 }, diffId: D('a'), location: { bytes: Buffer.alloc(0) } }],
  };
}

const layers: NewLayer[] = [
  { file: '/x/app.tar.gz', diffId: D('b'), digest: D('c'), size: 10, compression: 'gzip' },
  { file: '/x/model.tar', diffId: D('d'), digest: D('d'), size: 20, compression: 'none' },
];

/** Docker's image manifest v2 schema 2: the only media types it defines for a config and layers. */
const DOCKER_SCHEMA2 = ['application/vnd.docker.container.image.v1+json', 'application/vnd.docker.image.rootfs.diff.tar.gzip', 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'];
const gzipOnly = layers.map((l): NewLayer => ({ ...l, compression: 'gzip' }));

describe('appendLayers', () => {
  it('keeps the base family and records the base', () => {
    for (const family of ['oci', 'docker'] as const) {
      const ours = family === 'oci' ? layers : gzipOnly;
      const built = appendLayers(base(family), ours, { sourceDateEpoch: 0, annotations: { 'org.opencontainers.image.source': 'https://github.com/acme/churn' } });
      const m = JSON.parse(built.manifest.toString()) as { mediaType: string; config: { mediaType: string }; layers: { mediaType: string }[]; annotations: Record<string, string> };
      expect(m.mediaType).toBe(FAMILY_MEDIA[family].manifest);
      expect(m.config.mediaType).toBe(FAMILY_MEDIA[family].config);
      expect(m.layers.map((l) => l.mediaType)).toEqual(family === 'oci' ? [FAMILY_MEDIA.oci.layerGzip, FAMILY_MEDIA.oci.layerGzip, 'application/vnd.oci.image.layer.v1.tar'] : Array(3).fill(FAMILY_MEDIA.docker.layerGzip));
      if (family === 'docker') expect([m.config, ...m.layers].every((d) => DOCKER_SCHEMA2.includes(d.mediaType))).toBe(true);
      expect(m.annotations).toEqual({
        'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
        'org.opencontainers.image.source': 'https://github.com/acme/churn',
        'org.opencontainers.image.base.name': '127.0.0.1:5000/base:1',
        'org.opencontainers.image.base.digest': D('1'),
      });
      expect(built.descriptor.digest).toBe(sha256Digest(built.manifest));
      expect(built.configDescriptor.digest).toBe(sha256Digest(built.configBytes));
      expect(built.config.rootfs.diff_ids).toEqual([D('a'), D('b'), D('d')]);
    }
  });

  it('is pure: same inputs, same bytes; an index lists each platform', () => {
    const a = appendLayers(base('oci'), layers, { sourceDateEpoch: 5, config: { user: '65532' } });
    const b = appendLayers(base('oci'), layers, { sourceDateEpoch: 5, config: { user: '65532' } });
    expect(a.manifest.equals(b.manifest)).toBe(true);
    const index = indexImages([a, appendLayers(base('oci', 'arm64'), layers, { sourceDateEpoch: 5 })], { sourceDateEpoch: 5 });
    const parsed = JSON.parse(index.manifest.toString()) as { mediaType: string; manifests: { platform: { architecture: string } }[] };
    expect(parsed.mediaType).toBe(FAMILY_MEDIA.oci.index);
    expect(parsed.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect(() => indexImages([a, appendLayers(base('docker', 'arm64'), gzipOnly, { sourceDateEpoch: 5 })], { sourceDateEpoch: 5 })).toThrow(/mix OCI and Docker/);
  });

  it('refuses an uncompressed layer on a Docker base: Docker schema 2 has no media type for it', () => {
    let error: unknown;
    try {
      appendLayers(base('docker'), [layers[0]!, { ...layers[1]!, createdBy: 'COPY model.onnx /models/' }], { sourceDateEpoch: 0 });
    } catch (e) {
      error = e;
    }
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain('has no type for an uncompressed layer: the layer "COPY model.onnx /models/" must be gzipped');
    expect((error as { fix: string }).fix).toContain('model-compression: gzip');
  });
});

describe('references and platforms', () => {
  it.each([
    ['ghcr.io/acme/base:1.2', { registry: 'ghcr.io', repository: 'acme/base', tag: '1.2' }],
    ['127.0.0.1:5000/base/busybox', { registry: '127.0.0.1:5000', repository: 'base/busybox', tag: 'latest' }],
    ['python:3.12', { registry: 'index.docker.io', repository: 'library/python', tag: '3.12' }],
    ['localhost/a@' + D('a'), { registry: 'localhost', repository: 'a', digest: D('a') }],
    ['acme/base:1@' + D('b'), { registry: 'index.docker.io', repository: 'acme/base', tag: '1', digest: D('b') }],
  ])('parses %s', (text, want) => {
    expect(parseImageReference(text)).toEqual(want);
  });

  it('formats Docker Hub as docker.io and refuses nonsense', () => {
    expect(formatReference(parseImageReference('python:3.12'))).toBe('docker.io/library/python:3.12');
    for (const bad of ['', 'Upper/Case', 'a@sha256:12', 'ghcr.io/a:b:c!']) expect(() => parseImageReference(bad)).toThrow();
  });

  it('matches platforms, arm64 meaning v8', () => {
    expect(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(false);
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' })).toBe(false);
    expect(() => parsePlatform('amd64')).toThrow();
  });
});
