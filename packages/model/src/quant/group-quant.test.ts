import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@chainlm/core';
import { dequantizeMatrix, quantizeMatrix, quantizedBytes } from './group-quant.js';

function randomMatrix(rows: number, columns: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: rows * columns }, () => rng.next() * 2 - 1);
}

describe('quantizeMatrix, symmetric (QLoRA, W8A16)', () => {
  it('round-trips exactly representable values at 4 and 8 bits', () => {
    // One group per row; absmax 7 → scale 1, so integers −7..7 are exact.
    const values = Float32Array.from([-7, -3, 0, 1, 7, 2, 7, -1, 3, -2]);
    expect(Array.from(dequantizeMatrix(quantizeMatrix(values, 2, 5, 4, 5)))).toEqual(Array.from(values));
    const wide = Float32Array.from([-127, 5, 0, 64]);
    expect(Array.from(dequantizeMatrix(quantizeMatrix(wide, 1, 4, 8, 4)))).toEqual(Array.from(wide));
  });

  it('bounds the error by half a step per group and shrinks memory', () => {
    const [rows, columns, groupSize] = [16, 64, 32];
    const values = randomMatrix(rows, columns, 3);
    for (const bits of [4, 8] as const) {
      const quantized = quantizeMatrix(values, rows, columns, bits, groupSize);
      const restored = dequantizeMatrix(quantized);
      for (let index = 0; index < values.length; index++) {
        const scale = quantized.scales[Math.floor(index / groupSize)];
        expect(Math.abs(restored[index] - values[index])).toBeLessThanOrEqual(scale / 2 + 1e-7);
      }
      // Measured on the arrays, not restated: codes + one float32 scale per group.
      expect(quantized.codes.byteLength).toBe((rows * columns * bits) / 8);
      expect(quantizedBytes(quantized)).toBe(quantized.codes.byteLength + quantized.scales.byteLength);
      expect(quantized.scales.length).toBe((rows * columns) / groupSize);
    }
  });

  it('handles a ragged last group and an all-zero group', () => {
    const values = Float32Array.from([0, 0, 0, 1.5, -3]);
    const quantized = quantizeMatrix(values, 1, 5, 4, 3);
    expect(quantized.scales.length).toBe(2);
    const restored = dequantizeMatrix(quantized);
    expect(Array.from(restored.slice(0, 3))).toEqual([0, 0, 0]);
    expect(restored[4]).toBeCloseTo(-3, 5);
  });
});

describe('quantizeMatrix, asymmetric (W4A16) and channel scales (AWQ)', () => {
  it('uses all 16 levels between min and max with a zero point', () => {
    const levels = Float32Array.from({ length: 16 }, (_, index) => -0.1 + index * 0.05);
    const quantized = quantizeMatrix(levels, 1, 16, 4, 16, { scheme: 'asymmetric' });
    expect(quantized.zeros[0]).toBe(2); // round(0.1 / 0.05)
    const restored = dequantizeMatrix(quantized);
    for (let index = 0; index < 16; index++) expect(restored[index]).toBeCloseTo(levels[index], 6);
  });

  it('multiplies columns by channel scales before quantizing and divides them back', () => {
    const values = randomMatrix(4, 16, 5);
    const channelScales = Float32Array.from({ length: 16 }, (_, column) => (column < 2 ? 8 : 0.5));
    const plain = dequantizeMatrix(quantizeMatrix(values, 4, 16, 8, 16));
    const scaled = quantizeMatrix(values, 4, 16, 8, 16, { channelScales });
    expect(scaled.channelScales).toBe(channelScales);
    const restored = dequantizeMatrix(scaled);
    const error = (approx: Float32Array, column: number) => Math.max(...[0, 1, 2, 3].map((row) => Math.abs(approx[row * 16 + column] - values[row * 16 + column])));
    // The up-weighted column gets 16× finer steps than the others.
    expect(error(restored, 0)).toBeLessThan(error(plain, 0) + 1e-7);
    expect(error(restored, 0)).toBeLessThanOrEqual(scaled.scales[0] / 8 / 2 + 1e-7);
  });
});

describe('quantizeMatrix guards', () => {
  it('refuses a shape, bit width, group size or option that does not fit', () => {
    expect(() => quantizeMatrix(new Float32Array(5), 2, 3, 4, 2)).toThrow(/5 values for \[2, 3\]/);
    expect(() => quantizeMatrix(new Float32Array(4), 1, 4, 2 as 4, 2)).toThrow(/bits must be 4 or 8, got 2/);
    expect(() => quantizeMatrix(new Float32Array(4), 1, 4, 8, 0)).toThrow(/groupSize must be a positive integer, got 0/);
    expect(() => quantizeMatrix(new Float32Array(4), 1, 4, 8, 2, { scheme: 'asymmetric', rounding: 'ggml' })).toThrow(/'ggml' rounding is symmetric only/);
    expect(() => quantizeMatrix(new Float32Array(4), 1, 4, 8, 2, { channelScales: new Float32Array(3) })).toThrow(/3 channel scales for 4 columns/);
  });
});
