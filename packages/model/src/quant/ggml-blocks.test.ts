import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { halfToFloat } from '../io/half.js';
import { blockByteLength, dequantizeQ4_0, dequantizeQ8_0, q4BlockBytes, quantizeQ4_0, quantizeQ8_0 } from './ggml-blocks.js';

/**
 * 2,048 values (64 blocks) with an all-zero block and a block of equal magnitudes; the
 * same expression in float32 as the C program that made the goldens below.
 */
function goldenInput(): Float32Array {
  const values = new Float32Array(2048);
  for (let index = 0; index < values.length; index++) values[index] = Math.fround(Math.fround((((index * 37) % 101) - 50) / 7) * (1 + (index % 5)));
  values.fill(0, 64, 96);
  for (let index = 96; index < 128; index++) values[index] = index % 2 ? 3.5 : -3.5;
  return values;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('ggml block packing', () => {
  // sha256 of ggml_quantize_chunk's output on goldenInput() (no importance matrix, so
  // quantize_row_*_ref), from the libggml-base.so that node-llama-cpp 3.21.1 ships
  // (llama.cpp v0.4.0 release bundle), compiled against its headers with gcc.
  it('Q4_0 and Q8_0 bytes equal ggml own quantizer', () => {
    const values = goldenInput();
    const q4 = quantizeQ4_0(values);
    expect(q4.length).toBe(1152);
    expect(sha256(q4)).toBe('dd9237838a28ae249660a5c40c63db380a1099d24997a64b9b11b91fac7d6c15');
    expect(sha256(quantizeQ8_0(values))).toBe('63ef06c5fd9469c37c769293b42f76a899442dd190dd958a43d0a8da8744dd7f');
  });

  it('Q4_0 layout: f16 scale, then value j in the low nibble and value j + 16 in the high one', () => {
    const values = Float32Array.from({ length: 32 }, (_, index) => (index === 0 ? -8 : index < 16 ? 1 : -2));
    const block = quantizeQ4_0(values);
    expect(block.length).toBe(q4BlockBytes);
    // d = (value of largest magnitude) / −8 = 1, so q = x + 8.
    expect(halfToFloat(block[0] | (block[1] << 8))).toBe(1);
    expect(block[2]).toBe(0 | (6 << 4)); // x0 = −8 → 0, x16 = −2 → 6
    expect(block[3]).toBe(9 | (6 << 4)); // x1 = 1 → 9
    expect(Array.from(dequantizeQ4_0(block, 32))).toEqual(Array.from(values));
  });

  // Half a step of d = max|x|/8, except values of the other sign near max|x|: q = 16
  // clamps to 15 (the range is [−8, 7]·d), a full step off, as in ggml.
  it('Q4_0 round trip stays within one step of max|x|/8 per block', () => {
    const values = goldenInput();
    const back = dequantizeQ4_0(quantizeQ4_0(values), values.length);
    for (let block = 0; block < values.length / 32; block++) {
      const slice = values.subarray(block * 32, block * 32 + 32);
      const maxAbs = Math.max(...Array.from(slice, Math.abs));
      for (let index = 0; index < 32; index++) expect(Math.abs(back[block * 32 + index] - slice[index])).toBeLessThanOrEqual(maxAbs / 8 + maxAbs * 2 ** -10);
    }
  });

  it('sizes and guards', () => {
    expect(blockByteLength('Q8_0', 64)).toBe(68);
    expect(blockByteLength('Q4_0', 64)).toBe(36);
    expect(() => quantizeQ4_0(new Float32Array(33))).toThrow(/Q4_0 needs a multiple of 32 values, got 33/);
    expect(() => dequantizeQ4_0(new Uint8Array(17), 32)).toThrow(/Q4_0 data of 17 bytes cannot hold 32 values/);
  });
});


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
    expect(blockByteLength('Q8_0', 64)).toBe(68);
  });
});
