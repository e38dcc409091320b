import os from 'node:os';
import { float16Bits, fromFloat16 } from './float16.js';
import { type Datatype, type HostTensor, type InferResponse, type TensorData, HttpError, encodeTensor } from './protocol.js';

/**
 * Triton's binary tensor data extension (the default of Triton's own clients): the body is a JSON
 * header of `Inference-Header-Content-Length` bytes, then the tensors' raw bytes, little-endian,
 * row-major, in the order of the inputs (or outputs) whose `parameters.binary_data_size` gives
 * their length. BOOL is one byte, BYTES a 4-byte length before each element's bytes.
 */
export const INFERENCE_HEADER_LENGTH = 'inference-header-content-length';

const ARRAYS = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  INT8: Int8Array,
  UINT16: Uint16Array,
  INT16: Int16Array,
  FP16: Uint16Array,
  UINT32: Uint32Array,
  INT32: Int32Array,
  FP32: Float32Array,
  UINT64: BigUint64Array,
  INT64: BigInt64Array,
  FP64: Float64Array,
} as const;

/** Node's typed arrays use the host's byte order; the extension's is little-endian. */
const LITTLE_ENDIAN = os.endianness() === 'LE';

/** The JSON part of a request body and, with the extension's header, the binary part after it. */
export function splitBody(body: Buffer, headerLength: string | string[] | undefined): { json: unknown; binary: Buffer | null } {
  if (headerLength === undefined) {
    try {
      return { json: parseJson(body), binary: null };
    } catch (e) {
      // A complete JSON value followed by more bytes: most likely a binary request without its header.
      if (/after JSON/.test((e as Error).message)) throw new HttpError(400, `${(e as Error).message}; binary tensor data after the JSON needs the Inference-Header-Content-Length header`);
      throw e;
    }
  }
  const text = Array.isArray(headerLength) ? headerLength.join(',') : headerLength.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > body.length) {
    throw new HttpError(400, `Inference-Header-Content-Length must be the byte length of the JSON header at the start of the body (at most ${body.length}), got "${text}"`);
  }
  return { json: parseJson(body.subarray(0, n)), binary: body.subarray(n) };
}

export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** `count` elements of `datatype` from the extension's bytes, checked against their size. */
export function tensorDataFromBytes(datatype: Datatype, bytes: Buffer, count: number, what: string): TensorData {
  if (!LITTLE_ENDIAN) throw new HttpError(501, 'binary tensor data needs a little-endian host; send `data` as JSON');
  if (datatype === 'BYTES') return stringsFromBytes(bytes, count, what);
  const Ctor = ARRAYS[datatype];
  const need = count * Ctor.BYTES_PER_ELEMENT;
  if (bytes.length !== need) throw new HttpError(400, `${what}: binary_data_size is ${bytes.length} bytes, but ${count} ${datatype} elements take ${need}`);
  // A copy: aligned for the typed array, and not holding on to the request's buffer.
  const copy = new Uint8Array(need);
  copy.set(bytes);
  if (datatype === 'FP16') return fromFloat16(new Uint16Array(copy.buffer));
  if (datatype === 'BOOL') {
    const bad = copy.findIndex((b) => b > 1);
    if (bad >= 0) throw new HttpError(400, `${what}: element ${bad} is byte ${copy[bad]}, expected 0 or 1 for datatype BOOL`);
  }
  return new Ctor(copy.buffer) as TensorData;
}

function stringsFromBytes(bytes: Buffer, count: number, what: string): string[] {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const out = new Array<string>(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = at + 4 <= bytes.length ? bytes.readUInt32LE(at) : -1;
    if (len < 0 || at + 4 + len > bytes.length) throw new HttpError(400, `${what}: binary data ends inside BYTES element ${i} of ${count}`);
    try {
      out[i] = utf8.decode(bytes.subarray(at + 4, at + 4 + len));
    } catch {
      throw new HttpError(400, `${what}: BYTES element ${i} is not UTF-8 text`);
    }
    at += 4 + len;
  }
  if (at !== bytes.length) throw new HttpError(400, `${what}: binary data holds ${bytes.length - at} bytes after its ${count} BYTES elements`);
  return out;
}

/** A tensor's bytes as the extension sends them. */
export function tensorBytes(t: HostTensor): Buffer {
  if (!LITTLE_ENDIAN) throw new HttpError(501, 'binary tensor data needs a little-endian host; ask for JSON outputs');
  if (Array.isArray(t.data)) {
    const parts = t.data.flatMap((s) => {
      const text = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(text.length);
      return [len, text];
    });
    return Buffer.concat(parts);
  }
  const a = t.datatype === 'FP16' ? float16Bits(t.data as Float32Array) : t.data;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** An output of the reply, as JSON data or as binary data after the JSON header. */
export interface ReplyOutput {
  name: string;
  tensor: HostTensor;
  binary: boolean;
}

/**
 * The inference reply: JSON alone, or, when any output is binary, the JSON header followed by
 * those outputs' bytes (`headerLength` is then the JSON's byte length).
 */
export function encodeInferReply(head: Omit<InferResponse, 'outputs'>, outputs: ReplyOutput[]): { body: Buffer; headerLength: number | null } {
  const parts: Buffer[] = [];
  const entries = outputs.map((o) => {
    if (!o.binary) return encodeTensor(o.name, o.tensor);
    const bytes = tensorBytes(o.tensor);
    parts.push(bytes);
    return { name: o.name, datatype: o.tensor.datatype, shape: o.tensor.shape, parameters: { binary_data_size: bytes.length } };
  });
  const json = Buffer.from(JSON.stringify({ ...head, outputs: entries }), 'utf8');
  if (parts.length === 0) return { body: json, headerLength: null };
  return { body: Buffer.concat([json, ...parts]), headerLength: json.length };
}
