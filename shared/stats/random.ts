/**
 * A seeded pseudo-random generator: xoshiro128** (Blackman & Vigna 2018), 128 bits of state,
 * period 2^128 - 1, state expanded from the seed with splitmix64 as its authors recommend.
 * The same seed gives the same stream on every platform and Node version. Pure: no clock,
 * no global state. Not for cryptography.
 */
export interface Random {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform integer in [0, n), without modulo bias; 1 <= n <= 2^32. */
  nextInt(n: number): number;
  /** A uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number;
}

const TWO_32 = 4294967296;
/** Bounds up to 2^21 take the fast path: a 32-bit draw times n stays an exact double. */
const SMALL = 2 ** 21;

class Xoshiro128StarStar implements Random {
  // An Int32Array keeps the words unboxed; object fields holding 32-bit values would be heap numbers.
  private readonly s = new Int32Array(4);

  constructor(state: Uint32Array) {
    if (state.length !== 4) throw new RangeError('xoshiro128** needs 4 state words');
    if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) throw new RangeError('xoshiro128** state must not be all zero');
    this.s.set(state);
  }

  nextUint32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  nextInt(n: number): number {
    if (n <= SMALL && n >= 1 && (n | 0) === n) {
      // Lemire's multiply-shift with rejection: x * n is exact below 2^53, its high word is the
      // draw and its low word decides rejection, with no floating-point modulo per draw.
      let x = this.nextUint32();
      let lo = Math.imul(x, n) >>> 0;
      if (lo < n) {
        const threshold = (TWO_32 - n) % n;
        while (lo < threshold) {
          x = this.nextUint32();
          lo = Math.imul(x, n) >>> 0;
        }
      }
      return Math.floor((x * n) / TWO_32);
    }
    if (!(n >= 1 && n <= TWO_32 && Number.isInteger(n))) throw new RangeError(`nextInt needs an integer 1..2^32, got ${n}`);
    // Reject the top partial block of [0, 2^32) so every residue is equally likely.
    const limit = TWO_32 - (TWO_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }
}

/** The generator for a raw 128-bit state (4 words, not all zero); for reference vectors. */
export function fromState(state: Uint32Array): Random {
  return new Xoshiro128StarStar(state);
}

/** The generator for a seed: any safe integer (negative seeds wrap to 64 bits). */
export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const mask = (1n << 64n) - 1n;
  let x = BigInt.asUintN(64, BigInt(seed));
  const splitmix64 = (): bigint => {
    x = (x + 0x9e3779b97f4a7c15n) & mask;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return z ^ (z >> 31n);
  };
  const a = splitmix64();
  const b = splitmix64();
  const state = new Uint32Array([Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n)]);
  // splitmix64 never yields two zero words in a row, but stay safe.
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return new Xoshiro128StarStar(state);
}
