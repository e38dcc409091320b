import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Engine } from '../data/engine.js';
import { quoteIdent } from '../data/engine.js';
import { type Column, VIEW } from '../data/table.js';
import { createSession, onnxRuntime, type Ort } from './onnx.js';
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
  /** null when there is no label (batch inference). */
  label: string | null;
  slices?: string[];
  /** Columns copied beside the predictions (ids): never fed unless listed in `features`. */
  keys?: string[];
  /** The `features` input: the columns of a single [N, k] input, in the model's order. */
  features?: string[];
}

/** "the candidate model", or "the model" for the only one (role ''). */
const theModel = (role: string) => (role ? `the ${role} model` : 'the model');

/** [N, 4]: a dynamic dimension by its name, or N. */
const shapeText = (s: TensorSpec) => s.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' && d ? d : 'N')).join(', ');

/** A model file's bytes and header, or a UserError when it is not an ONNX model at all. */
function readOnnx(role: string, file: string, display: string): { zip: ReturnType<typeof unwrapZipMap>; header: OnnxHeader } {
  const bytes = readUserFile(file, { display });
  try {
    return { zip: unwrapZipMap(bytes), header: readOnnxHeader(file) };
  } catch (e) {
    throw new UserError(`${theModel(role)} is not an ONNX model (${(e as Error).message})`, {
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
    if (roles.label !== null && list.includes(roles.label)) throw new UserError(`${from} lists the label column "${roles.label}": a model must not be fed its own answer`, { where, fix: 'remove the label from the features' });
    if (list.length !== width) throw new UserError(`${from} lists ${list.length} column(s), but ${theModel(role)}'s input "${s.name}" takes ${width}`, { where, fix: `list the ${width} columns the model was trained on, in its order` });
    return list;
  };
  if (roles.features?.length) return check(roles.features, 'the `features` input', { input: 'features' });
  const meta = metadataFeatures(header);
  if (meta) return check(meta, `${theModel(role)}'s \`features\` metadata`, { file: display });
  const set = new Set([roles.label, ...(roles.slices ?? []), ...(roles.keys ?? [])]);
  const rest = names.filter((c) => !set.has(c));
  if (rest.length === width) return rest;
  const besides = [roles.label !== null ? 'the label' : '', roles.slices?.length ? 'the slices' : '', roles.keys?.length ? 'the key columns' : ''].filter(Boolean);
  throw new UserError(
    `${theModel(role)}'s input "${s.name}" (${s.type} [${shapeText(s)}]) takes ${width} columns, but the data has ${rest.length}${besides.length ? ` besides ${besides.join(' and ')}` : ''} (${rest.join(', ')}), and the model names no \`features\` in its metadata`,
    { where: { input: 'features' }, fix: `set \`features\` to the ${width} columns the model was trained on, in its order (e.g. features: ${rest.slice(0, width).join(', ')})` },
  );
}

const NUMERIC_COLUMN = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN)$/;
const INTEGER_COLUMN = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|BOOLEAN)$/;

/**
 * A numeric input must be fed numbers: a text or date column would become NaN, and a fractional
 * column an integer input would truncate, silently. String inputs take any column (as text).
 */
function checkColumnTypes(role: string, inputs: InputBinding[], columns: Column[], display: string): void {
  const typeOf = new Map(columns.map((c) => [c.name, c.type]));
  for (const b of inputs) {
    if (b.spec.type === 'string') continue;
    const integer = /^u?int/.test(b.spec.type);
    for (const c of b.columns) {
      const type = typeOf.get(c) ?? '';
      if ((integer ? INTEGER_COLUMN : NUMERIC_COLUMN).test(type)) continue;
      throw new UserError(`column "${c}" is ${type} but ${theModel(role)}'s input "${b.spec.name}" takes ${b.spec.type}`, {
        where: { file: display },
        fix: integer && NUMERIC_COLUMN.test(type)
          ? `give whole numbers in "${c}" (the model takes ${b.spec.type}), or a model that takes floats`
          : `give numbers in "${c}" (values that do not parse as numbers make the column text: look for stray text, units or a different decimal separator), or a model whose input "${b.spec.name}" is a string`,
      });
    }
  }
}

/** Load a model for scoring: ZipMap unwrapped, inputs bound to columns by name, outputs understood. */
export async function prepareModel(role: string, file: string, display: string, columns: Column[], label: string | null, log: Logger, roles: Omit<ColumnRoles, 'label'> = {}): Promise<ScoringModel> {
  const { zip: { model, zipmaps }, header } = readOnnx(role, file, display);
  const ort = await onnxRuntime(log);
  let session: InferenceSession;
  try {
    session = await createSession(ort, model);
  } catch (e) {
    throw new UserError(`${theModel(role)} does not load in ONNX Runtime: ${(e as Error).message.split('\n')[0]}`, { where: { file: display } });
  }
  const spec = (m: InferenceSession.ValueMetadata): TensorSpec => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] });
  const signature = { inputs: session.inputMetadata.map(spec), outputs: session.outputMetadata.map(spec) };
  const byName = new Map(columns.map((c) => [c.name, c.name]));
  const byLower = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  const bound = signature.inputs.map((s): InputBinding | null => {
    const width = typeof s.shape[1] === 'number' ? s.shape[1] : 1;
    const column = byName.get(s.name) ?? byLower.get(s.name.toLowerCase());
    if (column && width === 1 && column !== label) return { spec: s, columns: [column] };
    if (width > 1 && signature.inputs.length === 1) return { spec: s, columns: matrixColumns(role, s, width, columns, { label, ...roles }, header, display) };
    return null;
  });
  const missing = signature.inputs.filter((_, k) => !bound[k]);
  if (missing.length) {
    const wants = (s: TensorSpec) => `"${s.name}" (${s.type} [${shapeText(s)}])`;
    throw new UserError(`the data has no column for ${theModel(role)}'s input${missing.length > 1 ? 's' : ''} ${missing.map(wants).join(', ')}`, {
      where: { file: display },
      fix: `name the data columns after the model's inputs (${signature.inputs.map((i) => i.name).join(', ')}); data columns: ${columns.map((c) => c.name).join(', ')}`,
    });
  }
  const inputs = bound as InputBinding[];
  checkColumnTypes(role, inputs, columns, display);
  const metaClasses = metadataList(header, 'classes')?.map(String) ?? null;
  const outputs = signature.outputs;
  const zip = zipmaps[0];
  const probaOut = zip ? zip.tensor : (outputs.find((o) => o.type === 'float32' && o.shape.length === 2 && /prob/i.test(o.name)) ?? outputs.find((o) => o.type === 'float32' && o.shape.length === 2 && o.shape[1] !== 1))?.name;
  const labelOut = outputs.find((o) => o.name !== zip?.output && (o.type === 'string' || o.type === 'int64') && o.shape.length <= 1)?.name ?? outputs.find((o) => /label/i.test(o.name) && o.type !== 'non-tensor')?.name;
  let output: OutputPlan;
  if (probaOut || labelOut) output = { kind: 'classifier', label: labelOut ?? null, proba: probaOut ?? null, classes: zip?.classes ?? metaClasses };
  else {
    const value = outputs.find((o) => o.type === 'float32' || o.type === 'float64');
    if (!value) throw new UserError(`${theModel(role)} has no output we can score (${outputs.map((o) => `${o.name}: ${o.type}`).join(', ')})`, { where: { file: display } });
    output = { kind: 'regressor', value: value.name };
  }
  return { role, session, signature, inputs, output };
}

function tensorFor(ort: Ort, b: InputBinding, rows: Record<string, unknown>[], role: string): Tensor {
  const n = rows.length;
  const width = b.columns.length;
  const shape = b.spec.shape.length <= 1 ? [n] : [n, width];
  if (b.spec.type === 'string') return new ort.Tensor('string', rows.flatMap((r) => b.columns.map((c) => String(r[c] ?? ''))), shape);
  if (b.spec.type === 'bool') return new ort.Tensor('bool', Uint8Array.from(rows.flatMap((r) => b.columns.map((c) => (r[c] ? 1 : 0)))), shape);
  const make = NUMERIC_TYPES[b.spec.type];
  if (!make) throw new UserError(`${theModel(role)}'s input "${b.spec.name}" has type ${b.spec.type}, which scoring does not support yet`);
  const data = make(n * width) as Float32Array | Float64Array | Int32Array | BigInt64Array;
  let k = 0;
  for (const r of rows) {
    for (const c of b.columns) {
      const v = r[c];
      if (data instanceof BigInt64Array) {
        if (v === null || v === undefined) throw new UserError(`column "${c}" has nulls but ${theModel(role)}'s input "${b.spec.name}" is int64`, { fix: 'fill or drop the missing values before scoring' });
        data[k++] = BigInt(Math.trunc(Number(v)));
      } else data[k++] = v === null || v === undefined ? NaN : Number(v);
    }
  }
  return new ort.Tensor(b.spec.type as 'float32', data as Float32Array, shape);
}

/** One batch scored by one model. */
export interface BatchScores {
  /** Predicted class per row (the argmax of the probabilities when the model gives them and names its classes). */
  labels: string[] | null;
  /** rows x classes.length, row-major, in `classes` order. */
  proba: Float32Array | null;
  classes: string[] | null;
  values: Float64Array | null;
  /** Milliseconds of the session.run call. */
  ms: number;
}

/** Score a batch of rows (column name -> value) with one model. */
export async function scoreBatch(ort: Ort, m: ScoringModel, rows: Record<string, unknown>[]): Promise<BatchScores> {
  const feeds = Object.fromEntries(m.inputs.map((b) => [b.spec.name, tensorFor(ort, b, rows, m.role)]));
  const t0 = performance.now();
  const out = await m.session.run(feeds, fetchesOf(m));
  const ms = performance.now() - t0;
  const n = rows.length;
  if (m.output.kind === 'regressor') {
    const data = out[m.output.value]!.data as Float32Array | Float64Array;
    return { labels: null, proba: null, classes: null, values: Float64Array.from(data.subarray(0, n)), ms };
  }
  let labels: string[] | null = null;
  let proba: Float32Array | null = null;
  const classes = m.output.classes;
  if (m.output.proba) {
    const t = out[m.output.proba]!;
    const k = Number(t.dims[1] ?? 1);
    proba = Float32Array.from(t.data as Float32Array);
    if (classes && classes.length !== k) throw new UserError(`the ${m.role} model gives ${k} probabilities per row but names ${classes.length} classes`);
    if (classes) labels = argmaxLabels(proba, classes);
  }
  if (!labels && m.output.label) {
    const data = out[m.output.label]!.data as ArrayLike<string | bigint | number>;
    labels = Array.from({ length: n }, (_, r) => String(data[r]));
  }
  return { labels, proba, classes, values: null, ms };
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
  const acc = models.map(() => ({ labels: [] as string[], proba: [] as Float32Array[], values: [] as Float64Array[], batchMs: [] as number[], classes: null as string[] | null }));
  const sample: Record<string, unknown>[] = [];
  let batch: Record<string, unknown>[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    for (const [i, m] of models.entries()) {
      const s = await scoreBatch(ort, m, batch);
      const a = acc[i]!;
      a.batchMs.push(s.ms);
      if (s.labels) for (const l of s.labels) a.labels.push(l);
      if (s.proba) a.proba.push(s.proba);
      if (s.values) a.values.push(s.values);
      a.classes ??= s.classes;
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
    for (const r of sample) rowMs.push((await scoreBatch(ort, m, [r])).ms);
    results.push({
      role: m.role,
      labels: a.labels.length ? a.labels : null,
      proba: a.proba.length ? concat(a.proba, (n) => new Float32Array(n)) : null,
      classes: a.classes,
      values: a.values.length ? concat(a.values, (n) => new Float64Array(n)) : null,
      batchMs: a.batchMs,
      rowMs,
    });
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

function concat<T extends Float32Array | Float64Array>(parts: T[], make: (n: number) => T): T {
  const out = make(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
