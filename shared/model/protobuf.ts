/** Just enough protobuf to read and amend ONNX messages in memory. */
export interface Field {
  field: number;
  wire: number;
  /** varint value (wire 0) or the payload bytes (wire 2); fixed-size fields as raw bytes. */
  value: number | Buffer;
  /** The whole encoded field (key + length + payload), to copy it unchanged. */
  raw: Buffer;
}

export function readFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated protobuf');
      const b = buf[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new Error('bad varint');
    }
  };
  while (pos < buf.length) {
    const start = pos;
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: number | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Error('truncated protobuf');
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    out.push({ field, wire, value, raw: buf.subarray(start, pos) });
  }
  return out;
}

export function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** A length-delimited field (strings, bytes, sub-messages). */
export function lengthField(field: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([varint(field * 8 + 2), varint(body.length), body]);
}

export function varintField(field: number, value: number): Buffer {
  return Buffer.concat([varint(field * 8), varint(value)]);
}

export const text = (f: Field | undefined): string | undefined => (f && Buffer.isBuffer(f.value) ? f.value.toString('utf8') : undefined);
