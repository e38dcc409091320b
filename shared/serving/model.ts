import fs from 'node:fs';
import path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { createSession, onnxRuntime } from '../model/onnx.js';
import { readOnnxHeader } from '../model/onnx-proto.js';
import { argmaxLabels } from '../model/classes.js';
import { signatureSchema } from '../model/signature.js';
import { unwrapZipMap } from '../model/zipmap.js';
import type { Logger } from '../runtime/context.js';
import { fromFloat16, toFloat16 } from './float16.js';
import { type Datatype, type HostTensor, type TensorData, type TensorMetadata, HttpError, datatypeOfOrt, ortTypeOf, toTensorData } from './protocol.js';

/** What the server reads of `mlops-model.json`: only these fields, so newer manifests still serve. */
const manifestSchema = z.object({
  name: z.string().optional(),
  version: z.string().nullable().optional(),
  signature: signatureSchema.optional(),
});
export type ManifestInfo = z.infer<typeof manifestSchema>;

export function readManifest(file: string | null): ManifestInfo | null {
  if (!file || !fs.existsSync(file)) return null;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) throw new Error(`${file} is not a model manifest: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
  return r.data;
}

/** How the rows endpoint and the prediction log see an input: the feature columns it holds. */
export interface InputBinding {
  input: TensorMetadata;
  /** One name for an [N], [N, 1] (or [N, dynamic]) input; k names for an [N, k] input; none above rank 2. */
  columns: string[];
}

/** One row's prediction, as the rows endpoint answers and the prediction log records. */
export type Prediction = { label: string; probabilities?: Record<string, number> } | { value: number } | { outputs: Record<string, unknown> };

type OutputPlan =
  | { kind: 'classifier'; label: string | null; proba: string | null; classes: string[] | null }
  | { kind: 'regressor'; value: string }
  | { kind: 'raw' };

export interface ServedModel {
  name: string;
  version: string;
  inputs: TensorMetadata[];
  /** As clients see them: a ZipMap output appears as its float probability tensor [-1, classes]. */
  outputs: TensorMetadata[];
  bindings: InputBinding[];
  task: 'classification' | 'regression' | 'other';
  classes: string[] | null;
  /** Every input and output has a dynamic dimension 0, so requests can be merged along it. */
  batchable: boolean;
  /** Bucket bounds for the regression prediction histogram, from the model's metadata when it gives a range. */
  valueBuckets: number[] | null;
  loadSeconds: number;
  /** Run the model; every exposed output, label = argmax of the probabilities when both exist. */
  infer(inputs: Record<string, HostTensor>): Promise<Record<string, HostTensor>>;
  /** Per-row predictions from the outputs of `infer`; without `probabilities` when only labels are needed (metrics). */
  interpret(outputs: Record<string, HostTensor>, rows: number, probabilities?: boolean): Prediction[];
  /** The rows endpoint: JSON rows -> input tensors, columns bound to inputs by name. */
  tensorsFromRows(rows: (Record<string, unknown> | unknown[])[]): Record<string, HostTensor>;
  close(): Promise<void>;
}

export interface LoadOptions {
  modelPath: string;
  name: string;
  version: string;
  intraOpThreads: number;
  log: Logger;
}

/** Default bounds for predicted values when the model names no range: signed decades. */
export const DEFAULT_VALUE_BUCKETS = [-1e4, -1e3, -100, -10, -1, -0.1, 0, 0.1, 1, 10, 100, 1e3, 1e4];

/**
 * Load a model: ZipMap unwrapped (onnxruntime-node cannot return it), the signature in protocol
 * terms, the outputs understood (label / probabilities / value) like shared/model/score.ts does.
 */
export async function loadServedModel(o: LoadOptions): Promise<ServedModel> {
  const t0 = performance.now();
  const ort = await onnxRuntime(o.log);
  const { model: bytes, zipmaps } = unwrapZipMap(fs.readFileSync(o.modelPath));
  let session: InferenceSession;
  try {
    session = await createSession(ort, bytes, { intraOpThreads: o.intraOpThreads });
  } catch (e) {
    throw new Error(`${o.modelPath} does not load in ONNX Runtime: ${(e as Error).message.split('\n')[0]}`);
  }
  const header = readOnnxHeader(o.modelPath);
  const meta = header.metadata;
  const metaList = (key: string): string[] | null => {
    try {
      const v: unknown = meta[key] ? JSON.parse(meta[key]) : null;
      return Array.isArray(v) ? v.map(String) : null;
    } catch {
      return null;
    }
  };

  const dims = (shape: readonly (number | string)[]): number[] => shape.map((d) => (typeof d === 'number' ? d : -1));
  const inputs: TensorMetadata[] = session.inputMetadata.map((m) => {
    const datatype = m.isTensor ? datatypeOfOrt(m.type) : null;
    if (!m.isTensor || !datatype) throw new Error(`${o.modelPath}: input "${m.name}" is not a tensor of a supported type`);
    return { name: m.name, datatype, shape: dims(m.shape) };
  });

  // Exposed outputs, each read from a session output (`fetch`); ZipMaps replaced by their tensor.
  const zipByOutput = new Map(zipmaps.map((z) => [z.output, z]));
  const zipTensors = new Set(zipmaps.map((z) => z.tensor));
  const exposed: (TensorMetadata & { fetch: string })[] = [];
  for (const m of session.outputMetadata) {
    const zip = zipByOutput.get(m.name);
    if (zip) exposed.push({ name: zip.output, fetch: zip.tensor, datatype: 'FP32', shape: [-1, zip.classes.length || -1] });
    else if (zipTensors.has(m.name)) continue;
    else if (m.isTensor && datatypeOfOrt(m.type)) exposed.push({ name: m.name, fetch: m.name, datatype: datatypeOfOrt(m.type)!, shape: dims(m.shape) });
    else o.log.warn(`output "${m.name}" is not a tensor ONNX Runtime for Node can return; it is not served`);
  }
  if (exposed.length === 0) throw new Error(`${o.modelPath}: the model has no output that can be served`);

  // Which outputs mean what (the rules of shared/model/score.ts, on the exposed outputs).
  const zip = zipmaps[0];
  const probaOut = zip
    ? zip.output
    : (exposed.find((x) => x.datatype === 'FP32' && x.shape.length === 2 && /prob/i.test(x.name)) ?? exposed.find((x) => x.datatype === 'FP32' && x.shape.length === 2 && x.shape[1] !== 1))?.name;
  const labelOut =
    exposed.find((x) => x.name !== probaOut && (x.datatype === 'BYTES' || x.datatype === 'INT64') && x.shape.length <= 1)?.name ??
    exposed.find((x) => x.name !== probaOut && /label/i.test(x.name))?.name;
  let plan: OutputPlan;
  if (probaOut || labelOut) plan = { kind: 'classifier', label: labelOut ?? null, proba: probaOut ?? null, classes: zip?.classes.length ? zip.classes : metaList('classes') };
  else {
    const value = exposed.find((x) => x.datatype === 'FP32' || x.datatype === 'FP64' || x.datatype === 'FP16');
    plan = value ? { kind: 'regressor', value: value.name } : { kind: 'raw' };
  }
  const classes = plan.kind === 'classifier' ? plan.classes : null;
  if (plan.kind === 'classifier' && plan.proba && classes) {
    const p = exposed.find((x) => x.name === plan.proba)!;
    if (p.shape[1] === -1 || p.shape[1] === undefined) p.shape = [p.shape[0] ?? -1, classes.length];
    else if (p.shape[1] !== classes.length) o.log.warn(`output "${p.name}" has ${p.shape[1]} columns but the model names ${classes.length} classes`);
  }

  // The label output the probabilities' argmax replaces (always for text labels, for integer
  // labels when the classes are integers) is not fetched: ONNX Runtime for Node copies every
  // fetched tensor into JavaScript, a string tensor element by element.
  let argmaxLabel: (typeof exposed)[number] | undefined;
  let argmaxFrom: (typeof exposed)[number] | undefined;
  if (plan.kind === 'classifier' && plan.label && plan.proba && classes) {
    const { label, proba } = plan;
    argmaxLabel = exposed.find((x) => x.name === label && x.shape.length === 1 && (x.datatype === 'BYTES' || (x.datatype === 'INT64' && classes.every((c) => /^-?\d+$/.test(c)))));
    argmaxFrom = argmaxLabel && exposed.find((x) => x.name === proba);
  }
  const fetches = exposed.filter((x) => x !== argmaxLabel).map((x) => x.fetch);

  const features = metaList('features');
  const bindings: InputBinding[] = inputs.map((input) => {
    if (input.shape.length <= 1) return { input, columns: [input.name] };
    if (input.shape.length > 2) return { input, columns: [] };
    const width = input.shape[1]!;
    if (width === 1 || width === -1) return { input, columns: [input.name] };
    if (features && features.length === width && inputs.length === 1) return { input, columns: features };
    return { input, columns: Array.from({ length: width }, (_, j) => `${input.name}[${j}]`) };
  });

  const batchable = inputs.every((i) => i.shape.length >= 1 && i.shape[0] === -1) && exposed.every((x) => x.shape.length >= 1 && x.shape[0] === -1);

  let valueBuckets: number[] | null = null;
  if (plan.kind === 'regressor') {
    const given = metaList('prediction_buckets')?.map(Number);
    const lo = Number(meta.target_min);
    const hi = Number(meta.target_max);
    if (given && given.length && given.every(Number.isFinite)) valueBuckets = [...new Set(given)].sort((a, b) => a - b);
    else if (meta.target_min !== undefined && meta.target_max !== undefined && Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) {
      valueBuckets = Array.from({ length: 11 }, (_, i) => Number((lo + ((hi - lo) * i) / 10).toPrecision(6)));
    }
  }

  const toOrt = (t: HostTensor): Tensor => {
    if (t.datatype === 'FP16') return new ort.Tensor('float16', toFloat16(t.data as Float32Array) as Uint16Array, t.shape);
    return new ort.Tensor(ortTypeOf(t.datatype) as 'float32', t.data as Float32Array, t.shape);
  };
  const fromOrt = (t: Tensor, datatype: Datatype): HostTensor => {
    const shape = t.dims.map(Number);
    if (datatype === 'FP16') return { datatype, shape, data: fromFloat16(t.data as ArrayLike<number>) };
    return { datatype, shape, data: t.data as TensorData };
  };

  const infer = async (feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> => {
    const ortFeeds: Record<string, Tensor> = {};
    for (const k in feeds) ortFeeds[k] = toOrt(feeds[k]!);
    let result: InferenceSession.ReturnType;
    try {
      result = await session.run(ortFeeds, fetches);
    } catch (e) {
      throw new HttpError(400, `inference failed: ${(e as Error).message.split('\n')[0]}`);
    }
    // The probabilities are what the model means; some converters' label output disagrees with them.
    const proba = argmaxFrom ? fromOrt(result[argmaxFrom.fetch]!, argmaxFrom.datatype) : null;
    const out: Record<string, HostTensor> = {};
    for (const x of exposed) {
      if (x === argmaxFrom) out[x.name] = proba!;
      else if (x === argmaxLabel) {
        const labels = argmaxLabels(proba!.data as ArrayLike<number>, classes!);
        out[x.name] = { datatype: x.datatype, shape: [proba!.shape[0] ?? labels.length], data: x.datatype === 'BYTES' ? labels : BigInt64Array.from(labels, BigInt) };
      } else out[x.name] = fromOrt(result[x.fetch]!, x.datatype);
    }
    if (argmaxLabel) return out;
    if (plan.kind === 'classifier' && plan.label && plan.proba && classes) {
      const labels = argmaxLabels(out[plan.proba]!.data as ArrayLike<number>, classes);
      const t = out[plan.label]!;
      if (t.datatype === 'BYTES') t.data = labels;
      else if (t.datatype === 'INT64' && labels.every((l) => /^-?\d+$/.test(l))) t.data = BigInt64Array.from(labels, BigInt);
    }
    return out;
  };

  const interpret = (outputs: Record<string, HostTensor>, rows: number, probabilities = true): Prediction[] => {
    const preds: Prediction[] = new Array(rows);
    if (plan.kind === 'regressor') {
      const t = outputs[plan.value]!;
      const width = t.data.length / Math.max(rows, 1);
      for (let r = 0; r < rows; r++) preds[r] = { value: Number(t.data[r * width]) };
    } else if (plan.kind === 'classifier') {
      const proba = plan.proba ? outputs[plan.proba]! : null;
      const k = proba ? proba.data.length / Math.max(rows, 1) : 0;
      const names = classes ?? Array.from({ length: k }, (_, j) => String(j));
      const given = plan.label ? outputs[plan.label]!.data : null;
      const labels = given === null ? argmaxLabels(proba!.data as ArrayLike<number>, names) : Array.isArray(given) ? given : Array.from(given as ArrayLike<unknown>, String);
      for (let r = 0; r < rows; r++) {
        const p: Prediction = { label: labels[r]! };
        if (proba && probabilities) p.probabilities = Object.fromEntries(names.map((c, j) => [c, Number(proba.data[r * k + j])]));
        preds[r] = p;
      }
    } else {
      for (let r = 0; r < rows; r++) {
        const row: Record<string, unknown> = {};
        for (const [name, t] of Object.entries(outputs)) {
          const width = t.data.length / Math.max(rows, 1);
          const cells = Array.from(t.data.slice(r * width, (r + 1) * width) as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? Number(v) : v));
          row[name] = width === 1 ? cells[0] : cells;
        }
        preds[r] = { outputs: row };
      }
    }
    return preds;
  };

  const tensorsFromRows = (rows: (Record<string, unknown> | unknown[])[]): Record<string, HostTensor> => {
    const out: Record<string, HostTensor> = {};
    for (const b of bindings) {
      if (b.columns.length === 0) throw new HttpError(400, `input "${b.input.name}" has shape [${b.input.shape.join(', ')}], which rows cannot fill; use /v2/models/${o.name}/infer`);
      const values: unknown[] = [];
      rows.forEach((row, i) => {
        if (Array.isArray(row)) {
          if (bindings.length !== 1 || row.length !== b.columns.length) {
            throw new HttpError(400, `row ${i} is a list of ${row.length} values; positional rows need a model with one input of ${b.columns.length} columns (this one: ${bindings.map((x) => x.input.name).join(', ')})`);
          }
          values.push(...row);
          return;
        }
        for (const c of b.columns) {
          const key = c in row ? c : Object.keys(row).find((k) => k.toLowerCase() === c.toLowerCase());
          if (key === undefined) throw new HttpError(400, `row ${i} has no "${c}"; the model needs ${bindings.flatMap((x) => x.columns).join(', ')}`);
          values.push(row[key]);
        }
      });
      const width = b.columns.length;
      const shape = b.input.shape.length <= 1 ? [rows.length] : [rows.length, width];
      out[b.input.name] = { datatype: b.input.datatype, shape, data: toTensorData(b.input.datatype, values, `input "${b.input.name}"`) };
    }
    return out;
  };

  const model: ServedModel = {
    name: o.name,
    version: o.version,
    inputs,
    outputs: exposed.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    bindings,
    task: plan.kind === 'classifier' ? 'classification' : plan.kind === 'regressor' ? 'regression' : 'other',
    classes,
    batchable,
    valueBuckets,
    loadSeconds: 0,
    infer,
    interpret,
    tensorsFromRows,
    close: () => session.release(),
  };
  model.loadSeconds = (performance.now() - t0) / 1000;
  await warmUp(model, o.log);
  return model;
}

/** One zero row through the model, so the first request does not pay for lazy initialisation. */
async function warmUp(model: ServedModel, log: Logger): Promise<void> {
  if (!model.inputs.every((i) => i.shape.slice(1).every((d) => d > 0) || i.shape.length <= 1)) return;
  const feeds: Record<string, HostTensor> = {};
  for (const i of model.inputs) {
    const shape = i.shape.map((d, j) => (j === 0 && d < 0 ? 1 : d));
    const n = shape.reduce((a, d) => a * d, 1);
    const values = new Array<unknown>(n).fill(i.datatype === 'BYTES' ? '' : i.datatype === 'BOOL' ? false : i.datatype.endsWith('64') && i.datatype !== 'FP64' ? '0' : 0);
    feeds[i.name] = { datatype: i.datatype, shape, data: toTensorData(i.datatype, values, i.name) };
  }
  try {
    await model.infer(feeds);
  } catch (e) {
    log.debug(`warm-up run failed (ignored): ${(e as Error).message}`);
  }
}

/** The served name when neither MODEL_NAME nor the manifest gives one: the file's base name. */
export function defaultModelName(modelPath: string): string {
  return path.basename(modelPath).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9_.-]/g, '-') || 'model';
}
