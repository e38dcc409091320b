// Bench entry for the build-image stage (bench/run.sh build-image), bundled with esbuild into
// bench/.data/build-image.mjs and run with the repo's Node 24:
//
//   registry INFO_FILE     start Debian's docker-registry (fresh temp storage) through the test
//                          harness, write {host, pid, storageDir} to INFO_FILE, stop it by PID on
//                          SIGTERM/SIGINT
//   base HOST NODE         build the e2e test's Node base image (test/harness/base-image.ts
//                          pushNodeBase: NODE, the host's glibc and C++ runtime, busybox, passwd)
//                          and push it to HOST as base/node:24; prints HOST/base/node@<digest>
//   big-model FILE MB      write an ONNX model of about MB megabytes: one MatMul whose float32
//                          weights are Gaussian (std 0.02, a fixed seed), like trained weights
//   model-layer MODEL...   build each model's layer as build-image does, gzip and uncompressed;
//                          prints one TSV row per model and compression: bytes in, bytes out, s
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLayer } from '../../shared/oci/image/layer.js';
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

/** Weights as ONNX raw_data: a tensor of float32 written by hand (no protobuf library). */
async function bigModel(file: string, mb: number): Promise<void> {
  const { DataType, encodeModel } = (await import('../../examples/weather/onnx-writer.mjs')) as unknown as {
    DataType: Record<string, number>;
    encodeModel: (m: unknown) => Uint8Array;
  };
  const n = Math.round(Math.sqrt((mb * 1e6) / 4));
  const w = new Float32Array(n * n);
  let seed = 42;
  const uniform = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  for (let i = 0; i < w.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform())) * 0.02;
    const t = 2 * Math.PI * uniform();
    w[i] = r * Math.cos(t);
    if (i + 1 < w.length) w[i + 1] = r * Math.sin(t);
  }
  const bytes = encodeModel({
    irVersion: 8,
    opsets: [{ domain: '', version: 17 }],
    producerName: 'mlops bench',
    graph: {
      name: 'big',
      nodes: [{ opType: 'MatMul', name: 'matmul', inputs: ['x', 'W'], outputs: ['y'] }],
      initializers: [{ name: 'W', dims: [n, n], dataType: DataType.FLOAT, values: w }],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['N', n] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: ['N', n] }],
    },
  });
  fs.writeFileSync(file, bytes);
  console.log(`${file}\t${bytes.length}`);
}

async function modelLayer(models: string[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-layer-'));
  try {
    console.log('model\tcompression\tmodel bytes\tlayer bytes\tseconds');
    for (const model of models) {
      for (const compression of ['none', 'gzip'] as const) {
        const start = process.hrtime.bigint();
        const layer = await buildLayer({ entries: [{ path: '/models/model.onnx', source: { file: model } }], compression }, { dir, sourceDateEpoch: 1_700_000_000 });
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        console.log(`${path.basename(path.dirname(model))}/${path.basename(model)}\t${compression}\t${fs.statSync(model).size}\t${layer.size}\t${seconds.toFixed(2)}`);
        fs.rmSync(layer.file);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const [cmd, ...args] = process.argv.slice(2);
try {
  if (cmd === 'registry' && args.length === 1) await registry(args[0]!);
  else if (cmd === 'base' && args.length === 2) await base(args[0]!, args[1]!);
  else if (cmd === 'big-model' && args.length === 2) await bigModel(args[0]!, Number(args[1]));
  else if (cmd === 'model-layer' && args.length >= 1) await modelLayer(args);
  else {
    console.error('usage: build-image.mjs registry INFO_FILE | base HOST NODE | big-model FILE MB | model-layer MODEL...');
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
