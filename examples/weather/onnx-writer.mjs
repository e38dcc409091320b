// A tiny ONNX writer: just enough protobuf to serialize a ModelProto, with no dependencies.
//
// Protobuf wire format: every field is a key varint (field_number << 3 | wire_type) and a
// value: wire type 0 = varint (ints, enums), 2 = length-delimited (strings, bytes, nested
// messages), 5 = 4-byte little-endian (float). Field numbers below are from onnx.proto
// (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto). Fields are written in field-number
// order and repeated numeric fields unpacked (onnx.proto is proto2), which is the byte layout
// the official protobuf serializers produce, so a parse + re-serialize round trip is identical.

/** TensorProto.DataType values used here. */
export const DataType = Object.freeze({ FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 });

/** AttributeProto.AttributeType values. */
const AttrType = Object.freeze({ FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 });

const utf8 = new TextEncoder();
const TWO_64 = 1n << 64n;

class Writer {
  constructor() {
    this.chunks = [];
    this.length = 0;
  }
  push(bytes) {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  /** An unsigned varint; negative int64 values become their 10-byte two's complement. */
  varint(value) {
    let v = BigInt(value);
    if (v < 0n) v += TWO_64;
    if (v < 0n || v >= TWO_64) throw new RangeError(`varint out of int64 range: ${value}`);
    const out = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }
  key(field, wireType) {
    this.varint((field << 3) | wireType);
  }
  int(field, value) {
    this.key(field, 0);
    this.varint(value);
  }
  float(field, value) {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
  }
  bytes(field, bytes) {
    this.key(field, 2);
    this.varint(bytes.length);
    this.push(bytes);
  }
  string(field, s) {
    this.bytes(field, utf8.encode(s));
  }
  /** A nested message: `build` fills a fresh Writer. */
  message(field, build) {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }
  finish() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// ---- attributes ---------------------------------------------------------------------------

/** Attribute constructors for NodeProto.attributes. */
export const attr = {
  int: (name, value) => ({ name, type: AttrType.INT, value }),
  float: (name, value) => ({ name, type: AttrType.FLOAT, value }),
  string: (name, value) => ({ name, type: AttrType.STRING, value }),
  ints: (name, value) => ({ name, type: AttrType.INTS, value }),
  floats: (name, value) => ({ name, type: AttrType.FLOATS, value }),
  strings: (name, value) => ({ name, type: AttrType.STRINGS, value }),
};

function writeAttribute(w, a) {
  // AttributeProto: 1 name, 2 f, 3 i, 4 s, 7 floats, 8 ints, 9 strings, 20 type
  w.string(1, a.name);
  switch (a.type) {
    case AttrType.FLOAT: w.float(2, a.value); break;
    case AttrType.INT: w.int(3, a.value); break;
    case AttrType.STRING: w.string(4, a.value); break;
    case AttrType.FLOATS: for (const v of a.value) w.float(7, v); break;
    case AttrType.INTS: for (const v of a.value) w.int(8, v); break;
    case AttrType.STRINGS: for (const v of a.value) w.string(9, v); break;
    default: throw new Error(`unsupported attribute type ${a.type} for ${a.name}`);
  }
  w.int(20, a.type);
}

// ---- tensors, types, nodes, graph, model --------------------------------------------------

function rawData(dataType, values) {
  const n = values.length;
  if (dataType === DataType.FLOAT) {
    const b = new Uint8Array(n * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, values[i], true);
    return b;
  }
  if (dataType === DataType.INT64) {
    const b = new Uint8Array(n * 8);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, BigInt(values[i]), true);
    return b;
  }
  throw new Error(`unsupported initializer data type ${dataType}`);
}

/** TensorProto: 1 dims, 2 data_type, 6 string_data, 8 name, 9 raw_data. */
function writeTensor(w, t) {
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (size !== t.values.length) throw new Error(`tensor ${t.name}: dims ${t.dims} but ${t.values.length} values`);
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  if (t.dataType === DataType.STRING) for (const s of t.values) w.string(6, s);
  w.string(8, t.name);
  if (t.dataType !== DataType.STRING) w.bytes(9, rawData(t.dataType, t.values));
}

/** ValueInfoProto for a tensor: shape entries are numbers (dim_value) or strings (dim_param). */
function writeValueInfo(w, v) {
  w.string(1, v.name); // ValueInfoProto.name
  w.message(2, (type) => { // ValueInfoProto.type: TypeProto
    type.message(1, (tensor) => { // TypeProto.tensor_type
      tensor.int(1, v.elemType); // elem_type
      if (v.shape) {
        tensor.message(2, (shape) => { // TensorShapeProto
          for (const d of v.shape) {
            shape.message(1, (dim) => { // Dimension: 1 dim_value, 2 dim_param
              if (typeof d === 'number') dim.int(1, d);
              else dim.string(2, d);
            });
          }
        });
      }
    });
  });
}

/** NodeProto: 1 input, 2 output, 3 name, 4 op_type, 5 attribute, 7 domain. */
function writeNode(w, n) {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, (aw) => writeAttribute(aw, a));
  if (n.domain) w.string(7, n.domain);
}

/** GraphProto: 1 node, 2 name, 5 initializer, 10 doc_string, 11 input, 12 output. */
function writeGraph(w, g) {
  for (const n of g.nodes) w.message(1, (nw) => writeNode(nw, n));
  w.string(2, g.name);
  for (const t of g.initializers ?? []) w.message(5, (tw) => writeTensor(tw, t));
  if (g.docString) w.string(10, g.docString);
  for (const v of g.inputs) w.message(11, (vw) => writeValueInfo(vw, v));
  for (const v of g.outputs) w.message(12, (vw) => writeValueInfo(vw, v));
}

/**
 * Serialize a ModelProto.
 * @param {object} m
 * @param {number} m.irVersion
 * @param {{domain: string, version: number}[]} m.opsets   opset_import; '' is ai.onnx
 * @param {string} [m.producerName]
 * @param {string} [m.producerVersion]
 * @param {string} [m.domain]
 * @param {number} [m.modelVersion]
 * @param {string} [m.docString]
 * @param {object} m.graph  {name, nodes, initializers, inputs, outputs, docString}
 * @param {Record<string,string>} [m.metadata]  metadata_props, written in the given key order
 * @returns {Uint8Array}
 */
export function encodeModel(m) {
  // ModelProto: 1 ir_version, 2 producer_name, 3 producer_version, 4 domain, 5 model_version,
  // 6 doc_string, 7 graph, 8 opset_import, 14 metadata_props
  const w = new Writer();
  w.int(1, m.irVersion);
  if (m.producerName) w.string(2, m.producerName);
  if (m.producerVersion) w.string(3, m.producerVersion);
  if (m.domain) w.string(4, m.domain);
  if (m.modelVersion !== undefined) w.int(5, m.modelVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, (gw) => writeGraph(gw, m.graph));
  for (const o of m.opsets) {
    w.message(8, (ow) => { // OperatorSetIdProto: 1 domain, 2 version
      ow.string(1, o.domain);
      ow.int(2, o.version);
    });
  }
  for (const [key, value] of Object.entries(m.metadata ?? {})) {
    w.message(14, (kw) => { // StringStringEntryProto: 1 key, 2 value
      kw.string(1, key);
      kw.string(2, value);
    });
  }
  return w.finish();
}
