import type { Signature, TensorSpec } from './signature.js';
import type { InferenceSession } from 'onnxruntime-node';
import { ensureOnnxRuntimeBinding } from '../native/loader.js';
import type { Logger } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';

export interface LoadedModel {
  session: InferenceSession;
  signature: Signature;
}

export async function onnxRuntimeVersion(): Promise<string> {
  const ort = await import('onnxruntime-node');
  return ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
}

/**
 * Load a model in ONNX Runtime (CPU); a model that does not load is the user's error, placed at
 * the file and, when given, the input that named it.
 */
export async function loadModel(file: string, display: string, log: Logger, opts: { input?: string } = {}): Promise<LoadedModel> {
  await ensureOnnxRuntimeBinding(log);
  const ort = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
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
