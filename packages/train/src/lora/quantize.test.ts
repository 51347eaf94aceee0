import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@chainlm/core';
import { dequantizeMatrix, quantizeMatrix, quantizedBytes } from './quantize.js';

function randomMatrix(rows: number, columns: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: rows * columns }, () => rng.next() * 2 - 1);
}

describe('quantizeMatrix', () => {
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
      const ratio = quantizedBytes(quantized) / values.byteLength;
      expect(ratio).toBeCloseTo(bits === 4 ? (0.5 + 4 / groupSize) / 4 : (1 + 4 / groupSize) / 4, 5);
    }
  });

  it('handles a ragged last group and an all-zero group', () => {
    const values = Float32Array.from([0, 0, 0, 1.5, -3]);
    const restored = dequantizeMatrix(quantizeMatrix(values, 1, 5, 4, 3));
    expect(Array.from(restored.slice(0, 3))).toEqual([0, 0, 0]);
    expect(restored[4]).toBeCloseTo(-3, 5);
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => quantizeMatrix(new Float32Array(5), 2, 3, 4, 2)).toThrow(/5 values for \[2, 3\]/);
  });
});
