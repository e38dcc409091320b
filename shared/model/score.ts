import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Engine } from '../data/engine.js';
import { quoteIdent } from '../data/engine.js';
import { type Column, VIEW } from '../data/table.js';
import { createSession, onnxRuntime } from './onnx.js';
import type { Logger } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { readUserFile } from '../runtime/files.js';
import { type OnnxHeader, readOnnxHeader } from './onnx-proto.js';
import type { Signature, TensorSpec } from './signature.js';
import { unwrapZipMap } from './zipmap.js';
import { argmaxLabels } from './classes.js';
import type { ReportProgress } from '../runtime/progress.js';
import { importCommonJs } from '../runtime/import.js';

export type Task = 'binary' | 'multiclass' | 'regression';

interface InputBinding {
  spec: TensorSpec;
  /** One column for an [N, 1] or [N] input; several for an [N, k] input. */
  columns: string[];
}

type OutputPlan = { kind: 'classifier'; label: string | null; proba: string | null; classes: string[] | null } | { kind: 'regressor'; value: string };

/** A model ready to score rows of a table. */
export interface ScoringModel {
  role: string;
  session: InferenceSession;
  signature: Signature;
  inputs: InputBinding[];
  output: OutputPlan;
}

export interface ModelScores {
  role: string;
  /** Predicted class per row (argmax of probabilities when the model gives them). */
  labels: string[] | null;
  /** n x classes.length, row-major, in `classes` order. */
  proba: Float32Array | null;
  classes: string[] | null;
  values: Float64Array | null;
  /** Milliseconds of each session.run over a batch. */
  batchMs: number[];
  /** Milliseconds of single-row session.run calls on a sample of rows. */
  rowMs: number[];
}

export interface ScoredData {
  n: number;
  /** The label column as text (classification) or numbers (regression). */
  yText: string[];
  yNumber: Float64Array;
  /** Slice columns as text, per row. */
  slices: Record<string, string[]>;
  models: ModelScores[];
}

const NUMERIC_TYPES: Record<string, (n: number) => ArrayLike<number | bigint>> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int32: (n) => new Int32Array(n),
  int64: (n) => new BigInt64Array(n),
};

/** Which data columns feed the model: never the label; slice columns only when listed in `features`. */
export interface ColumnRoles {
  label: string;
  slices?: string[];
  /** The `features` input: the columns of a single [N, k] input, in the model's order. */
  features?: string[];
}

/** A model file's bytes and header, or a UserError when it is not an ONNX model at all. */
function readOnnx(role: string, file: string, display: string): { zip: ReturnType<typeof unwrapZipMap>; header: OnnxHeader } {
  const bytes = readUserFile(file, { display });
  try {
    return { zip: unwrapZipMap(bytes), header: readOnnxHeader(file) };
  } catch (e) {
    throw new UserError(`the ${role} model is not an ONNX model (${(e as Error).message})`, {
      where: { file: display },
      fix: 'give the .onnx file the trainer wrote (e.g. skl2onnx, torch.onnx.export, tf2onnx), not a pickle, a checkpoint or another format',
    });
  }
}

/** A JSON list in the model's metadata (`features`, `classes`), when it holds one. */
function metadataList(header: OnnxHeader, key: string): unknown[] | null {
  try {
    const v: unknown = header.metadata[key] ? JSON.parse(header.metadata[key]) : null;
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

function metadataFeatures(header: OnnxHeader): string[] | null {
  const v = metadataList(header, 'features');
  return v && v.every((x) => typeof x === 'string') ? v : null;
}

/**
 * The columns of a single [N, k] input: the `features` input, else the model's `features`
 * metadata, else the columns that are neither the label nor a slice, when there are exactly k.
 */
function matrixColumns(role: string, s: TensorSpec, width: number, columns: Column[], roles: ColumnRoles, header: OnnxHeader, display: string): string[] {
  const names = columns.map((c) => c.name);
  const check = (list: string[], from: string, where: { input?: string; file?: string }) => {
    const missing = list.filter((c) => !names.includes(c));
    if (missing.length) throw new UserError(`${from} names column(s) the data lacks: ${missing.join(', ')}`, { where, fix: `data columns: ${names.join(', ')}` });
    if (list.includes(roles.label)) throw new UserError(`${from} lists the label column "${roles.label}": a model must not be fed its own answer`, { where, fix: 'remove the label from the features' });
    if (list.length !== width) throw new UserError(`${from} lists ${list.length} column(s), but the ${role} model's input "${s.name}" takes ${width}`, { where, fix: `list the ${width} columns the model was trained on, in its order` });
    return list;
  };
  if (roles.features?.length) return check(roles.features, 'the `features` input', { input: 'features' });
  const meta = metadataFeatures(header);
  if (meta) return check(meta, `the ${role} model's \`features\` metadata`, { file: display });
  const rest = names.filter((c) => c !== roles.label && !(roles.slices ?? []).includes(c));
  if (rest.length === width) return rest;
  throw new UserError(
    `the ${role} model's input "${s.name}" (${s.type} [${s.shape.join(', ')}]) takes ${width} columns, but the data has ${rest.length} besides the label${roles.slices?.length ? ' and the slices' : ''} (${rest.join(', ')}), and the model names no \`features\` in its metadata`,
    { where: { input: 'features' }, fix: `set \`features\` to the ${width} columns the model was trained on, in its order (e.g. features: ${rest.slice(0, width).join(', ')})` },
  );
}

/** Load a model for scoring: ZipMap unwrapped, inputs bound to columns by name, outputs understood. */
export async function prepareModel(role: string, file: string, display: string, columns: Column[], label: string, log: Logger, roles: Omit<ColumnRoles, 'label'> = {}): Promise<ScoringModel> {
  const { zip: { model, zipmaps }, header } = readOnnx(role, file, display);
  const ort = await onnxRuntime(log);
  let session: InferenceSession;
  try {
    session = await createSession(ort, model);
  } catch (e) {
    throw new UserError(`the ${role} model does not load in ONNX Runtime: ${(e as Error).message.split('\n')[0]}`, { where: { file: display } });
  }
  const spec = (m: InferenceSession.ValueMetadata): TensorSpec => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] });
  const signature = { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) };
  const byName = new Map(columns.map((c) => [c.name, c.name]));
  const byLower = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  const inputs = signature.inputs.map((s): InputBinding => {
    const width = typeof s.shape[1] === 'number' ? s.shape[1] : 1;
    const column = byName.get(s.name) ?? byLower.get(s.name.toLowerCase());
    if (column && width === 1 && column !== label) return { spec: s, columns: [column] };
    if (width > 1 && signature.inputs.length === 1) return { spec: s, columns: matrixColumns(role, s, width, columns, { label, ...roles }, header, display) };
    throw new UserError(`the ${role} model's input "${s.name}" (${s.type} [${s.shape.join(', ')}]) has no column of that name in the data`, {
      where: { file: display },
      fix: `name the data columns after the model's inputs (${signature.inputs.map((i) => i.name).join(', ')}); data columns: ${columns.map((c) => c.name).join(', ')}`,
    });
  });
  const metaClasses = metadataList(header, 'classes')?.map(String) ?? null;
  const outputs = signature.outputs;
  const zip = zipmaps[0];
  const probaOut = zip ? zip.tensor : (outputs.find((o) => o.type === 'float32' && o.shape.length === 2 && /prob/i.test(o.name)) ?? outputs.find((o) => o.type === 'float32' && o.shape.length === 2 && o.shape[1] !== 1))?.name;
  const labelOut = outputs.find((o) => o.name !== zip?.output && (o.type === 'string' || o.type === 'int64') && o.shape.length <= 1)?.name ?? outputs.find((o) => /label/i.test(o.name) && o.type !== 'non-tensor')?.name;
  let output: OutputPlan;
  if (probaOut || labelOut) output = { kind: 'classifier', label: labelOut ?? null, proba: probaOut ?? null, classes: zip?.classes ?? metaClasses };
  else {
    const value = outputs.find((o) => o.type === 'float32' || o.type === 'float64');
    if (!value) throw new UserError(`the ${role} model has no output we can score (${outputs.map((o) => `${o.name}: ${o.type}`).join(', ')})`, { where: { file: display } });
    output = { kind: 'regressor', value: value.name };
  }
  return { role, session, signature, inputs, output };
}

function tensorFor(ort: typeof import('onnxruntime-node'), b: InputBinding, rows: Record<string, unknown>[], role: string): Tensor {
  const n = rows.length;
  const width = b.columns.length;
  const shape = b.spec.shape.length <= 1 ? [n] : [n, width];
  if (b.spec.type === 'string') return new ort.Tensor('string', rows.flatMap((r) => b.columns.map((c) => String(r[c] ?? ''))), shape);
  if (b.spec.type === 'bool') return new ort.Tensor('bool', Uint8Array.from(rows.flatMap((r) => b.columns.map((c) => (r[c] ? 1 : 0)))), shape);
  const make = NUMERIC_TYPES[b.spec.type];
  if (!make) throw new UserError(`the ${role} model's input "${b.spec.name}" has type ${b.spec.type}, which scoring does not support yet`);
  const data = make(n * width) as Float32Array | Float64Array | Int32Array | BigInt64Array;
  let k = 0;
  for (const r of rows) {
    for (const c of b.columns) {
      const v = r[c];
      if (data instanceof BigInt64Array) {
        if (v === null || v === undefined) throw new UserError(`column "${c}" has nulls but the ${role} model's input "${b.spec.name}" is int64`, { fix: 'fill or drop the missing values before evaluation' });
        data[k++] = BigInt(Math.trunc(Number(v)));
      } else data[k++] = v === null || v === undefined ? NaN : Number(v);
    }
  }
  return new ort.Tensor(b.spec.type as 'float32', data as Float32Array, shape);
}

/**
 * Score every model on the same rows, in order, a batch at a time (one scan of the data), then
 * time single-row calls on a sample of rows for per-row latency.
 */
export async function scoreAll(engine: Engine, models: ScoringModel[], label: string, sliceColumns: string[], opts: { batchSize: number; latencySample: number; progress?: ReportProgress }): Promise<ScoredData> {
  let scored = 0;
  const ort = await importCommonJs(() => import('onnxruntime-node'));
  const needed = [...new Set([label, ...sliceColumns, ...models.flatMap((m) => m.inputs.flatMap((i) => i.columns))])];
  const yText: string[] = [];
  const yNum: number[] = [];
  const slices: Record<string, string[]> = Object.fromEntries(sliceColumns.map((c) => [c, [] as string[]]));
  const acc = models.map(() => ({ labels: [] as string[], proba: [] as Float32Array[], values: [] as number[], batchMs: [] as number[], classes: null as string[] | null }));
  const sample: Record<string, unknown>[] = [];
  let batch: Record<string, unknown>[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    for (const [i, m] of models.entries()) {
      const feeds = Object.fromEntries(m.inputs.map((b) => [b.spec.name, tensorFor(ort, b, batch, m.role)]));
      const t0 = performance.now();
      const out = await m.session.run(feeds, fetchesOf(m));
      acc[i]!.batchMs.push(performance.now() - t0);
      collect(m, out, acc[i]!, batch.length);
    }
    opts.progress?.('Scoring', (scored += batch.length), undefined, 'rows');
    batch = [];
  };

  // One scan; rows are held only until their batch has been scored.
  await engine.stream(`SELECT ${needed.map(quoteIdent).join(', ')} FROM ${VIEW}`, async (rows) => {
    for (const row of rows) {
      const y = row[label];
      yText.push(y === null || y === undefined ? '' : String(y));
      yNum.push(y === null || y === undefined ? NaN : Number(y));
      for (const c of sliceColumns) slices[c]!.push(row[c] === null || row[c] === undefined ? '(null)' : String(row[c]));
      if (sample.length < opts.latencySample) sample.push(row);
      batch.push(row);
      if (batch.length >= opts.batchSize) await flush();
    }
  });
  await flush();
  opts.progress?.('Scoring', scored, scored, 'rows');

  const results: ModelScores[] = [];
  for (const [i, m] of models.entries()) {
    const a = acc[i]!;
    const rowMs: number[] = [];
    for (const r of sample) {
      const feeds = Object.fromEntries(m.inputs.map((b) => [b.spec.name, tensorFor(ort, b, [r], m.role)]));
      const t0 = performance.now();
      await m.session.run(feeds, fetchesOf(m));
      rowMs.push(performance.now() - t0);
    }
    const proba = a.proba.length ? concat(a.proba) : null;
    let labels = a.labels.length ? a.labels : null;
    if (proba && a.classes) labels = argmaxLabels(proba, a.classes);
    results.push({ role: m.role, labels, proba, classes: a.classes, values: a.values.length ? Float64Array.from(a.values) : null, batchMs: a.batchMs, rowMs });
  }
  return { n: yText.length, yText, yNumber: Float64Array.from(yNum), slices, models: results };
}

/** The outputs we read (never a ZipMap: ONNX Runtime for Node cannot return it). */
function fetchesOf(m: ScoringModel): string[] {
  if (m.output.kind === 'regressor') return [m.output.value];
  // With probabilities and their class order the class is the argmax; otherwise read the label.
  if (m.output.proba && m.output.classes) return [m.output.proba];
  return [m.output.label, m.output.proba].filter((x): x is string => !!x);
}

function collect(m: ScoringModel, out: InferenceSession.ReturnType, a: { labels: string[]; proba: Float32Array[]; values: number[]; classes: string[] | null }, n: number): void {
  if (m.output.kind === 'regressor') {
    const data = out[m.output.value]!.data as Float32Array | Float64Array;
    for (let r = 0; r < n; r++) a.values.push(Number(data[r]));
    return;
  }
  if (m.output.label && !(m.output.proba && m.output.classes)) {
    const data = out[m.output.label]!.data as ArrayLike<string | bigint | number>;
    for (let r = 0; r < n; r++) a.labels.push(String(data[r]));
  }
  if (m.output.proba) {
    const t = out[m.output.proba]!;
    const k = Number(t.dims[1] ?? 1);
    a.proba.push(Float32Array.from(t.data as Float32Array));
    if (!a.classes) a.classes = m.output.classes ?? null;
    if (a.classes && a.classes.length !== k) throw new UserError(`the ${m.role} model gives ${k} probabilities per row but names ${a.classes.length} classes`);
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
