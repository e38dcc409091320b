// Bench entry for the build-image stage (bench/run.sh build-image), bundled with esbuild into
// bench/.data/build-image.mjs and run with the repo's Node 24:
//
//   registry INFO_FILE     start Debian's docker-registry (fresh temp storage) through the test
//                          harness, write {host, pid, storageDir} to INFO_FILE, stop it by PID on
//                          SIGTERM/SIGINT
//   base HOST NODE         build the e2e test's Node base image (test/harness/base-image.ts
//                          pushNodeBase: NODE, the host's glibc and C++ runtime, busybox, passwd)
//                          and push it to HOST as base/node:24; prints HOST/base/node@<digest>
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RegistryClient } from '../../shared/oci/registry/client.js';
import { pushNodeBase } from '../../test/harness/base-image.js';
import { startRegistry } from '../../test/harness/registry/registry.js';

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

async function base(host: string, node: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-base-'));
  try {
    const pushed = await pushNodeBase(new RegistryClient({ registry: host }), dir, node);
    console.log(`${host}/${pushed.repository}@${pushed.digest}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [cmd, ...args] = process.argv.slice(2);
try {
  if (cmd === 'registry' && args.length === 1) await registry(args[0]!);
  else if (cmd === 'base' && args.length === 2) await base(args[0]!, args[1]!);
  else {
    console.error('usage: build-image.mjs registry INFO_FILE | base HOST NODE');
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
