import { describe, expect, it } from 'vitest';
import { dequantizeQ8_0, quantizeQ8_0, q8ByteLength } from './q8-0.js';
import { halfToFloat } from './half.js';

describe('Q8_0', () => {
  it('stores a float16 scale max|x|/127 and int8 values rounded half away from zero', () => {
    const values = new Float32Array(32);
    values[0] = 127;
    values[1] = -2.5; // → -3 (roundf), where Math.round would give -2
    values[2] = 2.5;
    values[3] = -127;
    values[4] = 0.49;
    const bytes = quantizeQ8_0(values);
    expect(bytes.length).toBe(34);
    expect(halfToFloat(bytes[0] | (bytes[1] << 8))).toBe(1);
    expect([...new Int8Array(bytes.buffer, 2, 5)]).toEqual([127, -3, 3, -127, 0]);
  });

  it('round-trips within half a quantization step per block, and zero blocks stay zero', () => {
    const values = new Float32Array(32 * 64);
    for (let index = 0; index < values.length; index++) values[index] = Math.sin(index * 0.37) * (1 + (index >> 5));
    values.fill(0, 32, 64);
    const restored = dequantizeQ8_0(quantizeQ8_0(values), values.length);
    for (let block = 0; block < 64; block++) {
      const slice = values.subarray(block * 32, block * 32 + 32);
      const maxAbs = Math.max(...slice.map(Math.abs));
      // Step = d = maxAbs/127 (plus float16 rounding of d, ≤ 2^-11 relative, times |q| ≤ 127).
      const bound = maxAbs / 127 / 2 + maxAbs * 2 ** -11 + 1e-7;
      for (let index = 0; index < 32; index++) expect(Math.abs(restored[block * 32 + index] - slice[index])).toBeLessThanOrEqual(bound);
    }
    expect([...restored.subarray(32, 64)].every((value) => value === 0)).toBe(true);
  });

  it('rejects sizes that are not whole blocks', () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(/multiple of 32 values, got 33/);
    expect(() => dequantizeQ8_0(new Uint8Array(34), 64)).toThrow(/34 bytes cannot hold 64 values/);
    expect(q8ByteLength(64)).toBe(68);
  });
});
