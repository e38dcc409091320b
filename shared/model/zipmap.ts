import { type Field, lengthField, readFields, text, varintField } from './protobuf.js';

/** A ZipMap output replaced by the probability tensor it wraps. */
export interface UnwrappedZipMap {
  /** The model's output name (a sequence of maps ONNX Runtime for Node cannot return). */
  output: string;
  /** The float tensor [N, classes] feeding it, now also a graph output. */
  tensor: string;
  /** Column order of that tensor. */
  classes: string[];
}

// ONNX field numbers (onnx.proto3).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_NAME = 1;
const ATTR_INTS = 8;
const ATTR_STRINGS = 9;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const FLOAT = 1;

/**
 * onnxruntime-node cannot return ZipMap outputs (sequences of maps). Classifiers converted by
 * skl2onnx end in ZipMap by default, so the probability tensor it wraps is added to the graph's
 * outputs (the graph is otherwise unchanged) and its class order read from the ZipMap node.
 * Returns the amended model bytes, or the same bytes when there is no ZipMap.
 */
export function unwrapZipMap(model: Buffer): { model: Buffer; zipmaps: UnwrappedZipMap[] } {
  const top = readFields(model);
  const graphField = top.find((f) => f.field === MODEL_GRAPH && Buffer.isBuffer(f.value));
  if (!graphField) return { model, zipmaps: [] };
  const graph = readFields(graphField.value as Buffer);
  const zipmaps: UnwrappedZipMap[] = [];
  for (const f of graph) {
    if (f.field !== GRAPH_NODE) continue;
    const node = readFields(f.value as Buffer);
    if (text(node.find((n) => n.field === NODE_OP_TYPE)) !== 'ZipMap') continue;
    const input = text(node.find((n) => n.field === NODE_INPUT));
    const output = text(node.find((n) => n.field === NODE_OUTPUT));
    if (!input || !output) continue;
    let classes: string[] = [];
    for (const a of node.filter((n) => n.field === NODE_ATTRIBUTE)) {
      const attr = readFields(a.value as Buffer);
      const name = text(attr.find((x) => x.field === ATTR_NAME));
      if (name === 'classlabels_strings') classes = attr.filter((x) => x.field === ATTR_STRINGS).map((x) => text(x)!);
      if (name === 'classlabels_int64s') classes = int64s(attr.filter((x) => x.field === ATTR_INTS));
    }
    zipmaps.push({ output, tensor: input, classes });
  }
  if (zipmaps.length === 0) return { model, zipmaps };
  const declared = new Set(graph.filter((f) => f.field === GRAPH_OUTPUT).map((f) => text(readFields(f.value as Buffer).find((x) => x.field === VALUE_INFO_NAME))));
  const extra = zipmaps
    .filter((z) => !declared.has(z.tensor))
    .map((z) => lengthField(GRAPH_OUTPUT, Buffer.concat([lengthField(VALUE_INFO_NAME, z.tensor), lengthField(VALUE_INFO_TYPE, lengthField(TYPE_TENSOR, varintField(TENSOR_ELEM_TYPE, FLOAT)))])));
  const newGraph = Buffer.concat([graphField.value as Buffer, ...extra]);
  const rebuilt = top.map((f) => (f === graphField ? lengthField(MODEL_GRAPH, newGraph) : f.raw));
  return { model: Buffer.concat(rebuilt), zipmaps };
}

/** Repeated int64 attribute values, packed or not, as text. */
function int64s(fields: Field[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (typeof f.value === 'number') out.push(String(f.value));
    else for (const v of readPacked(f.value)) out.push(String(v));
  }
  return out;
}

function readPacked(buf: Buffer): number[] {
  const out: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    out.push(result);
  }
  return out;
}
