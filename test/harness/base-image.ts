import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { epochToRfc3339 } from '../../shared/oci/image/json.js';
import { buildLayer, type NewLayer } from '../../shared/oci/image/layer.js';
import { FAMILY_MEDIA, type MediaFamily } from '../../shared/oci/image/media.js';
import type { TarEntry } from '../../shared/oci/image/tar.js';
import { OciLayout } from '../../shared/oci/layout.js';
import type { RegistryClient } from '../../shared/oci/registry/client.js';
import type { Descriptor } from '../../shared/oci/types.js';

/**
 * Small base images made here, never pulled from a public registry: a busybox rootfs (Debian's
 * busybox-static, installed if missing and allowed; else a few plain files) with /etc/passwd
 * naming `nonroot` (65532), and a dummy arm64 image for platform selection. Manifests are
 * written by hand here, not with the builder under test.
 */

export const BASE_EPOCH = 1_600_000_000;
const BUSYBOX = '/bin/busybox';

export interface PushedBase {
  repository: string;
  tag: string;
  /** The tag's manifest (or index) digest. */
  digest: string;
  /** Per platform (`linux/amd64`): that platform's manifest digest. */
  platforms: Record<string, string>;
}

export interface TestBases {
  /** OCI manifest, linux/amd64 busybox. */
  oci: PushedBase;
  /** Docker v2 manifest of the same rootfs. */
  docker: PushedBase;
  /** OCI index: linux/amd64 (the `oci` manifest), linux/arm64 (dummy), and an attestation-like unknown/unknown entry. */
  multi: PushedBase;
  /** Docker manifest list: linux/amd64 + linux/arm64. */
  dockerMulti: PushedBase;
  /** Whether the rootfs has a real busybox (`/bin/sh` works in it). */
  busybox: boolean;
}

interface Part {
  family: MediaFamily;
  layers: NewLayer[];
  config: Buffer;
  manifest: Buffer;
  descriptor: Descriptor;
  platform: { os: string; architecture: string; variant?: string };
}

function sha256(bytes: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

/** /bin/busybox present, or installed with apt-get when we may; false when neither works. */
export function ensureBusybox(): boolean {
  if (fs.existsSync(BUSYBOX)) return true;
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', 'busybox-static'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 180_000 });
  } catch {
    return false;
  }
  return fs.existsSync(BUSYBOX);
}

function rootfsEntries(busybox: boolean, arch: string): TarEntry[] {
  const entries: TarEntry[] = [
    { path: '/etc/passwd', source: { bytes: 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' } },
    { path: '/etc/group', source: { bytes: 'root:x:0:\nnonroot:x:65532:\n' } },
    { path: '/etc/os-release', source: { bytes: `ID=mlops-test-base\nNAME="mlops test base (${arch})"\n` } },
    { path: '/tmp', source: { directory: true }, mode: 0o1777 },
    { path: '/home/nonroot', source: { directory: true } },
    { path: '/root', source: { directory: true }, mode: 0o700 },
  ];
  if (arch === 'amd64' && busybox) {
    entries.push({ path: '/bin/busybox', source: { file: BUSYBOX }, mode: 0o755 });
    for (const tool of ['sh', 'ls', 'cat', 'echo', 'id']) entries.push({ path: `/bin/${tool}`, source: { symlink: 'busybox' } });
  } else {
    entries.push({ path: '/bin/sh', source: { bytes: `#!/dummy ${arch} shell\n` }, mode: 0o755 });
  }
  return entries;
}

async function makePart(family: MediaFamily, arch: string, busybox: boolean, dir: string, entries = rootfsEntries(busybox, arch)): Promise<Part> {
  const media = FAMILY_MEDIA[family];
  const layer = await buildLayer({ entries }, { dir, sourceDateEpoch: BASE_EPOCH });
  const created = epochToRfc3339(BASE_EPOCH);
  const platform = arch === 'arm64' ? { os: 'linux', architecture: 'arm64', variant: 'v8' } : { os: 'linux', architecture: arch };
  // Docker-style field order and nulls, as a real docker-built config has them.
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      ...(platform.variant ? { variant: platform.variant } : {}),
      os: 'linux',
      created,
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/bin/sh'], Entrypoint: null, WorkingDir: '/', Labels: { 'org.opencontainers.image.vendor': 'mlops-test' } },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, created_by: 'ADD rootfs.tar.gz / # test base' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: media.manifest,
        config: { mediaType: media.config, size: config.length, digest: sha256(config) },
        layers: [{ mediaType: media.layerGzip, size: layer.size, digest: layer.digest }],
      },
      null,
      3, // registries keep the exact bytes: any formatting is fine, and is part of the digest
    ),
  );
  return { family, layers: [layer], config, manifest, descriptor: { mediaType: media.manifest, digest: sha256(manifest), size: manifest.length }, platform };
}

function indexOf(family: MediaFamily, parts: Part[], extra: object[] = []): { bytes: Buffer; mediaType: string } {
  const mediaType = FAMILY_MEDIA[family].index;
  const manifests = [...parts.map((p) => ({ mediaType: p.descriptor.mediaType, digest: p.descriptor.digest, size: p.descriptor.size, platform: p.platform })), ...extra];
  return { bytes: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests })), mediaType };
}

async function pushPart(client: RegistryClient, repository: string, part: Part): Promise<void> {
  for (const l of part.layers) await client.pushBlob(repository, { mediaType: 'application/octet-stream', digest: l.digest, size: l.size }, { file: l.file });
  await client.pushBlob(repository, { mediaType: 'application/octet-stream', digest: sha256(part.config), size: part.config.length }, { bytes: part.config });
}

const key = (p: Part['platform']) => `${p.os}/${p.architecture}`;

/** Build the base images in `dir` and push them to `client`'s registry under `repository`. */
export async function pushTestBases(client: RegistryClient, dir: string, repository = 'base/busybox'): Promise<TestBases> {
  const busybox = ensureBusybox();
  const ociAmd = await makePart('oci', 'amd64', busybox, dir);
  const ociArm = await makePart('oci', 'arm64', busybox, dir);
  const dockerAmd = await makePart('docker', 'amd64', busybox, dir);
  const dockerArm = await makePart('docker', 'arm64', busybox, dir);
  for (const p of [ociAmd, ociArm, dockerAmd, dockerArm]) await pushPart(client, repository, p);
  const single = async (tag: string, p: Part): Promise<PushedBase> => ({ repository, tag, digest: await client.putManifest(repository, tag, p.manifest, p.descriptor.mediaType), platforms: { [key(p.platform)]: p.descriptor.digest } });
  const multi = async (tag: string, family: MediaFamily, parts: Part[], extra: object[] = []): Promise<PushedBase> => {
    for (const p of parts) await client.putManifest(repository, p.descriptor.digest, p.manifest, p.descriptor.mediaType);
    const index = indexOf(family, parts, extra);
    return { repository, tag, digest: await client.putManifest(repository, tag, index.bytes, index.mediaType), platforms: Object.fromEntries(parts.map((p) => [key(p.platform), p.descriptor.digest])) };
  };
  // buildx puts attestation manifests in the index as unknown/unknown: a builder must pass them by.
  const attestation = { mediaType: FAMILY_MEDIA.oci.manifest, digest: ociArm.descriptor.digest, size: ociArm.descriptor.size, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } };
  return {
    oci: await single('oci', ociAmd),
    docker: await single('docker', dockerAmd),
    multi: await multi('multi', 'oci', [ociAmd, ociArm], [attestation]),
    dockerMulti: await multi('docker-multi', 'docker', [dockerAmd, dockerArm]),
    busybox,
  };
}

/**
 * A linux/amd64 base that runs Node: the repository's Node 24 binary and the host's glibc and
 * C++ runtime libraries it and ONNX Runtime need, plus the passwd entries of the busybox base.
 * Stands in for node:24-bookworm-slim, which no test may pull.
 */
export async function pushNodeBase(client: RegistryClient, dir: string, node: string, repository = 'base/node', tag = '24'): Promise<PushedBase> {
  const libs = ['libdl.so.2', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libpthread.so.0', 'libc.so.6', 'librt.so.1'];
  const entries: TarEntry[] = [
    ...rootfsEntries(ensureBusybox(), 'amd64'),
    { path: '/usr/local/bin/node', source: { file: node }, mode: 0o755 },
    { path: '/lib64/ld-linux-x86-64.so.2', source: { file: fs.realpathSync('/lib64/ld-linux-x86-64.so.2') }, mode: 0o755 },
    ...libs.map((l): TarEntry => ({ path: `/lib/x86_64-linux-gnu/${l}`, source: { file: fs.realpathSync(`/lib/x86_64-linux-gnu/${l}`) }, mode: 0o755 })),
  ];
  const part = await makePart('oci', 'amd64', true, dir, entries);
  await pushPart(client, repository, part);
  return { repository, tag, digest: await client.putManifest(repository, tag, part.manifest, part.descriptor.mediaType), platforms: { 'linux/amd64': part.descriptor.digest } };
}

/** The OCI multi-platform base as an OCI layout directory, tagged `tag`. Returns the index digest. */
export async function writeBaseLayout(layoutDir: string, workDir: string, tag = 'multi'): Promise<string> {
  const busybox = ensureBusybox();
  const parts = [await makePart('oci', 'amd64', busybox, workDir), await makePart('oci', 'arm64', busybox, workDir)];
  const layout = new OciLayout(layoutDir);
  layout.init();
  for (const p of parts) {
    for (const l of p.layers) await layout.putFile(FAMILY_MEDIA.oci.layerGzip, l.file);
    layout.putBytes(FAMILY_MEDIA.oci.config, p.config);
    layout.putBytes(p.descriptor.mediaType, p.manifest);
  }
  const index = indexOf('oci', parts);
  const descriptor = layout.putBytes(index.mediaType, index.bytes);
  await layout.retag(() => ({ descriptor, tags: [tag], result: undefined }));
  return descriptor.digest;
}
