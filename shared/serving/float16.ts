/** FP16 tensors: held as float32 in the server, converted at the ONNX Runtime and binary-data boundaries. */

/** Half-precision as ONNX Runtime takes it: a Float16Array where the platform has one, else the raw bits. */
export function toFloat16(values: Float32Array): ArrayLike<number> {
  const F16 = (globalThis as { Float16Array?: { from(a: ArrayLike<number>): ArrayLike<number> } }).Float16Array;
  if (F16) return F16.from(values);
  const bits = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i]!;
    const x = u[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    const mant = x & 0x7fffff;
    if (((x >>> 23) & 0xff) === 0xff) bits[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
    else if (exp >= 0x1f) bits[i] = sign | 0x7c00;
    else if (exp <= 0) bits[i] = exp < -10 ? sign : sign | ((mant | 0x800000) >> (14 - exp));
    else bits[i] = sign | (exp << 10) | (mant >> 13);
  }
  return bits;
}

/** Half-precision values (raw bits in a Uint16Array, or a Float16Array) as float32, exactly. */
export function fromFloat16(data: ArrayLike<number>): Float32Array {
  if (!(data instanceof Uint16Array)) return Float32Array.from(data);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const h = data[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    out[i] = exp === 0 ? sign * 2 ** -14 * (mant / 1024) : exp === 0x1f ? (mant ? NaN : sign * Infinity) : sign * 2 ** (exp - 15) * (1 + mant / 1024);
  }
  return out;
}

/** The IEEE half-precision bits of each value (exact for values that are halves). */
export function float16Bits(values: Float32Array): Uint16Array {
  const h = toFloat16(values);
  return h instanceof Uint16Array ? h : new Uint16Array((h as unknown as { buffer: ArrayBuffer }).buffer);
}
