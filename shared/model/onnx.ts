import type { Signature, TensorSpec } from './signature.js';
import type { InferenceSession } from 'onnxruntime-node';
import { ensureOnnxRuntimeBinding } from '../native/loader.js';
import type { Logger } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { importCommonJs } from '../runtime/import.js';

export type Ort = typeof import('onnxruntime-node');

export interface LoadedModel {
  session: InferenceSession;
  signature: Signature;
}

/** ONNX Runtime with its native binding in place (fetched into the tool cache in a bundle). */
export async function onnxRuntime(log: Logger): Promise<Ort> {
  await ensureOnnxRuntimeBinding(log);
  return importCommonJs(() => import('onnxruntime-node'));
}

/**
 * A CPU session with the suite's options; every session of the suite (actions, CLI, model
 * server) is made here. Telemetry off: ONNX Runtime 1.29+ on Linux and macOS otherwise queues
 * usage events (OS, CPU, model hashes) in ~/.cache/Microsoft/DeveloperTools/.onnxruntime to
 * upload them. It reads ORT_DISABLE_TELEMETRY when it creates its environment, at the first
 * session of the process; the Node binding has no API for it. One intra-op thread by default:
 * results do not depend on the core count (tree ensembles sum in thread order).
 */
export function createSession(ort: Ort, model: string | Uint8Array, opts: { intraOpThreads?: number } = {}): Promise<InferenceSession> {
  process.env.ORT_DISABLE_TELEMETRY = '1';
  const options: InferenceSession.SessionOptions = { intraOpNumThreads: opts.intraOpThreads ?? 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

export async function onnxRuntimeVersion(): Promise<string> {
  const ort = await importCommonJs(() => import('onnxruntime-node'));
  return ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
}

/**
 * Load a model in ONNX Runtime (CPU); a model that does not load is the user's error, placed at
 * the file and, when given, the input that named it.
 */
export async function loadModel(file: string, display: string, log: Logger, opts: { input?: string } = {}): Promise<LoadedModel> {
  const ort = await onnxRuntime(log);
  let session: InferenceSession;
  try {
    session = await createSession(ort, file);
  } catch (e) {
    throw new UserError(`the model does not load in ONNX Runtime ${ort.env.versions.node ?? ''}: ${(e as Error).message.split('\n')[0]}`, {
      where: { file: display, ...(opts.input ? { input: opts.input } : {}) },
      fix: 'write a valid ONNX model (e.g. skl2onnx, torch.onnx.export, tf2onnx) with an opset this ONNX Runtime supports',
    });
  }
  const spec = (m: InferenceSession.ValueMetadata): TensorSpec =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] };
  return { session, signature: { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) } };
}
