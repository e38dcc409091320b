// Bench entry for the model-store stage (bench/run.sh model-store), bundled with esbuild into
// bench/.data/model-store.mjs and run with the repo's Node 24. One subcommand per process, so
// /usr/bin/time measures exactly one push or one pull:
//
//   prepare  MODEL DIGEST_HEX OUTDIR     manifest.json (a model manifest as test/harness/models.ts
//                                        builds one) and OUTDIR/layout, an OCI image layout of the
//                                        very artifact OciStore publishes as version 1 (for crane)
//   registry INFO_FILE                   start Debian's docker-registry (fresh temp storage) through
//                                        the test harness, write {host, pid, storageDir} to
//                                        INFO_FILE, stop it by PID on SIGTERM/SIGINT
//   push     HOST REPO MODEL MANIFEST    OciStore.publish (with its version claim)
//   pull     HOST REPO TAG CACHE_DIR     OciStore.resolve into CACHE_DIR
//
// push and pull print one JSON line with what they did and their in-process seconds.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelManifest } from '../../shared/model/manifest.js';
import { modelArtifact } from '../../shared/oci/model-artifact.js';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { ANNOTATION, MEDIA } from '../../shared/oci/types.js';
import type { Logger } from '../../shared/runtime/context.js';
import { OciStore } from '../../shared/store/oci.js';
import { manifestFor } from '../../test/harness/models.js';
import { startRegistry } from '../../test/harness/registry/registry.js';

const log: Logger = {
  info: (m) => console.error(m),
  warn: (m) => console.error(`warning: ${m}`),
  debug: () => {},
  group: (_name, fn) => fn(),
};

/** The test harness's manifest, for a file hashed by the caller (a 1 GiB model is never read whole). */
function manifestOf(file: string, digestHex: string): ModelManifest {
  return manifestFor(`sha256:${digestHex}`, fs.statSync(file).size, 'bench', 'bench');
}

function prepare(model: string, digestHex: string, outDir: string): void {
  const manifest = manifestOf(model, digestHex);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest));
  // The artifact OciStore.publish pushes as version 1, as an OCI image layout crane can push.
  const artifact = modelArtifact({ ...manifest, version: '1' }, model);
  const layout = path.join(outDir, 'layout');
  fs.rmSync(layout, { recursive: true, force: true });
  const blobs = path.join(layout, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  fs.writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of artifact.blobs) {
    const target = path.join(blobs, b.descriptor.digest.slice(7));
    if ('bytes' in b) fs.writeFileSync(target, b.bytes);
    else fs.linkSync(path.resolve(b.file), target); // same bytes, no copy
  }
  fs.writeFileSync(path.join(blobs, artifact.descriptor.digest.slice(7)), artifact.manifest);
  const index = { schemaVersion: 2, mediaType: MEDIA.imageIndex, manifests: [{ ...artifact.descriptor, annotations: { [ANNOTATION.refName]: '1' } }] };
  fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify(index));
  console.log(JSON.stringify({ manifestDigest: artifact.descriptor.digest, modelDigest: manifest.model.digest, size: manifest.model.size }));
}

async function registry(infoFile: string): Promise<void> {
  const reg = await startRegistry({ auth: 'none' });
  fs.writeFileSync(infoFile, JSON.stringify({ host: reg.host, pid: reg.pid, storageDir: reg.storageDir }));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await reg.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setInterval(() => {}, 1 << 30); // stay up until signalled
}

async function push(host: string, repo: string, model: string, manifestFile: string): Promise<void> {
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ModelManifest;
  const client = new RegistryClient({ registry: host });
  const store = new OciStore(client, repo, manifest.name, path.join(path.dirname(manifestFile), 'push-cache'), log);
  const t0 = performance.now();
  const published = await store.publish({ manifest, modelFile: model, aliases: ['latest'] });
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ ...published, seconds, counters: client.counters }));
}

async function pull(host: string, repo: string, tag: string, cacheDir: string): Promise<void> {
  const client = new RegistryClient({ registry: host });
  const store = new OciStore(client, repo, 'bench', cacheDir, log);
  const t0 = performance.now();
  const resolved = await store.resolve(tag);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ reference: resolved.reference, modelPath: resolved.modelPath, digest: resolved.manifest.model.digest, seconds, counters: client.counters }));
}

const [cmd, ...args] = process.argv.slice(2);
const usage = 'usage: model-store.mjs prepare MODEL DIGEST_HEX OUTDIR | registry INFO_FILE | push HOST REPO MODEL MANIFEST | pull HOST REPO TAG CACHE_DIR';
try {
  if (cmd === 'prepare' && args.length === 3) prepare(args[0]!, args[1]!, args[2]!);
  else if (cmd === 'registry' && args.length === 1) await registry(args[0]!);
  else if (cmd === 'push' && args.length === 4) await push(args[0]!, args[1]!, args[2]!, args[3]!);
  else if (cmd === 'pull' && args.length === 4) await pull(args[0]!, args[1]!, args[2]!, args[3]!);
  else {
    console.error(usage);
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
