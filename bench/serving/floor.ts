// Bench entry for the serving stage (bench/run.sh serving), bundled with esbuild into
// bench/.data/serving-floor.mjs (onnxruntime-node external: the repo's node_modules) and run with
// the repo's Node 24:
//
//   unwrap MODEL OUTDIR        OUTDIR/model.onnx: MODEL with its ZipMap unwrapped exactly as our
//                              server does (shared/model/zipmap.ts), and OUTDIR/outputs.json: the
//                              outputs our server exposes ({name, fetch}), the label and probability
//                              outputs and the classes. The FastAPI server serves these, so both
//                              servers run the same graph and fetch the same tensors.
//   floor  MODEL BODY SECONDS  the floor: one batch-1 row (the inputs of BODY, an OIP request),
//                              awaited one after another for SECONDS each, through
//                              - session.run: a session created as our server creates it (same
//                                options, same fetches), feeds built once;
//                              - ServedModel.infer: our model layer (shared/serving/model.ts:
//                                tensor conversion, run, label = argmax), no HTTP, no JSON.
//                              Prints one JSON line per layer: calls/s, p50/p99 microseconds,
//                              peak RSS.
import fs from 'node:fs';
import path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { createSession, onnxRuntime } from '../../shared/model/onnx.js';
import { unwrapZipMap } from '../../shared/model/zipmap.js';
import { loadServedModel } from '../../shared/serving/model.js';
import type { HostTensor } from '../../shared/serving/protocol.js';
import type { Logger } from '../../shared/runtime/context.js';

const log: Logger = {
  info: (m) => console.error(m),
  warn: (m) => console.error(`warning: ${m}`),
  debug: () => {},
  group: (_name, fn) => fn(),
};

interface Exposed {
  name: string;
  fetch: string;
}

async function session(model: string): Promise<{ s: InferenceSession; exposed: Exposed[]; zip: ReturnType<typeof unwrapZipMap>['zipmaps'] }> {
  const ort = await onnxRuntime(log);
  const { model: bytes, zipmaps } = unwrapZipMap(fs.readFileSync(model));
  // The session the server makes (INTRA_OP_THREADS default 1).
  const s = await createSession(ort, bytes);
  const zipByOutput = new Map(zipmaps.map((z) => [z.output, z]));
  const zipTensors = new Set(zipmaps.map((z) => z.tensor));
  const exposed: Exposed[] = [];
  for (const m of s.outputMetadata) {
    const z = zipByOutput.get(m.name);
    if (z) exposed.push({ name: z.output, fetch: z.tensor });
    else if (!zipTensors.has(m.name) && m.isTensor) exposed.push({ name: m.name, fetch: m.name });
  }
  return { s, exposed, zip: zipmaps };
}

async function unwrap(model: string, outDir: string): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const { model: bytes } = unwrapZipMap(fs.readFileSync(model));
  fs.writeFileSync(path.join(outDir, 'model.onnx'), bytes);
  const { s, exposed, zip } = await session(model);
  const meta = new Map(s.outputMetadata.map((m) => [m.name, m]));
  const type = (e: Exposed) => {
    const m = meta.get(e.fetch);
    return m && m.isTensor ? m.type : '';
  };
  // As shared/serving/model.ts decides: the ZipMap (else a float [N, k]) is the probabilities,
  // a string / int64 output the label.
  const proba = zip[0]?.output ?? exposed.find((e) => type(e) === 'float32' && /prob/i.test(e.name))?.name ?? null;
  const label = exposed.find((e) => e.name !== proba && (type(e) === 'string' || type(e) === 'int64'))?.name ?? null;
  let classes = zip[0]?.classes ?? null;
  if (!classes?.length) {
    // The Node trainer's classes are in the model metadata (`classes`, a JSON list).
    const { readOnnxHeader } = await import('../../shared/model/onnx-proto.js');
    try {
      classes = JSON.parse(readOnnxHeader(model).metadata.classes ?? 'null') as string[] | null;
    } catch {
      classes = null;
    }
  }
  fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify({ exposed, label, proba, classes }, null, 1));
  await s.release();
  console.log(JSON.stringify({ exposed, label, proba, classes }));
}

function stats(layer: string, micros: number[], seconds: number): string {
  micros.sort((a, b) => a - b);
  const q = (p: number) => micros[Math.min(micros.length - 1, Math.floor(p * micros.length))]!;
  return JSON.stringify({ layer, calls: micros.length, calls_per_s: micros.length / seconds, p50_us: q(0.5), p99_us: q(0.99), rss_kib: process.resourceUsage().maxRSS });
}

async function timeLoop(seconds: number, fn: () => Promise<unknown>): Promise<{ micros: number[]; seconds: number }> {
  for (let i = 0; i < 2000; i++) await fn(); // warm-up, not counted
  const micros: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  for (;;) {
    const t0 = performance.now();
    await fn();
    const t1 = performance.now();
    micros.push((t1 - t0) * 1000);
    if (t1 >= end) return { micros, seconds: (t1 - start) / 1000 };
  }
}

async function floor(model: string, bodyFile: string, seconds: number): Promise<void> {
  const ort = await import('onnxruntime-node');
  const body = JSON.parse(fs.readFileSync(bodyFile, 'utf8')) as { inputs: { name: string; shape: number[]; data: number[] }[] };
  const { s, exposed } = await session(model);
  const fetches = exposed.map((e) => e.fetch);
  const feeds: Record<string, Tensor> = Object.fromEntries(body.inputs.map((i) => [i.name, new ort.Tensor('float32', Float32Array.from(i.data.flat()), i.shape)]));
  const raw = await timeLoop(seconds, () => s.run(feeds, fetches));
  console.log(stats('session.run', raw.micros, raw.seconds));
  await s.release();

  const served = await loadServedModel({ modelPath: model, name: 'weather', version: '1', intraOpThreads: 1, log });
  const host: Record<string, HostTensor> = Object.fromEntries(body.inputs.map((i) => [i.name, { datatype: 'FP32', shape: i.shape, data: Float32Array.from(i.data.flat()) }]));
  const inf = await timeLoop(seconds, () => served.infer(host));
  console.log(stats('ServedModel.infer', inf.micros, inf.seconds));
  await served.close();
}

const [cmd, ...args] = process.argv.slice(2);
try {
  if (cmd === 'unwrap' && args.length === 2) await unwrap(args[0]!, args[1]!);
  else if (cmd === 'floor' && args.length === 3) await floor(args[0]!, args[1]!, Number(args[2]));
  else {
    console.error('usage: serving-floor.mjs unwrap MODEL OUTDIR | floor MODEL BODY SECONDS');
    process.exit(2);
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
