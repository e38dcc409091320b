import { describe, expect, it } from 'vitest';
import * as hll from '../../shared/stats/hll.js';

function sketchOf(from: number, to: number): Uint8Array {
  const regs = hll.empty();
  for (let i = from; i < to; i++) hll.add(regs, `value-${i}`);
  return regs;
}

describe('HyperLogLog', () => {
  it('is within 2% of the true count from one value to 200,000', () => {
    for (const n of [1, 2, 10, 100, 1000, 5000, 20000, 200000]) {
      const est = hll.estimate(sketchOf(0, n));
      expect(Math.abs(est - n) / n, `n=${n}: ${est}`).toBeLessThanOrEqual(0.02);
    }
    expect(hll.estimate(hll.empty())).toBe(0);
  });

  it('counts a value seen many times once', () => {
    const repeated = hll.empty();
    const once = hll.empty();
    for (let k = 0; k < 50; k++) for (let i = 0; i < 300; i++) hll.add(repeated, `v${i}`);
    for (let i = 0; i < 300; i++) hll.add(once, `v${i}`);
    expect(repeated).toEqual(once);
    expect(Math.abs(hll.estimate(once) - 300)).toBeLessThanOrEqual(6);
  });

  it('merges into the sketch of the union, overlaps counted once', () => {
    const a = sketchOf(0, 60000);
    const b = sketchOf(40000, 100000);
    expect(hll.merge(a, b)).toEqual(sketchOf(0, 100000));
    expect(Math.abs(hll.estimate(hll.merge(a, b)) - 100000) / 100000).toBeLessThanOrEqual(0.02);
  });

  it('reads the registers from the bits of SQL updates (index * 64 + rank), the largest rank winning', () => {
    const bits = new Uint8Array(hll.REGISTERS * 8);
    for (const u of [5 * 64 + 3, 5 * 64 + 7, 5 * 64 + 2, 16383 * 64 + 51, 9 * 64 + 1]) bits[u >> 3]! |= 0x80 >> (u & 7);
    const regs = hll.fromBits(bits);
    expect(regs[5]).toBe(7);
    expect(regs[9]).toBe(1);
    expect(regs[16383]).toBe(51);
    expect(regs.reduce((s, r) => s + (r > 0 ? 1 : 0), 0)).toBe(3);
    expect(hll.fromBits(null)).toEqual(hll.empty());
  });
});
