import fs from 'node:fs';
import { readFields } from './protobuf.js';

/** What the ONNX file says about itself (ModelProto top-level fields). */
export interface OnnxHeader {
  irVersion: number | null;
  producer: string | null;
  producerVersion: string | null;
  opset: { domain: string; version: number }[];
  metadata: Record<string, string>;
}

/**
 * Read ModelProto's top-level fields without loading the graph: the graph (field 7) and any
 * other large field is skipped by its length, so a multi-GB model costs a few small reads.
 */
export function readOnnxHeader(file: string): OnnxHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let pos = 0;
    const byteAt = (p: number): number => {
      const b = Buffer.alloc(1);
      if (fs.readSync(fd, b, 0, 1, p) !== 1) throw new Error('truncated ONNX file');
      return b[0]!;
    };
    const varint = (): number => {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = byteAt(pos++);
        result += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) return result;
        shift += 7;
        if (shift > 63) throw new Error('bad varint');
      }
    };
    const bytes = (n: number): Buffer => {
      const b = Buffer.alloc(n);
      if (fs.readSync(fd, b, 0, n, pos) !== n) throw new Error('truncated ONNX file');
      pos += n;
      return b;
    };
    const header: OnnxHeader = { irVersion: null, producer: null, producerVersion: null, opset: [], metadata: {} };
    while (pos < size) {
      const key = varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) {
        const v = varint();
        if (field === 1) header.irVersion = v;
      } else if (wire === 2) {
        const len = varint();
        if (pos + len > size) throw new Error('truncated ONNX file');
        if (field === 2) header.producer = bytes(len).toString('utf8');
        else if (field === 3) header.producerVersion = bytes(len).toString('utf8');
        else if (field === 8) header.opset.push(parseOpset(bytes(len)));
        else if (field === 14) Object.assign(header.metadata, parseStringPair(bytes(len)));
        else pos += len;
      } else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else throw new Error(`not an ONNX model (wire type ${wire} at byte ${pos})`);
    }
    return header;
  } finally {
    fs.closeSync(fd);
  }
}

function parseOpset(buf: Buffer): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  for (const f of readFields(buf)) {
    if (f.field === 1 && Buffer.isBuffer(f.value)) domain = f.value.toString('utf8');
    if (f.field === 2 && typeof f.value === 'number') version = f.value;
  }
  return { domain: domain || 'ai.onnx', version };
}

function parseStringPair(buf: Buffer): Record<string, string> {
  let key = '';
  let value = '';
  for (const f of readFields(buf)) {
    if (f.field === 1 && Buffer.isBuffer(f.value)) key = f.value.toString('utf8');
    if (f.field === 2 && Buffer.isBuffer(f.value)) value = f.value.toString('utf8');
  }
  return { [key]: value };
}
