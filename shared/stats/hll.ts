/**
 * HyperLogLog distinct counts (Flajolet et al. 2007) with 2^14 registers (standard error 0.8%)
 * and Ertl's estimator (arXiv:1702.01284), accurate from one value up without bias tables.
 * Registers merge by maximum, so the sketch of a union is exact from the shards' sketches.
 *
 * The hash is DuckDB's `hash()` of the value's text (what the scan computes in SQL), written
 * here too so that value counts kept in a profile can join a sketch at merge time. Pure: no I/O.
 */
export const PRECISION = 14;
export const REGISTERS = 1 << PRECISION;
/** Bits of the hash left after the register index; a register holds 1..RANK_BITS+1. */
const RANK_BITS = 64 - PRECISION;

const MASK64 = (1n << 64n) - 1n;
const mul = (a: bigint, b: bigint) => (a * b) & MASK64;

function finalize(x: bigint): bigint {
  x ^= x >> 32n;
  x = mul(x, 0xd6e8feb86659fd93n);
  x ^= x >> 32n;
  x = mul(x, 0xd6e8feb86659fd93n);
  x ^= x >> 32n;
  return x;
}

/** DuckDB's `hash(text)` (1.x, src/common/types/hash.cpp): 8-byte little-endian blocks. */
export function hashText(text: string): bigint {
  const bytes = Buffer.from(text, 'utf8');
  let h = 0xe17a1465n ^ mul(BigInt(bytes.length), 0xc6a4a7935bd1e995n);
  const whole = bytes.length - (bytes.length & 7);
  for (let i = 0; i < whole; i += 8) h = mul(h ^ bytes.readBigUInt64LE(i), 0xd6e8feb86659fd93n);
  if (whole < bytes.length) {
    const rest = Buffer.alloc(8);
    bytes.copy(rest, 0, whole);
    h = mul(h ^ rest.readBigUInt64LE(0), 0xd6e8feb86659fd93n);
  }
  return finalize(h);
}

/**
 * SQL for one value's register update, as `index * 64 + rank` (an INTEGER): the index is the
 * hash's top PRECISION bits, the rank 1 + the trailing zeros of the rest (capped by a guard bit).
 * The largest per register over a column gives the registers (`bitsSql`, `fromBits`).
 */
export function updateSql(textExpr: string): string {
  const h = `hash(${textExpr})`;
  const w = `((${h} & ${(1n << BigInt(RANK_BITS)) - 1n}::UBIGINT) | ${1n << BigInt(RANK_BITS)}::UBIGINT)`;
  return `CAST((${h} >> ${RANK_BITS}) * 64 + bit_count(xor(${w}, ${w} - 1)) AS INTEGER)`;
}

export function empty(): Uint8Array {
  return new Uint8Array(REGISTERS);
}

/**
 * SQL of one aggregate holding the registers of the values of `textExpr` where `where` holds
 * (default: not NULL; DuckDB hashes NULL too): a bit for every `updateSql` value seen (DuckDB's
 * bitstring_agg over 0..REGISTERS*64-1), as a BLOB of 128 KiB whatever the data, so it folds
 * into any scan with bounded memory. `fromBits` reads the registers back.
 */
export function bitsSql(textExpr: string, where = `${textExpr} IS NOT NULL`): string {
  return `CAST(bitstring_agg(CASE WHEN ${where} THEN ${updateSql(textExpr)} END, 0, ${REGISTERS * 64 - 1}) AS BLOB)`;
}

/** Registers from the bits of `bitsSql` (bit i*64+r, most significant bit of each byte first): the largest rank r of each register i. None (all values NULL): empty. */
export function fromBits(bits: Uint8Array | null | undefined): Uint8Array {
  const regs = empty();
  if (!bits) return regs;
  if (bits.length !== REGISTERS * 8) throw new Error(`HyperLogLog bits: ${bits.length} bytes, not ${REGISTERS * 8}`);
  for (let i = 0; i < REGISTERS; i++) {
    // The register's 64 bits are bytes 8i..8i+7; its rank is the highest bit set.
    for (let b = 8 * i + 7; b >= 8 * i; b--) {
      const byte = bits[b]!;
      if (byte === 0) continue;
      regs[i] = 8 * (b - 8 * i) + Math.clz32(byte & -byte) - 24;
      break;
    }
  }
  return regs;
}

export function add(regs: Uint8Array, text: string): void {
  const h = hashText(text);
  const i = Number(h >> BigInt(RANK_BITS));
  let w = (h & ((1n << BigInt(RANK_BITS)) - 1n)) | (1n << BigInt(RANK_BITS));
  let rank = 1;
  while ((w & 1n) === 0n) (w >>= 1n), rank++;
  regs[i] = Math.max(regs[i]!, rank);
}

export function merge(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = empty();
  for (let i = 0; i < REGISTERS; i++) out[i] = Math.max(a[i]!, b[i]!);
  return out;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const before = z;
    z += x * y;
    y += y;
    if (z === before) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const before = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === before) return z / 3;
  }
}

/** Ertl's improved raw estimator (his Algorithm 6). */
export function estimate(regs: Uint8Array): number {
  const m = REGISTERS;
  const counts = new Array<number>(RANK_BITS + 2).fill(0);
  for (const r of regs) counts[r]!++;
  let z = m * tau(1 - counts[RANK_BITS + 1]! / m);
  for (let k = RANK_BITS; k >= 1; k--) z = 0.5 * (z + counts[k]!);
  z += m * sigma(counts[0]! / m);
  return Math.round(m / (2 * Math.log(2)) / z * m);
}
