import { z } from 'zod';
import { tensorDataFromBytes } from './binary.js';

/** Open Inference Protocol v2 tensor element types. */
export const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
export type Datatype = (typeof DATATYPES)[number];

/** ONNX Runtime's element type for each protocol datatype, and back. */
const ORT_TYPE: Record<Datatype, string> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};
const FROM_ORT = new Map(Object.entries(ORT_TYPE).map(([dt, ort]) => [ort, dt as Datatype]));

export function ortTypeOf(datatype: Datatype): string {
  return ORT_TYPE[datatype];
}

export function datatypeOfOrt(ortType: string): Datatype | null {
  return FROM_ORT.get(ortType) ?? null;
}

/**
 * A tensor's elements in memory. FP16 values are held as float32 (converted at the ONNX Runtime
 * boundary), BOOL as 0/1 bytes, BYTES as strings.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | string[];

export interface HostTensor {
  datatype: Datatype;
  shape: number[];
  data: TensorData;
}

/** A model input or output as the protocol describes it; -1 marks a dynamic dimension. */
export interface TensorMetadata {
  name: string;
  datatype: Datatype;
  shape: number[];
}

/** An error the client caused (or a state it must wait out), answered as `{"error": message}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Headers the reply must carry (`Allow` on a 405). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const parametersSchema = z.record(z.string(), z.unknown()).optional();

export const inferRequestSchema = z.object({
  id: z.string().optional(),
  parameters: parametersSchema,
  inputs: z
    .array(
      z.object({
        name: z.string().min(1),
        shape: z.array(z.number().int().nonnegative()),
        datatype: z.string(),
        parameters: parametersSchema,
        /** Absent when the input's bytes follow the JSON (binary tensor data extension). */
        data: z.array(z.unknown()).optional(),
      }),
    )
    .min(1, 'at least one input is required'),
  outputs: z.array(z.object({ name: z.string().min(1), parameters: parametersSchema })).optional(),
});
export type InferRequest = z.infer<typeof inferRequestSchema>;

export const inferResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string(),
  parameters: parametersSchema,
  outputs: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int()),
      datatype: z.enum(DATATYPES),
      /** `binary_data_size` when the data follows the JSON instead of `data`. */
      parameters: z.object({ binary_data_size: z.number().int().nonnegative() }).optional(),
      data: z.array(z.unknown()).optional(),
    }),
  ),
});
export type InferResponse = z.infer<typeof inferResponseSchema>;

/**
 * An inference request: the common shape (only the fields of the schema, each of the right type)
 * is taken as it is, anything else goes through the schema, which gives the same result or the
 * 400 naming the first issue. The schema's parse copies every object and costs more than the
 * model run of a small request.
 */
export function parseInferRequest(body: unknown): InferRequest {
  return isPlainInferRequest(body) ? body : parseBody(inferRequestSchema, body, 'inference request');
}

const REQUEST_KEYS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const INPUT_KEYS = new Set(['name', 'shape', 'datatype', 'parameters', 'data']);
const OUTPUT_KEYS = new Set(['name', 'parameters']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Every key known (the schema would drop the others: a copy), every field valid by the schema. */
function onlyKeys(o: Record<string, unknown>, keys: Set<string>): boolean {
  for (const k in o) if (!keys.has(k)) return false;
  return true;
}

function isParameters(v: unknown): boolean {
  return v === undefined || (isObject(v) && !Object.getOwnPropertySymbols(v).length);
}

function isPlainInferRequest(body: unknown): body is InferRequest {
  if (!isObject(body) || !onlyKeys(body, REQUEST_KEYS)) return false;
  if (body.id !== undefined && typeof body.id !== 'string') return false;
  if (!isParameters(body.parameters)) return false;
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const input of inputs) {
    if (!isObject(input) || !onlyKeys(input, INPUT_KEYS)) return false;
    if (typeof input.name !== 'string' || input.name.length === 0 || typeof input.datatype !== 'string') return false;
    if (!isParameters(input.parameters)) return false;
    if (input.data !== undefined && !Array.isArray(input.data)) return false;
    const shape = input.shape;
    if (!Array.isArray(shape)) return false;
    for (const d of shape) if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return false;
  }
  const outputs = body.outputs;
  if (outputs === undefined) return true;
  if (!Array.isArray(outputs)) return false;
  for (const o of outputs) {
    if (!isObject(o) || !onlyKeys(o, OUTPUT_KEYS) || typeof o.name !== 'string' || o.name.length === 0 || !isParameters(o.parameters)) return false;
  }
  return true;
}

/** The convenience endpoint: rows of named features (objects), or positional rows (arrays). */
export const predictRequestSchema = z.union([
  z.object({ rows: z.array(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())])).min(1, 'at least one row is required') }),
  z.object({ instances: z.array(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())])).min(1, 'at least one instance is required') }),
]);
export type PredictRequest = z.infer<typeof predictRequestSchema>;

/** Parse an untrusted body with a schema; the first issue becomes a 400 naming its path. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw new HttpError(400, `invalid ${what}: ${where}${issue.message}`);
}

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function describeTensor(t: TensorMetadata): string {
  return `${t.name} (${t.datatype} ${describeShape(t.shape)})`;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major data given flat or nested; nested data must follow the declared shape exactly. */
export function flattenData(data: unknown[], shape: number[], name: string): unknown[] {
  if (!data.some(Array.isArray)) return data;
  const out: unknown[] = [];
  const walk = (level: unknown[], depth: number): void => {
    if (depth >= shape.length || level.length !== shape[depth]) {
      throw new HttpError(400, `input "${name}": nested data does not follow shape ${describeShape(shape)} (${level.length} items at depth ${depth})`);
    }
    const innermost = depth === shape.length - 1;
    for (const item of level) {
      if (Array.isArray(item) === innermost) throw new HttpError(400, `input "${name}": nested data does not follow shape ${describeShape(shape)} (depth ${depth + 1})`);
      if (innermost) out.push(item);
      else walk(item as unknown[], depth + 1);
    }
  };
  walk(data, 0);
  return out;
}

const INT_RANGE: Partial<Record<Datatype, [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
};

/**
 * JSON values -> typed elements of `datatype`. Floats accept null as NaN (a missing value);
 * 64-bit integers accept numbers or decimal strings; BOOL accepts booleans or 0/1.
 */
export function toTensorData(datatype: Datatype, values: readonly unknown[], what: string): TensorData {
  const n = values.length;
  switch (datatype) {
    case 'FP16':
    case 'FP32':
    case 'FP64': {
      const out = datatype === 'FP64' ? new Float64Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v === 'number') out[i] = v;
        else if (v === null) out[i] = NaN;
        else throw badElement(datatype, values, i, 'a number', what);
      }
      return out;
    }
    case 'INT64':
    case 'UINT64': {
      const out = datatype === 'INT64' ? new BigInt64Array(n) : new BigUint64Array(n);
      const [lo, hi] = datatype === 'INT64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let b: bigint;
        if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
        else if (typeof v === 'string' && /^-?\d+$/.test(v)) b = BigInt(v);
        else throw badElement(datatype, values, i, 'an integer', what);
        if (b < lo || b > hi) throw badElement(datatype, values, i, 'an integer in range', what);
        out[i] = b;
      }
      return out;
    }
    case 'BOOL': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === true || v === 1) out[i] = 1;
        else if (v !== false && v !== 0) throw badElement(datatype, values, i, 'true or false', what);
      }
      return out;
    }
    case 'BYTES': {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'string') throw badElement(datatype, values, i, 'a string', what);
        out[i] = v;
      }
      return out;
    }
    default: {
      const [lo, hi] = INT_RANGE[datatype]!;
      const Ctor = { INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array }[datatype];
      const out = new Ctor(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw badElement(datatype, values, i, `an integer in [${lo}, ${hi}]`, what);
        out[i] = v;
      }
      return out;
    }
  }
}

function badElement(datatype: Datatype, values: readonly unknown[], i: number, expected: string, what: string): HttpError {
  return new HttpError(400, `${what}: element ${i} is ${JSON.stringify(values[i]) ?? 'undefined'}, expected ${expected} for datatype ${datatype}`);
}

/**
 * The request's inputs checked against the model's: every input present once, by name, with the
 * model's datatype, a shape of the same rank whose fixed dimensions match, and as many elements
 * as the shape holds.
 */
export function decodeInputs(request: InferRequest, specs: readonly TensorMetadata[], binary: Buffer | null = null): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  let offset = 0;
  for (const input of request.inputs) {
    const spec = specNamed(specs, input.name);
    if (!spec) throw new HttpError(400, `unknown input "${input.name}"; the model's inputs are ${specs.map(describeTensor).join(', ')}`);
    if (out[input.name]) throw new HttpError(400, `input "${input.name}" is given twice`);
    if (input.datatype !== spec.datatype) throw new HttpError(400, `input "${input.name}": expected datatype ${spec.datatype}, got ${input.datatype}`);
    if (!shapeFits(input.shape, spec.shape)) throw new HttpError(400, `input "${input.name}": expected shape ${describeShape(spec.shape)} (-1: any size), got ${describeShape(input.shape)}`);
    const expected = elementCount(input.shape);
    const what = `input "${input.name}"`;
    const size = input.parameters?.binary_data_size;
    if (size !== undefined) {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new HttpError(400, `${what}: parameters.binary_data_size must be a byte count, got ${JSON.stringify(size)}`);
      if (input.data !== undefined) throw new HttpError(400, `${what} has both data and parameters.binary_data_size; give one`);
      if (!binary) throw new HttpError(400, `${what} has parameters.binary_data_size, but the request has no Inference-Header-Content-Length header saying where the JSON ends`);
      if (offset + size > binary.length) throw new HttpError(400, `${what}: its binary data (bytes ${offset}..${offset + size} after the JSON) runs past the body's ${binary.length} bytes`);
      out[input.name] = { datatype: spec.datatype, shape: [...input.shape], data: tensorDataFromBytes(spec.datatype, binary.subarray(offset, offset + size), expected, what) };
      offset += size;
      continue;
    }
    if (input.data === undefined) throw new HttpError(400, `${what} has no data (nor parameters.binary_data_size)`);
    const flat = flattenData(input.data, input.shape, input.name);
    if (flat.length !== expected) throw new HttpError(400, `${what}: shape ${describeShape(input.shape)} holds ${expected} elements, data has ${flat.length}`);
    out[input.name] = { datatype: spec.datatype, shape: [...input.shape], data: toTensorData(spec.datatype, flat, what) };
  }
  if (binary && offset !== binary.length) throw new HttpError(400, `the body holds ${binary.length - offset} bytes of binary data after the JSON that no input's binary_data_size claims`);
  if (request.inputs.length === specs.length) return out; // each input found once, by name: none missing
  const missing = specs.filter((s) => !out[s.name]);
  if (missing.length) throw new HttpError(400, `missing input${missing.length > 1 ? 's' : ''} ${missing.map(describeTensor).join(', ')}`);
  return out;
}

/** The spec of that name (a loop: models have a handful of inputs, and a Map per request costs more). */
function specNamed(specs: readonly TensorMetadata[], name: string): TensorMetadata | undefined {
  for (let i = 0; i < specs.length; i++) if (specs[i]!.name === name) return specs[i];
  return undefined;
}

/** Same rank, and every fixed dimension of the model's equal to the request's. */
function shapeFits(shape: readonly number[], spec: readonly number[]): boolean {
  if (shape.length !== spec.length) return false;
  for (let i = 0; i < spec.length; i++) if (spec[i]! >= 0 && spec[i] !== shape[i]) return false;
  return true;
}

/** An output the request asks for, and whether as binary data (binary tensor data extension). */
export interface RequestedOutput {
  name: string;
  binary: boolean;
}

/**
 * The outputs to send: those named in `outputs` (default: all the model's), each as binary data
 * when its `parameters.binary_data` says so, else as the request's `binary_data_output` says.
 */
export function requestedOutputs(request: InferRequest, specs: readonly TensorMetadata[]): RequestedOutput[] {
  const binary = flag(request.parameters?.binary_data_output, null) ?? false;
  if (!request.outputs) return specs.map((o) => ({ name: o.name, binary }));
  return request.outputs.map((o) => {
    if (!specNamed(specs, o.name)) throw new HttpError(400, `unknown output "${o.name}"; the model's outputs are ${specs.map((x) => x.name).join(', ')}`);
    if (o.parameters?.classification !== undefined) throw new HttpError(400, `output "${o.name}": the classification extension is not supported; ask for the output itself and take its top classes`);
    return { name: o.name, binary: flag(o.parameters?.binary_data, o.name) ?? binary };
  });
}

/** A binary-data flag: absent, or true or false (`output`: the output's own, else the request's). */
function flag(value: unknown, output: string | null): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  const what = output === null ? 'parameters.binary_data_output' : `output "${output}": parameters.binary_data`;
  throw new HttpError(400, `${what} must be true or false, got ${JSON.stringify(value)}`);
}

/** Rows along dimension 0, when every input agrees on it (what dynamic batching merges). */
export function batchRows(inputs: Record<string, HostTensor>): number | null {
  let rows: number | null = null;
  for (const t of Object.values(inputs)) {
    const d = t.shape[0];
    if (d === undefined) return null;
    if (rows !== null && rows !== d) return null;
    rows = d;
  }
  return rows;
}

/** A tensor as JSON: flat row-major data; integers beyond 2^53 lose precision as JSON numbers. */
export function encodeTensor(name: string, t: HostTensor): InferResponse['outputs'][number] {
  let data: unknown[];
  if (Array.isArray(t.data)) data = t.data;
  else if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) data = Array.from(t.data, Number);
  else if (t.datatype === 'BOOL') data = Array.from(t.data as Uint8Array, (v) => v !== 0);
  else data = Array.from(t.data as ArrayLike<number>);
  return { name, shape: t.shape, datatype: t.datatype, data };
}

/** Concatenate tensors' data along dimension 0 (same datatype, same trailing dimensions). */
export function concatData(parts: TensorData[]): TensorData {
  const first = parts[0]!;
  if (Array.isArray(first)) return ([] as string[]).concat(...(parts as string[][]));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const Ctor = first.constructor as new (n: number) => Exclude<TensorData, string[]>;
  const out = new Ctor(total);
  let offset = 0;
  for (const p of parts) {
    (out as { set(a: ArrayLike<unknown>, o: number): void }).set(p as ArrayLike<unknown>, offset);
    offset += p.length;
  }
  return out;
}

/** Elements [start, end) of a tensor's data, as its own copy. */
export function sliceData(data: TensorData, start: number, end: number): TensorData {
  return data.slice(start, end) as TensorData;
}
